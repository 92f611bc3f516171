"""A referential in and out of Moodle: its competency framework CSV (``admin/tool/lpimportcsv``).

Moodle's « Import competency framework » reads a CSV whose 14 columns are, in this order,
those of :data:`HEADER` (its own exports write them so, in English), one row per line:

- the **framework** row (« Is framework » = 1) is the referential: its name (« Short name »),
  its scale (« Scale values », the level labels from the lowest, comma-separated) and the
  scale's configuration (JSON: ``[{"scaleid": …}, {"id": 1, "scaledefault": 0,
  "proficient": 0}, …]``, ids counted from 1), its taxonomy per depth (``domain,competency``);
- each **domain** is a competency whose « Parent ID number » is empty;
- each **competence** is a competency whose parent is its domain's « ID number ».

Moodle keeps 100 characters of a short name. A longer label is shortened at a word, with
« … », and given whole as the first paragraph of the description, from where the import
takes it back. Moodle's scales have no description per level: the framework's description
lists them, « label : description », one per item, and the import reads them there.
Parcours does not say which levels are proficient: the export marks the upper half of the
scale so (from the middle level up), and its lowest such level as Moodle's default.

Completion rules, cross-references and the competencies' own scales have no place in a
referential: the import (``moodle_import``) leaves rules and cross-references out, and says
so, and refuses a competency with a scale of its own.
"""

import csv
import html
import io
import json
import re

import nh3
from flask_babel import force_locale
from flask_babel import gettext as _

from parcours.core.text import slug
from parcours.curricula.schema import CurriculumDocument

#: Moodle's column names (tool_lpimportcsv's English strings), in the order Moodle reads them.
HEADER = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
#: The same columns by the keys Moodle names them with in its code.
KEYS = (
    "parentidnumber",
    "idnumber",
    "shortname",
    "description",
    "descriptionformat",
    "scalevalues",
    "scaleconfiguration",
    "ruletype",
    "ruleoutcome",
    "ruleconfig",
    "relatedidnumbers",
    "exportid",
    "isframework",
    "taxonomy",
)
COLUMN = dict(zip(KEYS, HEADER, strict=True))
#: What the import cannot do without.
REQUIRED = (
    "parentidnumber",
    "idnumber",
    "shortname",
    "description",
    "descriptionformat",
    "scalevalues",
    "scaleconfiguration",
    "isframework",
)

# Moodle's text formats (lib/weblib.php).
FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN = 0, 1, 2, 4
HTML_FORMATS = (FORMAT_MOODLE, FORMAT_HTML)
FORMATS = (FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN)

#: The longest short name and ID number Moodle keeps (its importer cuts them there).
MOODLE_NAME_LENGTH = 100
ELLIPSIS = "…"
#: Between a level's label and its description, in the framework's description.
LEVEL_SEPARATOR = " : "


class MoodleExportError(ValueError):
    """A referential Moodle's format cannot hold; the message says what to change."""


# Export ------------------------------------------------------------------------------------


