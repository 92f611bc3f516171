"""Withdrawing a consent to publication: testimonies and belles histoires."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.audit.models import AuditAction, AuditEntry
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import SurveyAnswer
from parcours.evaluation.packs.gather import gather as gather_pack
from parcours.evaluation.surveys import results
from parcours.suivi.journal import operations as journal
from parcours.suivi.models import JournalEntry, JournalVisibility
from tests.conftest import page_text
from tests.evaluation.surveys.helpers import FINAL_OPENED
from tests.privacy.conftest import PARTNER_TESTIMONY, STORY_TITLE, TESTIMONY, _entry

#: The final survey's window is over: its results and the final pack may be read.
LATER = FINAL_OPENED + timedelta(days=30)


def _withdrawals(app):
    with app.app_context():
        return db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.CONSENT_WITHDRAWN.value)
        ).all()


def _testimony_url(full):
    return f"/mes-donnees/temoignages/{full.testimony_id}/retirer"


def _story_url(full):
    return f"/mes-donnees/belles-histoires/{full.story_id}/retirer"


def _published_testimonies(app, full):
    with app.app_context():
        cohort = db.session.get(Cohort, full.world["cohort_a"])
        in_pack = {t.text for t in gather_pack(cohort, PackKind.FINAL, now=LATER).testimonies}
        in_results = {t.text for t in results.testimonies([full.survey_id])}
    return in_pack, in_results


def test_my_data_lists_my_testimony_and_story_with_their_consent(login_as, full):
    text = page_text(login_as("a1").get("/mes-donnees"))
    assert TESTIMONY in text and "Publiable sous mon nom" in text
    assert STORY_TITLE in text and "Partagée avec toute la cohorte" in text
    assert PARTNER_TESTIMONY not in text
    assert "questionnaires anonymes ne sont reliées à personne" in text


def test_withdrawing_a_testimony_unpublishes_it_everywhere(app, login_as, full):
    coordinator = login_as("coordinator")
    with freeze(LATER):
        before = page_text(coordinator.get(f"/questionnaires/{full.survey_id}/resultats"))
    assert TESTIMONY in before and PARTNER_TESTIMONY in before
    assert _published_testimonies(app, full) == ({TESTIMONY, PARTNER_TESTIMONY},) * 2

    a1 = login_as("a1")
    confirm = a1.get(_testimony_url(full))
    assert confirm.status_code == 200 and TESTIMONY in page_text(confirm)
    response = a1.post(_testimony_url(full))
    assert response.status_code == 302 and response.headers["Location"].endswith("#consents")

    with freeze(LATER):
        after = page_text(coordinator.get(f"/questionnaires/{full.survey_id}/resultats"))
    assert TESTIMONY not in after and PARTNER_TESTIMONY in after
    assert _published_testimonies(app, full) == ({PARTNER_TESTIMONY},) * 2
    assert "Retiré le" in page_text(a1.get("/mes-donnees"))
    [entry] = _withdrawals(app)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        full.world["a1"],
        "survey_answers",
        full.testimony_id,
    )
    assert entry.details == {"kind": "testimony"}


def test_a_second_testimony_withdrawal_is_harmless(app, login_as, full):
    a1 = login_as("a1")
    a1.post(_testimony_url(full))
    with app.app_context():
        first = db.session.get(SurveyAnswer, full.testimony_id).consent_withdrawn_at
    response = a1.post(_testimony_url(full))
    assert response.status_code == 302
    assert "rien n'a changé" in page_text(a1.get("/mes-donnees"))
    with app.app_context():
        assert db.session.get(SurveyAnswer, full.testimony_id).consent_withdrawn_at == first
    assert len(_withdrawals(app)) == 1
    assert "déjà retiré" in page_text(a1.get(_testimony_url(full)))


@pytest.mark.parametrize("role", ["a2", "a1bis", "coordinator", "coach", "admin", "b1"])
def test_nobody_else_withdraws_a_testimony(app, login_as, full, role):
    client = login_as(role)
    assert client.get(_testimony_url(full)).status_code == 403
    assert client.post(_testimony_url(full)).status_code == 403
    with app.app_context():
        assert db.session.get(SurveyAnswer, full.testimony_id).consent_withdrawn_at is None
    assert _withdrawals(app) == []


def test_an_anonymous_answer_cannot_be_withdrawn_by_anyone(app, login_as, full):
    # The anonymous « à chaud » answer has no respondent: nobody is its author.
    with app.app_context():
        answer_id = db.session.scalar(
            select(SurveyAnswer.id).where(SurveyAnswer.text.like("Réponse anonyme%"))
        )
    assert login_as("a1").post(f"/mes-donnees/temoignages/{answer_id}/retirer").status_code == 403


def test_unknown_items_are_404(login_as, full):
    a1 = login_as("a1")
    assert a1.get("/mes-donnees/temoignages/999999/retirer").status_code == 404
    assert a1.get("/mes-donnees/belles-histoires/999999/retirer").status_code == 404


def test_anonymous_visitors_withdraw_nothing(client, full):
    assert client.post(_testimony_url(full)).status_code == 302
    assert client.post(_story_url(full)).status_code == 302


# -- Belles histoires -----------------------------------------------------------------------


def _story_pages(login_as, full):
    """What each place that publishes belles histoires shows of the story."""
    cohort, territory = full.world["cohort_a"], full.world["territory_a1"]
    a2 = login_as("a2")
    return {
        "belles histoires (a2)": STORY_TITLE
        in page_text(a2.get(f"/cohorts/{cohort}/belles-histoires")),
        "belles histoires (coordinator)": STORY_TITLE
        in page_text(login_as("coordinator").get(f"/cohorts/{cohort}/belles-histoires")),
        "entry page (a2)": a2.get(f"/suivi/journal/{full.story_id}").status_code == 200,
        "carnet (a1bis)": STORY_TITLE
        in page_text(login_as("a1bis").get(f"/territories/{territory}/suivi/journal")),
        "carnet (coach)": STORY_TITLE
        in page_text(login_as("coach").get(f"/territories/{territory}/suivi/journal")),
    }


def test_withdrawing_a_story_takes_it_off_the_cohort_pages(app, login_as, full):
    assert all(_story_pages(login_as, full).values())
    a1 = login_as("a1")
    assert a1.get(_story_url(full)).status_code == 200
    assert a1.post(_story_url(full)).status_code == 302
    assert _story_pages(login_as, full) == {
        "belles histoires (a2)": False,
        "belles histoires (coordinator)": False,
        "entry page (a2)": False,
        # Still in the carnet de bord, for the binôme and its coach.
        "carnet (a1bis)": True,
        "carnet (coach)": True,
    }
    with app.app_context():
        entry = db.session.get(JournalEntry, full.story_id)
        assert entry.visibility == JournalVisibility.COACH
        assert entry.consent_withdrawn_at is not None
    [audit] = _withdrawals(app)
    assert (audit.object_type, audit.object_id, audit.details) == (
        "journal_entries",
        full.story_id,
        {"kind": "belle_histoire"},
    )
    assert "Retiré le" in page_text(a1.get("/mes-donnees"))


def test_a_second_story_withdrawal_is_harmless(app, login_as, full):
    a1 = login_as("a1")
    a1.post(_story_url(full))
    assert a1.post(_story_url(full)).status_code == 302
    assert len(_withdrawals(app)) == 1


@pytest.mark.parametrize("role", ["a1bis", "a2", "coach", "coordinator", "admin"])
def test_only_its_author_withdraws_a_story(app, login_as, full, role):
    assert login_as(role).post(_story_url(full)).status_code == 403
    with app.app_context():
        assert db.session.get(JournalEntry, full.story_id).visibility == JournalVisibility.COHORT


def test_sharing_again_records_a_new_consent(app, full, ctx):
    entry = db.session.get(JournalEntry, full.story_id)
    a1 = db.session.get(User, full.world["a1"])
    journal.withdraw_consent(entry, by=a1)
    draft = journal.EntryDraft(
        written_on=entry.written_on,
        title=entry.title,
        what_we_did=entry.what_we_did,
        what_we_learned=entry.what_we_learned,
        what_we_try_next=entry.what_we_try_next,
        visibility=JournalVisibility.COHORT,
        thematics=("T1",),
    )
    with freeze(LATER):
        journal.update_entry(entry, draft, db.session.get(User, full.world["a1bis"]))
    assert (entry.shared_at, entry.consent_withdrawn_at) == (LATER, None)


def test_my_data_page_runs_the_same_queries_with_more_stories(app, login_as, full, query_counter):
    a1 = login_as("a1")
    a1.get("/mes-donnees")
    with query_counter:
        a1.get("/mes-donnees")
    before = query_counter.count
    with app.test_request_context():
        territory = db.session.get(Territory, full.world["territory_a1"])
        author = db.session.get(User, full.world["a1"])
        for n in range(3):
            _entry(territory, author, f"Histoire {n}", JournalVisibility.COHORT)
        db.session.commit()
    with query_counter:
        page = page_text(a1.get("/mes-donnees"))
    assert "Histoire 2" in page
    assert query_counter.count == before
