"""The parts of an event's page contributed by the domains above the agenda.

A receiver of :data:`event_actions` gets the page name ``"event"`` as sender and ``event``
and ``viewer``, and returns a :class:`~parcours.core.sections.Section` of action buttons, or
None (attendance adds « Émargement » and « Je suis là »).
"""

from blinker import Namespace
from markupsafe import Markup

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.core import sections

event_actions = Namespace().signal("agenda-event-actions")


def actions(event: Event, viewer: User) -> list[Markup]:
    """Return the action buttons other domains add to the page of ``event``."""
    return sections.collect(event_actions, "event", event=event, viewer=viewer)
