"""The follow-up's rules, and pages whose query count does not grow with the cohort."""

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.competences.campaigns import queries
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from tests.competences.factories import submit_self, submit_territory

TERRITORY = {
    "region": "Bretagne",
    "department": "Finistère",
    "kind": "rural",
    "carrier_structure": "Asso",
    "carrier_type": "associatif",
    "status": "accepted",
    "status_reason": "",
}


def _grow(app, world, campaign_id, count: int) -> None:
    """Add ``count`` territories of two catalyseurs, each with a self-assessment and a draft."""
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        for n in range(count):
            territory = cohort_ops.add_territory(cohort, name=f"Territoire G{n}", **TERRITORY)
            for k in (1, 2):
                cohort_ops.add_catalyseur(
                    territory,
                    email=f"g{n}-{k}@example.org",
                    full_name=f"Catalyseur G{n}-{k}",
                    organisation="",
                    invited_by=coordinator,
                )
            db.session.flush()
            first = db.session.scalar(select(User).where(User.email == f"g{n}-1@example.org"))
            submit_self(campaign, first.id)
        db.session.commit()


def _count(query_counter, client, url):
    client.get(url)  # warm caches (the curriculum's document, translations)
    with query_counter:
        response = client.get(url)
    assert response.status_code == 200
    return query_counter.count


def test_pages_keep_their_query_count_as_the_cohort_grows(
    app, login_as, world, t0, t0_time, query_counter
):
    with freeze(t0_time):
        client = login_as("coordinator")
        urls = [f"/auto-evaluations/{t0}", f"/cohorts/{world['cohort_a']}/auto-evaluations"]
        small = [_count(query_counter, client, url) for url in urls]
        _grow(app, world, t0, 12)
        large = [_count(query_counter, client, url) for url in urls]
        text = client.get(urls[0]).get_data(as_text=True)
    assert large == small, (small, large)
    assert "Catalyseur G11-1" in text
    assert "13 sur 27" not in text  # the list says it, the follow-up counts by state
    list_text = client.get(urls[1]).get_data(as_text=True)
    assert "12 sur 27" in list_text


def test_statuses_and_the_late_rule_agree_with_the_counts(app, world, t0, t0_time):
    with freeze(t0_time), app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, t0)
        submit_self(campaign, world["a1"])
        submit_territory(
            campaign, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
        )
        follow = queries.follow_up(campaign)
        by_name = {p.name: p.state for p in follow.participants}
        assert by_name == {
            "Catalyseur A1": queries.AnswerState.SUBMITTED,
            "Catalyseur A1 bis": queries.AnswerState.NOT_STARTED,
            "Catalyseur A2": queries.AnswerState.NOT_STARTED,
        }
        a1, a2 = follow.territories
        assert a1.consensus.state is queries.AnswerState.SUBMITTED
        assert a1.coach.state is queries.AnswerState.NOT_STARTED and a1.coach_name == "Coach A"
        assert a2.consensus is None and a2.coach is None  # single catalyseur, no coach
        late = {u.email for u in queries.late_participants(campaign)}
        assert late == {"a1bis@example.org", "a2@example.org"}
        row = next(
            r for r in queries.moment_rows(campaign.cohort, t0_time) if r.campaign is not None
        )
        assert (row.answered, row.expected) == (3 - len(late), 3)
