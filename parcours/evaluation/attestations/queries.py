"""What the attestation pages show, each in a fixed number of queries."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.core.extensions import db
from parcours.evaluation.models import FinalAttestation


@dataclass(frozen=True)
class HolderRow:
    """A catalyseur of the cohort and the attestations issued to them, the latest first."""

    member: Membership
    attestations: tuple[FinalAttestation, ...]

    @property
    def latest(self) -> FinalAttestation | None:
        return self.attestations[0] if self.attestations else None


def cohort_attestations(cohort: Cohort) -> list[HolderRow]:
    """Return every catalyseur of ``cohort``, by territory then name, with their attestations
    (not the erased: their attestations went with them, and none is issued to no one).

    Two queries, whatever the number of people and attestations (the PDFs stay unloaded).
    """
    members = db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Territory, Territory.id == Membership.territory_id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.CATALYSEUR,
            User.erased_at.is_(None),
        )
        .options(joinedload(Membership.territory))
        .order_by(Territory.name, User.full_name, User.id)
    ).all()
    issued: dict[int, list[FinalAttestation]] = {}
    for attestation in db.session.scalars(
        select(FinalAttestation)
        .where(FinalAttestation.cohort_id == cohort.id)
        .order_by(FinalAttestation.number.desc())
    ):
        issued.setdefault(attestation.user_id, []).append(attestation)
    return [HolderRow(member, tuple(issued.get(member.user_id, ()))) for member in members]


def attestations_of(cohort: Cohort, user_id: int) -> list[FinalAttestation]:
    """Return the attestations of ``user_id`` in ``cohort``, the latest first. One query."""
    return list(
        db.session.scalars(
            select(FinalAttestation)
            .where(FinalAttestation.cohort_id == cohort.id, FinalAttestation.user_id == user_id)
            .order_by(FinalAttestation.number.desc())
        )
    )


def by_token(token: str) -> FinalAttestation | None:
    """Return the attestation a verification link names, or None. One query."""
    return db.session.scalar(select(FinalAttestation).where(FinalAttestation.token == token))
