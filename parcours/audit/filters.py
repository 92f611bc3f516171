"""What a reader of the audit log may filter on, read from a page's query string.

Every value is checked here, once, for the administrators' page and a cohort's alike: a bad
value (an unknown action, a malformed date, an id that is not a number, a range that ends
before it starts) is a :class:`FilterError` with a message for the reader, never a 500.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from parcours.audit.models import AuditAction
from parcours.core.time import PARIS

#: The largest id a filter takes: beyond, the database would overflow, not answer « none ».
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000  # keeps the OFFSET far from overflow


class FilterError(ValueError):
    """A filter's value cannot be used; the message says which and why."""


@dataclass(frozen=True)
class AuditFilter:
    """The entries a reader asked for: each field left empty matches everything."""

    person_id: int | None = None  # as actor or as subject
    cohort_id: int | None = None
    action: AuditAction | None = None
    start: date | None = None  # first day, in Europe/Paris
    end: date | None = None  # last day included, in Europe/Paris

    @property
    def start_utc(self) -> datetime | None:
        """Return the first instant of the first day, in UTC."""
        if self.start is None:
            return None
        return datetime.combine(self.start, time(0), tzinfo=PARIS).astimezone(UTC)

    @property
    def end_utc(self) -> datetime | None:
        """Return the first instant after the last day, in UTC (excluded)."""
        if self.end is None:
            return None
        following = self.end + timedelta(days=1)
        return datetime.combine(following, time(0), tzinfo=PARIS).astimezone(UTC)

    def query_args(self) -> dict[str, str]:
        """Return the filters as query-string values, to keep them across pages and exports."""
        values = {
            "person": self.person_id,
            "cohort": self.cohort_id,
            "action": self.action.value if self.action else None,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }
        return {key: str(value) for key, value in values.items() if value is not None}

    @property
    def is_empty(self) -> bool:
        return self == AuditFilter()


def _id(raw: str, label: str) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise FilterError(_("« %(field)s » doit être choisi dans la liste.", field=label))
    return int(raw)


def _day(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or len(raw) != 10 or not 2000 <= day.year <= 2100:
        raise FilterError(_("« %(field)s » doit être une date au format AAAA-MM-JJ.", field=label))
    return day


def parse(args: Mapping[str, str], *, with_cohort: bool = True) -> AuditFilter:
    """Read the filters of ``args``; without ``with_cohort`` a cohort value is ignored."""

    def value(key: str) -> str:
        return (args.get(key) or "").strip()[:40]

    action = None
    if value("action"):
        try:
            action = AuditAction(value("action"))
        except ValueError:
            raise FilterError(_("Cette action n'existe pas dans le journal.")) from None
    filters = AuditFilter(
        person_id=_id(value("person"), _("Personne")),
        cohort_id=_id(value("cohort"), _("Cohorte")) if with_cohort else None,
        action=action,
        start=_day(value("from"), _("Du")),
        end=_day(value("to"), _("Au")),
    )
    if filters.start and filters.end and filters.start > filters.end:
        raise FilterError(_("La date de début doit précéder la date de fin."))
    return filters


def page_number(args: Mapping[str, str]) -> int:
    """Read the page number: 1 when absent; a bad one is a :class:`FilterError`."""
    raw = (args.get("page") or "1").strip()
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise FilterError(_("Cette page n'existe pas."))
    return int(raw)


def for_cohort(filters: AuditFilter, cohort_id: int) -> AuditFilter:
    """Return ``filters`` held to one cohort (a coordinator's page)."""
    return replace(filters, cohort_id=cohort_id)
