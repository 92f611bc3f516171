"""Read-side of cohorts: each page's data in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory, TerritoryStatus
from parcours.cohorts.permissions import memberships_of
from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion


@dataclass(frozen=True)
class MyCohort:
    cohort: Cohort
    role: Role | None  # None: an admin who holds no role in it


def my_cohorts(user: User) -> list[MyCohort]:
    """Return the cohorts ``user`` takes part in (every cohort for an admin), newest first."""
    roles = {cohort_id: Role(m.role) for cohort_id, m in memberships_of(user).items()}
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if not user.is_admin:
        query = query.where(Cohort.id.in_(roles))
    return [MyCohort(cohort=c, role=roles.get(c.id)) for c in db.session.scalars(query)]


def _territories(cohort_id: int, *criteria):
    return db.session.scalars(
        select(Territory)
        .where(Territory.cohort_id == cohort_id, *criteria)
        .options(
            # One query for the territories and their coach, one for their people.
            selectinload(Territory.catalyseurs),
            joinedload(Territory.coach),
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
