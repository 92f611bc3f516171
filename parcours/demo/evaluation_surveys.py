"""The demo's « à chaud » surveys: S1's answered and closed, S2's open and waiting for Camille.

S1's survey opened when the session ended (the scheduler) and closed at the end of its
window, with an answer from every catalyseur present: enough (k ≥ 5) for its results to
show. S2's was opened by the coordinator two days ago (after the session, late: she had
added nothing); everyone present has answered but Camille Martin, the demo's catalyseur
account, who finds it to fill in on « Mon parcours ».

Every answer goes through the operations under ``freeze()``, inside the window, from a fixed
seed: the demo reads the same whatever day it is built.
"""

import random
from datetime import timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import membership
from parcours.core.extensions import db
from parcours.core.time import freeze, now_utc
from parcours.curricula.schema import EventKind, QuestionKind, SurveyKind
from parcours.evaluation.models import Survey, SurveyInvitation
from parcours.evaluation.surveys import operations as ops

#: The demo catalyseur account: S2's survey waits for her answer.
CAMILLE_EMAIL = "camille.martin@demo.parcours.example"
SEED = 2026

_KEEP = (
    "Les ateliers en petits groupes entre territoires de profils différents.",
    "Le témoignage de l'association du Cher : concret et transposable.",
    "Le temps de codéveloppement, on repart avec des pistes pour notre projet.",
    "La carte des acteurs faite ensemble, je vais la refaire avec mon comité local.",
    "Les échanges informels au déjeuner, aussi utiles que les plénières.",
    "",
)
_CHANGE = (
    "Une plénière d'ouverture plus courte pour laisser du temps aux ateliers.",
    "Envoyer les documents avant la session, pour arriver préparé·e.",
    "Finir un peu plus tôt : certains territoires ont trois heures de route.",
    "Plus de temps sur le modèle économique, c'est là que nous bloquons.",
    "",
    "",
)


def _session(cohort: Cohort, code: str) -> Event | None:
    return db.session.scalar(
        select(Event).where(
            Event.cohort_id == cohort.id, Event.kind == EventKind.SESSION, Event.code == code
        )
    )


def _answers(survey: Survey, rng: random.Random, index: int) -> list[ops.AnswerInput]:
    """Return one plausible answer set: mostly satisfied, a few reserves, some texts."""
    found = []
    for question in survey.questions:
        kind = question.kind_enum
        if kind == QuestionKind.SCALE:
            if not question.required and rng.random() < 0.08:
                found.append(ops.AnswerInput(question.id, declined=True))
                continue
            points = len(question.labels)
            number = rng.choices(range(1, points + 1), weights=[1, 2, 6, 5][:points])[0]
            found.append(ops.AnswerInput(question.id, number=number))
        elif kind == QuestionKind.SINGLE:
            codes = [c["code"] for c in question.choices]
            found.append(ops.AnswerInput(question.id, choices=[rng.choices(codes, [6, 3, 1])[0]]))
        elif kind == QuestionKind.MULTIPLE:
            codes = [c["code"] for c in question.choices]
            chosen = sorted(rng.sample(codes, rng.randint(1, min(3, len(codes)))))
            found.append(ops.AnswerInput(question.id, choices=chosen))
        elif kind == QuestionKind.LONG_TEXT:
            texts = _KEEP if question.code == "GARDER" else _CHANGE
            text = texts[(index + len(question.code)) % len(texts)]
            if text:
                found.append(ops.AnswerInput(question.id, text=text))
    return found


def _answer_all(survey: Survey, users: list[User], rng: random.Random, now) -> None:
    # Spread over the window's days up to now (or its end), never in the future.
    span = min(survey.closes_at, now) - survey.opened_at
    for index, user in enumerate(users):
        member = membership(user, survey.cohort_id)
        moment = survey.opened_at + span * (index + 1) / (len(users) + 1)
        with freeze(moment):
            ops.answer_survey(
                survey,
                user,
                _answers(survey, rng, index),
                now=moment,
                territory_id=member.territory_id if member else None,
            )


def _invited(survey: Survey) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(SurveyInvitation, SurveyInvitation.user_id == User.id)
            .where(SurveyInvitation.survey_id == survey.id)
            .order_by(User.email)
        )
    )


def build(cohort: Cohort, coordinator: User) -> dict[str, Survey]:
    """Open and answer the demo cohort's S1 and S2 « à chaud » surveys; return them by code."""
    templates = [t for t in cohort.curriculum.surveys if t.kind == SurveyKind.SESSION]
    if not templates:
        return {}
    template = templates[0]
    rng = random.Random(SEED)  # noqa: S311  (invented data, the same on every build)
    now = now_utc()
    built = {}
    s1 = _session(cohort, "S1")
    if s1 is not None and s1.ends_at < now:
        survey = ops.prepare_survey(cohort, template, s1)
        opened = s1.ends_at + timedelta(minutes=5)
        ops.open_survey(survey, now=opened)  # the scheduler, when the session ended
        _answer_all(survey, _invited(survey), rng, now)
        if survey.is_open(now):  # a session held days ago: the coordinator closed it early
            ops.close_survey(survey, now=now - timedelta(minutes=1), by=coordinator)
        built["S1"] = survey
    s2 = _session(cohort, "S2")
    if s2 is not None and s2.ends_at < now:
        survey = ops.prepare_survey(cohort, template, s2)
        opened = max(s2.ends_at + timedelta(minutes=5), now - timedelta(days=2))
        ops.open_survey(survey, now=opened, by=coordinator)
        others = [u for u in _invited(survey) if u.email != CAMILLE_EMAIL]
        _answer_all(survey, others, rng, now)
        built["S2"] = survey
    db.session.flush()
    return built
