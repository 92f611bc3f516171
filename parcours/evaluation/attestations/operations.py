"""Issue the attestations de fin de parcours. Operations flush; they never commit.

The rules, each here once:

- **when**: once the cohort's last collective session has ended and, if the curriculum has
  self-assessment moments, the last window has closed (:func:`issue_refusal`);
- **who**: the catalyseurs of the cohort only;
- **reissuing** (after attendance was corrected) adds the next number; the earlier
  attestations stay valid, their links keep confirming them;
- **« tout délivrer »** issues one to every catalyseur who has none yet, and skips the others.

An attestation is frozen once written (``keep_as_written``): its PDF, its SHA-256 and its token.
The token is ``secrets.token_urlsafe(32)`` (256 bits): the verification link cannot be guessed.
"""

import hashlib
import logging
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.competences.queries import moments
from parcours.core.extensions import db
from parcours.core.i18n import format_datetime
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url
from parcours.evaluation.attestations import document
from parcours.evaluation.models import FinalAttestation

logger = logging.getLogger(__name__)

#: The verification page, which the PDF's link and QR code point to.
VERIFY_ENDPOINT = "evaluation.verify_attestation"


class AttestationRefused(ValueError):
    """An attestation that cannot be issued; the message says why, translated."""


def issuable_from(cohort: Cohort) -> datetime | None:
    """Return when attestations may be issued: the end of the last session, or of the last
    self-assessment window if that is later. None when the cohort has no session."""
    ends = db.session.scalars(
        select(func.max(Event.ends_at)).where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.SESSION,
            Event.status != EventStatus.CANCELLED,
        )
    ).one()
    if ends is None:
        return None
    windows = [
        row.campaign.closes_at if row.campaign is not None else row.event.ends_at
        for row in moments(cohort)
        if row.event.status != EventStatus.CANCELLED
    ]
    return max([ends, *windows])


def issue_refusal(cohort: Cohort, now: datetime | None = None) -> str | None:
    """Say why the cohort's attestations cannot be issued yet, or None when they can."""
    moment = now or now_utc()
    opens = issuable_from(cohort)
    if opens is None:
        return _(
            "Cette cohorte n'a aucune session collective : il n'y a pas de fin de parcours "
            "à attester."
        )
    if moment < opens:
        return _(
            "Les attestations de fin de parcours se délivrent une fois la dernière session "
            "collective terminée et la dernière auto-évaluation close, soit à partir du "
            "%(date)s.",
            date=format_datetime(opens, "d MMMM y 'à' HH:mm"),
        )
    return None


def next_number(cohort: Cohort, user_id: int) -> int:
    """Return the number the next attestation of ``user_id`` in ``cohort`` takes."""
    last = db.session.scalar(
        select(func.max(FinalAttestation.number)).where(
            FinalAttestation.cohort_id == cohort.id, FinalAttestation.user_id == user_id
        )
    )
    return (last or 0) + 1


def _issue(cohort: Cohort, member: Membership, by: User | None, moment: datetime):
    number = next_number(cohort, member.user_id)
    token = secrets.token_urlsafe(32)
    data = document.gather(
        cohort,
        member,
        number=number,
        verification_url=absolute_url(VERIFY_ENDPOINT, token=token),
        issued_on=moment.astimezone(ZoneInfo(cohort.timezone)).date(),
    )
    pdf = document.render(data)
    attestation = FinalAttestation(
        cohort_id=cohort.id,
        user_id=member.user_id,
        number=number,
        token=token,
        issued_at=moment,
        issued_by_id=by.id if by is not None else None,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    db.session.add(attestation)
    db.session.flush()
    logger.info(
        "Final attestation %s (number %s) issued in cohort %s by %s",
        attestation.id,
        number,
        cohort.id,
        by.id if by is not None else "the system",
    )
    return attestation


def issue(cohort: Cohort, member: Membership, *, by: User | None) -> FinalAttestation:
    """Issue ``member``'s attestation de fin de parcours (the next number if one exists)."""
    if member.cohort_id != cohort.id:
        raise ValueError("the membership is not of this cohort")
    if member.role != Role.CATALYSEUR:
        raise AttestationRefused(
            _("Seuls les catalyseurs du parcours reçoivent une attestation de fin de parcours.")
        )
    if member.user.erased_at is not None:
        raise AttestationRefused(_("Cette personne a été effacée : elle ne reçoit plus rien."))
    moment = now_utc()
    refusal = issue_refusal(cohort, moment)
    if refusal:
        raise AttestationRefused(refusal)
    return _issue(cohort, member, by, moment)


def issue_all(cohort: Cohort, *, by: User | None) -> list[FinalAttestation]:
    """Issue an attestation to every catalyseur of ``cohort`` who has none; skip the others."""
    moment = now_utc()
    refusal = issue_refusal(cohort, moment)
    if refusal:
        raise AttestationRefused(refusal)
    holders = select(FinalAttestation.user_id).where(
        FinalAttestation.cohort_id == cohort.id, FinalAttestation.user_id.is_not(None)
    )
    members = db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.CATALYSEUR,
            Membership.user_id.not_in(holders),
            User.erased_at.is_(None),
        )
        .order_by(User.full_name, User.id)
    ).all()
    return [_issue(cohort, member, by, moment) for member in members]
