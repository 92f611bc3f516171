"""The record pages cost the same number of queries with ten times the records and items."""

from datetime import date, timedelta

import pytest

from parcours.core.extensions import db
from parcours.suivi.actions.operations import ActionRow
from tests.suivi.factories import add_items, add_record, page_queries

_made = {"count": 0}


def _add(app, world, records: int, items: int) -> int:
    """Add records to A1, each with ``items`` items; return the last record's id."""
    with app.app_context():
        last = None
        for n in range(records):
            _made["count"] += 1
            last = add_record(
                world["territory_a1"],
                world["coach"],
                held_on=date(2026, 3, 2) + timedelta(days=_made["count"]),
                participant_ids=[world["a1"], world["coach"]],
            )
            add_items(
                last,
                world["coach"],
                [
                    ActionRow(
                        f"Action {n}.{i}",
                        world["a1"] if i % 2 else world["coach"],
                        date(2026, 5, 1 + i % 20),
                    )
                    for i in range(items)
                ],
            )
        db.session.commit()
        return last.id


@pytest.mark.parametrize("role", ["coach", "a1", "coordinator"])
def test_the_pages_keep_their_query_count_as_records_grow(app, as_role, world, query_counter, role):
    client = as_role(role)
    record_id = _add(app, world, 1, 1)
    urls = [
        f"/territories/{world['territory_a1']}/suivi",
        f"/territories/{world['territory_a1']}",
        f"/cohorts/{world['cohort_a']}/my-path"
        if role == "a1"
        else f"/suivi/records/{record_id}/edit",
    ]
    counts = {url: page_queries(client, query_counter, url) for url in urls}
    record_once = page_queries(client, query_counter, f"/suivi/records/{record_id}")
    ten = _add(app, world, 10, 10)
    assert {url: page_queries(client, query_counter, url) for url in urls} == counts
    assert page_queries(client, query_counter, f"/suivi/records/{ten}") == record_once
