"""Read a Moodle competency framework file (``tool_lpimportcsv``) into a curriculum's referential.

The file's rows become the ``[referential]`` table of a curriculum (see ``moodle`` for the
format): the framework row gives the name and the level scale, the competencies without a
parent the domains, their children the competences. Everything the curriculum's schema
checks is checked here too, and each problem names its line in the file (the line a row
starts on, a quoted description running over several). A file with any problem gives
nothing: :func:`read_framework` raises MoodleImportError with all of them.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from pydantic import ValidationError

from parcours.core.text import has_control_characters
from parcours.curricula.moodle import (
    COLUMN,
    ELLIPSIS,
    FORMAT_MOODLE,
    FORMATS,
    HEADER,
    KEYS,
    REQUIRED,
    description_lines,
)
from parcours.curricula.schema import CODE_PATTERN, Referential

#: A file that big is not a referential.
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


class MoodleImportError(ValueError):
    """A framework file that cannot become a referential; ``problems`` name their lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Imported:
    """What a Moodle framework file gives: the ``[referential]`` table, and notes to read."""

    referential: dict
    notes: list[str] = field(default_factory=list)

    @property
    def competence_count(self) -> int:
        return sum(len(domain["competences"]) for domain in self.referential["domains"])


def read_framework(raw: bytes) -> Imported:
    """Read a Moodle competency framework file into a ``[referential]`` table.

    Raises MoodleImportError naming every problem, with its line.
    """
    return _Import(raw).run()


# Columns and values ------------------------------------------------------------------------


def _normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


#: Header names as Moodle has spelt them over its versions, and its keys, to the keys.
_ALIASES = {
    **{_normalise(name): key for key, name in COLUMN.items()},
    **{key: key for key in KEYS},
    "ruletypeoptional": "ruletype",
    "ruleoutcomeoptional": "ruleoutcome",
    "ruleconfigoptional": "ruleconfig",
    "crossreferencedcompetencyidnumbers": "relatedidnumbers",
    "exportedidoptional": "exportid",
    "taxonomies": "taxonomy",
}

_CODE = re.compile(CODE_PATTERN)
_CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def code_of(idnumber: str) -> str | None:
    """Return the curriculum code an ID number gives (accents dropped, spaces as « - »), or None."""
    decomposed = unicodedata.normalize("NFKD", idnumber)
    text = "-".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
    text = "".join(c for c in text if c in _CODE_CHARACTERS).lstrip("._-")
    return text if _CODE.match(text) else None


def _truthy(value) -> bool:
    """Read a flag as Moodle (PHP) does: empty, "0", 0, false and null are false."""
    if value is None or isinstance(value, bool | int | float):
        return bool(value)
    return str(value).strip() not in ("", "0")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # Moodle writes UTF-8; Excel adds a BOM
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # a file saved again by an old Excel


def _delimiter(text: str) -> str:
    """Return the separator of the header line: Moodle writes commas, Excel semicolons."""
    first_line = text.split("\n", 1)[0]
    return max(",;\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))


def _at(line: int, message: str) -> str:
    return _("ligne %(line)d : %(message)s", line=line, message=message)


@dataclass
class _Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "").strip()


#: The column a referential's field comes from, to name it in a message.
_FIELD_COLUMNS = {
    "code": COLUMN["idnumber"],
    "name": COLUMN["shortname"],
    "label": COLUMN["shortname"],
    "description": COLUMN["description"],
    "levels": COLUMN["scalevalues"],
}


