"""How the agenda answers the signals of the domains below it."""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from parcours.accounts.signals import user_created
from parcours.agenda import operations, planning, queries
from parcours.agenda.formatting import span_between
from parcours.agenda.permissions import can_plan_meetings, can_schedule_for_territory
from parcours.cohorts import signals
from parcours.cohorts.operations import CohortError
from parcours.cohorts.sections import page_section, removal_section
from parcours.core.sections import Section
from parcours.core.time import now_utc

HEADINGS = {
    "overview": _l("Calendrier du parcours"),
    "territory": _l("Calendrier"),
    "my_path": _l("Le calendrier du parcours"),
    "my_territories": _l("Le calendrier du parcours"),
}
#: A territory's page and « Mon parcours » show that territory's own meetings with their dates.
_OWN_TERRITORY_PAGES = ("territory", "my_path")
#: Where the links to the planning tables are: the dashboard and a coach's territories.
_PLANNING_PAGES = ("overview", "my_territories")


@page_section.connect
def calendar_section(page: str, *, cohort, viewer, territory=None) -> Section:
    """Add the cohort's timeline, as ``viewer`` may see it, to every cohort page."""
    own = territory if page in _OWN_TERRITORY_PAGES else None
    html = render_template(
        "agenda/_cohort_calendar.html",
        cohort=cohort,
        heading=HEADINGS[page],
        territory=territory,
        timeline=queries.cohort_timeline(cohort, viewer, territory_id=own.id if own else None),
        can_schedule=page == "territory" and can_schedule_for_territory(viewer, territory),
        plannable=[
            kind
            for kind in planning.planned_kinds(cohort)
            if page in _PLANNING_PAGES and can_plan_meetings(viewer, cohort, kind)
        ],
    )
    return Section(order=100, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@user_created.connect
def give_a_calendar_feed(user, **extra) -> None:
    """Give every new account its private feed address, so that no page has to create it."""
    operations.feed_for(user)


@signals.cohort_created.connect
def generate_timeline(cohort, **extra) -> None:
    """Plan the cohort-wide events of a new cohort's curriculum."""
    operations.generate_timeline(cohort)


@signals.cohort_rescheduling.connect
def refuse_to_move_recorded_attendance(cohort, **extra) -> None:
    """Keep a cohort's dates once attendance is recorded: marks are kept per local half-day."""
    if queries.cohort_has_frozen_dates(cohort):
        raise CohortError(
            _(
                "Des présences sont déjà relevées : la date de début et le fuseau horaire de la "
                "cohorte ne peuvent plus changer."
            ),
            "start_date",
        )


@signals.cohort_reschedule_preview.connect
def show_what_will_move(cohort, *, shift_days: int, to_zone: str, **extra) -> Section:
    """Show, before a cohort's dates change, each event's old and new dates."""
    html = render_template(
        "agenda/_cohort_moves.html",
        cohort=cohort,
        moves=planning.cohort_moves(cohort, shift_days, to_zone),
        to_zone=to_zone,
        now=now_utc(),
        span_between=span_between,
    )
    return Section(order=100, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@signals.cohort_rescheduled.connect
def move_the_timeline(cohort, *, shift_days: int, from_zone: str, **extra) -> None:
    """Move every event of a rescheduled cohort with it; one change notice per person."""
    planning.move_cohort(cohort, shift_days, from_zone)


@signals.territory_changed.connect
def follow_the_territory_status(territory, *, changed_by=None, **extra) -> None:
    """Give an engaged territory its meetings; cancel the upcoming ones of one that left."""
    operations.sync_territory_events(territory, changed_by)


@signals.member_leaving.connect
def release_the_invitations(member, **extra) -> None:
    """Send someone leaving a cohort the cancellation of each upcoming meeting, to them only."""
    operations.release_member(member.user, member.cohort)


@signals.member_restored.connect
def invite_again(member, **extra) -> None:
    """Invite someone whose removal was undone to the upcoming meetings that expect them."""
    operations.invite_member_again(member.user, member.cohort)


@removal_section.connect
def invitations_lost(page: str, *, member) -> Section:
    """List, on the removal's confirmation, the upcoming meetings the person will not attend."""
    html = render_template(
        "agenda/_removal_events.html",
        member=member,
        events=operations.upcoming_events_of(member.user, member.cohort),
    )
    return Section(order=100, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
