"""Moodle competency framework files for the tests, written as Moodle writes them."""

import csv
import io

#: The header of Moodle's own exports (admin/tool/lpimportcsv, its English strings).
MOODLE_HEADER = [
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
]
SCALE = "Non acquis,En cours,Acquis"
SCALE_CONFIGURATION = (
    '[{"scaleid":"3"},{"id":1,"scaledefault":0,"proficient":0},'
    '{"id":2,"scaledefault":1,"proficient":1},{"id":3,"scaledefault":0,"proficient":1}]'
)


def framework(**values) -> dict:
    """The framework row of a small fictitious referential, with ``values`` changed."""
    return {
        "ID number": "TEST-FW",
        "Short name": "Référentiel d'essai",
        "Description": "<p>Un référentiel inventé pour les tests.</p>",
        "Description format": "1",
        "Scale values": SCALE,
        "Scale configuration": SCALE_CONFIGURATION,
        "Is framework": "1",
        "Taxonomy": "domain,competency",
        **values,
    }


def competency(parent: str, idnumber: str, name: str, description: str = "", **values) -> dict:
    """A competency row as Moodle exports it (rule outcome 0, rule config null)."""
    return {
        "Parent ID number": parent,
        "ID number": idnumber,
        "Short name": name,
        "Description": description,
        "Description format": "1",
        "Rule outcome (optional)": "0",
        "Rule config (optional)": "null",
        **values,
    }


def small_rows() -> list[dict]:
    """Two domains, three competences: the smallest file the tests start from."""
    return [
        framework(),
        competency("", "A", "Animer"),
        competency("A", "A.1", "Je sais animer une réunion.", "<p>Avec un ordre du jour.</p>"),
        competency("A", "A.2", "Je sais conclure.", "<p>Par des décisions.</p>"),
        competency("", "B", "Bâtir"),
        competency("B", "B.1", "Je sais bâtir un budget.", "<p>Équilibré.</p>"),
    ]


def write(rows: list[dict], header=MOODLE_HEADER, delimiter=",", bom=False) -> bytes:
    """Return ``rows`` as a CSV file, each row's missing columns empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")
