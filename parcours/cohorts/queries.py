"""Read-side of cohorts: each page's data in a fixed number of queries."""

import functools
from collections import Counter
from dataclasses import dataclass

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import (
    Cohort,
    Membership,
    MembershipRemoval,
    Role,
    Territory,
    TerritoryLabels,
    TerritoryStatus,
)
from parcours.cohorts.permissions import memberships_of, role_in
from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion

#: The page each role starts from in a cohort, and its button's label. Those who run the
#: cohort (coordinators, and admins without a role) start from its dashboard; the Comité
#: d'orientation from its space (évaluation's portal: its packs, and links to the dashboard).
START_PAGES = {
    Role.CATALYSEUR: ("cohorts.my_path", _l("Mon parcours")),
    Role.COACH: ("cohorts.my_territories", _l("Mes territoires")),
    Role.COMMITTEE: ("evaluation.committee", _l("Espace du comité d'orientation")),
    Role.COORDINATOR: ("cohorts.overview", _l("Tableau de bord")),
}


def start_page(user: User, cohort: Cohort) -> tuple[str, str]:
    """Return the URL and label of ``user``'s start page in ``cohort`` (pages' « retour »)."""
    endpoint, label = START_PAGES[role_in(user, cohort) or Role.COORDINATOR]
    return url_for(endpoint, cohort_id=cohort.id), str(label)


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
    roles = {cohort_id: Role(m.role) for cohort_id, m in memberships_of(user).items()}
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if not user.is_admin:
        query = query.where(Cohort.id.in_(roles))
    return [MyCohort(cohort=c, role=roles.get(c.id)) for c in db.session.scalars(query)]


@dataclass(frozen=True)
class Person:
    """Who a list shows: a catalyseur or a coach."""

    id: int
    full_name: str
    email: str
    organisation: str


@dataclass(frozen=True)
class TerritoryMember:
    """A catalyseur of a listed territory (the membership's id, the person)."""

    id: int
    user: Person


@dataclass(frozen=True)
class TerritoryRow(TerritoryLabels):
    """A territory as list pages show it: read-only, with its catalyseurs and its coach."""

    id: int
    cohort_id: int
    name: str
    region: str
    department: str
    kind: str
    carrier_structure: str
    carrier_type: str
    status: str
    status_reason: str
    coach_id: int | None
    coach: Person | None
    catalyseurs: tuple[TerritoryMember, ...]


#: Which territories of a cohort a list shows.
_ALL, _ACCEPTED, _COACHED = "all", "accepted", "coached"


def _shown(member, own, typed: str):
    """The SQL of what a list shows of a person: theirs once they accepted, else as typed.

    The rule of ``Membership.shown_name``, for the queries that read rows.
    """
    pending = member.id.is_not(None) & member.accepted_at.is_(None)
    return case((pending, getattr(member, typed)), else_=own)


@functools.cache
def _territory_statement(which: str):
    # Built once per process: lists run it on every request. Rows rather than ORM objects:
    # these pages only read them, and loading a dozen territories with their people as
    # objects cost five times as much as the rows. One row per catalyseur (one for a
    # territory without any): the territories and their people in a single statement.
    coach = aliased(User)
    coach_member = aliased(Membership)
    member = aliased(Membership)
    person = aliased(User)
    territories = (
        select(
            *Territory.__table__.c,
            _shown(coach_member, coach.full_name, "invited_name").label("coach_name"),
            coach.email.label("coach_email"),
            _shown(coach_member, coach.organisation, "invited_organisation").label(
                "coach_organisation"
            ),
            member.id.label("member_id"),
            person.id.label("member_user_id"),
            _shown(member, person.full_name, "invited_name").label("member_name"),
            person.email.label("member_email"),
            _shown(member, person.organisation, "invited_organisation").label(
                "member_organisation"
            ),
        )
        .outerjoin(coach, coach.id == Territory.coach_id)
        .outerjoin(
            coach_member,
            (coach_member.user_id == Territory.coach_id)
            & (coach_member.cohort_id == Territory.cohort_id),
        )
        .outerjoin(member, member.territory_id == Territory.id)
        .outerjoin(person, person.id == member.user_id)
        .where(Territory.cohort_id == bindparam("cohort_id"))
        .order_by(Territory.name, Territory.id, member.id)
    )
    if which == _ACCEPTED:
        territories = territories.where(Territory.status == TerritoryStatus.ACCEPTED)
    elif which == _COACHED:
        territories = territories.where(Territory.coach_id == bindparam("coach_id"))
    return territories


