"""Who sees and who changes which event. The Python checks and the SQL filter share one table."""

from sqlalchemy import and_, false, or_, select

from parcours.accounts.models import User
from parcours.agenda.models import MEETING_KINDS, PER_TERRITORY_KINDS, Event, EventKind
from parcours.cohorts import permissions as cohort_permissions
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.curricula.schema import PlannedEvent

#: Cohort-wide events each role sees; territory events are seen by that territory's people.
COHORT_WIDE_KINDS = {
    Role.CATALYSEUR: (EventKind.SESSION, EventKind.OTHER, EventKind.ASSESSMENT),
    Role.COACH: (EventKind.SESSION, EventKind.OTHER, EventKind.ASSESSMENT),
    Role.COMMITTEE: (EventKind.SESSION, EventKind.COMMITTEE),
}

#: Events a coach schedules for the territories they follow.
COACH_KINDS = (EventKind.FOLLOW_UP, EventKind.FIELD_VISIT)

#: Events a coordinator schedules by hand for the cohort (assessment windows come from the
#: curriculum).
COORDINATOR_KINDS = MEETING_KINDS

#: Events where attendance is taken (a self-assessment window is not a meeting).
ATTENDANCE_KINDS = MEETING_KINDS


def can_view_event(user: User, event: Event) -> bool:
    """Tell whether ``user`` may see ``event``."""
    if cohort_permissions.can_manage_cohort(user, event.cohort):
        return True
    member = cohort_permissions.membership(user, event.cohort_id)
    if member is None:
        return False
    if event.territory_id is not None:
        if member.role == Role.CATALYSEUR:
            return member.territory_id == event.territory_id
        if member.role == Role.COACH:
            return event.territory.coach_id == user.id
        return False
    return event.kind in COHORT_WIDE_KINDS.get(Role(member.role), ())


def can_edit_event(user: User, event: Event) -> bool:
    """Coordinators change any event; a coach changes the follow-ups and visits they run."""
    if cohort_permissions.can_manage_cohort(user, event.cohort):
        return True
    return (
        event.kind in COACH_KINDS
        and event.territory is not None
        and event.territory.coach_id == user.id
        and cohort_permissions.is_coach(user, event.cohort)
    )


def can_plan_meetings(user: User, cohort: Cohort, planned: PlannedEvent | None = None) -> bool:
    """Coordinators plan every per-territory meeting; a coach the follow-ups and visits.

    ``planned`` is the curriculum's meeting (None: any of them). A coach's table holds only
    the territories they follow (plannable_territory); the bilatérales are the coordinators'.
    """
    if cohort_permissions.can_manage_cohort(user, cohort):
        return True
    return cohort_permissions.is_coach(user, cohort) and (
        planned is None or planned.kind in COACH_KINDS
    )


def plannable_territory(user: User, territory: Territory) -> bool:
    """Tell whether ``user``'s planning table holds ``territory``'s meetings."""
    return cohort_permissions.can_manage_cohort(user, territory.cohort) or (
        territory.coach_id == user.id
    )


def can_schedule_for_territory(user: User, territory: Territory) -> bool:
    """Coordinators and the territory's coach may add follow-ups and field visits."""
    if cohort_permissions.can_manage_cohort(user, territory.cohort):
        return True
    return territory.coach_id == user.id and cohort_permissions.is_coach(user, territory.cohort)


def schedulable_kinds(user: User, cohort: Cohort, territory: Territory | None) -> list[EventKind]:
    """Return the kinds of event ``user`` may schedule in ``cohort`` (for ``territory``)."""
    if cohort_permissions.can_manage_cohort(user, cohort):
        return list(PER_TERRITORY_KINDS if territory is not None else COORDINATOR_KINDS)
    return list(COACH_KINDS)


def can_take_attendance(user: User, event: Event) -> bool:
    """Attendance is marked by those who run the cohort, and by the coach for their meetings."""
    if event.kind not in ATTENDANCE_KINDS:
        return False
    return cohort_permissions.can_manage_cohort(user, event.cohort) or (
        event.kind in PER_TERRITORY_KINDS and can_edit_event(user, event)
    )


def visible_events_clause(
    user: User, cohort_ids: list[int] | None = None, *, as_participant: bool = False
):
    """Return a SQL condition on Event selecting what ``user`` may see.

    ``cohort_ids`` narrows to some cohorts. ``as_participant`` ignores the admin's right to see
    everything (a personal calendar holds what concerns the person, not the whole platform).
    The rule is the same as can_view_event(), written for the database so that lists and
    feeds load only what they show.
    """
    if user.is_admin and not as_participant:
        return Event.cohort_id.in_(cohort_ids) if cohort_ids is not None else Event.id.isnot(None)
    members = cohort_permissions.memberships_of(user).values()
    if cohort_ids is not None:
        members = [m for m in members if m.cohort_id in cohort_ids]
    clauses = []
    for member in sorted(members, key=lambda m: m.id):
        if member.role == Role.COORDINATOR:
            clauses.append(Event.cohort_id == member.cohort_id)
            continue
        kinds = COHORT_WIDE_KINDS.get(Role(member.role), ())
        cohort_wide = and_(
            Event.cohort_id == member.cohort_id,
            Event.territory_id.is_(None),
            Event.kind.in_(kinds),
        )
        clauses.append(cohort_wide)
        if member.role == Role.CATALYSEUR:
            clauses.append(Event.territory_id == member.territory_id)
        elif member.role == Role.COACH:
            followed = select(Territory.id).where(
                Territory.cohort_id == member.cohort_id, Territory.coach_id == user.id
            )
            clauses.append(Event.territory_id.in_(followed))
    return or_(*clauses) if clauses else false()


def can_view_calendar(user: User, cohort: Cohort) -> bool:
    """Anyone with a role in the cohort sees its calendar (filtered to what concerns them)."""
    return cohort_permissions.can_manage_cohort(user, cohort) or (
        cohort_permissions.membership(user, cohort.id) is not None
    )
