"""What the outbox log shows of a message."""

from flask import current_app
from flask_babel import gettext as _

from parcours.core.urls import hide_secret_links
from parcours.outbox.models import OutboxMessage


def readable_body(message: OutboxMessage) -> str:
    """Return the body as a coordinator may read it: others' one-time links hidden in production.

    An invitation or reset link lets whoever opens it act as its recipient. In development
    the whole body is shown, since the outbox page is where those links are found.
    """
    if not current_app.config["PARCOURS_PRODUCTION"]:
        return message.body
    return hide_secret_links(message.body, _("[lien personnel, visible par son seul destinataire]"))
