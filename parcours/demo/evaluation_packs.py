"""The demo's committee packs: a committee member finds real documents on first login.

The demo cohort stands just after its mid-way comité. The coordinator wrote the launch pack's
editorial and generated it two days before the launch comité; she wrote the mid-way one,
generated it five days before that comité, then completed its recommendations and generated
version 2 the day before. Bernard Lemoine (Comité d'orientation) downloaded version 2, full and
pseudonymised, the morning of the meeting.

Every action goes through the operations under ``freeze()`` at a working hour, so that the
packs' dates read as the coordinator's days; the data are what the demo holds when it is built
(the demo is built in one go, not replayed day by day).
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import PackVariant
from parcours.evaluation.packs import operations, queries

#: The committee member who downloaded the mid-way pack.
READER = "bernard.lemoine"

_EDITORIALS = {
    PackKind.LAUNCH: {
        "highlights": (
            "Douze territoires sur les treize sollicités ont accepté de rejoindre le parcours, "
            "dont six en binôme. Les bilatérales de lancement sont toutes planifiées."
        ),
        "concerns": (
            "Le Pays du Grand Briançonnais a décliné faute de disponibilité cette année ; le "
            "calendrier des sessions devra ménager les périodes budgétaires des collectivités."
        ),
        "recommendations": (
            "Valider le référentiel de compétences proposé et l'échelle à quatre niveaux avant "
            "la première auto-évaluation (T0)."
        ),
    },
    PackKind.MIDWAY: {
        "highlights": (
            "Les deux premières sessions collectives ont réuni la quasi-totalité des "
            "catalyseurs ; la plupart progressent d'un niveau entre T0 et la mi-parcours."
        ),
        "concerns": (
            "Trois territoires n'ont pas eu de suivi récent ; le temps reste la première "
            "contrainte citée par les catalyseurs."
        ),
        "recommendations": "",
    },
}
#: The past promotion's bilan, written for its final comité.
_FINAL_EDITORIAL = {
    "highlights": (
        "Les douze territoires sont allés au bout du parcours ; les catalyseurs progressent "
        "d'un niveau en moyenne entre T0 et la fin, surtout sur l'animation du dialogue "
        "territorial et l'accompagnement de l'expérimentation."
    ),
    "concerns": (
        "Le modèle socio-économique de l'ingénierie territoriale reste le domaine le moins "
        "avancé ; plusieurs territoires n'ont pas encore de financement au-delà du parcours."
    ),
    "recommendations": (
        "Déployer le parcours à plus grande échelle en gardant des cohortes de douze "
        "territoires, et ajouter une session dédiée au modèle économique."
    ),
}

#: What the coordinator added to the mid-way editorial before its version 2.
_MIDWAY_RECOMMENDATIONS = (
    "Proposer des outils légers (trames d'une page) et un temps d'échange entre pairs "
    "sur le modèle socio-économique de l'ingénierie avant la session S3."
)


def build(cohort: Cohort, coordinator: User) -> None:
    """Give the demo cohort its launch pack and two versions of its mid-way pack."""
    meetings = queries.meetings(cohort)
    launch, midway = meetings.get(PackKind.LAUNCH), meetings.get(PackKind.MIDWAY)
    if launch is not None:
        at = _working_hour(launch, days_before=2)
        with freeze(at):
            _write(cohort, PackKind.LAUNCH, _EDITORIALS[PackKind.LAUNCH], coordinator, at)
            operations.generate_pack(cohort, PackKind.LAUNCH, by=coordinator, now=at)
    if midway is None:
        return
    at = _working_hour(midway, days_before=5)
    with freeze(at):
        _write(cohort, PackKind.MIDWAY, _EDITORIALS[PackKind.MIDWAY], coordinator, at)
        operations.generate_pack(cohort, PackKind.MIDWAY, by=coordinator, now=at)
    at = _working_hour(midway, days_before=1)
    with freeze(at):
        parts = {**_EDITORIALS[PackKind.MIDWAY], "recommendations": _MIDWAY_RECOMMENDATIONS}
        _write(cohort, PackKind.MIDWAY, parts, coordinator, at)
        latest = operations.generate_pack(cohort, PackKind.MIDWAY, by=coordinator, now=at)
    reader = db.session.scalar(select(User).where(User.email.startswith(f"{READER}@")))
    if reader is None:
        return
    at = midway.starts_at - timedelta(hours=4)
    for variant in (PackVariant.FULL, PackVariant.PSEUDONYMISED):
        with freeze(at):
            operations.log_download(latest, variant, by=reader, now=at)
        at += timedelta(minutes=3)


def build_final(cohort: Cohort, coordinator: User) -> None:
    """Give a finished cohort its bilan pack, written and generated before its final comité."""
    final = queries.meetings(cohort).get(PackKind.FINAL)
    if final is None:
        return
    at = _working_hour(final, days_before=2)
    with freeze(at):
        _write(cohort, PackKind.FINAL, _FINAL_EDITORIAL, coordinator, at)
        operations.generate_pack(cohort, PackKind.FINAL, by=coordinator, now=at)


def _write(cohort: Cohort, kind: PackKind, parts: dict, coordinator: User, at: datetime) -> None:
    operations.save_editorial(cohort, kind, parts, by=coordinator, now=at)


def _working_hour(meeting: Event, *, days_before: int) -> datetime:
    """Return 10:00 in Paris ``days_before`` days before ``meeting``, moved off the weekend."""
    day = meeting.starts_at.astimezone(PARIS).date() - timedelta(days=days_before)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=PARIS).astimezone(UTC)
