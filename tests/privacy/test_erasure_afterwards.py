"""After an erasure: the figures of what came before and after, and what the erased account
may no longer receive or rejoin (cohort A of the test world, its sessions and campaigns)."""

import pytest
from sqlalchemy import select

from parcours.accounts import operations as accounts
from parcours.accounts.models import User
from parcours.attendance.queries import attendance_grid, cohort_attendance
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Role, Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.campaigns.queries import AnswerState, moment_rows, participant_statuses
from parcours.competences.models import AssessmentDraft, AssessmentEvidence, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import SurveyInvitation
from parcours.outbox import mail
from parcours.outbox.models import OutboxMessage
from parcours.privacy import erasure
from parcours.suivi.journal import operations as journal
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JournalVisibility
from tests.competences import factories as competences
from tests.evaluation.factories import after, mark_attended, opened, prepared, session_event


def _erase(user_id: int) -> User:
    person = db.session.get(User, user_id)
    erasure.erase_person(person, by=None, reason="request_email")
    return db.session.get(User, user_id)


def _session_figures(cohort: Cohort, codes=("S1", "S2")):
    figures = {f.event.code: f for f in cohort_attendance(cohort).sessions}
    return {code: [(s.expected, s.attended) for s in figures[code].slots] for code in codes}


def test_an_erased_person_counts_at_the_sessions_before_and_not_after(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        s1, s2 = session_event(cohort.id, "S1"), session_event(cohort.id, "S2")
        mark_attended(s1, [world["a1"], world["a1bis"], world["a2"]])
        with freeze(after(s1, 24)):
            held = _session_figures(cohort, ("S1",))
            _erase(world["a1"])
            assert _session_figures(cohort, ("S1",)) == held
        mark_attended(s2, [world["a1bis"], world["a2"]])
        with freeze(after(s2, 24)):
            # S2 began after the erasure: a1 is not expected there, so not counted absent.
            assert len(attendance_grid(s2).people) == 2
            figures = _session_figures(cohort)
            assert figures["S1"] == held["S1"]
            assert {slot for slot in figures["S2"]} == {(2, 2)}
            rates = {p.person.user.id: p.rate for p in cohort_attendance(cohort).participants}
            assert rates[world["a1"]] == 1.0  # the S1 they attended, nothing after


def test_erasing_someone_already_deactivated_changes_no_figure(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        admin = db.session.get(User, world["admin"])
        accounts.deactivate_user(db.session.get(User, world["a2"]), by=admin)
        s1, s2 = session_event(cohort.id, "S1"), session_event(cohort.id, "S2")
        mark_attended(s1, [world["a1"], world["a1bis"]])
        mark_attended(s2, [world["a1"], world["a1bis"]])
        with freeze(after(s2, 24)):
            before = _session_figures(cohort)
            erased = _erase(world["a2"])
            assert erased.counted_until is None  # counted nowhere already
            assert _session_figures(cohort) == before
        assert {slot for slot in before["S1"]} == {(2, 2)}


def test_the_campaigns_counts_stay_the_same_after_an_erasure(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        moment = competences.inside(cohort.id, "T0")
        with freeze(moment):
            campaign = competences.open_campaign(cohort.id, "T0", world["coordinator"])
            competences.submit_self(campaign, world["a1"])
            db.session.flush()
            before = {r.event.code: (r.answered, r.expected) for r in moment_rows(cohort, moment)}
            statuses = {s.user.id: s.state for s in participant_statuses(campaign)}
            _erase(world["a1"])
            after = {r.event.code: (r.answered, r.expected) for r in moment_rows(cohort, moment)}
            assert {s.user.id: s.state for s in participant_statuses(campaign)} == statuses
        # The campaign that was open keeps a1's answer among three; the moments still to come
        # expect only the two catalyseurs left.
        assert before == {"T0": (1, 3), "MID": (0, 3), "END": (0, 3)}
        assert after == {"T0": (1, 3), "MID": (0, 2), "END": (0, 2)}
        assert statuses[world["a1"]] == AnswerState.SUBMITTED


def test_a_partners_citation_of_their_text_keeps_no_copy_of_it(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        territory = db.session.get(Territory, world["territory_a1"])
        a1 = db.session.get(User, world["a1"])
        with freeze(competences.inside(cohort.id, "T0")):
            entry = journal.create_entry(
                territory,
                EntryDraft(
                    written_on=cohort.start_date,
                    title="Le titre que seule a1 a écrit",
                    what_we_did="Un atelier.",
                    what_we_learned="",
                    what_we_try_next="",
                    visibility=JournalVisibility.BINOME,
                ),
                a1,
            )
            campaign = competences.open_campaign(cohort.id, "T0", world["coordinator"])
            answer = competences.levels_answer(campaign, Viewpoint.SELF, lambda index, item: 2)
            first = next(iter(answer.ratings))
            answer.ratings[first].evidence = [
                ans.EvidenceRef(kind="journal", id=entry.id, title=entry.title)
            ]
            partner = db.session.get(User, world["a1bis"])
            draft = ops.save_draft(
                campaign, Viewpoint.SELF, territory, partner.id, answer, by=partner
            )
            ops.submit(draft, by=partner)
            db.session.flush()
            _erase(world["a1"])
        evidence = db.session.scalars(select(AssessmentEvidence)).all()
        assert [(e.journal_entry_id, e.title) for e in evidence] == [
            (entry.id, erasure.ERASED_TEXT)
        ]


def test_a_binomes_consensus_draft_stays_with_the_partner(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        territory = db.session.get(Territory, world["territory_a1"])
        a1 = db.session.get(User, world["a1"])
        with freeze(competences.inside(cohort.id, "T0")):
            campaign = competences.open_campaign(cohort.id, "T0", world["coordinator"])
            consensus = competences.levels_answer(campaign, Viewpoint.CONSENSUS, lambda i, it: 2)
            draft = ops.save_draft(campaign, Viewpoint.CONSENSUS, territory, None, consensus, by=a1)
            ops.confirm_consensus(draft, by=a1)
            own = competences.levels_answer(campaign, Viewpoint.SELF, lambda i, it: 1)
            ops.save_draft(campaign, Viewpoint.SELF, territory, a1.id, own, by=a1)
            db.session.flush()
            counted = {line.step.key: line.count for line in erasure.preview(a1)}
            _erase(world["a1"])
        drafts = db.session.scalars(select(AssessmentDraft)).all()
        assert counted["assessment_drafts"] == 1  # their own self-assessment draft
        assert [(d.viewpoint, d.updated_by_id, d.confirmed_by_id) for d in drafts] == [
            (Viewpoint.CONSENSUS.value, None, None)
        ]


def test_an_erased_person_is_not_invited_to_a_survey_opened_afterwards(app, world):
    with app.test_request_context():
        cohort_id = world["cohort_a"]
        s1 = session_event(cohort_id, "S1")
        mark_attended(s1, [world["a1"], world["a2"]])
        _erase(world["a1"])
        hot = opened(prepared(cohort_id, "A_CHAUD", s1), after(s1))
        final = opened(prepared(cohort_id, "EVAL_FINALE"), after(s1, 48))
        db.session.flush()
        for survey in (hot, final):
            invited = set(
                db.session.scalars(
                    select(SurveyInvitation.user_id).where(SurveyInvitation.survey_id == survey.id)
                )
            )
            assert world["a2"] in invited and world["a1"] not in invited, survey.kind
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert recipients and not any(r.endswith(mail.NOWHERE_DOMAIN) for r in recipients)


def test_nothing_is_queued_to_an_address_of_no_one(app, world):
    with app.test_request_context():
        erased = _erase(world["a1"])
        queued = mail.queue(mail.Message(to=erased.email, subject="Rappel", body="…"))
        assert queued is False
        assert (
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == erased.email)
            ).all()
            == []
        )


def test_an_erased_person_rejoins_no_cohort(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        member = db.session.scalars(
            select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.user_id == world["committee"]
            )
        ).one()
        removal = cohort_ops.remove_member(member, coordinator)
        db.session.flush()
        removal_id = removal.id
        erased = _erase(world["committee"])
        removal = db.session.get(MembershipRemoval, removal_id)
        with pytest.raises(cohort_ops.CohortError, match="effacée"):
            cohort_ops.restore_member(removal, coordinator)
        with pytest.raises(cohort_ops.CohortError, match="compte effacé"):
            cohort_ops.add_member(
                cohort,
                role=Role.COMMITTEE,
                email=erased.email,
                full_name="Quelqu'un",
                organisation="",
                invited_by=coordinator,
            )
        assert (
            db.session.scalars(
                select(Membership).where(Membership.user_id == world["committee"])
            ).all()
            == []
        )
