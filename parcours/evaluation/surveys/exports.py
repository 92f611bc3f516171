"""A survey's answers as a file: one row per counted response, one column per question.

Anonymous surveys: no respondent, no territory, no time, no id, and rows sorted by their
content, never by the order they were written in (that would tell who answered when); no
file at all below MIN_ANONYMOUS_ANSWERS responses nor while it is open, and no column for a
question the results hide (results.py decides both).
Identified surveys: the respondent, their territory and when they sent, sorted by name.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.spreadsheets import Sheet, csv_file, xlsx_file
from parcours.core.time import PARIS
from parcours.curricula.schema import QuestionKind
from parcours.evaluation.models import (
    MIN_ANONYMOUS_ANSWERS,
    Consent,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.evaluation.surveys.results import submitted_clause, survey_results


class ExportRefused(ValueError):
    """The file would show what the k ≥ 5 rule hides; the message says why, translated."""


@dataclass(frozen=True)
class AnswerTable:
    header: list[str]
    rows: list[list[Any]]


def _declined() -> str:
    return _("Je ne souhaite pas répondre")


def _cell(question: SurveyQuestion, answer) -> Any:
    if answer is None:
        return None
    if answer.declined:
        return _declined()
    kind = question.kind_enum
    if kind == QuestionKind.SCALE:
        return answer.number
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        labels = {c["code"]: c["label"] for c in question.choices}
        return " ; ".join(labels.get(code, code) for code in answer.choices)
    return answer.text or None


def answer_table(survey: Survey) -> AnswerTable:
    """Return the survey's counted responses as a table (3 queries); raise ExportRefused."""
    questions = db.session.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
        .order_by(SurveyQuestion.position)
    ).all()
    statement = (
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, submitted_clause())
        .options(selectinload(SurveyResponse.answers))
    )
    if not survey.anonymous:
        statement = (
            statement.add_columns(User.full_name, Territory.name)
            .outerjoin(User, User.id == SurveyResponse.respondent_id)
            .outerjoin(Territory, Territory.id == SurveyResponse.territory_id)
        )
        found = db.session.execute(statement).all()
    else:
        found = [(response, None, None) for response in db.session.scalars(statement)]
    result = survey_results([survey.id])[survey.id]
    if result.waiting:
        raise ExportRefused(
            _(
                "Ce questionnaire anonyme est encore ouvert : ses réponses s'exportent à sa "
                "clôture, pour qu'aucune ne puisse être isolée entre deux exports."
            )
        )
    if survey.anonymous and len(found) < MIN_ANONYMOUS_ANSWERS:
        raise ExportRefused(
            _(
                "Ce questionnaire anonyme a moins de %(count)d réponses : ses réponses ne "
                "s'exportent pas, elles permettraient de reconnaître leurs auteurs.",
                count=MIN_ANONYMOUS_ANSWERS,
            )
        )
    # The questions the results hide (fewer than 5 answers in an anonymous survey) are left
    # out: with the row's other answers, their few cells would point to their authors.
    hidden = {q.question_id for q in result.questions if q.hidden}
    questions = [q for q in questions if q.id not in hidden]
    header: list[str] = []
    if not survey.anonymous:
        header += [_("Répondant·e"), _("Territoire"), _("Envoyé le")]
    for question in questions:
        header.append(f"{question.code} — {question.text}")
        if question.kind_enum == QuestionKind.TESTIMONY:
            header.append(_("%(code)s — accord de publication", code=question.code))
    rows = []
    for response, name, territory in found:
        by_question = {answer.question_id: answer for answer in response.answers}
        row: list[Any] = []
        if not survey.anonymous:
            sent = response.submitted_at.astimezone(PARIS).replace(tzinfo=None)
            row += [name or _("(compte supprimé)"), territory, sent]
        for question in questions:
            answer = by_question.get(question.id)
            row.append(_cell(question, answer))
            if question.kind_enum == QuestionKind.TESTIMONY:
                consent = answer.consent if answer is not None else None
                if consent and answer.consent_withdrawn_at is not None:
                    row.append(_("Consentement retiré"))
                else:
                    row.append(Consent(consent).label if consent else None)
        rows.append(row)
    if survey.anonymous:
        # By content, never by the order of writing: that order would tell who answered when.
        rows.sort(key=lambda row: [("" if v is None else str(v)) for v in row])
    else:
        rows.sort(key=lambda row: (str(row[0]).casefold(), str(row[1] or "")))
    return AnswerTable(header, rows)


def filename(survey: Survey, extension: str) -> str:
    return _("reponses-questionnaire-%(id)d.%(ext)s", id=survey.id, ext=extension)


def answers_csv(survey: Survey) -> bytes:
    table = answer_table(survey)
    return csv_file(table.header, table.rows)


def answers_xlsx(survey: Survey) -> bytes:
    table = answer_table(survey)
    return xlsx_file([Sheet(_("Réponses"), table.header, table.rows)])
