"""Agenda pages: the cohort calendar, « Mon agenda », event pages and scheduling forms."""

import calendar as pycalendar
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from parcours.agenda import feeds, formatting, operations, queries
from parcours.agenda import permissions as can
from parcours.agenda.forms import EventForm
from parcours.agenda.models import PER_TERRITORY_KINDS, Event, EventKind
from parcours.attendance.permissions import can_check_in
from parcours.cohorts import permissions as cohort_can
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.extensions import db
from parcours.core.forms import EARLIEST_DATE, LATEST_DATE, EmptyForm
from parcours.core.time import now_utc

bp = Blueprint("agenda", __name__)

#: Kinds a coordinator schedules by hand (assessment windows come from the curriculum).
COORDINATOR_KINDS = [k for k in EventKind if k != EventKind.ASSESSMENT]


@bp.before_request
@login_required
def _require_login() -> None:
    """Every agenda page needs a logged-in user; object checks follow in each view."""


def _load_event(event_id: int, allowed) -> Event:
    event = db.get_or_404(Event, event_id)
    if not allowed(current_user, event):
        abort(403)
    return event


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
def cohort_calendar(cohort_id: int):
    """Show a cohort's events that concern me, as a month grid or a list."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can.can_view_calendar(current_user, cohort):
        abort(403)
    zone = ZoneInfo(cohort.timezone)
    view = "list" if request.args.get("view") == "list" else "month"
    if view == "list":
        events = queries.events_for(current_user, cohort_ids=[cohort.id])
        return render_template(
            "agenda/calendar.html",
            cohort=cohort,
            view=view,
            events=events,
            can_manage=cohort_can.can_manage_cohort(current_user, cohort),
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
        last = (event.ends_at - timedelta(seconds=1)).astimezone(zone).date()
        while day <= last:
            by_day[day].append(event)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template(
        "agenda/calendar.html",
        cohort=cohort,
        view=view,
        weeks=weeks,
        by_day=by_day,
        month=first,
        previous=previous,
        following=following,
        has_previous=previous >= EARLIEST_DATE,
        has_following=following <= LATEST_DATE,
        today=today,
        can_manage=cohort_can.can_manage_cohort(current_user, cohort),
    )


@bp.get("/agenda")
def my_agenda():
    """« Mon agenda »: my upcoming and past events in every cohort, and my calendar feed."""
    feed = feeds.feed_urls(current_user)
    # The feed's token is created on the first visit; commit before loading the events, as a
    # commit expires every loaded object and the page would reload them one by one.
    db.session.commit()
    now = now_utc()
    events = queries.event_list_for(current_user, as_participant=True)
    upcoming = [e for e in events if e.ends_at >= now]
    past = [e for e in reversed(events) if e.ends_at < now]
    return render_template(
        "agenda/my_agenda.html",
        upcoming=upcoming,
        past=past,
        feed=feed,
        regenerate_form=EmptyForm(),
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    """Show an event: programme, place, who is expected, documents."""
    event = _load_event(event_id, can.can_view_event)
    people = queries.expected_people(event)
    by_territory = defaultdict(list)
    staff = []
    for person in people:
        if person.territory is not None:
            by_territory[person.territory.name].append(person)
        else:
            staff.append(person)
    return render_template(
        "agenda/event.html",
        event=event,
        cohort=event.cohort,
        by_territory=by_territory,
        staff=staff,
        can_check_in=can_check_in(current_user, event),
        can_edit=can.can_edit_event(current_user, event),
        can_take_attendance=can.can_take_attendance(current_user, event),
        cancel_form=EmptyForm(),
        zone=ZoneInfo(event.cohort.timezone),
    )


def _kinds_for(cohort: Cohort, territory: Territory | None) -> list[EventKind]:
    if cohort_can.can_manage_cohort(current_user, cohort):
        if territory is not None:
            return list(PER_TERRITORY_KINDS)
        return COORDINATOR_KINDS
    return list(can.COACH_KINDS)


def _territories_for(cohort: Cohort, territory: Territory | None) -> list[Territory]:
    if territory is not None:
        return [territory]
    query = select(Territory).where(
        Territory.cohort_id == cohort.id, Territory.status == TerritoryStatus.ACCEPTED
    )
    if not cohort_can.can_manage_cohort(current_user, cohort):
        query = query.where(Territory.coach_id == current_user.id)
    return list(db.session.scalars(query.order_by(Territory.name)))


def _event_form_page(
    cohort: Cohort, form: EventForm, territories: list[Territory], event: Event | None, back: str
):
    """Validate, warn, save: shared by the create and edit views."""
    warnings = []
    if form.validate_on_submit():
        draft = form.draft(cohort, {t.id: t for t in territories})
        try:
            operations.validate(cohort, draft)
            warnings = operations.warnings(cohort, draft, event)
            if not warnings or form.confirm.data:
                if event is None:
                    event = operations.create_event(cohort, draft, current_user)
                    message = _(
                        "L'événement est programmé ; les personnes attendues sont invitées."
                    )
                else:
                    changed = operations.update_event(event, draft, current_user)
                    message = (
                        _("L'événement est modifié.") if changed else _("Aucune modification.")
                    )
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("agenda.event", event_id=event.id))
        except operations.EventError as error:
            target = getattr(form, error.field, None) if error.field else None
            if target is not None:
                target.errors = [*target.errors, str(error)]
            else:
                flash(str(error), "error")
    form.pad_blank_rows()
    status = 400 if form.is_submitted() and not warnings else 200
    return render_template(
        "agenda/event_form.html",
        form=form,
        cohort=cohort,
        event=event,
        warnings=warnings,
        back=back,
    ), status


@bp.route("/cohorts/<int:cohort_id>/events/new", methods=["GET", "POST"])
def new_event(cohort_id: int):
    """Schedule an event for the cohort (coordinators)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not cohort_can.can_manage_cohort(current_user, cohort):
        abort(403)
    territories = _territories_for(cohort, None)
    form = EventForm()
    form.setup(cohort, _kinds_for(cohort, None), territories)
    if not form.is_submitted():
        form.kind.data = request.args.get("kind", EventKind.SESSION)
    return _event_form_page(
        cohort, form, territories, None, url_for("agenda.cohort_calendar", cohort_id=cohort.id)
    )


