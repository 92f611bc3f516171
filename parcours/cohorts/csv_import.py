"""CSV import of territories and their catalyseurs: check everything, then write all or nothing.

One row per territory. French Excel exports (semicolon, UTF-8 with BOM, or Windows-1252)
work as well as comma-separated UTF-8.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from parcours.accounts.models import User, normalize_email
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts import operations
from parcours.cohorts.models import (
    CARRIER_TYPES,
    STATUS_LABELS,
    TERRITORY_KINDS,
    Cohort,
    Membership,
    Territory,
    TerritoryStatus,
)
from parcours.core.extensions import db
from parcours.core.text import has_control_characters, name_key

MAX_ROWS = 500
TERRITORY_COLUMNS = {
    "territoire": "name",
    "region": "region",
    "departement": "department",
    "type": "kind",
    "structure": "carrier_structure",
    "type_structure": "carrier_type",
    "statut": "status",
    "motif": "status_reason",
}
PERSON_COLUMNS = ("nom", "email", "structure")
HEADER = [
    *TERRITORY_COLUMNS,
    *(f"catalyseur_{n}_{part}" for n in (1, 2) for part in PERSON_COLUMNS),
]
# Each value's limit is its column's length in the database: the model is the one source.
TERRITORY_TOO_LONG = {
    "name": _l("le nom du territoire dépasse %(max)d caractères"),
    "region": _l("la région dépasse %(max)d caractères"),
    "department": _l("le département dépasse %(max)d caractères"),
    "carrier_structure": _l("la structure porteuse dépasse %(max)d caractères"),
}
PERSON_TOO_LONG = {
    "full_name": _l("catalyseur %(n)d : le nom dépasse %(max)d caractères"),
    "organisation": _l("catalyseur %(n)d : la structure dépasse %(max)d caractères"),
}


def _max_length(table, column: str) -> int:
    return table.__table__.c[column].type.length


def _key(text: str) -> str:
    """Fold case, accents, spaces and dashes so that « Type structure » matches type_structure."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.replace("-", " ").replace("'", " ").split())


def _choices(labels: dict) -> dict[str, str]:
    """Accept the stored code or the French label of each choice."""
    from flask_babel import force_locale

    accepted = {}
    with force_locale("fr"):
        for code, label in labels.items():
            accepted[_key(str(code))] = str(code)
            accepted[_key(str(label))] = str(code)
    return accepted


@dataclass
class Person:
    full_name: str
    email: str
    organisation: str


@dataclass
class Row:
    line: int
    territory: dict
    people: list[Person] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]
    errors: list[str]  # errors that concern the whole file

    @property
    def ok(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows) and bool(self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(row.errors) for row in self.rows)


