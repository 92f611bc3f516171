"""Who may see or change what in a cohort. Every view, query and export asks here."""

from flask import g
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.core.extensions import db


def membership(user: User, cohort_id: int) -> Membership | None:
    """Return ``user``'s membership in a cohort, cached for the request."""
    if not user.is_authenticated:
        return None
    cache = g.setdefault("parcours_memberships", {})
    key = (user.id, cohort_id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.cohort_id == cohort_id
            )
        )
    return cache[key]


def forget_memberships() -> None:
    """Drop the request cache after memberships change."""
    g.pop("parcours_memberships", None)


def role_in(user: User, cohort: Cohort) -> Role | None:
    """Return ``user``'s role in ``cohort``, or None."""
    member = membership(user, cohort.id)
    return Role(member.role) if member else None


def can_create_cohort(user: User) -> bool:
    """Admins and coordinators of any cohort may start a new cohort."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(Membership.id)
            .where(Membership.user_id == user.id, Membership.role == Role.COORDINATOR)
            .limit(1)
        )
        is not None
    )


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    """Admins and the cohort's coordinators run it."""
    return user.is_authenticated and (user.is_admin or role_in(user, cohort) == Role.COORDINATOR)


def can_manage_territory(user: User, territory: Territory) -> bool:
    """A territory is changed by those who run its cohort."""
    return can_manage_cohort(user, territory.cohort)


def can_manage_membership(user: User, member: Membership) -> bool:
    """A membership is changed by those who run its cohort."""
    return can_manage_cohort(user, member.cohort)


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
