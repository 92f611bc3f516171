"""Who may see or change what in a cohort. Every view, query and export asks here."""

import functools

from flask import g
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Role, Territory
from parcours.core.extensions import db


def memberships_of(user: User) -> dict[int, Membership]:
    """Return ``user``'s memberships by cohort id, in one query per request.

    A person holds one role in a handful of cohorts, and most pages ask about several of
    them (the page's cohort, the cohorts of the home page, the events visible in the agenda):
    loading them all at once answers every question of the request.
    """
    if not user.is_authenticated:
        return {}
    cache = g.setdefault("parcours_memberships", {})
    if user.id not in cache:
        cache[user.id] = {
            member.cohort_id: member
            for member in db.session.scalars(_memberships_of_user(), {"user_id": user.id}).unique()
        }
    return cache[user.id]


@functools.cache
def _memberships_of_user():
    # Built once per process (every page runs it): SQLAlchemy then finds its compiled form
    # without walking a new statement each time.
    return (
        select(Membership)
        .where(Membership.user_id == bindparam("user_id"))
        # A catalyseur's pages all start from their territory, its coach and their binôme
        # partner (« Mon parcours », the territory's page): one or two rows per cohort, and
        # no lazy load of them afterwards.
        .options(
            joinedload(Membership.territory).options(
                joinedload(Territory.coach), joinedload(Territory.catalyseurs)
            )
        )
    )


def membership(user: User, cohort_id: int) -> Membership | None:
    """Return ``user``'s membership in a cohort, cached for the request."""
    return memberships_of(user).get(cohort_id)


def forget_memberships() -> None:
    """Drop the request cache after memberships change."""
    g.pop("parcours_memberships", None)


def role_in(user: User, cohort: Cohort) -> Role | None:
    """Return ``user``'s role in ``cohort``, or None."""
    member = membership(user, cohort.id)
    return Role(member.role) if member else None


def can_create_cohort(user: User) -> bool:
    """Administrators, and the people an administrator allowed, may start a new cohort."""
    return user.is_authenticated and (user.is_admin or user.can_create_cohorts)


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    """Admins and the cohort's coordinators run it."""
    return user.is_authenticated and (user.is_admin or role_in(user, cohort) == Role.COORDINATOR)


def can_manage_territory(user: User, territory: Territory) -> bool:
    """A territory is changed by those who run its cohort."""
    return can_manage_cohort(user, territory.cohort)


def can_manage_membership(user: User, member: Membership) -> bool:
    """A membership is changed by those who run its cohort."""
    return can_manage_cohort(user, member.cohort)


def can_restore_removal(user: User, cohort: Cohort, removal: MembershipRemoval) -> bool:
    """A removal is undone by those who run the cohort, or by whoever removed themselves."""
    if can_manage_cohort(user, cohort):
        return True
    return user.is_authenticated and user.id == removal.user_id == removal.removed_by_id


def can_view_overview(user: User, cohort: Cohort) -> bool:
    """The cohort overview is for those who run it and, read-only, the Comité d'orientation."""
    return can_manage_cohort(user, cohort) or role_in(user, cohort) == Role.COMMITTEE


def can_view_territory(user: User, territory: Territory) -> bool:
    """A territory is visible to those who run the cohort, its coach and its catalyseurs."""
    cohort = territory.cohort
    if can_manage_cohort(user, cohort):
        return True
    member = membership(user, cohort.id)
    if member is None:
        return False
    if member.role == Role.COACH:
        return territory.coach_id == user.id
    if member.role == Role.CATALYSEUR:
        return member.territory_id == territory.id
    return False


def is_catalyseur(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` takes part in ``cohort`` for a territory (« Mon parcours »)."""
    return role_in(user, cohort) == Role.CATALYSEUR


def is_coach(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` coaches territories of ``cohort``."""
    return role_in(user, cohort) == Role.COACH


def can_read_cohort_log(user: User, cohort: Cohort) -> bool:
    """A cohort's audit log is read by its coordinators (and administrators, who read it all)."""
    return can_manage_cohort(user, cohort)
