"""A survey's results: counts, means and texts per question, and the publishable testimonies.

Plain data gathered in a constant number of queries, shared by the results page, the exports
and the Comité d'orientation's packs. Two rules live here and nowhere else:

- **what counts as an answer** (:func:`submitted_clause`): in an anonymous survey, a response
  row exists only once submitted; in an identified one, a draft (no ``submitted_at``) is not
  counted;
- **k ≥ 5**: in an anonymous survey, a figure drawn from fewer than
  :data:`~parcours.evaluation.models.MIN_ANONYMOUS_ANSWERS` answers is hidden — the whole
  survey below that many responses, a question below that many answers. Nothing is then drawn
  from its answers: no counts, no mean, no texts, and ``answers``/``declined`` are 0.

Texts are sorted by their content, never by insertion order, which would tell who answered
when. A testimony (kind ``testimony``) is never listed among texts: only :func:`testimonies`
gives it, and only with its author's consent.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import QuestionKind, SurveyKind
from parcours.evaluation.models import (
    MIN_ANONYMOUS_ANSWERS,
    Consent,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)


@dataclass(frozen=True)
class Count:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    code: str
    text: str
    kind: QuestionKind
    theme: str
    #: Answers given (not declined, not left blank).
    answers: int
    declined: int
    #: Scale points 1…n with their labels, or the choices; () for texts.
    counts: tuple[Count, ...]
    #: Scale questions only.
    mean: float | None
    #: Non-empty answers of a short or long text, sorted; () otherwise.
    texts: tuple[str, ...]
    #: An anonymous survey's figure from fewer than MIN_ANONYMOUS_ANSWERS answers.
    hidden: bool


@dataclass(frozen=True)
class SurveyResult:
    survey_id: int
    title: str
    kind: SurveyKind
    anonymous: bool
    event_id: int | None
    invited: int
    responses: int
    #: An anonymous survey with fewer than MIN_ANONYMOUS_ANSWERS responses, or still open.
    hidden: bool
    questions: tuple[QuestionResult, ...]
    #: An anonymous survey still open: its figures wait for its closing (see readable_clause).
    waiting: bool = False

    @property
    def rate(self) -> float | None:
        """Return responses / invited (None before anyone is invited)."""
        return self.responses / self.invited if self.invited else None


@dataclass(frozen=True)
class Testimony:
    survey_id: int
    text: str
    consent: Consent
    #: The author's name, only when they consented to a named publication.
    author: str | None
    #: Their territory, only with a named consent too (a territory may have one catalyseur).
    territory_id: int | None


def submitted_clause():
    """Return the SQL condition on SurveyResponse for « counts as an answer ».

    Anonymous surveys: the row exists (it is written on submission, with no time).
    Identified surveys: ``submitted_at`` is set (a draft does not count). Needs no join.
    """
    surveys = aliased(Survey)  # never correlated to a surveys table of the caller's query
    anonymous = select(surveys.id).where(surveys.anonymous.is_(True)).correlate(None)
    return or_(SurveyResponse.submitted_at.is_not(None), SurveyResponse.survey_id.in_(anonymous))


def readable_clause(now: datetime):
    """Return the SQL condition on Survey for « its results may be read at ``now`` ».

    An anonymous survey's results wait for its closing: read while it is open, two readings a
    few minutes apart would isolate the one answer sent in between, and that person may have
    said they just answered. Named surveys are read as the answers come. The same rule as
    :func:`is_readable`.
    """
    return or_(
        Survey.anonymous.is_(False),
        Survey.closed_at <= now,
        Survey.closes_at <= now,
    )


def is_readable(*, anonymous: bool, opened_at, closes_at, closed_at, now: datetime) -> bool:
    """Tell whether a survey's results may be read at ``now`` (see :func:`readable_clause`)."""
    if not anonymous:
        return True
    return opened_at is not None and (
        (closed_at is not None and closed_at <= now) or (closes_at is not None and closes_at <= now)
    )


def is_waiting(survey: Survey, now: datetime) -> bool:
    """Tell whether ``survey`` is an anonymous one still open at ``now`` (results wait)."""
    return not is_readable(
        anonymous=survey.anonymous,
        opened_at=survey.opened_at,
        closes_at=survey.closes_at,
        closed_at=survey.closed_at,
        now=now,
    )


def answers_hidden(survey: Survey, responses: int, now: datetime) -> bool:
    """Tell whether ``survey``'s answers are kept from its results and exports at ``now``:
    an anonymous survey still open, or with fewer than MIN_ANONYMOUS_ANSWERS ``responses``."""
    return is_waiting(survey, now) or (survey.anonymous and responses < MIN_ANONYMOUS_ANSWERS)


