"""CSV for French Excel and XLSX workbooks: read back, typed, and never a formula."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from parcours.core import spreadsheets as sheets


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert sheets.guard(text) == "'" + text


@pytest.mark.parametrize("text", ["Élodie", "1+1", "a=b", "", "'déjà"])
def test_other_texts_are_kept(text):
    assert sheets.guard(text) == text


def test_the_csv_reads_back_as_written(ctx):
    content = sheets.csv_file(
        ["Nom", "=Niveau"],
        [
            ["Dupont; « Jo »", 3],
            ['Il a dit "oui"\nsur deux lignes', -1],
            ["=HYPERLINK(1)", None],
            [True, datetime(2026, 3, 25, 14, 5)],
            [False, date(2026, 3, 25)],
        ],
    )
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "Nom;'=Niveau"
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["Nom", "'=Niveau"],
        ["Dupont; « Jo »", "3"],
        ['Il a dit "oui"\nsur deux lignes', "-1"],  # a number is not guarded
        ["'=HYPERLINK(1)", ""],
        ["oui", "25/03/2026 14:05"],
        ["non", "25/03/2026"],
    ]


def test_the_workbook_keeps_types_and_writes_no_formula():
    content = sheets.xlsx_file(
        [
            sheets.Sheet(
                "Un nom de feuille bien trop long pour Excel",
                ["Texte", "Nombre", "Date", "Oui"],
                [["=1+1", 2, datetime(2026, 3, 25, 14, 5), True], ["ok\x07", None, None, False]],
            ),
            sheets.Sheet("Vide", ["Texte"]),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Un nom de feuille bien trop lon", "Vide"]
    first = book.worksheets[0]
    assert first.freeze_panes == "A2" and first["A1"].font.bold
    formula, number, when, flag = first[2]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1", "s", True)
    assert number.value == 2 and number.data_type == "n"
    assert when.value == datetime(2026, 3, 25, 14, 5) and when.is_date
    assert flag.value is True
    assert first["A3"].value == "ok"  # a control character XML cannot hold is dropped
    assert list(book["Vide"].values) == [("Texte",)]


def test_a_workbook_needs_a_sheet():
    with pytest.raises(ValueError):
        sheets.xlsx_file([])
