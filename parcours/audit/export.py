"""The audit log as a CSV French Excel opens: one line per entry, times in Europe/Paris."""

from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _

from parcours.audit.queries import EntryRow
from parcours.core.spreadsheets import csv_file
from parcours.core.time import PARIS


def header() -> list[str]:
    return [
        _("N°"),
        _("Date et heure (Paris)"),
        _("Action"),
        _("Par"),
        _("Concerne"),
        _("Cohorte"),
        _("Objet"),
        _("N° de l'objet"),
        _("Adresse"),
        _("Détails"),
    ]


def _paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS).replace(tzinfo=None)


def rows(entries: Sequence[EntryRow]) -> list[list]:
    """Return one line of plain values per entry, in the header's order."""
    return [
        [
            row.entry.id,
            _paris(row.entry.at),
            str(row.entry.action_label),
            row.actor_label,
            row.subject_label,
            row.cohort_label,
            row.entry.object_type,
            row.entry.object_id,
            row.entry.address,
            row.details_text,
        ]
        for row in entries
    ]


def csv_content(entries: Sequence[EntryRow]) -> bytes:
    """Return ``entries`` as CSV bytes (formula-guarded by the spreadsheet module)."""
    return csv_file(header(), rows(entries))


def filename(today, cohort_slug: str = "") -> str:
    """Name the file after the day it is made, and the cohort when there is one."""
    middle = f"-{cohort_slug}" if cohort_slug else ""
    return f"journal-des-actions{middle}-{today:%Y-%m-%d}.csv"