class _Import:
    """One reading of a file: its rows, then the referential they describe, or the problems."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.problems: list[str] = []
        self.notes: list[str] = []
        #: The competency rows by ID number (the first of each).
        self.by_id: dict[str, _Row] = {}

    def fail(self, line: int | None, message: str) -> None:
        self.problems.append(_at(line, message) if line else message)

    def note(self, line: int, message: str) -> None:
        self.notes.append(_at(line, message))

    def stop_if_failed(self) -> None:
        if self.problems:
            raise MoodleImportError(self.problems)

    def run(self) -> Imported:
        rows = self.rows()
        self.stop_if_failed()
        framework = self.framework([row for row in rows if _truthy(row["isframework"])])
        labels = self.scale(framework) if framework is not None else None
        competencies = [row for row in rows if not _truthy(row["isframework"])]
        codes = self.codes(competencies, framework)
        domains = self.tree(competencies, codes)
        if framework is not None and not domains and not self.problems:
            self.fail(None, _("Le fichier ne contient aucun domaine (compétence sans parent)."))
        self.stop_if_failed()
        referential, where = self.referential(framework, labels, domains, codes)
        self.validate(referential, where)
        self.stop_if_failed()
        return Imported(referential=referential, notes=self.notes)

    # The file ------------------------------------------------------------------------------

    def rows(self) -> list[_Row]:
        """Return the file's rows, each with the line it starts on."""
        if len(self.raw) > MAX_BYTES:
            self.fail(None, _("Le fichier dépasse %(n)d Mo.", n=MAX_BYTES // (1024 * 1024)))
            return []
        text = _decode(self.raw).replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            self.fail(None, _("Le fichier est vide."))
            return []
        reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
        records, consumed = [], 0
        try:
            for values in reader:
                records.append((consumed + 1, values))
                consumed = reader.line_num
        except csv.Error as error:
            self.fail(consumed + 1, _("CSV mal formé (%(error)s)", error=str(error)))
            return []
        header_line, header = records[0]
        keys = self.columns(header_line, header)
        if keys is None:
            return []
        rows = []
        for line, values in records[1:]:
            if not any(value.strip() for value in values):
                continue  # an empty line
            if len(values) != len(header):
                self.fail(
                    line,
                    _(
                        "%(found)d colonnes au lieu des %(expected)d de l'en-tête (guillemets "
                        "mal fermés ?)",
                        found=len(values),
                        expected=len(header),
                    ),
                )
            elif any(has_control_characters(value, multiline=True) for value in values):
                self.fail(line, _("caractère de contrôle invisible"))
            else:
                named = {key: value for key, value in zip(keys, values, strict=True) if key}
                rows.append(_Row(line, named))
            if len(rows) > MAX_ROWS:
                self.fail(None, _("Le fichier dépasse %(n)d lignes.", n=MAX_ROWS))
                return []
        return rows

    def columns(self, line: int, header: list[str]) -> list[str | None] | None:
        """Return the key of each column, found by its name, or by position as Moodle reads."""
        keys = [_ALIASES.get(_normalise(name)) for name in header]
        found = [key for key in keys if key]
        if not found and len(header) == len(KEYS):
            # A Moodle in another language names the columns in it; Moodle itself reads
            # them by position.
            return list(KEYS)
        if not found:
            self.fail(
                line,
                _(
                    "en-tête non reconnu ; un fichier de référentiel Moodle commence par : "
                    "%(header)s",
                    header=",".join(HEADER),
                ),
            )
            return None
        twice = sorted({COLUMN[key] for key in found if found.count(key) > 1})
        if twice:
            self.fail(line, _("colonnes en double : %(columns)s", columns=", ".join(twice)))
        missing = [COLUMN[key] for key in REQUIRED if key not in found]
        if missing:
            self.fail(line, _("colonnes manquantes : %(columns)s", columns=", ".join(missing)))
        return None if twice or missing else keys

    # The framework row ---------------------------------------------------------------------

    def framework(self, frameworks: list[_Row]) -> _Row | None:
        """Return the one row that describes the referential itself."""
        column = COLUMN["isframework"]
        if not frameworks:
            self.fail(
                None,
                _(
                    "Aucune ligne ne décrit le référentiel lui-même (« %(column)s » = 1).",
                    column=column,
                ),
            )
            return None
        for extra in frameworks[1:]:
            self.fail(
                extra.line,
                _(
                    "un deuxième référentiel (« %(column)s » = 1) ; la ligne %(first)d en "
                    "décrit déjà un",
                    column=column,
                    first=frameworks[0].line,
                ),
            )
        framework = frameworks[0]
        if not framework["shortname"]:
            self.fail(
                framework.line,
                _(
                    "« %(column)s » (le nom du référentiel) est vide",
                    column=COLUMN["shortname"],
                ),
            )
        return framework

    def scale(self, row: _Row) -> list[str] | None:
        """Return the level labels of the framework row, or None (and say why)."""
        column = COLUMN["scalevalues"]
        labels = [label.strip() for label in row["scalevalues"].split(",")]
        if not row["scalevalues"]:
            problem = _("« %(column)s » est vide : le référentiel n'a pas d'échelle", column=column)
        elif any(not label for label in labels):
            problem = _("un niveau de « %(column)s » est vide", column=column)
        elif len(set(labels)) != len(labels):
            problem = _("deux niveaux de « %(column)s » ont le même nom", column=column)
        elif not 2 <= len(labels) <= 10:
            problem = _(
                "« %(column)s » compte %(n)d niveaux ; une échelle en a de 2 à 10",
                column=column,
                n=len(labels),
            )
        else:
            problem = _scale_configuration_problem(row["scaleconfiguration"], len(labels))
        if problem:
            self.fail(row.line, problem)
            return None
        return labels

    # Competencies --------------------------------------------------------------------------

    def codes(self, competencies: list[_Row], framework: _Row | None) -> dict[str, str]:
        """Return each usable ID number's code; say what is wrong with the others."""
        by_id = self.by_id
        by_code: dict[str, _Row] = {}
        codes: dict[str, str] = {}
        for row in competencies:
            idnumber = row["idnumber"]
            if not row["shortname"]:
                self.fail(row.line, _("« %(column)s » est vide", column=COLUMN["shortname"]))
            if not idnumber:
                self.fail(row.line, _("« %(column)s » est vide", column=COLUMN["idnumber"]))
                continue
            if idnumber in by_id:
                self.fail(
                    row.line,
                    _(
                        "l'identifiant « %(id)s » est déjà celui de la ligne %(first)d",
                        id=idnumber,
                        first=by_id[idnumber].line,
                    ),
                )
                continue
            by_id[idnumber] = row
            self.own_scale(row, framework)
            code = code_of(idnumber)
            if code is None:
                self.fail(
                    row.line,
                    _(
                        "l'identifiant « %(id)s » ne donne pas de code : 1 à 32 lettres sans "
                        "accent, chiffres, « . », « _ » ou « - », commençant par une lettre ou "
                        "un chiffre",
                        id=idnumber,
                    ),
                )
            elif code in by_code:
                self.fail(
                    row.line,
                    _(
                        "l'identifiant « %(id)s » donne le code « %(code)s », déjà celui de la "
                        "ligne %(first)d",
                        id=idnumber,
                        code=code,
                        first=by_code[code].line,
                    ),
                )
            else:
                by_code[code] = row
                codes[idnumber] = code
                if code != idnumber:
                    self.note(
                        row.line,
                        _(
                            "l'identifiant « %(id)s » devient le code « %(code)s »",
                            id=idnumber,
                            code=code,
                        ),
                    )
        return codes

    def own_scale(self, row: _Row, framework: _Row | None) -> None:
        """Refuse a competency rated on a scale other than the referential's."""
        own = row["scalevalues"].replace(" ", "")
        if framework is None or not own or own == framework["scalevalues"].replace(" ", ""):
            return
        self.fail(
            row.line,
            _(
                "cette compétence a une échelle à elle (« %(column)s ») ; un référentiel n'en "
                "a qu'une, celle de la ligne %(first)d",
                column=COLUMN["scalevalues"],
                first=framework.line,
            ),
        )

    def tree(self, competencies: list[_Row], codes: dict[str, str]) -> list[tuple[_Row, list]]:
        """Return the domains in file order, each with its competences in file order.

        A competence may come before its domain: Moodle builds the tree by ID number, and
        its exports list competencies as they were created.
        """
        domains: list[tuple[_Row, list[_Row]]] = []
        children: dict[str, list[_Row]] = {}
        for row in competencies:
            idnumber, parent = row["idnumber"], row["parentidnumber"]
            if idnumber not in codes or self.by_id[idnumber] is not row:
                continue  # already refused
            if not parent:
                domains.append((row, children.setdefault(idnumber, [])))
                continue
            parent_row = self.by_id.get(parent)
            if parent_row is None:
                self.fail(
                    row.line,
                    _(
                        "le parent « %(parent)s » (« %(column)s ») n'est pas dans le fichier",
                        parent=parent,
                        column=COLUMN["parentidnumber"],
                    ),
                )
            elif parent_row["parentidnumber"]:
                self.fail(
                    row.line,
                    _(
                        "« %(id)s » est au troisième niveau (son parent « %(parent)s », ligne "
                        "%(line)d, est lui-même une compétence) ; un référentiel a des domaines "
                        "et leurs compétences, sans plus",
                        id=idnumber,
                        parent=parent,
                        line=parent_row.line,
                    ),
                )
            else:
                children.setdefault(parent, []).append(row)
        for row, competences in domains:
            if not competences:
                self.fail(
                    row.line,
                    _(
                        "le domaine « %(id)s » n'a aucune compétence (aucune ligne n'a "
                        "« %(id)s » pour « %(column)s »)",
                        id=row["idnumber"],
                        column=COLUMN["parentidnumber"],
                    ),
                )
        left_out = [row.line for row in competencies if row["ruletype"] or row["relatedidnumbers"]]
        if left_out:
            self.notes.append(
                _(
                    "Règles de complétion et compétences liées non reprises (lignes %(lines)s).",
                    lines=", ".join(str(line) for line in left_out),
                )
            )
        return domains

    # The referential -----------------------------------------------------------------------

    def name_and_text(self, row: _Row) -> tuple[str, list[str]]:
        """Return a row's full name and its description's lines (a shortened name taken back)."""
        raw = row["descriptionformat"] or str(FORMAT_MOODLE)  # Moodle reads empty as 0
        if raw.isdecimal() and int(raw) in FORMATS:
            lines = description_lines(row["description"], int(raw))
        else:
            self.fail(
                row.line,
                _(
                    "« %(column)s » vaut « %(value)s » : 0 (Moodle), 1 (HTML), 2 (texte brut) "
                    "ou 4 (Markdown) attendu",
                    column=COLUMN["descriptionformat"],
                    value=raw,
                ),
            )
            lines = []
        name = row["shortname"]
        for ellipsis in (ELLIPSIS, "..."):
            stem = name.removesuffix(ellipsis).rstrip()
            if name.endswith(ellipsis) and stem and lines and lines[0].startswith(stem):
                return lines[0], lines[1:]
        return name, lines

    def referential(
        self,
        framework: _Row,
        labels: list[str],
        domains: list[tuple[_Row, list[_Row]]],
        codes: dict[str, str],
    ) -> tuple[dict, dict[tuple, int]]:
        """Return the ``[referential]`` table, and the line each of its parts comes from."""
        name, lines = self.name_and_text(framework)
        where = {("name",): framework.line, ("levels",): framework.line}
        tables = []
        for d, (row, children) in enumerate(domains):
            domain_name, text = self.name_and_text(row)
            if text:
                self.note(
                    row.line,
                    _(
                        "la description du domaine « %(name)s » n'est pas reprise (un domaine "
                        "n'a qu'un code et un nom)",
                        name=domain_name,
                    ),
                )
            competences = []
            for c, child in enumerate(children):
                label, text = self.name_and_text(child)
                competences.append(
                    {
                        "code": codes[child["idnumber"]],
                        "label": label,
                        "description": "\n".join(text),
                    }
                )
                where[("domains", d, "competences", c)] = child.line
            tables.append(
                {"code": codes[row["idnumber"]], "name": domain_name, "competences": competences}
            )
            where[("domains", d)] = row.line
        self.stop_if_failed()
        referential = {"name": name, "levels": _levels(labels, lines), "domains": tables}
        return referential, where

    def validate(self, referential: dict, where: dict[tuple, int]) -> None:
        """Check the referential with the curriculum's own schema, naming each error's line."""
        try:
            Referential.model_validate(referential)
        except ValidationError as error:
            for item in error.errors():
                loc = tuple(item["loc"])
                line = next(
                    (where[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in where), None
                )
                field_name = next((part for part in reversed(loc) if isinstance(part, str)), None)
                column = _FIELD_COLUMNS.get(field_name, field_name)
                message = item["msg"].removeprefix("Value error, ")
                self.fail(line, f"{column} : {message}" if column else message)


def _scale_configuration_problem(raw: str, levels: int) -> str | None:
    """Check Moodle's scale configuration as Moodle does: one default, one proficient at least."""
    column = COLUMN["scaleconfiguration"]
    try:
        items = json.loads(raw)
    except ValueError:
        return _("« %(column)s » n'est pas du JSON valide", column=column)
    if (
        not isinstance(items, list)
        or not items
        or not isinstance(items[0], dict)
        or "scaleid" not in items[0]
    ):
        return _(
            '« %(column)s » doit être une liste JSON commençant par {"scaleid": …}',
            column=column,
        )
    defaults = proficient = 0
    for item in items[1:]:
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, str) and value.isdecimal():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= levels:
            return _(
                "« %(column)s » nomme un niveau %(id)s qui n'est pas dans l'échelle (1 à %(n)d)",
                column=column,
                id=json.dumps(value),
                n=levels,
            )
        defaults += _truthy(item.get("scaledefault", ""))
        proficient += _truthy(item.get("proficient", ""))
    if defaults != 1 or not proficient:
        return _(
            "« %(column)s » doit désigner un niveau par défaut et au moins un niveau « compétent »",
            column=column,
        )
    return None


def _levels(labels: list[str], lines: list[str]) -> list[dict]:
    """Return the levels, each with the description the framework's description gives it.

    A line « label : description » describes a level; the longest label that fits wins, so
    that the line of a level « Acquis : en partie » is not taken for one of « Acquis ».
    """
    descriptions: dict[str, str] = {}
    by_length = sorted(labels, key=len, reverse=True)
    for line in lines:
        for label in by_length:
            rest = line.removeprefix(label).lstrip(" \u00a0\u202f")
            if line.startswith(label) and rest.startswith(":"):
                if rest[1:].strip():
                    descriptions.setdefault(label, rest[1:].strip())
                break
    levels = []
    for value, label in enumerate(labels):
        level = {"value": value, "label": label}
        if label in descriptions:
            level["description"] = descriptions[label]
        levels.append(level)
    return levels
