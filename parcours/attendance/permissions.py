"""Who may check themselves in at an event, who gets an attestation, who sees attendance,
who attaches and who reads the signed sheets."""

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS, can_take_attendance
from parcours.agenda.queries import expected_participants
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.cohorts.permissions import can_manage_cohort, can_view_overview, is_coach
from parcours.core.extensions import db


def can_check_in(user: User, event: Event) -> bool:
    """Only the participants an event expects (not its staff) record their own presence."""
    if event.kind not in ATTENDANCE_KINDS or event.is_cancelled:
        return False
    return any(person.user.id == user.id for person in expected_participants(event))


def can_download_attestation(user: User, cohort: Cohort, user_id: int) -> bool:
    """A catalyseur's attestation goes to them and to those who run the cohort."""
    return user.id == user_id or can_manage_cohort(user, cohort)


def attendance_scope(user: User, cohort: Cohort) -> frozenset[int] | None:
    """Return the territories whose attendance ``user`` sees in ``cohort``: None for all.

    Those who run the cohort and the Comité d'orientation see every territory; a coach sees
    the territories they follow (none, if they follow none yet); nobody else sees figures.
    """
    if can_view_overview(user, cohort):
        return None
    if is_coach(user, cohort):
        return frozenset(t.id for t in cohort.territories if t.coach_id == user.id)
    return frozenset()


def can_view_attendance_figures(user: User, cohort: Cohort) -> bool:
    """The cohort's figures: read-only for the committee, and for a coach (their territories)."""
    return can_view_overview(user, cohort) or is_coach(user, cohort)


def can_view_participant_attendance(user: User, cohort: Cohort, user_id: int) -> bool:
    """A catalyseur's attendance record: theirs, their territory's coach, those who run it."""
    if user.id == user_id or can_manage_cohort(user, cohort):
        return True
    if not is_coach(user, cohort):
        return False
    member = membership_of(user_id, cohort)
    return (
        member is not None and member.territory is not None and member.territory.coach_id == user.id
    )


def can_attach_signed_sheet(user: User, event: Event) -> bool:
    """The scanned signed sheet is attached, or removed, by those who take attendance."""
    return can_take_attendance(user, event)


def can_view_signed_sheets(user: User, event: Event) -> bool:
    """The signed sheets of a meeting: those who take its attendance, and the committee.

    They are the funders' proof of attendance: those who run the cohort and, read-only, the
    Comité d'orientation read those of the collective events (which it reads the figures
    of). A coach reads those of the meetings they take attendance at (their territories'
    follow-ups and visits), not those of the collective sessions: a sheet holds the
    signatures of every territory, and a coach's figures cover only theirs. A catalyseur
    reads their own record, not the others' signatures.
    """
    if event.kind not in ATTENDANCE_KINDS:
        return False
    if can_take_attendance(user, event):
        return True
    return event.territory_id is None and can_view_overview(user, event.cohort)


def membership_of(user_id: int, cohort: Cohort) -> Membership | None:
    """Return the catalyseur membership of ``user_id`` in ``cohort``, if there is one."""
    return db.session.scalar(
        select(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == user_id,
            Membership.role == Role.CATALYSEUR,
        )
    )
