"""How long each category of personal data is kept, and the purge of what is past its time.

One registry, :data:`CATEGORIES`, read by the daily job (``parcours.jobs.purge_retention``),
``flask retention`` and the privacy notice alike: each category names what it removes, the
setting that says how long it stays, and counts or purges what is past that at a given moment.

Sent e-mails are blanked, not deleted: the row keeps its ``dedup_key``, so a reminder is never
queued a second time, and the cohort's e-mail log still shows that a message of that subject
went out, and when. Only the recipient, the body, the attachment and the last error (which may
quote the address) go.

« Données des promotions » (PARCOURS_RETENTION_COHORT_YEARS) is the erasure
(``parcours/privacy/erasure.py``) of each person whose last cohort ended that many years ago:
the same operation as an erasure on request, so that the cohort's figures stay as they were.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from parcours.accounts import throttle
from parcours.accounts.models import ThrottleHit, User
from parcours.attendance import operations as _attendance  # noqa: F401  (its check-in limit)
from parcours.attendance.models import CheckInCode
from parcours.audit.models import AuditAction, AuditEntry
from parcours.audit.operations import record
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval
from parcours.core.extensions import db
from parcours.core.kept import rewriting
from parcours.core.time import PARIS, now_utc
from parcours.evaluation.models import Survey, SurveyAnswer, SurveyResponse
from parcours.outbox.models import MessageStatus, OutboxMessage
from parcours.privacy import erasure
from parcours.suivi import drafts
from parcours.suivi.models import FormDraft

logger = logging.getLogger(__name__)

#: A check-in code's day is over everywhere once it is over at UTC-12, the last time zone.
LAST_ZONE_OFFSET = timedelta(hours=12)


@dataclass(frozen=True)
class Category:
    """A category of personal data, how long it is kept, and how what is past that goes."""

    key: str
    label: str
    #: What the purge removes (the notice and ``flask retention`` say it).
    removed: str
    #: The settings that say how long it stays (empty: fixed by what the data is for).
    settings: tuple[str, ...]
    #: How long it stays, in words, from the settings as they are set.
    kept_for: Callable[[], str]
    #: Before when (a moment, or a day) what goes was written, at a given moment.
    cutoff: Callable[[datetime], datetime | date | None]
    #: How many rows would go at a given moment; None when another operation removes them.
    count: Callable[[datetime], int] | None = None
    purge: Callable[[datetime], int] | None = None

    @property
    def purged_here(self) -> bool:
        return self.purge is not None


def _setting(key: str) -> int:
    return int(current_app.config[key])


# Sent e-mails --------------------------------------------------------------------------------


def _outbox_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=_setting("PARCOURS_RETENTION_OUTBOX_DAYS"))


def _outbox_due(now: datetime):
    return (
        OutboxMessage.status.in_([MessageStatus.SENT, MessageStatus.FAILED]),
        OutboxMessage.created_at <= _outbox_cutoff(now),
        # Blanked already: the recipient is never empty otherwise.
        OutboxMessage.recipient != "",
    )


def _count_outbox(now: datetime) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(*_outbox_due(now)))


def _purge_outbox(now: datetime) -> int:
    result = db.session.execute(
        update(OutboxMessage)
        .where(*_outbox_due(now))
        .values(
            recipient="",
            body="",
            attachment=None,
            attachment_name=None,
            attachment_type=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# Audit log -----------------------------------------------------------------------------------


def _audit_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=_setting("PARCOURS_RETENTION_AUDIT_DAYS"))


def _count_audit(now: datetime) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.at <= _audit_cutoff(now))
    )


def _purge_audit(now: datetime) -> int:
    with rewriting():  # entries are kept as written: only this purge and erasure remove them
        result = db.session.execute(
            delete(AuditEntry)
            .where(AuditEntry.at <= _audit_cutoff(now))
            .execution_options(synchronize_session=False)
        )
    return result.rowcount


# Check-in codes ------------------------------------------------------------------------------


def _check_in_cutoff(now: datetime) -> date:
    """The first day whose codes stay: every earlier day is over in every time zone."""
    return (now.astimezone(UTC) - LAST_ZONE_OFFSET).date()


def _count_check_in(now: datetime) -> int:
    return db.session.scalar(
        select(func.count(CheckInCode.id)).where(CheckInCode.day < _check_in_cutoff(now))
    )


def _purge_check_in(now: datetime) -> int:
    result = db.session.execute(
        delete(CheckInCode)
        .where(CheckInCode.day < _check_in_cutoff(now))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# Attempt limits and form drafts --------------------------------------------------------------


def _count_throttle(now: datetime) -> int:
    return db.session.scalar(select(func.count(ThrottleHit.id)).where(throttle.expired(now)))


def _throttle_kept_for() -> str:
    minutes = sorted(
        {int(limit.window.total_seconds() // 60) for limit in throttle.LIMITS.values()}
    )
    if len(minutes) == 1:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes[0])
    return str(
        _l(
            "de %(shortest)d à %(longest)d minutes, selon la limite",
            shortest=minutes[0],
            longest=minutes[-1],
        )
    )


def _count_form_drafts(now: datetime) -> int:
    return db.session.scalar(select(func.count(FormDraft.id)).where(drafts.stale(now)))


def _form_drafts_kept_for() -> str:
    hours = int(drafts.MAX_AGE.total_seconds() // 3600)
    return ngettext("%(num)d heure", "%(num)d heures", hours)


# Survey answers never submitted --------------------------------------------------------------


def _survey_drafts(now: datetime):
    """The unsubmitted answers of named surveys that have closed (none ever opens again).

    Only named surveys keep drafts: an anonymous survey's answers have no time at all, even
    once submitted, so that their moment does not tell who wrote them.
    """
    closed = select(Survey.id).where(
        Survey.anonymous.is_(False),
        Survey.opened_at.is_not(None),
        or_(Survey.closed_at <= now, Survey.closes_at <= now),
    )
    return select(SurveyResponse.id).where(
        SurveyResponse.submitted_at.is_(None),
        SurveyResponse.respondent_id.is_not(None),
        SurveyResponse.survey_id.in_(closed),
    )


def _count_survey_drafts(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_survey_drafts(now).subquery()))


def _purge_survey_drafts(now: datetime) -> int:
    ids = list(db.session.scalars(_survey_drafts(now)))
    if not ids:
        return 0
    db.session.execute(
        delete(SurveyAnswer)
        .where(SurveyAnswer.response_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(SurveyResponse)
        .where(SurveyResponse.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return len(ids)


# The registry --------------------------------------------------------------------------------


def _outbox_kept_for() -> str:
    days = _setting("PARCOURS_RETENTION_OUTBOX_DAYS")
    return ngettext("%(num)d jour après l'envoi", "%(num)d jours après l'envoi", days)


def _audit_kept_for() -> str:
    days = _setting("PARCOURS_RETENTION_AUDIT_DAYS")
    return ngettext("%(num)d jour après l'action", "%(num)d jours après l'action", days)


def _cohort_cutoff(now: datetime) -> date:
    years = _setting("PARCOURS_RETENTION_COHORT_YEARS")
    today = now.astimezone(PARIS).date()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _people_due(now: datetime) -> list[User]:
    """Everyone whose every cohort ended before the cutoff (the platform's staff stay).

    A cohort's end is computed from its programme, so the cohorts are read once and the
    people filtered here: a few hundred rows at most, in two queries.
    """
    cutoff = _cohort_cutoff(now)
    cohorts = db.session.scalars(
        select(Cohort).options(selectinload(Cohort.curriculum_version))
    ).all()
    recent = [cohort.id for cohort in cohorts if cohort.end_date >= cutoff]
    theirs = select(Membership.user_id).union(select(MembershipRemoval.user_id))
    still = (
        select(Membership.user_id)
        .where(Membership.cohort_id.in_(recent))
        .union(select(MembershipRemoval.user_id).where(MembershipRemoval.cohort_id.in_(recent)))
    )
    return db.session.scalars(
        select(User)
        .where(
            User.id.in_(theirs),
            User.id.not_in(still),
            User.erased_at.is_(None),
            # The staff of the platform (administrators, those allowed to start cohorts) run
            # the next cohorts: an administrator erases them on request, not the purge.
            User.is_admin.is_(False),
            User.can_create_cohorts.is_(False),
        )
        .order_by(User.id)
    ).all()


def _count_cohort(now: datetime) -> int:
    return len(_people_due(now))


def _purge_cohort(now: datetime) -> int:
    people = _people_due(now)
    for person in people:
        erasure.erase_person(person, by=None, reason="retention")
    return len(people)


def _cohort_kept_for() -> str:
    years = _setting("PARCOURS_RETENTION_COHORT_YEARS")
    return ngettext(
        "%(num)d an après la fin de la promotion", "%(num)d ans après la fin de la promotion", years
    )


CATEGORIES: tuple[Category, ...] = (
    Category(
        key="outbox",
        label=_l("E-mails envoyés"),
        removed=_l(
            "le destinataire, le texte et la pièce jointe de chaque e-mail (l'objet, l'état "
            "et les dates restent dans le journal des e-mails de la promotion)"
        ),
        settings=("PARCOURS_RETENTION_OUTBOX_DAYS",),
        kept_for=_outbox_kept_for,
        cutoff=_outbox_cutoff,
        count=_count_outbox,
        purge=_purge_outbox,
    ),
    Category(
        key="audit",
        label=_l("Journal des actions (connexions, changements de rôle, exports…)"),
        removed=_l("les entrées du journal, avec l'adresse réseau qu'elles notent"),
        settings=("PARCOURS_RETENTION_AUDIT_DAYS",),
        kept_for=_audit_kept_for,
        cutoff=_audit_cutoff,
        count=_count_audit,
        purge=_purge_audit,
    ),
    Category(
        key="check_in_codes",
        label=_l("Codes d'émargement"),
        removed=_l("les codes affichés en salle pour pointer sa présence"),
        settings=(),
        kept_for=lambda: str(_l("jusqu'à la fin de leur demi-journée, supprimés le lendemain")),
        cutoff=_check_in_cutoff,
        count=_count_check_in,
        purge=_purge_check_in,
    ),
    Category(
        key="throttle",
        label=_l("Tentatives de connexion, de réinitialisation et de code"),
        removed=_l("les traces des tentatives (une empreinte de l'adresse, jamais l'adresse)"),
        settings=tuple(sorted({limit.window_setting for limit in throttle.LIMITS.values()})),
        kept_for=_throttle_kept_for,
        cutoff=lambda now: None,  # one window per limit
        count=_count_throttle,
        purge=throttle.prune,
    ),
    Category(
        key="form_drafts",
        label=_l("Brouillons de suivi gardés après une déconnexion"),
        removed=_l("le texte saisi et gardé pendant que la session avait expiré"),
        settings=(),
        kept_for=_form_drafts_kept_for,
        cutoff=lambda now: now - drafts.MAX_AGE,
        count=_count_form_drafts,
        purge=drafts.prune,
    ),
    Category(
        key="survey_drafts",
        label=_l("Réponses aux questionnaires jamais envoyées"),
        removed=_l("les réponses commencées mais pas envoyées d'un questionnaire clos"),
        settings=(),
        kept_for=lambda: str(_l("jusqu'à la clôture du questionnaire")),
        cutoff=lambda now: None,  # each survey's own closing
        count=_count_survey_drafts,
        purge=_purge_survey_drafts,
    ),
    Category(
        key="cohort",
        label=_l("Données personnelles des promotions"),
        removed=_l(
            "les comptes, les suivis, les carnets de bord, les autoévaluations et les "
            "réponses nominatives des personnes de la promotion"
        ),
        settings=("PARCOURS_RETENTION_COHORT_YEARS",),
        kept_for=_cohort_kept_for,
        cutoff=_cohort_cutoff,
        count=_count_cohort,
        purge=_purge_cohort,
    ),
)

BY_KEY = {category.key: category for category in CATEGORIES}


@dataclass(frozen=True)
class Due:
    """What a purge at a moment would remove of one category."""

    category: Category
    count: int | None  # None: not purged by this operation
    cutoff: datetime | date | None


def due(now: datetime | None = None) -> list[Due]:
    """Say, per category, what a purge at ``now`` would remove. Changes nothing."""
    now = now or now_utc()
    return [
        Due(
            category,
            category.count(now) if category.count is not None else None,
            category.cutoff(now),
        )
        for category in CATEGORIES
    ]


def purge(now: datetime | None = None) -> dict[str, int]:
    """Remove what is past its retention at ``now``; record one audit entry with the counts.

    Never commits: the job or the command does, once.
    """
    now = now or now_utc()
    counts = {
        category.key: category.purge(now) for category in CATEGORIES if category.purge is not None
    }
    record(AuditAction.RETENTION_PURGED, details=counts)
    logger.info("Retention purge: %s", ", ".join(f"{key} {count}" for key, count in counts.items()))
    return counts
