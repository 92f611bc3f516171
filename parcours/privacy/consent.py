"""Consent to publication: a person's testimonies and « belles histoires », and its withdrawal.

A testimony (a survey answer of kind ``testimony``) records the consent its author chose
(named, anonymous, refused) with the response, sent at ``submitted_at``; a belle histoire is
a carnet de bord entry its binôme shared with the cohort, at ``shared_at``. Testimonies exist
in identified surveys only (the curriculum schema refuses one in an anonymous survey), so each
has an author who can withdraw it; an anonymous survey's free-text answers name nobody and
cannot be found again, by anyone.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.audit import labels as audit_labels
from parcours.audit.models import AuditAction
from parcours.audit.operations import record
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import QuestionKind
from parcours.evaluation.models import (
    Consent,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.evaluation.surveys import operations as surveys
from parcours.suivi.journal import operations as journal
from parcours.suivi.models import JournalEntry, JournalVisibility

# The consents this domain records, in words in the audit log (audit/labels.py).
audit_labels.name_values(
    "kind", {"testimony": _l("témoignage"), "belle_histoire": _l("belle histoire")}
)


@dataclass(frozen=True)
class TestimonyConsent:
    answer_id: int
    survey: str
    cohort: str
    text: str
    consent: Consent | None
    given_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def withdrawable(self) -> bool:
        return self.withdrawn_at is None and self.consent is not None and self.consent.publishable


@dataclass(frozen=True)
class StoryConsent:
    entry_id: int
    title: str
    territory: str
    written_on: object
    shared: bool
    given_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def withdrawable(self) -> bool:
        return self.shared


def testimonies_of(user: User) -> list[TestimonyConsent]:
    """Return ``user``'s sent testimonies with the consent they gave (one query)."""
    rows = db.session.execute(
        select(
            SurveyAnswer.id,
            Survey.title,
            Cohort.name,
            SurveyAnswer.text,
            SurveyAnswer.consent,
            SurveyResponse.submitted_at,
            SurveyAnswer.consent_withdrawn_at,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .join(Cohort, Cohort.id == Survey.cohort_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyResponse.respondent_id == user.id,
            SurveyResponse.submitted_at.is_not(None),
            Survey.anonymous.is_(False),
            SurveyQuestion.kind == QuestionKind.TESTIMONY.value,
            SurveyAnswer.declined.is_(False),
            SurveyAnswer.text != "",
        )
        .order_by(SurveyResponse.submitted_at, SurveyAnswer.id)
    )
    return [
        TestimonyConsent(
            answer_id=row[0],
            survey=row[1],
            cohort=row[2],
            text=row[3],
            consent=Consent(row[4]) if row[4] else None,
            given_at=row[5],
            withdrawn_at=row[6],
        )
        for row in rows
    ]


def stories_of(user: User) -> list[StoryConsent]:
    """Return the belles histoires ``user`` wrote, shared now or withdrawn (one query)."""
    rows = db.session.execute(
        select(JournalEntry, Territory.name)
        .join(Territory, Territory.id == JournalEntry.territory_id)
        .where(
            JournalEntry.author_id == user.id,
            JournalEntry.deleted_at.is_(None),
            (JournalEntry.visibility == JournalVisibility.COHORT.value)
            | JournalEntry.consent_withdrawn_at.is_not(None),
        )
        .order_by(JournalEntry.written_on, JournalEntry.id)
    ).all()
    return [
        StoryConsent(
            entry_id=entry.id,
            title=entry.title,
            territory=territory,
            written_on=entry.written_on,
            shared=entry.is_belle_histoire,
            given_at=entry.shared_at,
            withdrawn_at=None if entry.is_belle_histoire else entry.consent_withdrawn_at,
        )
        for entry, territory in rows
    ]


# -- Who may withdraw: the author, and nobody else ------------------------------------------


def can_withdraw_testimony(user: User, answer: SurveyAnswer) -> bool:
    """A testimony's consent is withdrawn by its author only (an identified survey's answer)."""
    response = answer.response
    return (
        user.is_authenticated
        and response.respondent_id == user.id
        and not response.survey.anonymous
        and answer.question.kind == QuestionKind.TESTIMONY.value
    )


def can_withdraw_story(user: User, entry: JournalEntry) -> bool:
    """A belle histoire's consent is withdrawn by the catalyseur who wrote it."""
    return user.is_authenticated and entry.author_id == user.id and not entry.is_deleted


# -- Withdrawing ----------------------------------------------------------------------------


def withdraw_testimony(answer: SurveyAnswer, *, by: User) -> bool:
    """Withdraw the consent of a testimony, audited; False if it was already withdrawn."""
    if not surveys.withdraw_consent(answer, now=now_utc()):
        return False
    survey = answer.response.survey
    record(
        AuditAction.CONSENT_WITHDRAWN,
        actor=by,
        subject=by,
        cohort=survey.cohort_id,
        target=answer,
        details={"kind": "testimony"},
    )
    return True


def withdraw_story(entry: JournalEntry, *, by: User) -> bool:
    """Withdraw the consent of a belle histoire, audited; False if it was not shared."""
    if not journal.withdraw_consent(entry, by=by):
        return False
    record(
        AuditAction.CONSENT_WITHDRAWN,
        actor=by,
        subject=by,
        cohort=entry.territory.cohort_id,
        target=entry,
        details={"kind": "belle_histoire"},
    )
    return True
