"""Agenda pages: the cohort calendar, « Mon agenda », event pages, scheduling forms, feeds."""

import calendar as pycalendar
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from parcours.agenda import formatting, ical, operations, planning, queries, sections
from parcours.agenda import permissions as can
from parcours.agenda.days import last_day
from parcours.agenda.forms import EventForm, PlanningForm, shown_times
from parcours.agenda.models import CalendarFeed, Event, EventKind
from parcours.cohorts import permissions as cohort_can
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.core import conflicts
from parcours.core.downloads import file_response
from parcours.core.forms import EARLIEST_DATE, LATEST_DATE, EmptyForm
from parcours.core.pipeline import ANYONE, LOGGED_IN, handles
from parcours.core.text import slug
from parcours.core.time import now_utc
from parcours.curricula.schema import PlannedEvent

bp = Blueprint("agenda", __name__)

#: Calendar applications poll; a private cache may keep the feed this long.
FEED_CACHE_CONTROL = "private, max-age=300"
TOKEN_MAX_LENGTH = 64


def _month(value: str | None, default: date) -> date:
    """Return the first day of the month asked for (YYYY-MM), or of ``default``; 400 if invalid."""
    if not value:
        return default.replace(day=1)
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        abort(400)
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        abort(400)  # the month grid and its neighbours would overflow near year 1 or 9999
    return first


