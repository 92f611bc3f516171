"""Reading the audit log's filters: every bad value is a clear message, never a crash."""

from datetime import UTC, date, datetime

import pytest

from parcours.audit.filters import AuditFilter, FilterError, page_number, parse
from parcours.audit.models import AuditAction


def test_the_filters_are_read_from_the_query_string(app):
    with app.test_request_context():
        filters = parse(
            {
                "person": "7",
                "cohort": " 3 ",
                "action": "login.failed",
                "from": "2026-03-29",
                "to": "2026-03-29",
            }
        )
    assert filters == AuditFilter(
        7, 3, AuditAction.LOGIN_FAILED, date(2026, 3, 29), date(2026, 3, 29)
    )
    # The day the clocks go forward in Paris: 23 hours, from 23:00 to 22:00 UTC.
    assert filters.start_utc == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert filters.end_utc == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert parse(filters.query_args()) == filters


def test_empty_values_filter_nothing_and_a_cohort_page_ignores_the_cohort(app):
    with app.test_request_context():
        assert parse({"person": "", "action": "", "from": ""}).is_empty
        assert parse({"cohort": "3"}, with_cohort=False) == AuditFilter()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"action": "login.hacked"}, "Cette action n'existe pas dans le journal."),
        ({"person": "abc"}, "« Personne » doit être choisi dans la liste."),
        ({"person": "-1"}, "« Personne » doit être choisi dans la liste."),
        ({"cohort": "99999999999999999999"}, "« Cohorte » doit être choisi dans la liste."),
        ({"person": "١٢"}, "« Personne » doit être choisi dans la liste."),
        ({"from": "31/12/2026"}, "« Du » doit être une date au format AAAA-MM-JJ."),
        ({"to": "2026-02-30"}, "« Au » doit être une date au format AAAA-MM-JJ."),
        ({"to": "0001-01-01"}, "« Au » doit être une date au format AAAA-MM-JJ."),
        (
            {"from": "2026-05-02", "to": "2026-05-01"},
            "La date de début doit précéder la date de fin.",
        ),
    ],
)
def test_a_bad_value_says_what_is_wrong(app, args, message):
    with app.test_request_context(), pytest.raises(FilterError, match=message):
        parse(args)


@pytest.mark.parametrize("raw", ["0", "x", "10001", "1.5"])
def test_a_bad_page_number_is_refused(app, raw):
    with app.test_request_context(), pytest.raises(FilterError):
        page_number({"page": raw})
    assert page_number({}) == 1
