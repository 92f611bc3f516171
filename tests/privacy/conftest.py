"""A catalyseur with something in every domain, built through the operations.

a1 (cohort A, territory A1, binôme of a1bis) attended S1 and S2's morning; wrote a « belle
histoire » with a photo and a private entry; self-assessed at MID citing the story as
evidence and left a consensus draft; owns an action of the coach's follow-up record; answered
the identified final survey with a named testimony and the anonymous « à chaud » survey of
S1; received the survey's e-mail and the attestation de fin de parcours; and is the subject of
a role change in the audit log. Around them, the others' data that must never appear: a1bis's
entry, a2's testimony and attendance, the coach's record, cohort B.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from parcours.accounts.models import User
from parcours.audit.models import AuditAction
from parcours.audit.operations import record
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.competences import answers as ans
from parcours.competences import operations as competences
from parcours.competences.models import Viewpoint
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.attestations import operations as attestations
from parcours.evaluation.models import Consent, SurveyQuestion
from parcours.evaluation.surveys import operations as surveys
from parcours.suivi import attachments
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.journal import operations as journal
from parcours.suivi.models import JournalVisibility
from tests.competences.factories import inside, levels_answer, open_campaign
from tests.evaluation.attestations.conftest import AFTER, attend, event
from tests.evaluation.factories import after, session_event
from tests.evaluation.surveys.helpers import FINAL_OPENED, final_survey, session_survey
from tests.storage.samples import png
from tests.suivi.factories import add_items, add_record

STORY_TITLE = "La fête des voisins devient forum"
STORY_TEXT = "Nous avons réuni trente habitants autour du projet."
PRIVATE_TITLE = "Entre nous : la mairie hésite"
PARTNER_TITLE = "Note de a1bis : à ne pas montrer à a1"
TESTIMONY = "Le parcours nous a appris à parler aux élus."
PARTNER_TESTIMONY = "Témoignage de a2 : jamais dans l'export de a1."
ANONYMOUS_TEXT = "Réponse anonyme : garder les ateliers en petits groupes."
RECORD_NOTES = "Compte rendu du coach"
ACTION = "Relancer la communauté de communes"
ANSWERED_AT = FINAL_OPENED + timedelta(days=1)


@dataclass(frozen=True)
class Full:
    world: dict
    story_id: int
    private_id: int
    partner_entry_id: int
    testimony_id: int
    partner_testimony_id: int
    survey_id: int


def _entry(territory, author, title, visibility, text=STORY_TEXT):
    draft = journal.EntryDraft(
        written_on=date(2026, 4, 10),
        title=title,
        what_we_did=text,
        what_we_learned="Écouter d'abord.",
        what_we_try_next="Un second forum.",
        visibility=visibility,
        thematics=("T1",),
    )
    return journal.create_entry(territory, draft, author)


def _answers(survey, testimony):
    by_code = {q.code: q for q in survey.questions}
    return [
        surveys.AnswerInput(by_code["IMPACT_INNOVATION"].id, number=4),
        surveys.AnswerInput(by_code["IMPACT_PERFORMANCE"].id, number=3),
        surveys.AnswerInput(by_code["IMPACT_CONFIANCE"].id, number=5),
        surveys.AnswerInput(by_code["TEMOIGNAGE"].id, text=testimony, consent=Consent.NAMED),
    ]


def _build(world) -> Full:
    people = {key: db.session.get(User, world[key]) for key in ("a1", "a1bis", "a2", "coach")}
    coordinator = db.session.get(User, world["coordinator"])
    a1, a1bis, a2, coach = people["a1"], people["a1bis"], people["a2"], people["coach"]
    cohort = db.session.get(Cohort, world["cohort_a"])
    territory = db.session.get(Territory, world["territory_a1"])
    cohort_id = cohort.id

    anonymous = session_survey(world)  # a1 and a2 attended S1
    attend(event(cohort_id, "S2"), a1.id, picks={0})

    with freeze(datetime(2026, 4, 10, 8, 0, tzinfo=UTC)):
        story = _entry(territory, a1, STORY_TITLE, JournalVisibility.COHORT)
        attachments.attach(story, [FileStorage(BytesIO(png()), "forum.png")], user=a1)
        private = _entry(territory, a1, PRIVATE_TITLE, JournalVisibility.BINOME)
        partner = _entry(territory, a1bis, PARTNER_TITLE, JournalVisibility.BINOME)
        added = add_record(territory.id, coach.id, notes=RECORD_NOTES, notes_visibility="shared")
        add_items(added, coach.id, [ActionRow(title=ACTION, owner_id=a1.id)])

    with freeze(inside(cohort_id, "MID")):
        campaign = open_campaign(cohort_id, "MID", coordinator.id)
        answer = levels_answer(
            campaign, Viewpoint.SELF, lambda index, item: 3 if index == 0 else None
        )
        first = next(iter(answer.ratings))
        answer.ratings[first].evidence = [
            ans.EvidenceRef(kind="journal", id=story.id, title=STORY_TITLE)
        ]
        answer.ratings[first].comment = "Le forum en est la preuve."
        draft = competences.save_draft(campaign, Viewpoint.SELF, territory, a1.id, answer, by=a1)
        competences.submit(draft, by=a1)
        consensus = levels_answer(campaign, Viewpoint.CONSENSUS, lambda index, item: 2)
        competences.save_draft(campaign, Viewpoint.CONSENSUS, territory, None, consensus, by=a1)

    garder = db.session.scalar(
        select(SurveyQuestion).where(
            SurveyQuestion.survey_id == anonymous.id, SurveyQuestion.code == "GARDER"
        )
    )
    surveys.answer_survey(
        anonymous,
        a1,
        [surveys.AnswerInput(garder.id, text=ANONYMOUS_TEXT)],
        now=after(session_event(cohort_id, "S1"), 2),
        territory_id=None,
    )

    with freeze(AFTER):
        member = db.session.scalars(
            select(Membership).where(Membership.cohort_id == cohort_id, Membership.user_id == a1.id)
        ).one()
        attestations.issue(cohort, member, by=coordinator)

    final = final_survey(world)
    with freeze(ANSWERED_AT):
        mine = surveys.answer_survey(
            final, a1, _answers(final, TESTIMONY), now=ANSWERED_AT, territory_id=territory.id
        )
        theirs = surveys.answer_survey(
            final,
            a2,
            _answers(final, PARTNER_TESTIMONY),
            now=ANSWERED_AT,
            territory_id=world["territory_a2"],
        )
        record(AuditAction.ROLE_CHANGED, actor=coordinator, subject=a1, cohort=cohort)
        record(AuditAction.ROLE_CHANGED, actor=coordinator, subject=a1bis, cohort=cohort)
    db.session.flush()

    def testimony_of(response):
        return next(a.id for a in response.answers if a.consent is not None)

    db.session.commit()
    return Full(
        world=world,
        story_id=story.id,
        private_id=private.id,
        partner_entry_id=partner.id,
        testimony_id=testimony_of(mine),
        partner_testimony_id=testimony_of(theirs),
        survey_id=final.id,
    )


@pytest.fixture
def full(app, world) -> Full:
    """The world with a1's data in every domain (module docstring), committed for pages."""
    with app.test_request_context():
        return _build(world)
