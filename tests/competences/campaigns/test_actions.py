"""Opening, extending, closing, reminding and reopening, through the coordinator's pages."""

from datetime import date, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.competences.models import (
    AssessmentCampaign,
    AssessmentDraft,
    CampaignMailing,
    Viewpoint,
)
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences.factories import moment_event, submit_self, submit_territory
from tests.conftest import page_text

COHORT_A = {"a1@example.org", "a1bis@example.org", "a2@example.org"}


def _campaign(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        db.session.expunge_all()
        return campaign


def test_a_coordinator_opens_a_moment_early_and_every_catalyseur_is_told_once(
    app, login_as, world, outbox
):
    with app.app_context():
        event = moment_event(world["cohort_a"], "MID")
        event_id, opens = event.id, event.starts_at
        db.session.get(User, world["a2"]).locale = "en"
        db.session.commit()
    url = f"/cohorts/{world['cohort_a']}/auto-evaluations/{event_id}/ouvrir"
    with freeze(opens - timedelta(days=5)):
        client = login_as("coordinator")
        response = client.post(url)
        assert response.status_code == 302
        again = client.post(url, follow_redirects=True)
        assert "déjà ouverte" in page_text(again)
    assert sorted(m.to for m in outbox) == sorted(COHORT_A)  # not b1, not the coach
    english = next(m for m in outbox if m.to == "a2@example.org")
    french = next(m for m in outbox if m.to == "a1@example.org")
    assert english.body.startswith("Hello Catalyseur A2,")
    assert "Self-assessment open" in english.subject
    assert french.subject == "Auto-évaluation ouverte : Auto-évaluation à mi-parcours"
    assert "jusqu'au 21 juillet 2026 inclus" in french.body
    with app.app_context():
        campaign = db.session.scalar(
            select(AssessmentCampaign).where(AssessmentCampaign.event_id == event_id)
        )
        assert campaign.opened_by_id == world["coordinator"]
        assert f"/auto-evaluations/{campaign.id}" in french.body
        mailing = db.session.scalars(select(CampaignMailing)).one()
        assert (mailing.kind, mailing.recipients) == ("opening", 3)


def test_a_moment_over_cannot_be_opened(app, login_as, world, outbox):
    with app.app_context():
        event = moment_event(world["cohort_a"], "T0")
        event_id, ends = event.id, event.ends_at
    with freeze(ends + timedelta(hours=1)):
        response = login_as("coordinator").post(
            f"/cohorts/{world['cohort_a']}/auto-evaluations/{event_id}/ouvrir",
            follow_redirects=False,
        )
    assert response.status_code == 409
    assert outbox == []


def test_extend_moves_the_event_and_reopens_a_closed_campaign(app, login_as, world, t0, t0_time):
    campaign = _campaign(app, t0)
    sequence = campaign.event.sequence
    with freeze(t0_time):
        client = login_as("coordinator")
        assert client.post(f"/auto-evaluations/{t0}/clore", data={"version": 1}).status_code == 302
        closed = _campaign(app, t0)
        assert closed.closed_at == t0_time and closed.closed_by_id == world["coordinator"]
        page = page_text(client.get(f"/auto-evaluations/{t0}"))
        assert "close" in page and "Clore maintenant" not in page
        response = client.post(
            f"/auto-evaluations/{t0}/prolonger",
            data={"version": closed.version, "last_day": "2026-04-20"},
        )
        assert response.status_code == 302
    extended = _campaign(app, t0)
    assert extended.closed_at is None
    assert extended.version == closed.version + 1
    # Open until midnight at the end of 20 April, Paris time (UTC+2).
    assert extended.event.ends_at.isoformat() == "2026-04-20T22:00:00+00:00"
    assert extended.event.sequence == sequence + 1


def test_extend_refuses_an_earlier_or_past_day_and_keeps_what_was_typed(
    app, login_as, world, t0, t0_time
):
    with freeze(t0_time):
        client = login_as("coordinator")
        for typed, message in (
            ("2026-04-12", "doit venir après l'actuel"),  # the current last day
            ("2026-03-20", "est passé"),
            ("pas une date", "Date non reconnue"),
            ("", "Date non reconnue"),  # DayField: an empty date is not one
        ):
            response = client.post(
                f"/auto-evaluations/{t0}/prolonger", data={"version": 1, "last_day": typed}
            )
            assert response.status_code == 400, typed
            assert message in page_text(response), typed
            assert f'value="{typed}"' in response.get_data(as_text=True) or not typed
    assert _campaign(app, t0).event.ends_at.date() == date(2026, 4, 12)


def test_a_stale_form_is_a_conflict(app, login_as, world, t0, t0_time):
    with freeze(t0_time):
        client = login_as("coordinator")
        ok = client.post(
            f"/auto-evaluations/{t0}/prolonger", data={"version": 1, "last_day": "2026-04-15"}
        )
        assert ok.status_code == 302
        stale = client.post(
            f"/auto-evaluations/{t0}/prolonger", data={"version": 1, "last_day": "2026-04-25"}
        )
        assert stale.status_code == 409
        assert "Quelqu'un d'autre a enregistré" in page_text(stale)
        assert client.post(f"/auto-evaluations/{t0}/clore", data={"version": 1}).status_code == 409
    campaign = _campaign(app, t0)
    assert campaign.closed_at is None
    assert campaign.event.ends_at.isoformat() == "2026-04-15T22:00:00+00:00"


def test_closing_twice_says_it_is_closed(app, login_as, world, t0, t0_time):
    with freeze(t0_time):
        client = login_as("coordinator")
        client.post(f"/auto-evaluations/{t0}/clore", data={"version": 1})
        version = _campaign(app, t0).version
        response = client.post(f"/auto-evaluations/{t0}/clore", data={"version": version})
    assert response.status_code == 409
    assert "déjà close" in page_text(response)


def test_relancer_goes_to_the_late_once_a_day(app, login_as, world, t0, t0_time, outbox):
    with freeze(t0_time), app.test_request_context():
        submit_self(db.session.get(AssessmentCampaign, t0), world["a1"])
        db.session.commit()
    with freeze(t0_time):
        client = login_as("coordinator")
        first = client.post(f"/auto-evaluations/{t0}/relancer", follow_redirects=True)
        assert "Relance envoyée à 2 retardataires" in page_text(first)
        second = client.post(f"/auto-evaluations/{t0}/relancer")
        assert second.status_code == 409
        assert "déjà été relancés aujourd'hui" in page_text(second)
        page = page_text(client.get(f"/auto-evaluations/{t0}"))
        assert "relance par Coordination A · 2 destinataires" in page
    assert sorted(m.to for m in outbox) == ["a1bis@example.org", "a2@example.org"]
    assert all("Rappel" in m.subject for m in outbox)
    outbox.clear()
    with freeze(t0_time + timedelta(days=1)):
        assert login_as("coordinator").post(f"/auto-evaluations/{t0}/relancer").status_code == 302
    assert len(outbox) == 2


def test_rouvrir_makes_a_new_revision_and_tells_its_authors(
    app, login_as, world, t0, t0_time, outbox
):
    with freeze(t0_time), app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, t0)
        mine = submit_self(campaign, world["a1"]).id
        consensus = submit_territory(
            campaign, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
        ).id
        coach = submit_territory(
            campaign, Viewpoint.COACH, world["territory_a1"], (world["coach"],)
        ).id
        db.session.commit()
    outbox.clear()
    with freeze(t0_time):
        client = login_as("coordinator")
        page = page_text(client.get(f"/auto-evaluations/{t0}"))
        assert "Consensus du binôme envoyée version 1" in page
        for answer_id in (mine, consensus, coach):
            url = f"/auto-evaluations/{t0}/reponses/{answer_id}/rouvrir"
            assert client.post(url).status_code == 302
        again = client.post(f"/auto-evaluations/{t0}/reponses/{mine}/rouvrir")
        assert again.status_code == 409 and "déjà rouverte" in page_text(again)
        page = page_text(client.get(f"/auto-evaluations/{t0}"))
        assert "Catalyseur A1 rouverte version 2 en cours" in page
    assert sorted(m.to for m in outbox) == [
        "a1@example.org",  # their own
        "a1@example.org",  # the consensus, to both partners
        "a1bis@example.org",
        "coach@example.org",
    ]
    with app.app_context():
        drafts = db.session.scalars(select(AssessmentDraft)).all()
        assert {d.revises_id for d in drafts} == {mine, consensus, coach}
