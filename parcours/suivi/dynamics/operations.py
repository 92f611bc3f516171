"""Recording a territory's dynamics: each recording is a new snapshot, none is ever changed.

A correction is a new recording of the same moment: the latest recording of each moment is
the one that counts (see ``queries``), the earlier ones stay in the history. The mapper
refuses any UPDATE or DELETE of a snapshot, so that no code path can rewrite the past.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import event

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import CurriculumDocument
from parcours.suivi.actions.queries import local_today
from parcours.suivi.models import DynamicsMoment, DynamicsSnapshot

logger = logging.getLogger(__name__)

#: How long the comment may be: a few sentences, not a compte rendu.
COMMENT_MAX_LENGTH = 2000


class DynamicsError(ValueError):
    """A recording the curriculum or the calendar does not allow; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DynamicsDraft:
    """What a recording holds, as typed: codes of the cohort's curriculum."""

    moment: str
    recorded_on: date
    maturity: int
    forms: Iterable[str] = field(default_factory=tuple)
    fragilities: Iterable[str] = field(default_factory=tuple)
    partnerships: Iterable[str] = field(default_factory=tuple)
    comment: str = ""


def _known(codes: Iterable[str], choices, field_name: str) -> list[str]:
    """Return ``codes`` in the curriculum's order, once each; refuse an unknown one."""
    wanted = set(codes)
    order = [choice.code for choice in choices]
    unknown = sorted(wanted - set(order))
    if unknown:
        raise DynamicsError(
            _(
                "Code inconnu du programme de la cohorte : %(codes)s.",
                codes=", ".join(unknown),
            ),
            field_name,
        )
    return [code for code in order if code in wanted]


def check(draft: DynamicsDraft, curriculum: CurriculumDocument, today: date) -> DynamicsSnapshot:
    """Return the snapshot ``draft`` describes, unsaved, or raise :class:`DynamicsError`."""
    try:
        moment = DynamicsMoment(draft.moment)
    except ValueError:
        raise DynamicsError(_("Choisissez le moment du parcours."), "moment") from None
    levels = [level.value for level in curriculum.maturity.levels]
    if isinstance(draft.maturity, bool) or draft.maturity not in levels:
        raise DynamicsError(_("Choisissez un niveau de l'échelle de maturité."), "maturity")
    if draft.recorded_on > today:
        raise DynamicsError(_("La dynamique se relève le jour même ou après coup."), "recorded_on")
    comment = (draft.comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DynamicsError(
            _("Le commentaire est limité à %(count)d caractères.", count=COMMENT_MAX_LENGTH),
            "comment",
        )
    dynamics = curriculum.dynamics
    return DynamicsSnapshot(
        moment=moment.value,
        recorded_on=draft.recorded_on,
        maturity=draft.maturity,
        forms=_known(draft.forms, dynamics.forms, "forms"),
        fragilities=_known(draft.fragilities, dynamics.fragilities, "fragilities"),
        partnerships=_known(draft.partnerships, dynamics.partnerships, "partnerships"),
        comment=comment,
    )


def record_dynamics(
    territory: Territory,
    draft: DynamicsDraft,
    *,
    recorded_by: User | None,
    recorded_at: datetime | None = None,
) -> DynamicsSnapshot:
    """Record the territory's dynamics as a new snapshot, checked against its curriculum.

    ``recorded_at`` is when it is entered: now, unless a recording is copied from elsewhere.
    """
    cohort = territory.cohort
    snapshot = check(draft, cohort.curriculum, local_today(territory.cohort))
    snapshot.territory_id = territory.id
    snapshot.curriculum_version_id = cohort.curriculum_version_id
    snapshot.recorded_by_id = recorded_by.id if recorded_by is not None else None
    snapshot.recorded_at = recorded_at or now_utc()
    db.session.add(snapshot)
    db.session.flush()
    logger.info(
        "Dynamics %s of territory %s recorded by user %s",
        snapshot.moment,
        territory.id,
        snapshot.recorded_by_id,
    )
    return snapshot


class SnapshotsAreKept(RuntimeError):
    """A snapshot was about to be changed or deleted: recordings are kept as they were."""


@event.listens_for(DynamicsSnapshot, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:
    raise SnapshotsAreKept(f"{target!r} is kept as recorded: record a new one instead")


@event.listens_for(DynamicsSnapshot, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:
    raise SnapshotsAreKept(f"{target!r} is kept as recorded: it cannot be deleted")
