"""Reading action items: a territory's open ones, an owner's, the late ones. Fixed query counts.

An item is open until ticked; it is late (« en retard ») once its due day has passed in its
cohort's time zone. Items of a deleted record or visit report are left out of every list.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.core.extensions import db
from parcours.core.text import sort_key
from parcours.core.time import now_utc
from parcours.suivi.models import ActionItem, FieldVisitReport, FollowUpRecord


def local_today(cohort: Cohort, now: datetime | None = None) -> date:
    """Return today's date where ``cohort`` lives: what « late » is measured against."""
    return (now or now_utc()).astimezone(ZoneInfo(cohort.timezone)).date()


def alive_clause():
    """Return the SQL condition on ActionItem: its record or visit report is not deleted."""
    return and_(
        ~exists().where(
            FollowUpRecord.id == ActionItem.record_id, FollowUpRecord.deleted_at.is_not(None)
        ),
        ~exists().where(
            FieldVisitReport.id == ActionItem.visit_report_id,
            FieldVisitReport.deleted_at.is_not(None),
        ),
    )


def _ordered(query):
    # Soonest due first, those without a date after them, then in the order they were made.
    return query.order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)


def open_items_of_territory(territory: Territory) -> list[ActionItem]:
    """Return the territory's items not done yet, owner and source loaded (one query)."""
    query = (
        select(ActionItem)
        .where(
            ActionItem.territory_id == territory.id,
            ActionItem.done_at.is_(None),
            alive_clause(),
        )
        .options(
            joinedload(ActionItem.owner),
            joinedload(ActionItem.record),
            joinedload(ActionItem.visit_report),
            joinedload(ActionItem.territory),
        )
    )
    return list(db.session.scalars(_ordered(query)))


def open_items_of_owner(user: User, *, cohort: Cohort | None = None) -> list[ActionItem]:
    """Return the items ``user`` owns and has not done, across cohorts or in ``cohort``.

    Territory (with its cohort) and source loaded, in one query.
    """
    if cohort is None:
        return list(db.session.scalars(_owner_items(False), {"owner_id": user.id}))
    # In one cohort, each item's territory comes from the join the filter needs, and its
    # cohort is the one given (already in the session): no second join for them.
    items = list(
        db.session.scalars(_owner_items(True), {"owner_id": user.id, "cohort_id": cohort.id})
    )
    for item in items:
        set_committed_value(item.territory, "cohort", cohort)
    return items


@functools.cache
def _owner_items(in_one_cohort: bool):
    # Built once per process: « Mon parcours » and « Mes territoires » run it on every request.
    query = (
        select(ActionItem)
        .join(ActionItem.territory)
        .where(
            ActionItem.owner_id == bindparam("owner_id"),
            ActionItem.done_at.is_(None),
            alive_clause(),
        )
        .options(joinedload(ActionItem.record), joinedload(ActionItem.visit_report))
    )
    if in_one_cohort:
        query = query.where(Territory.cohort_id == bindparam("cohort_id")).options(
            contains_eager(ActionItem.territory)
        )
    else:
        query = query.options(joinedload(ActionItem.territory).joinedload(Territory.cohort))
    return _ordered(query)


def overdue_items_of_owner(user: User, now: datetime | None = None) -> list[ActionItem]:
    """Return the items ``user`` owns that are late today, across cohorts."""
    return [
        item
        for item in open_items_of_owner(user)
        if item.is_overdue(local_today(item.territory.cohort, now))
    ]


def overdue_items(now: datetime | None = None) -> list[ActionItem]:
    """Return every late item that has an owner, owner and territory loaded (one query).

    Late is judged in each item's cohort's time zone: the query takes every item due before
    tomorrow anywhere (UTC+14 at most), then each cohort's own today decides.
    """
    now = now or now_utc()
    latest = (now + timedelta(days=1)).date()
    query = (
        select(ActionItem)
        .where(
            ActionItem.owner_id.is_not(None),
            ActionItem.done_at.is_(None),
            ActionItem.due_on < latest,
            alive_clause(),
        )
        .options(
            joinedload(ActionItem.owner),
            joinedload(ActionItem.territory).joinedload(Territory.cohort),
        )
    )
    return [
        item
        for item in db.session.scalars(_ordered(query))
        if item.is_overdue(local_today(item.territory.cohort, now))
    ]


@dataclass(frozen=True)
class Counts:
    """How many items of a territory are open, and how many of those are late."""

    open: int = 0
    overdue: int = 0


def counts_by_territory(territory_ids: list[int], today: date) -> dict[int, Counts]:
    """Return the open and late items of each territory (one query); absent ones have none."""
    if not territory_ids:
        return {}
    late = func.sum(case((ActionItem.due_on < today, 1), else_=0))
    rows = db.session.execute(
        select(ActionItem.territory_id, func.count(ActionItem.id), late)
        .where(
            ActionItem.territory_id.in_(territory_ids),
            ActionItem.done_at.is_(None),
            alive_clause(),
        )
        .group_by(ActionItem.territory_id)
    )
    return {territory_id: Counts(count, int(overdue or 0)) for territory_id, count, overdue in rows}


@dataclass(frozen=True)
class Owner:
    """Someone who may own an item of a territory: one of its catalyseurs, or its coach."""

    user_id: int
    name: str
    role: Role


def possible_owners(territory: Territory) -> list[Owner]:
    """Return the territory's catalyseurs, then its coach, as the cohort names them (one query)."""
    wanted = [Membership.territory_id == territory.id]
    if territory.coach_id is not None:
        wanted.append(and_(Membership.user_id == territory.coach_id, Membership.role == Role.COACH))
    members = db.session.scalars(
        select(Membership).where(Membership.cohort_id == territory.cohort_id, or_(*wanted))
    ).all()
    owners = [
        Owner(member.user_id, member.shown_name, Role(member.role))
        for member in members
        if member.user.active
    ]
    return sorted(owners, key=lambda owner: (owner.role != Role.CATALYSEUR, sort_key(owner.name)))


def roles_of(user_ids: set[int], cohort_ids: set[int]) -> dict[tuple[int, int], Role]:
    """Return the role of each of these people in each of these cohorts (one query)."""
    if not user_ids or not cohort_ids:
        return {}
    rows = db.session.execute(
        select(Membership.user_id, Membership.cohort_id, Membership.role).where(
            Membership.user_id.in_(user_ids), Membership.cohort_id.in_(cohort_ids)
        )
    )
    return {(user_id, cohort_id): Role(role) for user_id, cohort_id, role in rows}