def decode(raw: bytes) -> str:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252 (old Excel)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _dialect(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max(";,\t", key=first_line.count)


def parse(cohort: Cohort, text: str) -> Preview:
    """Read and check every row against the file itself and the cohort, without writing."""
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return Preview(rows=[], errors=[_("Le fichier est vide.")])
    columns = [_key(name) for name in header]
    missing = [name for name in ("territoire", "type", "type_structure") if name not in columns]
    if missing:
        return Preview(
            rows=[],
            errors=[
                _(
                    "Colonnes manquantes : %(columns)s. Colonnes attendues : %(expected)s.",
                    columns=", ".join(missing),
                    expected=";".join(HEADER),
                )
            ],
        )
    unknown = [header[i] for i, name in enumerate(columns) if name and name not in HEADER]
    file_errors = []
    if unknown:
        file_errors.append(_("Colonnes inconnues : %(columns)s.", columns=", ".join(unknown)))

    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            record = {
                name: (values[i].strip() if i < len(values) else "")
                for i, name in enumerate(columns)
            }
            rows.append(_row(reader.line_num, record))
            if len(rows) > MAX_ROWS:
                return Preview(rows=[], errors=[_("Le fichier dépasse %(n)d lignes.", n=MAX_ROWS)])
    except csv.Error as error:
        file_errors.append(
            _(
                "Ligne %(line)d : fichier CSV mal formé (%(error)s).",
                line=reader.line_num,
                error=str(error),
            )
        )
    if not rows and not file_errors:
        file_errors.append(_("Le fichier ne contient aucune ligne de données."))
    _check_against_cohort(cohort, rows)
    return Preview(rows=rows, errors=file_errors)


def _row(line: int, record: dict) -> Row:
    territory = {target: record.get(source, "") for source, target in TERRITORY_COLUMNS.items()}
    row = Row(line=line, territory=territory)
    # The file's contents pass no request filter; PostgreSQL would refuse a NUL in them.
    for column, value in record.items():
        if has_control_characters(value, multiline=True):
            row.errors.append(
                _("%(column)s : caractère de contrôle invisible", column=column or "?")
            )
    if not territory["name"]:
        row.errors.append(_("le nom du territoire est obligatoire"))
    for column, message in TERRITORY_TOO_LONG.items():
        limit = _max_length(Territory, column)
        if len(territory[column]) > limit:
            row.errors.append(message % {"max": limit})
    for column, labels, label in (
        ("kind", TERRITORY_KINDS, _("type de territoire")),
        ("carrier_type", CARRIER_TYPES, _("type de structure")),
        ("status", STATUS_LABELS, _("statut")),
    ):
        raw = territory[column]
        if column == "status" and not raw:
            territory[column] = TerritoryStatus.ACCEPTED.value
            continue
        code = _choices(labels).get(_key(raw))
        if code is None:
            row.errors.append(_("%(what)s inconnu « %(value)s »", what=label, value=raw))
        else:
            territory[column] = code
    if territory["status"] == TerritoryStatus.REFUSED and not territory["status_reason"]:
        row.errors.append(_("un territoire refusé doit avoir un motif"))
    for n in (1, 2):
        name = record.get(f"catalyseur_{n}_nom", "")
        email = record.get(f"catalyseur_{n}_email", "")
        organisation = record.get(f"catalyseur_{n}_structure", "")
        if not (name or email):
            continue
        if not email:
            row.errors.append(_("catalyseur %(n)d : l'e-mail est obligatoire", n=n))
            continue
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            row.errors.append(
                _("catalyseur %(n)d : e-mail invalide « %(email)s »", n=n, email=email)
            )
            continue
        if not name:
            row.errors.append(_("catalyseur %(n)d : le nom est obligatoire", n=n))
            continue
        person = Person(full_name=name, email=normalize_email(email), organisation=organisation)
        too_long = [
            message % {"n": n, "max": _max_length(User, column)}
            for column, message in PERSON_TOO_LONG.items()
            if len(getattr(person, column)) > _max_length(User, column)
        ]
        if too_long:
            row.errors.extend(too_long)
            continue
        row.people.append(person)
    return row


def _check_against_cohort(cohort: Cohort, rows: list[Row]) -> None:
    existing_names = set(
        db.session.scalars(select(Territory.name_key).where(Territory.cohort_id == cohort.id))
    )
    emails = {p.email for row in rows for p in row.people}
    existing_members = (
        set(
            db.session.scalars(
                select(User.email)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.cohort_id == cohort.id, User.email.in_(emails))
            )
        )
        if emails
        else set()
    )
    seen_names: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row in rows:
        name = name_key(row.territory["name"])
        if name in existing_names:
            row.errors.append(
                _(
                    "le territoire « %(name)s » existe déjà dans la cohorte",
                    name=row.territory["name"],
                )
            )
        elif name and name in seen_names:
            row.errors.append(_("territoire déjà présent ligne %(line)d", line=seen_names[name]))
        seen_names.setdefault(name, row.line)
        for person in row.people:
            if person.email in existing_members:
                row.errors.append(_("%(email)s participe déjà à la cohorte", email=person.email))
            elif person.email in seen_emails:
                row.errors.append(
                    _(
                        "%(email)s figure déjà ligne %(line)d",
                        email=person.email,
                        line=seen_emails[person.email],
                    )
                )
            seen_emails.setdefault(person.email, row.line)


def apply(cohort: Cohort, preview: Preview, invited_by: User) -> list[Territory]:
    """Create every territory and catalyseur of a clean preview. The caller commits."""
    if not preview.ok:
        raise ValueError("cannot import a file with errors")
    territories = []
    for row in preview.rows:
        territory = operations.add_territory(cohort, **row.territory)
        for person in row.people:
            operations.add_catalyseur(
                territory,
                email=person.email,
                full_name=person.full_name,
                organisation=person.organisation,
                invited_by=invited_by,
                via="import",
            )
        territories.append(territory)
    audit.record(
        AuditAction.IMPORTED,
        actor=invited_by,
        cohort=cohort,
        object_type="territories",
        details={
            "format": "csv",
            "rows": len(preview.rows),
            "catalyseurs": sum(len(row.people) for row in preview.rows),
        },
    )
    return territories


def template_csv() -> str:
    """Return an example file with the expected header, as Excel in France writes it."""
    example = [
        "Pays de Vierzon",
        "Centre-Val de Loire",
        "Cher (18)",
        "Ville moyenne",
        "Association Exemple",
        "Associatif",
        "Accepté",
        "",
        "Camille Martin",
        "camille.martin@example.org",
        "Association Exemple",
        "",
        "",
        "",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerow(example)
    return "\ufeff" + buffer.getvalue()