@bp.get("/cohorts/<int:cohort_id>/calendar")
@handles(load={"cohort": Cohort}, allow=can.can_view_calendar)
def cohort_calendar(cohort: Cohort):
    """Show a cohort's events that concern me, as a month grid or a list."""
    zone = ZoneInfo(cohort.timezone)
    can_manage = cohort_can.can_manage_cohort(current_user, cohort)
    plannable = [
        kind
        for kind in planning.planned_kinds(cohort)
        if can.can_plan_meetings(current_user, cohort, kind)
    ]
    if request.args.get("view") == "list":
        events = queries.events_for(current_user, cohort_ids=[cohort.id])
        return render_template(
            "agenda/calendar.html",
            cohort=cohort,
            view="list",
            events=events,
            can_manage=can_manage,
            plannable=plannable,
        )
    today = now_utc().astimezone(zone).date()
    first = _month(
        request.args.get("month"),
        today if cohort.start_date <= today <= cohort.end_date else cohort.start_date,
    )
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = datetime.combine(weeks[0][0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    by_day = defaultdict(list)
    for event in queries.events_for(current_user, cohort_ids=[cohort.id], start=start, end=end):
        day = event.starts_at.astimezone(zone).date()
        last = last_day(event.ends_at, cohort.timezone)
        while day <= last:
            by_day[day].append(event)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template(
        "agenda/calendar.html",
        cohort=cohort,
        view="month",
        weeks=weeks,
        by_day=by_day,
        month=first,
        previous=previous,
        following=following,
        has_previous=previous >= EARLIEST_DATE,
        has_following=following <= LATEST_DATE,
        today=today,
        can_manage=can_manage,
        plannable=plannable,
    )


@bp.get("/agenda")
@handles(allow=LOGGED_IN, cache_page=True)
def my_agenda():
    """« Mon agenda »: my upcoming and past events in every cohort, and my calendar feed."""
    feed = queries.feed_of(current_user)
    now = now_utc()
    events = queries.event_list_for(current_user, as_participant=True)
    return render_template(
        "agenda/my_agenda.html",
        upcoming=tuple(e for e in events if e.ends_at >= now),
        past=tuple(e for e in reversed(events) if e.ends_at < now),
        feed=queries.feed_urls(feed) if feed else None,
        regenerate_form=EmptyForm(),
    )


@bp.get("/events/<int:event_id>")
@handles(load={"event": Event}, allow=can.can_view_event)
def event(event: Event):
    """Show an event: programme, place, who is expected, documents."""
    by_territory = defaultdict(list)
    staff, committee = [], []
    for person in queries.expected_people(event):
        if person.territory is not None:
            by_territory[person.territory.name].append(person)
        elif person.role == Role.COMMITTEE:
            committee.append(person)  # the Comité reads the results: not the team running them
        else:
            staff.append(person)
    return render_template(
        "agenda/event.html",
        event=event,
        cohort=event.cohort,
        by_territory=by_territory,
        staff=staff,
        committee=committee,
        can_edit=can.can_edit_event(current_user, event),
        actions=sections.actions(event, current_user),
        cancel_form=EmptyForm(),
        zone=ZoneInfo(event.cohort.timezone),
    )


def _event_form_page(
    cohort: Cohort,
    form: EventForm,
    territories: list[Territory],
    event: Event | None,
    back: str,
    stored: Callable[[], EventForm] | None = None,
):
    """Validate, warn, save: shared by the create and edit views.

    ``stored`` returns the form filled with the saved event, shown beside the user's one when
    the edit was made on an older version (a 409).
    """
    warnings, valid, draft = [], False, None
    if form.is_submitted() and not form.adds_a_line:
        # Every error of the submission at once: the fields', the draft's (end before start,
        # a programme line outside the event…) and the warnings, rather than round after round.
        valid = form.validate()
        if form.can_draft():
            draft = form.draft(cohort, {t.id: t for t in territories})
            if event is not None:
                draft = operations.carry_items(event, draft)
            problems = operations.problems(cohort, draft)
            for unplaced in form.add_problems(problems):
                flash(unplaced, "error")
            valid = valid and not problems
            warnings = operations.warnings(cohort, draft, event)
        if valid and draft is not None:
            try:
                with conflicts.versioned(form, event) if event is not None else nullcontext():
                    if not warnings or form.confirm.data:
                        return _save(cohort, draft, event)
            except conflicts.Conflict:
                form.pad_blank_rows()
                return conflicts.page(
                    "agenda/event_form.html",
                    form,
                    stored(),
                    event,
                    cohort=cohort,
                    event=event,
                    warnings=[],
                    back=back,
                )
            except operations.EventError as error:
                valid = False
                flash(str(error), "error")
    form.pad_blank_rows()
    if form.adds_a_line:
        form.items.append_entry()
    status = 400 if form.is_submitted() and not valid and not form.adds_a_line else 200
    return render_template(
        "agenda/event_form.html",
        form=form,
        cohort=cohort,
        event=event,
        warnings=warnings,
        back=back,
    ), status


def _save(cohort: Cohort, draft: operations.EventDraft, event: Event | None):
    """Create or update the event, then show it; a past event tells nobody, and says so."""
    notices = operations.sends_notices(draft)
    if event is None:
        event = operations.create_event(cohort, draft, current_user)
        message = (
            _("L'événement est programmé ; les personnes attendues sont invitées.")
            if notices
            else _("L'événement passé est enregistré ; personne n'est invité.")
        )
    else:
        changed = operations.update_event(event, draft, current_user)
        message = (
            _("Aucune modification.")
            if not changed
            else _("L'événement est modifié.")
            if notices
            else _("L'événement passé est modifié, sans avis aux personnes attendues.")
        )
    flash(message, "success")
    return redirect(url_for("agenda.event", event_id=event.id))


@bp.route("/cohorts/<int:cohort_id>/events/new", methods=["GET", "POST"])
@handles(load={"cohort": Cohort}, allow=cohort_can.can_manage_cohort)
def new_event(cohort: Cohort):
    """Schedule an event for the cohort (coordinators)."""
    territories = queries.schedulable_territories(current_user, cohort)
    form = EventForm()
    form.setup(cohort, can.schedulable_kinds(current_user, cohort, None), territories)
    if not form.is_submitted():
        form.kind.data = request.args.get("kind", EventKind.SESSION)
    return _event_form_page(
        cohort, form, territories, None, url_for("agenda.cohort_calendar", cohort_id=cohort.id)
    )


@bp.route("/territories/<int:territory_id>/events/new", methods=["GET", "POST"])
@handles(load={"territory": Territory}, allow=can.can_schedule_for_territory)
def new_territory_event(territory: Territory):
    """Schedule a follow-up or field visit for a territory (coordinators, its coach)."""
    cohort = territory.cohort
    form = EventForm()
    form.setup(cohort, can.schedulable_kinds(current_user, cohort, territory), [territory])
    if not form.is_submitted():
        form.kind.data = EventKind.FOLLOW_UP
        form.territory.data = territory.id
    return _event_form_page(
        cohort, form, [territory], None, url_for("cohorts.territory", territory_id=territory.id)
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@handles(load={"event": Event}, allow=can.can_edit_event)
def edit_event(event: Event):
    """Change or reschedule an event."""
    if event.is_cancelled:
        flash(_("Un événement annulé ne peut plus être modifié."), "error")
        return redirect(url_for("agenda.event", event_id=event.id))
    cohort = event.cohort
    territories = (
        queries.schedulable_territories(current_user, cohort)
        if event.territory is None
        else [event.territory]
    )
    form = EventForm()
    kinds = can.schedulable_kinds(current_user, cohort, event.territory)
    if EventKind(event.kind) not in kinds:
        kinds = [EventKind(event.kind)]
    form.setup(cohort, kinds, territories)
    if not form.is_submitted():
        form.fill_from(event)

    def stored() -> EventForm:
        saved = EventForm(formdata=None)
        saved.setup(cohort, kinds, territories)
        saved.fill_from(event)
        return saved

    return _event_form_page(
        cohort, form, territories, event, url_for("agenda.event", event_id=event.id), stored
    )


@bp.post("/events/<int:event_id>/cancel")
@handles(load={"event": Event}, allow=can.can_edit_event)
def cancel_event(event: Event):
    """Cancel an event; it stays in calendars as cancelled."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operations.cancel_event(event, current_user)
    except operations.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("L'événement est annulé ; les personnes attendues sont prévenues."), "success")
    return redirect(url_for("agenda.event", event_id=event.id))


# Planning a kind of per-territory meeting --------------------------------------------------


def _planned_kind_of(code: str, cohort: Cohort) -> PlannedEvent | None:
    return planning.planned_kind(cohort, code)


@bp.route("/cohorts/<int:cohort_id>/planning/<code>", methods=["GET", "POST"])
@handles(load={"cohort": Cohort, "planned": _planned_kind_of}, allow=can.can_plan_meetings)
def plan_meetings(cohort: Cohort, planned: PlannedEvent):
    """Place every territory's meeting of one kind in one table, saved at once."""
    events = [
        event
        for event in planning.meetings(cohort, planned.code)
        if can.plannable_territory(current_user, event.territory)
    ]
    by_id = {event.id: event for event in events}
    form = PlanningForm()
    if not form.is_submitted():
        form.fill_from(events)
        return _planning_page(cohort, planned, form, by_id)
    valid = form.validate_on_submit()
    entries = [(entry, by_id.get(_int(entry.event_id.data))) for entry in form.rows]
    if any(event is None for _entry, event in entries):
        flash(_("Un rendez-vous de ce tableau a été annulé ou retiré entre-temps."), "error")
        form.fill_from(events)
        return _planning_page(cohort, planned, form, by_id, status=409)
    rows, stale = [], {}
    for entry, event in entries:
        if entry.errors:
            continue  # its own messages say what is wrong; the other rows are checked too
        if entry.typed() == entry.was.data:
            # Untouched: whatever is stored stays, even if someone changed it meanwhile.
            entry.fill_from(event)
            rows.append(planning.Row(event, event.starts_at, event.ends_at))
            continue
        if _int(entry.version.data) != event.version:
            stale[event.id] = formatting.span(event)
        rows.append(
            planning.row_for(event, entry.day.data, entry.start_time.data, entry.end_time.data)
        )
    if stale:
        for entry, event in entries:
            if event.id in stale:  # saving again is deliberate: the row now carries the stored
                entry.version.data, entry.was.data = event.version, _stored_times(event)
                entry.version.raw_data = entry.was.raw_data = None
        return _planning_page(cohort, planned, form, by_id, stale=stale, status=409)
    refused = planning.refusals(rows)
    if refused or not valid:
        return _planning_page(cohort, planned, form, by_id, refused=refused, status=400)
    clashes = planning.clashes(cohort, rows)
    if clashes and not form.confirm.data:
        return _planning_page(cohort, planned, form, by_id, clashes=clashes)
    try:
        moved = planning.apply(rows, current_user)
    except StaleDataError:
        conflicts.start_afresh()
        flash(_("Quelqu'un d'autre a enregistré une modification entre-temps"), "error")
        form.fill_from([e for e in planning.meetings(cohort, planned.code) if e.id in by_id])
        return _planning_page(cohort, planned, form, by_id, status=409)
    if moved:
        message = ngettext(
            "%(num)d rendez-vous déplacé ; chaque personne concernée reçoit un seul message.",
            "%(num)d rendez-vous déplacés ; chaque personne concernée reçoit un seul message.",
            len(moved),
        )
    else:
        message = _("Aucune modification.")
    flash(message, "success")
    return redirect(url_for("agenda.plan_meetings", cohort_id=cohort.id, code=planned.code))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stored_times(event: Event) -> str:
    zone = ZoneInfo(event.cohort.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return shown_times(start.date(), start.time(), end.time())


def _planning_page(
    cohort: Cohort,
    planned: PlannedEvent,
    form: PlanningForm,
    by_id: dict[int, Event],
    *,
    clashes: dict[int, list[str]] | None = None,
    refused: dict[int, str] | None = None,
    stale: dict[int, str] | None = None,
    status: int = 200,
):
    rows = [(entry, by_id.get(_int(entry.event_id.data))) for entry in form.rows]
    return render_template(
        "agenda/planning.html",
        cohort=cohort,
        planned=planned,
        form=form,
        rows=[(entry, event) for entry, event in rows if event is not None],
        clashes=clashes or {},
        refused=refused or {},
        stale=stale or {},
        kinds=[
            k
            for k in planning.planned_kinds(cohort)
            if can.can_plan_meetings(current_user, cohort, k)
        ],
        # A coach has no dashboard: their page of the cohort is « Mes territoires ».
        back=url_for(
            "cohorts.overview"
            if cohort_can.can_manage_cohort(current_user, cohort)
            else "cohorts.my_territories",
            cohort_id=cohort.id,
        ),
    ), status


# Calendar files ----------------------------------------------------------------------------


def _feed_by_token(token: str) -> CalendarFeed | None:
    return queries.feed_by_token(token) if len(token) <= TOKEN_MAX_LENGTH else None


@bp.get("/calendar/<token>.ics")
@handles(load={"feed": _feed_by_token}, allow=ANYONE)
def calendar_feed(feed: CalendarFeed):
    """Serve a person's calendar feed to their calendar application, without login."""
    # The token is the credential, not the browser's session: a browser that happens to be
    # logged in gets the same answer as a calendar application, and no cookie is written.
    session.clear()
    session.modified = False
    user = feed.user
    with force_locale(user.locale):
        events = queries.events_for(user, as_participant=True)
        queries.load_details(events)
        body = ical.build_calendar(
            events,
            event_url=queries.event_page_url,
            name=_("Parcours — %(name)s", name=user.full_name),
            organizer=queries.organizer(),
            uid_host=queries.uid_host(),
        )
    response = file_response(body, "parcours.ics", "text/calendar", inline=True)
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/events/<int:event_id>.ics")
@handles(load={"event": Event}, allow=can.can_view_event)
def event_file(event: Event):
    """Download one event as an .ics file, to add it to my calendar."""
    body = ical.build_event_file(
        event,
        event_url=queries.event_page_url,
        organizer=queries.organizer(),
        uid_host=queries.uid_host(),
    )
    return file_response(body, f"{slug(event.title, 'evenement')}.ics", "text/calendar")


@bp.post("/agenda/feed/regenerate")
@handles(allow=LOGGED_IN)
def regenerate_feed():
    """Replace my feed URL by a new one; the old one stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if queries.feed_of(current_user) is None:
        operations.feed_for(current_user)
        flash(_("Votre adresse d'abonnement est prête."), "success")
    else:
        operations.regenerate_feed(current_user)
        flash(
            _(
                "Votre adresse d'abonnement a été renouvelée : l'ancienne ne fonctionne plus. "
                "Abonnez votre agenda à la nouvelle adresse."
            ),
            "success",
        )
    return redirect(url_for("agenda.my_agenda"))


bp.add_app_template_filter(formatting.in_zone, "in_zone")
bp.add_app_template_filter(formatting.last_day_in_zone, "last_day_in_zone")
bp.add_app_template_filter(formatting.span, "span")