def survey_results(
    survey_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, SurveyResult]:
    """Return the results of ``survey_ids`` by id (unknown ids left out), in 3 queries."""
    now = now or now_utc()
    ids = list(dict.fromkeys(survey_ids))
    if not ids:
        return {}
    invited = (
        select(func.count(SurveyInvitation.id))
        .where(SurveyInvitation.survey_id == Survey.id)
        .correlate(Survey)
        .scalar_subquery()
    )
    responses = (
        select(func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == Survey.id, submitted_clause())
        .correlate(Survey)
        .scalar_subquery()
    )
    surveys = db.session.execute(
        select(
            Survey.id,
            Survey.title,
            Survey.kind,
            Survey.anonymous,
            Survey.event_id,
            Survey.opened_at,
            Survey.closes_at,
            Survey.closed_at,
            invited.label("invited"),
            responses.label("responses"),
        ).where(Survey.id.in_(ids))
    ).all()
    questions = db.session.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id.in_(ids))
        .order_by(SurveyQuestion.survey_id, SurveyQuestion.position)
    ).all()
    rows = db.session.execute(
        select(
            SurveyAnswer.question_id,
            SurveyAnswer.declined,
            SurveyAnswer.number,
            SurveyAnswer.choices,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id.in_(ids), submitted_clause())
    ).all()
    answers_of = defaultdict(list)
    for row in rows:
        answers_of[row.question_id].append(row)
    questions_of = defaultdict(list)
    for question in questions:
        questions_of[question.survey_id].append(question)

    results = {}
    for survey in surveys:
        waiting = is_waiting(survey, now)
        hidden = answers_hidden(survey, survey.responses, now)
        results[survey.id] = SurveyResult(
            survey_id=survey.id,
            title=survey.title,
            kind=SurveyKind(survey.kind),
            anonymous=survey.anonymous,
            event_id=survey.event_id,
            invited=survey.invited,
            responses=survey.responses,
            hidden=hidden,
            waiting=waiting,
            questions=tuple(
                _question_result(q, answers_of[q.id], anonymous=survey.anonymous, hidden=hidden)
                for q in questions_of[survey.id]
            ),
        )
    return {i: results[i] for i in ids if i in results}


def _question_result(question: SurveyQuestion, rows, *, anonymous: bool, hidden: bool):
    kind = question.kind_enum
    declined = sum(1 for row in rows if row.declined)
    given = [row for row in rows if not row.declined and _has_content(kind, row)]
    hidden = hidden or (anonymous and len(given) < MIN_ANONYMOUS_ANSWERS)
    counts: tuple[Count, ...] = ()
    mean = None
    texts: tuple[str, ...] = ()
    if not hidden:
        if kind == QuestionKind.SCALE:
            numbers = [row.number for row in given]
            counts = tuple(
                Count(str(point), label, numbers.count(point))
                for point, label in enumerate(question.labels, start=1)
            )
            mean = sum(numbers) / len(numbers) if numbers else None
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = [code for row in given for code in set(row.choices)]
            counts = tuple(
                Count(choice["code"], choice["label"], chosen.count(choice["code"]))
                for choice in question.choices
            )
        elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            # By content, never by insertion order: that would tell who answered when.
            texts = tuple(sorted(row.text.strip() for row in given))
    return QuestionResult(
        question_id=question.id,
        code=question.code,
        text=question.text,
        kind=kind,
        theme=question.theme,
        answers=0 if hidden else len(given),
        declined=0 if hidden else declined,
        counts=counts,
        mean=mean,
        texts=texts,
        hidden=hidden,
    )


def _has_content(kind: QuestionKind, row) -> bool:
    if kind == QuestionKind.SCALE:
        return row.number is not None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return bool(row.choices)
    return bool(row.text and row.text.strip())


def testimonies(survey_ids: Sequence[int]) -> list[Testimony]:
    """Return the publishable testimonies of ``survey_ids`` (one query), sorted by text.

    Consented to (named or anonymous), not withdrawn, not empty, from a counted response.
    The author's name and territory come only with a named consent.
    """
    if not survey_ids:
        return []
    rows = db.session.execute(
        select(
            SurveyResponse.survey_id,
            SurveyAnswer.text,
            SurveyAnswer.consent,
            User.full_name,
            SurveyResponse.territory_id,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .outerjoin(User, User.id == SurveyResponse.respondent_id)
        .where(
            SurveyResponse.survey_id.in_(list(survey_ids)),
            submitted_clause(),
            SurveyQuestion.kind == QuestionKind.TESTIMONY.value,
            SurveyAnswer.declined.is_(False),
            SurveyAnswer.consent.in_([Consent.NAMED.value, Consent.ANONYMOUS.value]),
            SurveyAnswer.consent_withdrawn_at.is_(None),
        )
    ).all()
    found = []
    for row in rows:
        text = (row.text or "").strip()
        if not text:
            continue
        consent = Consent(row.consent)
        named = consent is Consent.NAMED
        found.append(
            Testimony(
                survey_id=row.survey_id,
                text=text,
                consent=consent,
                author=row.full_name if named else None,
                territory_id=row.territory_id if named else None,
            )
        )
    return sorted(found, key=lambda t: (t.survey_id, t.text, t.author or ""))
