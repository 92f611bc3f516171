"""What the pages of the audit log show, read from their query string in a fixed number of
queries: the administrators' « Journal des actions » and a cohort's use the same reading."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from parcours.audit import filters as audit_filters
from parcours.audit import queries
from parcours.audit.filters import AuditFilter, FilterError
from parcours.audit.models import ACTION_LABELS


@dataclass(frozen=True)
class LogPage:
    """One page of the log: the filters read, the entries, and the filter form's choices."""

    filters: AuditFilter
    page: int = 1
    rows: list[queries.EntryRow] = field(default_factory=list)
    total: int = 0
    error: str = ""  # why the filters could not be used
    people: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page * queries.PAGE_SIZE < self.total

    @property
    def actions(self):
        return list(ACTION_LABELS.items())

    @property
    def beyond_last(self) -> bool:
        """Tell whether the page asked for comes after the last one."""
        return self.page > 1 and not self.rows


def read(args: Mapping[str, str], *, cohort_id: int | None = None) -> LogPage:
    """Read filters and page from ``args``; with ``cohort_id``, only that cohort's entries."""
    people = queries.people_in_log(cohort_id)
    try:
        filters = audit_filters.parse(args, with_cohort=cohort_id is None)
        page = audit_filters.page_number(args)
    except FilterError as error:
        return LogPage(filters=AuditFilter(), error=str(error), people=people)
    if cohort_id is not None:
        filters = audit_filters.for_cohort(filters, cohort_id)
    rows, total = queries.entries_page(filters, page)
    return LogPage(filters=filters, page=page, rows=rows, total=total, people=people)


def export_filters(args: Mapping[str, str], *, cohort_id: int | None = None) -> AuditFilter:
    """Read an export's filters from ``args``; a bad value is a :class:`FilterError`."""
    filters = audit_filters.parse(args, with_cohort=cohort_id is None)
    return filters if cohort_id is None else audit_filters.for_cohort(filters, cohort_id)
