"""Who may check themselves in at an event."""

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS
from parcours.agenda.queries import expected_participants


def can_check_in(user: User, event: Event) -> bool:
    """Only the participants an event expects (not its staff) record their own presence."""
    if event.kind not in ATTENDANCE_KINDS or event.is_cancelled:
        return False
    return any(person.user.id == user.id for person in expected_participants(event))