def _territories(cohort_id: int, which: str = _ALL, **parameters) -> list[TerritoryRow]:
    """Return territories of a cohort with their people, in one query whatever their number."""
    rows = db.session.execute(
        _territory_statement(which), {"cohort_id": cohort_id, **parameters}
    ).all()
    firsts: dict[int, object] = {}
    members: dict[int, list[TerritoryMember]] = {}
    for row in rows:
        firsts.setdefault(row.id, row)
        people = members.setdefault(row.id, [])
        if row.member_id is not None:
            person = Person(
                row.member_user_id, row.member_name, row.member_email, row.member_organisation
            )
            people.append(TerritoryMember(row.member_id, person))
    return [
        TerritoryRow(
            id=row.id,
            cohort_id=row.cohort_id,
            name=row.name,
            region=row.region,
            department=row.department,
            kind=row.kind,
            carrier_structure=row.carrier_structure,
            carrier_type=row.carrier_type,
            status=row.status,
            status_reason=row.status_reason,
            coach_id=row.coach_id,
            coach=(
                Person(row.coach_id, row.coach_name, row.coach_email, row.coach_organisation)
                if row.coach_id is not None
                else None
            ),
            catalyseurs=tuple(members[row.id]),
        )
        for row in firsts.values()
    ]


@dataclass(frozen=True)
class Overview:
    territories: tuple[TerritoryRow, ...]  # frozen: the page keeps its table (core/fragments.py)
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
        territories=tuple(territories),
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
        .options(contains_eager(Membership.user))  # from the join the order needs
        .order_by(Membership.role, _shown(Membership, User.full_name, "invited_name"))
    ).all()


#: Removals the members page offers to undo, newest first.
RECENT_REMOVALS = 20


def recent_removals(cohort: Cohort) -> list[MembershipRemoval]:
    """Return the removals from ``cohort`` not undone yet, newest first, territories loaded."""
    return db.session.scalars(
        select(MembershipRemoval)
        .where(MembershipRemoval.cohort_id == cohort.id, MembershipRemoval.restored_at.is_(None))
        .options(
            selectinload(MembershipRemoval.territory), selectinload(MembershipRemoval.removed_by)
        )
        .order_by(MembershipRemoval.removed_at.desc(), MembershipRemoval.id.desc())
        .limit(RECENT_REMOVALS)
    ).all()


def territory_for_page(territory_id: int) -> Territory | None:
    """Load a territory for its page, with its cohort and its catalyseurs (two queries)."""
    return (
        db.session.scalars(
            select(Territory)
            .where(Territory.id == territory_id)
            # Not ``LEFT OUTER JOIN (a JOIN b)``: SQLite plans it by building the whole nested
            # join first, which grew with every cohort in the database. The cohort is always
            # there (inner join), the catalyseurs come in a query of their own.
            .options(
                joinedload(Territory.cohort, innerjoin=True),
                selectinload(Territory.catalyseurs),
            )
        )
        .unique()
        .one_or_none()
    )


def membership(cohort: Cohort, user_id: int | None) -> Membership | None:
    """Return the membership of this person in ``cohort``, person loaded, or None."""
    if user_id is None:
        return None
    return db.session.scalar(
        select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user_id)
    )


def coached_territories(cohort: Cohort, coach: User) -> list[TerritoryRow]:
    """Return the territories of ``cohort`` that ``coach`` follows."""
    return _territories(cohort.id, _COACHED, coach_id=coach.id)


def followed_territories(cohort: Cohort, coach: User) -> list[Territory]:
    """Return the territories of ``cohort`` whose coach is ``coach``, by name, once per request.

    Several blocks of « Mes territoires » list them (the carnets, the appréciations to
    record): one query serves them all.
    """
    cache = g.setdefault("parcours_followed_territories", {})
    key = (cohort.id, coach.id)
    if key not in cache:
        cache[key] = list(
            db.session.scalars(
                select(Territory)
                .where(Territory.cohort_id == cohort.id, Territory.coach_id == coach.id)
                .order_by(Territory.name_key)
            )
        )
    return cache[key]


def peer_territories(cohort: Cohort) -> list[TerritoryRow]:
    """Return the accepted territories of ``cohort`` with their catalyseurs."""
    return _territories(cohort.id, _ACCEPTED)


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
