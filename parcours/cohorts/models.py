"""Cohorts, territories and memberships (the per-cohort roles)."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from parcours.accounts.invitations import STATE_LABELS, InvitationState, invitation_state
from parcours.accounts.models import User
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.text import NAME_KEY_LENGTH, name_key
from parcours.core.time import now_utc
from parcours.curricula.models import CurriculumVersion


class Role(StrEnum):
    COORDINATOR = "coordinator"
    COACH = "coach"
    CATALYSEUR = "catalyseur"
    COMMITTEE = "committee"


ROLE_LABELS = {
    Role.COORDINATOR: _l("Coordinateur·rice"),
    Role.COACH: _l("Accompagnateur·rice"),
    Role.CATALYSEUR: _l("Catalyseur·rice"),
    Role.COMMITTEE: _l("Membre du Comité d'orientation"),
}


class TerritoryStatus(StrEnum):
    SOLICITED = "solicited"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    TerritoryStatus.SOLICITED: _l("Sollicité"),
    TerritoryStatus.ACCEPTED: _l("Accepté"),
    TerritoryStatus.REFUSED: _l("Refusé"),
    TerritoryStatus.WITHDRAWN: _l("Retiré"),
}

TERRITORY_KINDS = {
    "metropole": _l("Métropole"),
    "agglomeration": _l("Agglomération"),
    "ville_moyenne": _l("Ville moyenne"),
    "quartier_prioritaire": _l("Quartier prioritaire"),
    "rural": _l("Territoire rural"),
    "periurbain": _l("Territoire périurbain"),
    "montagne": _l("Territoire de montagne"),
    "littoral": _l("Territoire littoral"),
    "transfrontalier": _l("Territoire transfrontalier"),
    "outre_mer": _l("Outre-mer"),
}

CARRIER_TYPES = {
    "public": _l("Public"),
    "prive": _l("Privé"),
    "associatif": _l("Associatif"),
    "academique": _l("Académique"),
    "expert": _l("Expert indépendant"),
}

MAX_CATALYSEURS_PER_TERRITORY = 2


class Cohort(db.Model):
    __tablename__ = "cohorts"
    __audit_label__ = _l("cohorte")
    __table_args__ = (CheckConstraint("target_territories > 0", name="target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: ``name`` as compared: two cohorts may not share it (see core.text.name_key).
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), unique=True, nullable=False)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_versions.id"), nullable=False
    )
    start_date: Mapped[date] = mapped_column(nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Europe/Paris")
    target_territories: Mapped[int] = mapped_column(nullable=False, default=12)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    # Every cohort page reads its curriculum: fetch the version row (not its data) with it.
    curriculum_version: Mapped[CurriculumVersion] = relationship(lazy="joined", innerjoin=True)
    territories: Mapped[list["Territory"]] = relationship(
        back_populates="cohort", order_by="Territory.name"
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name!r}>"

    @validates("name")
    def _follow_name(self, _attribute: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    @property
    def curriculum(self):
        return self.curriculum_version.document

    @property
    def end_date(self) -> date:
        return add_months(self.start_date, self.curriculum.programme.duration_months)


class TerritoryLabels:
    """How a territory reads: shared by the model and by the rows that list pages load.

    Needs ``catalyseurs``, ``status``, ``kind`` and ``carrier_type`` attributes.
    """

    @property
    def is_binome(self) -> bool:
        return len(self.catalyseurs) == MAX_CATALYSEURS_PER_TERRITORY

    @property
    def has_room(self) -> bool:
        """Tell whether one more catalyseur may join (one person, or a binôme)."""
        return len(self.catalyseurs) < MAX_CATALYSEURS_PER_TERRITORY

    @property
    def status_label(self):
        return STATUS_LABELS[TerritoryStatus(self.status)]

    @property
    def kind_label(self):
        return TERRITORY_KINDS.get(self.kind, self.kind)

    @property
    def carrier_type_label(self):
        return CARRIER_TYPES.get(self.carrier_type, self.carrier_type)


class Territory(TerritoryLabels, db.Model):
    __tablename__ = "territories"
    __audit_label__ = _l("territoire")
    __table_args__ = (
        UniqueConstraint("cohort_id", "name_key"),
        one_of("status", TerritoryStatus),
        one_of("kind", TERRITORY_KINDS),
        one_of("carrier_type", CARRIER_TYPES),
        CheckConstraint("status <> 'refused' OR status_reason <> ''", name="refusal_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: ``name`` as compared: unique within the cohort (see core.text.name_key).
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), nullable=False)
    region: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    department: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    carrier_structure: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    carrier_type: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=TerritoryStatus.SOLICITED
    )
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship(back_populates="territories")
    coach: Mapped[User | None] = relationship()
    catalyseurs: Mapped[list["Membership"]] = relationship(
        back_populates="territory", order_by="Membership.id"
    )

    def __repr__(self) -> str:
        return f"<Territory {self.id} {self.name!r}>"

    @validates("name")
    def _follow_name(self, _attribute: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Membership(db.Model):
    """A person's role in one cohort. A catalyseur belongs to one territory of it."""

    __tablename__ = "memberships"
    __audit_label__ = _l("membre de la cohorte")
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        one_of("role", Role),
        CheckConstraint(
            "(role = 'catalyseur') = (territory_id IS NOT NULL)", name="territory_iff_catalyseur"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # What the coordinator typed: until the person accepts, the cohort shows this, not the
    # account's own name (the address may be that of someone the coordinator does not know).
    invited_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    invited_organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()
    # A membership is shown with its person: fetch them together rather than one by one.
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    territory: Mapped[Territory | None] = relationship(back_populates="catalyseurs")

    def __repr__(self) -> str:
        return f"<Membership {self.user_id} {self.role} in {self.cohort_id}>"

    @property
    def role_label(self):
        return ROLE_LABELS[Role(self.role)]

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def invitation_state(self) -> InvitationState:
        return invitation_state(self.user, accepted=self.accepted)

    @property
    def invitation_label(self):
        return STATE_LABELS[self.invitation_state]

    @property
    def shown_name(self) -> str:
        """The name the cohort shows: the account's once accepted, else the one typed."""
        return self.user.full_name if self.accepted else self.invited_name

    @property
    def shown_organisation(self) -> str:
        return self.user.organisation if self.accepted else self.invited_organisation


class MembershipRemoval(db.Model):
    """Someone taken out of a cohort, kept so that the removal can be undone.

    The membership itself is deleted, so that every page and rule keeps reading memberships as
    they are; this row holds what restoring it needs (role, territory, the name typed, the
    territories they coached). Their attendance and past events never depended on it.
    """

    __tablename__ = "membership_removals"
    __audit_label__ = _l("retrait d'un membre")
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=True, index=True
    )
    invited_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    invited_organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    joined_at: Mapped[datetime] = mapped_column(nullable=False)
    #: Ids of the territories they followed as a coach, given back to them if still unfollowed.
    coached_territory_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    removed_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    restored_at: Mapped[datetime | None] = mapped_column(nullable=True)
    restored_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    territory: Mapped[Territory | None] = relationship()
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    def __repr__(self) -> str:
        return f"<MembershipRemoval {self.user_id} {self.role} from {self.cohort_id}>"

    @property
    def role_label(self):
        return ROLE_LABELS[Role(self.role)]

    @property
    def shown_name(self) -> str:
        """The name the cohort showed: the rule of ``Membership.shown_name``."""
        return self.user.full_name if self.accepted_at is not None else self.invited_name


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the end of shorter months."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
