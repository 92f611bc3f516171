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

#: What each session's participants wrote, one text per person at most (the others left the
#: question blank): distinct, as real answers are.
_TEXTS = {
    "S1": {
        "GARDER": (
            "Les ateliers en petits groupes entre territoires de profils différents.",
            "La carte des acteurs faite ensemble, je vais la refaire avec mon comité local.",
            "Le témoignage de l'association du Cher : concret et transposable.",
            "Les échanges informels au déjeuner, aussi utiles que les plénières.",
            "Le tour de table des territoires, pour savoir qui travaille sur quoi.",
            "La grille de diagnostic partagé, simple à reprendre chez nous.",
            "Le rythme : alterner apports et temps entre pairs.",
            "Avoir rencontré notre binôme de territoire rural, nous avons les mêmes questions.",
            "Les exemples d'alliances entre une mairie et des PME locales.",
        ),
        "CHANGER": (
            "Une plénière d'ouverture plus courte pour laisser du temps aux ateliers.",
            "Envoyer les documents avant la session, pour arriver préparé·e.",
            "Finir un peu plus tôt : certains territoires ont trois heures de route.",
            "Un temps pour les binômes seuls, sans animateur.",
            "La salle était trop petite pour les ateliers en sous-groupes.",
            "Donner la liste des participants avec leurs coordonnées à l'avance.",
        ),
    },
    "S2": {
        "GARDER": (
            "Le codéveloppement : on repart avec des pistes pour notre projet.",
            "La présentation des modèles de co-construction avec des cas réels.",
            "Le retour d'expérience de l'agglomération sur son premier partenariat.",
            "Le travail sur nos fragilités, sans jugement.",
            "La fiche « modèle socio-économique », je l'ai déjà utilisée.",
            "Les binômes mélangés pour l'atelier de l'après-midi.",
            "Le temps de question-réponse avec les intervenants.",
            "La visite du tiers-lieu, très inspirante.",
        ),
        "CHANGER": (
            "Plus de temps sur le modèle économique, c'est là que nous bloquons.",
            "Moins de diapositives, plus d'échanges.",
            "Un support écrit à emporter après chaque atelier.",
            "Prévoir une visio pour ceux qui ne peuvent venir qu'une demi-journée.",
            "Des exemples de territoires d'outre-mer aussi.",
        ),
    },
}


def _session(cohort: Cohort, code: str) -> Event | None:
    return db.session.scalar(
        select(Event).where(
            Event.cohort_id == cohort.id, Event.kind == EventKind.SESSION, Event.code == code
        )
    )


def _answers(
    survey: Survey, rng: random.Random, index: int, texts: dict[str, tuple[str, ...]]
) -> list[ops.AnswerInput]:
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
            written = texts.get(question.code, ())
            # Not everyone writes: those past the end of the list left it blank.
            text = written[index] if index < len(written) else ""
            if text:
                found.append(ops.AnswerInput(question.id, text=text))
    return found


def _answer_all(survey: Survey, users: list[User], rng: random.Random, now, code: str) -> None:
    # Spread over the window's days up to now (or its end), never in the future.
    span = min(survey.closes_at, now) - survey.opened_at
    for index, user in enumerate(users):
        member = membership(user, survey.cohort_id)
        moment = survey.opened_at + span * (index + 1) / (len(users) + 1)
        with freeze(moment):
            ops.answer_survey(
                survey,
                user,
                _answers(survey, rng, index, _TEXTS.get(code, {})),
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
        _answer_all(survey, _invited(survey), rng, now, "S1")
        if survey.is_open(now):  # a session held days ago: the coordinator closed it early
            ops.close_survey(survey, now=now - timedelta(minutes=1), by=coordinator)
        built["S1"] = survey
    s2 = _session(cohort, "S2")
    if s2 is not None and s2.ends_at < now:
        survey = ops.prepare_survey(cohort, template, s2)
        opened = max(s2.ends_at + timedelta(minutes=5), now - timedelta(days=2))
        ops.open_survey(survey, now=opened, by=coordinator)
        others = [u for u in _invited(survey) if u.email != CAMILLE_EMAIL]
        _answer_all(survey, others, rng, now, "S2")
        built["S2"] = survey
    db.session.flush()
    return built
