"""Turn an export's rows into file bytes, without touching the database."""

from collections.abc import Callable

from parcours.competences.exports.queries import COLUMNS, SHEETS, RatingsExport
from parcours.core import spreadsheets


def csv_bytes(export: RatingsExport) -> bytes:
    """Return every row of ``export`` in one CSV, the viewpoint in a column."""
    return spreadsheets.csv_file([str(c) for c in COLUMNS], (row.cells() for row in export.rows))


def xlsx_bytes(export: RatingsExport) -> bytes:
    """Return ``export`` as a workbook with a sheet per viewpoint (empty ones included)."""
    header = [str(c) for c in COLUMNS]
    return spreadsheets.xlsx_file(
        [
            spreadsheets.Sheet(str(title), header, [row.cells() for row in export.of(viewpoint)])
            for viewpoint, title in SHEETS.items()
        ]
    )


FORMATS: dict[str, Callable[[RatingsExport], tuple[bytes, str]]] = {
    "csv": lambda export: (csv_bytes(export), spreadsheets.CSV_MIMETYPE),
    "xlsx": lambda export: (xlsx_bytes(export), spreadsheets.XLSX_MIMETYPE),
}
