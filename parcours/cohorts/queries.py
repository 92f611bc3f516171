"""Read-side of cohorts: each page's data in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory, TerritoryStatus
from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion

#: The page each role starts from in a cohort, and its button's label. Those who run the
#: cohort (coordinators, and admins without a role) start from its dashboard.
START_PAGES = {
    Role.CATALYSEUR: ("cohorts.my_path", _l("Mon parcours")),
    Role.COACH: ("cohorts.my_territories", _l("Mes territoires")),
    Role.COMMITTEE: ("cohorts.overview", _l("Vue d'ensemble de la cohorte")),
    Role.COORDINATOR: ("cohorts.overview", _l("Tableau de bord")),
}


@dataclass(frozen=True)
class MyCohort:
    cohort: Cohort
    role: Role | None  # None: an admin who holds no role in it

    @property
    def start_endpoint(self) -> str:
        return START_PAGES[self.role or Role.COORDINATOR][0]

    @property
    def start_label(self):
        return START_PAGES[self.role or Role.COORDINATOR][1]


def my_cohorts(user: User) -> list[MyCohort]:
    """Return the cohorts ``user`` takes part in (every cohort for an admin), newest first."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(Membership.cohort).selectinload(Cohort.curriculum_version))
    ).all()
    roles = {m.cohort_id: Role(m.role) for m in memberships}
    if user.is_admin:
        cohorts = db.session.scalars(
            select(Cohort).options(selectinload(Cohort.curriculum_version))
        ).all()
    else:
        cohorts = [m.cohort for m in memberships]
    cohorts = sorted(cohorts, key=lambda c: (c.start_date, c.id), reverse=True)
    return [MyCohort(cohort=c, role=roles.get(c.id)) for c in cohorts]


def _territories(cohort_id: int, *criteria):
    return db.session.scalars(
        select(Territory)
        .where(Territory.cohort_id == cohort_id, *criteria)
        .options(
            selectinload(Territory.catalyseurs).selectinload(Membership.user),
            selectinload(Territory.coach),
        )
        .order_by(Territory.name)
    ).all()


@dataclass(frozen=True)
class Overview:
    territories: list[Territory]
    status_counts: Counter
    participants: int
    binomes: int
    without_coach: int

    @property
    def accepted(self) -> int:
        return self.status_counts[TerritoryStatus.ACCEPTED]

    @property
    def solicited(self) -> int:
        return self.status_counts[TerritoryStatus.SOLICITED]

    @property
    def declined(self) -> int:
        """Territories that said no or left: the Comité reads them together."""
        return (
            self.status_counts[TerritoryStatus.REFUSED]
            + self.status_counts[TerritoryStatus.WITHDRAWN]
        )


def cohort_overview(cohort: Cohort) -> Overview:
    """Return the territories of ``cohort`` with their people, and the headline counts."""
    territories = _territories(cohort.id)
    accepted = [t for t in territories if t.status == TerritoryStatus.ACCEPTED]
    return Overview(
        territories=list(territories),
        status_counts=Counter(t.status for t in territories),
        participants=sum(len(t.catalyseurs) for t in territories),
        binomes=sum(1 for t in territories if t.is_binome),
        without_coach=sum(1 for t in accepted if t.coach_id is None),
    )


def cohort_members(cohort: Cohort, roles: tuple[Role, ...]) -> list[Membership]:
    """Return the memberships of ``cohort`` with these roles, people loaded."""
    return db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .where(Membership.cohort_id == cohort.id, Membership.role.in_(roles))
        .options(selectinload(Membership.user))
        .order_by(Membership.role, User.full_name)
    ).all()


def coached_territories(cohort: Cohort, coach: User) -> list[Territory]:
    """Return the territories of ``cohort`` that ``coach`` follows."""
    return list(_territories(cohort.id, Territory.coach_id == coach.id))


def peer_territories(cohort: Cohort) -> list[Territory]:
    """Return the accepted territories of ``cohort`` with their catalyseurs."""
    return list(_territories(cohort.id, Territory.status == TerritoryStatus.ACCEPTED))


def curriculum_versions() -> list[CurriculumVersion]:
    """Return the latest version of each curriculum, for the cohort form."""
    versions = db.session.scalars(
        select(CurriculumVersion)
        .options(selectinload(CurriculumVersion.curriculum))
        .order_by(CurriculumVersion.curriculum_id, CurriculumVersion.number.desc())
    ).all()
    latest = {}
    for version in versions:
        latest.setdefault(version.curriculum_id, version)
    return sorted(latest.values(), key=lambda v: v.curriculum.name)