def _moodle_name(text: str) -> tuple[str, bool]:
    """Return ``text`` as a Moodle short name, and whether it had to be shortened."""
    if len(text) <= MOODLE_NAME_LENGTH:
        return text, False
    cut = text[: MOODLE_NAME_LENGTH - len(ELLIPSIS)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.—-") + ELLIPSIS, True


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def proficient_from(levels: int) -> int:
    """Return the value from which a level counts as proficient for Moodle: the upper half."""
    return levels // 2


def scale_configuration(levels: int) -> str:
    """Return Moodle's scale configuration for a scale of ``levels`` values (JSON)."""
    start = proficient_from(levels)
    items = [{"scaleid": "0"}]  # Moodle's importer puts the id of the scale it finds or makes
    for value in range(levels):
        items.append(
            {
                "id": value + 1,
                "scaledefault": int(value == start),
                "proficient": int(value >= start),
            }
        )
    return json.dumps(items, separators=(",", ":"))


def _framework_description(document: CurriculumDocument, name_shortened: bool) -> str:
    referential = document.referential
    parts = [_paragraphs([referential.name])] if name_shortened else []
    with force_locale(document.programme.language):
        parts.append(_paragraphs([_("Échelle de niveaux :")]))
    items = []
    for level in referential.levels:
        text = level.label
        if level.description:
            text += LEVEL_SEPARATOR + " ".join(_text_lines(level.description))
        items.append(f"<li>{html.escape(text, quote=False)}</li>")
    parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def export_rows(document: CurriculumDocument, idnumber: str) -> list[list[str]]:
    """Return the rows (header first) of the Moodle framework file of ``document``'s referential.

    ``idnumber`` is the framework's ID number, unique on a Moodle site.
    Raises MoodleExportError when a level label holds a comma (Moodle's scale separator).
    """
    referential = document.referential
    for level in referential.levels:
        if "," in level.label:
            raise MoodleExportError(
                _(
                    "Le niveau « %(label)s » contient une virgule : Moodle sépare les niveaux "
                    "d'une échelle par des virgules. Retirez-la du fichier de curriculum.",
                    label=level.label,
                )
            )
    name, shortened = _moodle_name(referential.name)
    rows = [
        list(HEADER),
        [
            "",
            idnumber,
            name,
            _framework_description(document, shortened),
            str(FORMAT_HTML),
            ",".join(level.label for level in referential.levels),
            scale_configuration(len(referential.levels)),
            "",
            "",
            "",
            "",
            "",
            "1",
            "domain,competency",
        ],
    ]
    number = 0

    def competency(parent: str, code: str, full_name: str, description: list[str]) -> list[str]:
        nonlocal number
        number += 1
        short, cut = _moodle_name(full_name)
        lines = [full_name, *description] if cut else description
        return [
            parent,
            code,
            short,
            _paragraphs(lines),
            str(FORMAT_HTML),
            "",
            "",
            "",
            "0",
            "null",
            "",
            str(number),
            "",
            "",
        ]

    for domain in referential.domains:
        rows.append(competency("", domain.code, domain.name, []))
        for item in domain.competences:
            rows.append(
                competency(domain.code, item.code, item.label, _text_lines(item.description))
            )
    return rows


def framework_file(document: CurriculumDocument, number: int) -> tuple[bytes, str]:
    """Return version ``number`` of a referential as a Moodle framework file, and its name.

    Raises MoodleExportError when Moodle's format cannot hold it.
    """
    content = export_csv(document, framework_idnumber(document, number))
    return content, f"referentiel-{slug(document.programme.slug)}-v{number}-moodle.csv"


def export_csv(document: CurriculumDocument, idnumber: str) -> bytes:
    """Return the Moodle framework file of ``document``'s referential: UTF-8, commas, no BOM.

    Moodle's own exports carry no byte order mark (its import drops one if present).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(export_rows(document, idnumber))
    return buffer.getvalue().encode("utf-8")


# Descriptions ------------------------------------------------------------------------------

_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_BLOCKS = (
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
)


def html_lines(markup: str) -> list[str]:
    """Return the text of an HTML description, one line per paragraph, list item or break.

    nh3 (the ammonia sanitiser) does the parsing: it keeps only the block tags, bare, and
    drops the rest (scripts and styles with their content); their boundaries become lines.
    """
    kept = nh3.clean(
        _ASCII_SPACES.sub(" ", markup),
        tags={*_BLOCKS, "br"},
        attributes={},
        strip_comments=True,
    )
    for tag in _BLOCKS:
        kept = kept.replace(f"<{tag}>", "\n").replace(f"</{tag}>", "\n")
    kept = kept.replace("<br>", "\n")
    text = html.unescape(nh3.clean(kept, tags=set()))
    return [" ".join(part for part in line.split(" ") if part) for line in text.split("\n")]


def description_lines(text: str, text_format: int) -> list[str]:
    """Return a description's text lines: HTML stripped, plain text as it is."""
    if text_format == FORMAT_MOODLE:
        text = text.replace("\n", "<br>")  # Moodle's auto-format keeps line breaks
    lines = html_lines(text) if text_format in HTML_FORMATS else text.splitlines()
    return [line.strip() for line in lines if line.strip()]


def framework_idnumber(document: CurriculumDocument, version: int) -> str:
    """Return the framework ID number of a loaded version: one per version on a Moodle site."""
    return f"{document.programme.slug}-v{version}"
