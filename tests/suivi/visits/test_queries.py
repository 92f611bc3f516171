"""Visit-report pages keep the same number of SQL queries as reports and people grow."""

from datetime import date, timedelta

import pytest

from parcours.core.extensions import db
from parcours.suivi.models import ActionItem, FieldVisitReport, StakeholderMet, Tag
from tests.suivi.factories import page_queries


def _grow(app, world, report_id: int, times: int) -> None:
    """Give territory A1 ``times`` more reports (no visit event), the report more people and
    more action items."""
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        version = report.territory.cohort.curriculum_version_id
        for n in range(times):
            extra = FieldVisitReport(
                territory_id=world["territory_a1"],
                visited_on=date(2026, 6, 1) + timedelta(days=n),
                places=f"Lieu {n}",
                created_by_id=world["coach"],
            )
            extra.stakeholders = [StakeholderMet(kind="citoyens", name=f"Habitant {n}")]
            db.session.add(extra)
            report.stakeholders.append(
                StakeholderMet(kind="medias", name=f"Journaliste {n}", organisation="Radio")
            )
            owner = world["a1"] if n % 2 else world["coach"]
            db.session.add(
                ActionItem(
                    territory_id=world["territory_a1"],
                    visit_report_id=report_id,
                    title=f"Action {n}",
                    owner_id=owner,
                    due_on=date(2026, 9, 1) + timedelta(days=n * 7),
                )
            )
        db.session.flush()
        for code in ("T1", "T2", "T3", "T4", "T6", "T7", "T8")[: max(times - 3, 0)]:
            db.session.add(
                Tag(
                    visit_report_id=report_id,
                    kind="thematic",
                    code=code,
                    curriculum_version_id=version,
                )
            )
        db.session.commit()


@pytest.mark.parametrize("role", ["coach", "a1", "coordinator"])
def test_pages_keep_their_query_count_at_ten_times_the_reports(
    app, world, visits, make_report, login_as, query_counter, role
):
    report_id = make_report()
    client = login_as(role)
    urls = [
        f"/suivi/visits/{report_id}",
        f"/territories/{world['territory_a1']}",
        f"/events/{visits['A1']}",
    ]
    if role != "a1":
        urls.append(f"/suivi/visits/{report_id}/edit")
    once = {url: page_queries(client, query_counter, url) for url in urls}
    _grow(app, world, report_id, 10)
    ten_times = {url: page_queries(client, query_counter, url) for url in urls}
    assert ten_times == once
