"""Spreadsheets people open in Excel: a CSV French Excel reads as is, and an XLSX workbook.

Both take rows of plain Python values (text, numbers, booleans, dates, None) and guard
against formula injection: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return would be run by the spreadsheet as a formula (OWASP « CSV injection »).

- CSV: such a text gets a leading apostrophe, which Excel and LibreOffice show as text.
- XLSX: such a text is written as a text cell marked « quote prefix », Excel's own way of
  keeping a cell typed with a leading apostrophe as text: the cell reads exactly what was
  written and is never evaluated (openpyxl would otherwise write ``=…`` as a formula).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

#: What a cell must not start with, lest it be read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: How dates read in a file for French Excel (which parses them back as dates).
CSV_DATETIME = "%d/%m/%Y %H:%M"
CSV_DATE = "%d/%m/%Y"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
XLSX_DATE = "dd/mm/yyyy"
#: Widest column, in characters, that a workbook gives (long comments wrap beyond).
MAX_WIDTH = 60

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_risky(text: str) -> bool:
    """Tell whether a spreadsheet would take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def guard(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text: « =1+1 » → « '=1+1 »."""
    return "'" + text if is_risky(text) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, date):
        return value.strftime(CSV_DATE)
    if isinstance(value, int | float):
        return str(value)
    return guard(str(value))


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a CSV French Excel opens by a double click: UTF-8 with BOM, « ; », CRLF.

    Naive datetimes are written as they are: give them in the readers' time zone.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([guard(str(name)) for name in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its tab name, its header row and its rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_file(sheets: Sequence[Sheet]) -> bytes:
    """Return a workbook of ``sheets``: a bold frozen header, fitted columns, typed cells.

    Numbers stay numbers and dates dates (naive, in the readers' time zone); texts are text,
    never formulas.
    """
    from openpyxl import Workbook  # imported when a workbook is asked for: it is a large module
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise ValueError("a workbook has at least one sheet")
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        worksheet.append([str(name) for name in sheet.header])
        widths = [len(str(name)) for name in sheet.header]
        for cell in worksheet[1]:
            cell.font = bold
            cell.data_type = "s"
        for row in sheet.rows:
            # XML 1.0 cannot hold control characters other than tab and line breaks.
            worksheet.append(
                [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
            )
            widths = [max(w, _width(v)) for w, v in zip(widths, row, strict=False)]
        for cells in worksheet.iter_rows(min_row=2):
            for cell in cells:
                value = cell.value
                if isinstance(value, str):
                    # A text starting with « = » was taken for a formula: write it as text.
                    cell.data_type = "s"
                    if is_risky(value):
                        cell.quotePrefix = True
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                elif isinstance(value, datetime):
                    cell.number_format = XLSX_DATETIME
                elif isinstance(value, date):
                    cell.number_format = XLSX_DATE
        worksheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