@bp.route("/territories/<int:territory_id>/events/new", methods=["GET", "POST"])
def new_territory_event(territory_id: int):
    """Schedule a follow-up or field visit for a territory (coordinators, its coach)."""
    territory = db.get_or_404(Territory, territory_id)
    if not can.can_schedule_for_territory(current_user, territory):
        abort(403)
    cohort = territory.cohort
    form = EventForm()
    form.setup(cohort, _kinds_for(cohort, territory), [territory])
    if not form.is_submitted():
        form.kind.data = EventKind.FOLLOW_UP
        form.territory.data = territory.id
    return _event_form_page(
        cohort, form, [territory], None, url_for("cohorts.territory", territory_id=territory.id)
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    """Change or reschedule an event."""
    event = _load_event(event_id, can.can_edit_event)
    if event.is_cancelled:
        flash(_("Un événement annulé ne peut plus être modifié."), "error")
        return redirect(url_for("agenda.event", event_id=event.id))
    cohort = event.cohort
    territories = _territories_for(cohort, None) if event.territory is None else [event.territory]
    form = EventForm()
    kinds = _kinds_for(cohort, event.territory)
    if EventKind(event.kind) not in kinds:
        kinds = [EventKind(event.kind)]
    form.setup(cohort, kinds, territories)
    if not form.is_submitted():
        form.fill_from(event)
    return _event_form_page(
        cohort, form, territories, event, url_for("agenda.event", event_id=event.id)
    )


@bp.post("/events/<int:event_id>/cancel")
def cancel_event(event_id: int):
    """Cancel an event; it stays in calendars as cancelled."""
    event = _load_event(event_id, can.can_edit_event)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operations.cancel_event(event, current_user)
    except operations.EventError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("L'événement est annulé ; les personnes attendues sont prévenues."), "success")
    return redirect(url_for("agenda.event", event_id=event.id))


bp.add_app_template_filter(formatting.in_zone, "in_zone")
bp.add_app_template_filter(formatting.span, "span")
