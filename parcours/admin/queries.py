"""What the administration pages read: users page by page, a user's cohorts, the curricula."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User, normalize_email, search_key
from parcours.cohorts.models import Cohort, Membership
from parcours.core.extensions import db
from parcours.curricula.models import Curriculum, CurriculumVersion

PAGE_SIZE = 25
MAX_PAGE = 10_000  # keeps the OFFSET far from overflow
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class UserRow:
    user: User
    memberships: tuple[Membership, ...]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def users_page(search: str, page: int) -> tuple[list[UserRow], int]:
    """Return one page of users whose name or address contains ``search``, and their total.

    Each with their memberships and cohorts, in one more query for the whole page.
    """
    query = select(User)
    if search:
        name = f"%{_escape_like(search_key(search))}%"
        address = f"%{_escape_like(normalize_email(search))}%"  # stored normalised
        query = query.where(
            or_(User.search_key.like(name, escape="\\"), User.email.like(address, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(
        query.order_by(User.search_key, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    by_user = _memberships_of([user.id for user in users])
    return [UserRow(user, tuple(by_user[user.id])) for user in users], total


def _memberships_of(user_ids: list[int]) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = defaultdict(list)
    if not user_ids:
        return found
    memberships = db.session.scalars(
        select(Membership)
        .join(Membership.cohort)
        .where(Membership.user_id.in_(user_ids))
        .options(selectinload(Membership.cohort), selectinload(Membership.territory))
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    for member in memberships:
        found[member.user_id].append(member)
    return found


def user_memberships(user: User) -> list[Membership]:
    """Return ``user``'s memberships, newest cohort first, cohorts and territories loaded."""
    return _memberships_of([user.id])[user.id]


@dataclass(frozen=True)
class VersionRow:
    version: CurriculumVersion
    cohorts: tuple[Cohort, ...]


@dataclass(frozen=True)
class CurriculumRow:
    curriculum: Curriculum
    versions: tuple[VersionRow, ...]  # newest first


def curricula() -> list[CurriculumRow]:
    """Return every curriculum with its versions and the cohorts that run on each."""
    loaded = db.session.scalars(
        select(Curriculum).options(selectinload(Curriculum.versions)).order_by(Curriculum.name)
    ).all()
    cohorts: dict[int, list[Cohort]] = defaultdict(list)
    for cohort in db.session.scalars(select(Cohort).order_by(Cohort.start_date, Cohort.id)):
        cohorts[cohort.curriculum_version_id].append(cohort)
    return [
        CurriculumRow(
            curriculum,
            tuple(
                VersionRow(version, tuple(cohorts[version.id]))
                for version in reversed(curriculum.versions)
            ),
        )
        for curriculum in loaded
    ]


def version_choices() -> list[tuple[int, str]]:
    """Return every loaded curriculum version as (id, « name (vN) »), newest first."""
    rows = db.session.execute(
        select(CurriculumVersion.id, CurriculumVersion.number, Curriculum.name)
        .join(CurriculumVersion.curriculum)
        .order_by(Curriculum.name, CurriculumVersion.number.desc())
    )
    return [(row.id, f"{row.name} (v{row.number})") for row in rows]


def cohort_choices() -> list[tuple[int, str]]:
    """Return every cohort as (id, name), newest first: the audit log's cohort filter."""
    rows = db.session.execute(
        select(Cohort.id, Cohort.name).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    return [(row.id, row.name) for row in rows]
