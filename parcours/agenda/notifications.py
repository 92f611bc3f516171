"""E-mails about events: invitations, notices of change and cancellation.

Placeholder until the outbox lands in this same change: the functions are called by the
operations and do nothing yet.
"""

from parcours.agenda.models import Event


def event_scheduled(event: Event) -> None:
    """Invite the people ``event`` expects."""


def event_moved(event: Event) -> None:
    """Tell the people ``event`` expects that its time or place changed."""


def event_cancelled(event: Event) -> None:
    """Tell the people ``event`` expected that it is cancelled."""
