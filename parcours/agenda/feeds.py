"""Calendar feeds: each person's private subscription URL, and one event's .ics file.

The feed URL carries a random token, the only credential a calendar application has: the feed
is read without login, and regenerating the token makes the old URL answer 404.
"""

import logging
import re
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda import ical
from parcours.agenda.models import CalendarFeed, Event
from parcours.agenda.permissions import can_view_event
from parcours.agenda.queries import events_for
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm
from parcours.core.urls import absolute_url

logger = logging.getLogger(__name__)

bp = Blueprint("feeds", __name__)

#: Calendar applications poll; a private cache may keep the feed this long.
FEED_CACHE_CONTROL = "private, max-age=300"
TOKEN_MAX_LENGTH = 64


# Operations (they flush, the caller commits) -----------------------------------------------


def feed_for(user: User) -> CalendarFeed:
    """Return the calendar feed of ``user``, creating it on first use."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user=user, token=_new_token())
        db.session.add(feed)
        db.session.flush()
        logger.info("Calendar feed created for user %s", user.id)
    return feed


def regenerate(user: User) -> CalendarFeed:
    """Give ``user`` a new feed token; the old URL stops working."""
    feed = feed_for(user)
    feed.token = _new_token()
    db.session.flush()
    logger.info("Calendar feed of user %s regenerated", user.id)
    return feed


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# Reading -----------------------------------------------------------------------------------


def feed_urls(user: User) -> dict[str, str]:
    """Return the ``https`` and ``webcal`` forms of the feed URL of ``user``.

    This may create the feed: a view showing the URLs commits afterwards.
    """
    url = absolute_url("feeds.calendar", token=feed_for(user).token)
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def event_page_url(event: Event) -> str:
    """Return the absolute URL of the page of ``event``."""
    return absolute_url("agenda.event", event_id=event.id)


def uid_host() -> str:
    """Return the domain of event UIDs: the public address's, so that it never changes."""
    base_url = current_app.config.get("PARCOURS_BASE_URL") or (
        request.host_url if has_request_context() else ""
    )
    return urlsplit(base_url).hostname or "parcours"


def organizer() -> ical.CalendarUser:
    """Return the organiser of every event in calendars: the programme's sender address."""
    return ical.organizer_from(current_app.config["PARCOURS_MAIL_FROM"])


def _load_details(events: list[Event]) -> None:
    """Load the agenda items and documents of ``events`` in two queries, whatever their number."""
    if events:
        db.session.scalars(
            select(Event)
            .where(Event.id.in_([event.id for event in events]))
            .options(selectinload(Event.items), selectinload(Event.documents))
        ).all()


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return slug or "evenement"


def _ics_response(body: bytes, disposition: str, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers.set("Content-Disposition", disposition, filename=filename)
    return response


# Views -------------------------------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def calendar(token: str):
    """Serve a person's calendar feed to their calendar application, without login."""
    # The token is the credential, not the browser's session: a browser that happens to be
    # logged in gets the same answer as a calendar application, and no cookie is written.
    session.clear()
    session.modified = False
    if len(token) > TOKEN_MAX_LENGTH:
        abort(404)
    feed = db.session.scalar(
        select(CalendarFeed)
        .join(CalendarFeed.user)
        .where(CalendarFeed.token == token, User.active.is_(True))
    )
    if feed is None:
        abort(404)
    user = feed.user
    with force_locale(user.locale):
        events = events_for(user, as_participant=True)
        _load_details(events)
        body = ical.build_calendar(
            events,
            event_url=event_page_url,
            name=_("Parcours — %(name)s", name=user.full_name),
            organizer=organizer(),
            uid_host=uid_host(),
        )
    response = _ics_response(body, "inline", "parcours.ics")
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/events/<int:event_id>.ics")
@login_required
def event_file(event_id: int):
    """Download one event as an .ics file, to add it to my calendar."""
    event = db.get_or_404(Event, event_id)
    if not can_view_event(current_user, event):
        abort(403)
    body = ical.build_event_file(
        event, event_url=event_page_url, organizer=organizer(), uid_host=uid_host()
    )
    return _ics_response(body, "attachment", f"{_slug(event.title)}.ics")


@bp.post("/agenda/feed/regenerate", endpoint="regenerate")
@login_required
def regenerate_view():
    """Replace my feed URL by a new one; the old one stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    regenerate(current_user)
    db.session.commit()
    flash(
        _(
            "Votre adresse d'abonnement a été renouvelée : l'ancienne ne fonctionne plus. "
            "Abonnez votre agenda à la nouvelle adresse."
        ),
        "success",
    )
    return redirect(url_for("agenda.my_agenda"))
