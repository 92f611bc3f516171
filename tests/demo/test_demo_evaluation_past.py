"""The demo's past promotion: finished, its final evaluation answered, its attestations issued.

The demo command builds it after the promotion in progress.
"""

from collections import Counter

import pytest
from sqlalchemy import func, select

from parcours.agenda.models import Event
from parcours.attendance.models import Attendance
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.competences.models import Assessment, AssessmentCampaign
from parcours.core.extensions import db
from parcours.core.time import PARIS, now_utc
from parcours.demo import cli, data
from parcours.evaluation.models import FinalAttestation, Survey, SurveyAnswer, SurveyResponse
from tests.conftest import login, page_text
from tests.pdfs import read_pdf

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result.output


def _past(app) -> Cohort:
    return db.session.scalars(select(Cohort).order_by(Cohort.start_date)).first()


def test_the_past_promotion_is_finished_and_complete(app, demo):
    with app.app_context():
        current, past = db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc())).all()
        assert past.name == f"Co-construction territoriale — promotion {past.start_date.year}"
        assert past.start_date.year < current.start_date.year
        today = now_utc().astimezone(PARIS).date()
        assert 390 <= (today - past.start_date).days <= 480 and past.end_date < today
        events = db.session.scalars(select(Event).where(Event.cohort_id == past.id)).all()
        assert all(e.starts_at.astimezone(PARIS).weekday() < 5 for e in events)
        assert all(e.ends_at < now_utc() for e in events)
        territories = [t for t in past.territories if t.status == "accepted"]
        assert len(territories) == 12
        catalyseurs = [m.user for t in territories for m in t.catalyseurs]
        assert len(catalyseurs) == 18
        current_people = {
            m.user_id
            for m in db.session.scalars(
                select(Membership).where(Membership.cohort_id == current.id)
            )
        }
        assert not current_people & {u.id for u in catalyseurs}
        roles = Counter(
            m.role
            for m in db.session.scalars(select(Membership).where(Membership.cohort_id == past.id))
        )
        assert roles == {Role.CATALYSEUR: 18, Role.COMMITTEE: 3, Role.COORDINATOR: 1}
        sessions = [e for e in events if e.kind == "session"]
        assert len(sessions) == 4
        for session in sessions:
            assert db.session.scalar(
                select(func.count(Attendance.id)).where(Attendance.event_id == session.id)
            )
        campaigns = db.session.scalars(
            select(AssessmentCampaign).where(AssessmentCampaign.cohort_id == past.id)
        ).all()
        assert sorted(c.moment_code for c in campaigns) == ["END", "MID", "T0"]
        submitted = db.session.scalar(
            select(func.count(Assessment.id)).where(
                Assessment.campaign_id.in_([c.id for c in campaigns])
            )
        )
        assert submitted == 18 * 3 - 1


def test_most_catalyseurs_answered_the_final_evaluation(app, demo):
    with app.app_context():
        past = _past(app)
        survey = db.session.scalars(select(Survey).where(Survey.cohort_id == past.id)).one()
        assert survey.kind == "final" and not survey.anonymous and survey.opened_at
        responses = db.session.scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        ).all()
        assert len(responses) == 15
        assert all(r.respondent_id and r.submitted_at for r in responses)
        assert all(survey.opened_at <= r.submitted_at < survey.closes_at for r in responses)
        consents = Counter(
            a.consent
            for a in db.session.scalars(
                select(SurveyAnswer).where(SurveyAnswer.consent.is_not(None))
            )
        )
        assert set(consents) == {"named", "anonymous", "refused"}


def test_every_catalyseur_has_an_attestation_a_committee_member_sees_the_cohort(app, demo):
    with app.app_context():
        past = _past(app)
        issued = db.session.scalars(
            select(FinalAttestation).where(FinalAttestation.cohort_id == past.id)
        ).all()
        # One catalyseur asked to be erased: her attestation went with her.
        assert len(issued) == 18 - 1 and {a.number for a in issued} == {1}
        _reader, text = read_pdf(issued[0].pdf)
        assert "Attestation de fin de parcours" in text and "sessions collectives" in text
        token = issued[0].token
    member = app.test_client()
    login(member, cli._email(data.COMMITTEE[0][1]), PASSWORD)
    assert member.get(f"/cohorts/{past.id}").status_code == 200
    coordinator = app.test_client()
    login(coordinator, cli._email(data.COORDINATOR[1]), PASSWORD)
    listing = page_text(coordinator.get(f"/cohorts/{past.id}/final-attestations"))
    assert "pas encore délivrée" not in listing and "Gwenaëlle Le Bihan" in listing
    assert "Cette attestation existe" in page_text(app.test_client().get(f"/verifier/{token}"))


def test_the_demo_builds_again_over_its_kept_attestations(app, demo):
    again = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Cohort.id))) == 2
        assert db.session.scalar(select(func.count(FinalAttestation.id))) == 18 - 1


def test_the_past_promotion_has_its_bilan_pack_for_the_committee(app, demo):
    from parcours.evaluation.models import CommitteePack

    with app.app_context():
        past = _past(app)
        packs = db.session.scalars(
            select(CommitteePack).where(CommitteePack.cohort_id == past.id)
        ).all()
        assert [(p.kind, p.number) for p in packs] == [("final", 1)]
        pack = packs[0]
        assert pack.snapshot["editorial"]["recommendations"].startswith("Déployer")
        assert pack.generated_at < now_utc()
        _reader, text = read_pdf(pack.pdf)
        assert "Gwenaëlle Le Bihan" in text  # the full version names the catalyseurs
    member = app.test_client()
    login(member, cli._email(data.COMMITTEE[0][1]), PASSWORD)
    space = page_text(member.get(f"/cohorts/{past.id}/comite"))
    assert pack.sha256 in space
