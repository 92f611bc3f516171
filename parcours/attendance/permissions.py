"""Who may check themselves in at an event, and who gets an attestation."""

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS
from parcours.agenda.queries import expected_participants
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import can_manage_cohort


def can_check_in(user: User, event: Event) -> bool:
    """Only the participants an event expects (not its staff) record their own presence."""
    if event.kind not in ATTENDANCE_KINDS or event.is_cancelled:
        return False
    return any(person.user.id == user.id for person in expected_participants(event))


def can_download_attestation(user: User, cohort: Cohort, user_id: int) -> bool:
    """A catalyseur's attestation goes to them and to those who run the cohort."""
    return user.id == user_id or can_manage_cohort(user, cohort)
