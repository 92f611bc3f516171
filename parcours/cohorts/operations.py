"""Cohort operations. They change and flush models, log, and never commit."""

import logging
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select, update

from parcours.accounts import operations as accounts
from parcours.accounts import throttle
from parcours.accounts.models import User
from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts import signals
from parcours.cohorts.models import (
    MAX_CATALYSEURS_PER_TERRITORY,
    ROLE_LABELS,
    STATUS_LABELS,
    Cohort,
    Membership,
    MembershipRemoval,
    Role,
    Territory,
    TerritoryStatus,
)
from parcours.cohorts.permissions import forget_memberships
from parcours.core import sections
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.text import name_key
from parcours.core.time import now_utc
from parcours.curricula.models import CurriculumVersion

# The codes this domain writes in the audit log, in words (audit/labels.py).
audit_labels.name_values("role", ROLE_LABELS)
for _key in ("from", "to"):  # a membership's role, or a territory's status
    audit_labels.name_values(_key, {**ROLE_LABELS, **STATUS_LABELS})
audit_labels.name_values(
    "via",
    {
        "invitation": _l("invitation"),
        "import": _l("import de territoires"),
        "creation": _l("création de la cohorte"),
        "restoration": _l("annulation d'un retrait"),
    },
)

logger = logging.getLogger(__name__)


class CohortError(ValueError):
    """A refused change, with a translated message and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _name_taken(model, name: str, exclude_id: int | None = None, **scope) -> bool:
    query = select(model.id).where(model.name_key == name_key(name))
    for column, value in scope.items():
        query = query.where(getattr(model, column) == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def create_cohort(
    *,
    version: CurriculumVersion,
    name: str,
    start_date: date,
    timezone: str = "Europe/Paris",
    target_territories: int = 12,
    created_by: User,
) -> Cohort:
    """Create a cohort on a curriculum version and generate its timeline."""
    if _name_taken(Cohort, name):
        raise CohortError(_("Une cohorte porte déjà ce nom."), "name")
    cohort = Cohort(
        name=name.strip(),
        curriculum_version=version,
        start_date=start_date,
        timezone=timezone,
        target_territories=target_territories,
    )
    db.session.add(cohort)
    db.session.flush()
    if not created_by.is_admin:
        creator = Membership(
            cohort=cohort,
            user=created_by,
            role=Role.COORDINATOR,
            invited_name=created_by.full_name,
            invited_organisation=created_by.organisation,
            accepted_at=now_utc(),  # who creates a cohort is in it
        )
        db.session.add(creator)
        db.session.flush()
        _record_joined(creator, by=created_by, via="creation")
    signals.cohort_created.send(cohort)
    forget_memberships()
    logger.info("Cohort %s created by user %s", cohort.id, created_by.id)
    return cohort


def reschedule_preview(cohort: Cohort, *, start_date: date, timezone: str) -> list[Markup]:
    """Return what changing ``cohort``'s start date or zone would move, as the domains above
    show it; refuse, as update_cohort would, what they refuse. Nothing changes.

    An empty list when the dates do not move.
    """
    shift = (start_date - cohort.start_date).days
    if not shift and timezone == cohort.timezone:
        return []
    signals.cohort_rescheduling.send(cohort, shift_days=shift, to_zone=timezone)
    return sections.collect(
        signals.cohort_reschedule_preview, cohort, shift_days=shift, to_zone=timezone
    )


def update_cohort(
    cohort: Cohort,
    *,
    name: str,
    start_date: date,
    timezone: str,
    target_territories: int,
    changed_by: User | None = None,
) -> None:
    """Edit a cohort; moving its start date moves its whole timeline."""
    if _name_taken(Cohort, name, exclude_id=cohort.id):
        raise CohortError(_("Une cohorte porte déjà ce nom."), "name")
    shift = (start_date - cohort.start_date).days
    old_zone = cohort.timezone
    moves = bool(shift) or timezone != old_zone
    _record_settings(
        cohort,
        changed_by,
        name=name.strip(),
        start_date=start_date,
        timezone=timezone,
        target_territories=target_territories,
    )
    if moves:
        signals.cohort_rescheduling.send(cohort, shift_days=shift, to_zone=timezone)
    cohort.name = name.strip()
    cohort.timezone = timezone
    cohort.target_territories = target_territories
    cohort.start_date = start_date
    db.session.flush()
    if moves:
        signals.cohort_rescheduled.send(cohort, shift_days=shift, from_zone=old_zone)
    logger.info("Cohort %s updated", cohort.id)


def _record_settings(cohort: Cohort, changed_by: User | None, **values) -> None:
    """Audit a change of a cohort's settings: which ones, and the dates' old and new values."""
    changed = [key for key, value in values.items() if getattr(cohort, key) != value]
    if not changed:
        return
    details = {"fields": ",".join(changed)}
    if "start_date" in changed:
        details.update(
            start_from=cohort.start_date.isoformat(), start_to=values["start_date"].isoformat()
        )
    audit.record(
        AuditAction.CONFIGURATION_CHANGED,
        actor=changed_by,
        cohort=cohort,
        target=cohort,
        details=details,
    )


def _check_status(status: str, reason: str) -> None:
    if status == TerritoryStatus.REFUSED and not reason.strip():
        raise CohortError(_("Indiquez le motif du refus."), "status_reason")


TERRITORY_FIELDS = (
    "name",
    "region",
    "department",
    "kind",
    "carrier_structure",
    "carrier_type",
    "status",
    "status_reason",
)


def add_territory(cohort: Cohort, **fields) -> Territory:
    """Add a territory to ``cohort``; an accepted one gets its planned events."""
    if _name_taken(Territory, fields["name"], cohort_id=cohort.id):
        raise CohortError(_("Ce territoire existe déjà dans la cohorte."), "name")
    _check_status(fields["status"], fields.get("status_reason", ""))
    territory = Territory(cohort=cohort, **{k: (v or "").strip() for k, v in fields.items()})
    db.session.add(territory)
    db.session.flush()
    signals.territory_changed.send(territory, changed_by=None)
    logger.info("Territory %s added to cohort %s", territory.id, cohort.id)
    return territory


def update_territory(territory: Territory, *, changed_by: User | None = None, **fields) -> None:
    """Edit a territory; its planned events follow its solicitation status."""
    if _name_taken(Territory, fields["name"], territory.id, cohort_id=territory.cohort_id):
        raise CohortError(_("Ce territoire existe déjà dans la cohorte."), "name")
    _check_status(fields["status"], fields.get("status_reason", ""))
    if fields["status"] != territory.status:
        audit.record(
            AuditAction.TERRITORY_STATUS_CHANGED,
            actor=changed_by,
            cohort=territory.cohort_id,
            target=territory,
            details={"from": territory.status, "to": fields["status"]},
        )
    for key, value in fields.items():
        setattr(territory, key, (value or "").strip())
    db.session.flush()
    signals.territory_changed.send(territory, changed_by=changed_by)
    logger.info("Territory %s updated", territory.id)


def _join(
    cohort: Cohort,
    user: User,
    role: Role,
    territory: Territory | None = None,
    *,
    full_name: str,
    organisation: str,
) -> Membership:
    if user.is_erased:
        # Only its reserved address can name an erased account: it joins nothing any more.
        raise CohortError(_("Cette adresse est celle d'un compte effacé."), "email")
    # Two invitations of one person to one cohort may arrive at once: the second waits for
    # the first, then finds her there, as it would a moment later.
    query = select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == user.id
    )
    joined = db.session.scalar(query) is None and insert_if_absent(
        Membership,
        conflict=("cohort_id", "user_id"),
        cohort_id=cohort.id,
        user_id=user.id,
        role=role,
        territory_id=territory.id if territory else None,
        invited_name=full_name.strip(),
        invited_organisation=organisation.strip(),
    )
    member = db.session.scalar(query)
    if not joined:
        raise CohortError(
            _(
                "%(name)s participe déjà à cette cohorte (%(role)s).",
                name=member.shown_name,
                role=member.role_label,
            ),
            "email",
        )
    forget_memberships()
    return member


def _record_joined(member: Membership, *, by: User | None, via: str) -> None:
    audit.record(
        AuditAction.MEMBERSHIP_ADDED,
        actor=by,
        subject=member.user_id,
        cohort=member.cohort_id,
        target=member,
        details={"role": str(member.role), "via": via},
    )


def accept_memberships(user: User) -> None:
    """Show the person's own name in every cohort that invited them: they have logged in."""
    db.session.execute(
        update(Membership)
        .where(Membership.user_id == user.id, Membership.accepted_at.is_(None))
        .values(accepted_at=now_utc())
    )


def add_catalyseur(
    territory: Territory,
    *,
    email: str,
    full_name: str,
    organisation: str,
    invited_by: User,
    via: str = "invitation",
) -> Membership:
    """Add a catalyseur to a territory (two at most: a binôme) and invite them by e-mail."""
    if len(territory.catalyseurs) >= MAX_CATALYSEURS_PER_TERRITORY:
        raise CohortError(_("Ce territoire a déjà deux catalyseurs (binôme complet)."), "email")
    user, _created = accounts.ensure_user(email, full_name, organisation)
    member = _join(
        territory.cohort,
        user,
        Role.CATALYSEUR,
        territory,
        full_name=full_name,
        organisation=organisation,
    )
    db.session.refresh(territory, ["catalyseurs"])
    _record_joined(member, by=invited_by, via=via)
    accounts.send_invitation(
        user,
        name=member.invited_name,
        cohort_id=territory.cohort_id,
        invited_by=invited_by,
        cohort_name=territory.cohort.name,
        role_label=ROLE_LABELS[Role.CATALYSEUR],
    )
    logger.info("User %s joined territory %s as catalyseur", user.id, territory.id)
    return member


def add_member(
    cohort: Cohort, *, role: Role, email: str, full_name: str, organisation: str, invited_by: User
) -> Membership:
    """Add a coordinator, coach or committee member to ``cohort`` and invite them."""
    if role == Role.CATALYSEUR:
        raise CohortError(
            _("Les catalyseurs s'ajoutent depuis la page de leur territoire."), "role"
        )
    user, _created = accounts.ensure_user(email, full_name, organisation)
    member = _join(cohort, user, role, full_name=full_name, organisation=organisation)
    _record_joined(member, by=invited_by, via="invitation")
    accounts.send_invitation(
        user,
        name=member.invited_name,
        cohort_id=cohort.id,
        invited_by=invited_by,
        cohort_name=cohort.name,
        role_label=ROLE_LABELS[role],
    )
    logger.info("User %s joined cohort %s as %s", user.id, cohort.id, role)
    return member


def resend_invitation(member: Membership, *, invited_by: User) -> None:
    """Send ``member`` their invitation again: a fresh link, or the notice for an account.

    Counted per person whoever resends (``throttle.INVITATION_RESEND``): raise ``Throttled``
    past the limit.
    """
    if member.accepted:
        raise CohortError(_("%(name)s a déjà accepté son invitation.", name=member.shown_name))
    if not member.user.active:
        raise CohortError(
            _(
                "Le compte de %(name)s est désactivé : l'administration doit le réactiver.",
                name=member.shown_name,
            )
        )
    throttle.take((throttle.INVITATION_RESEND, str(member.user_id)))
    accounts.send_invitation(
        member.user,
        name=member.invited_name,
        cohort_id=member.cohort_id,
        invited_by=invited_by,
        cohort_name=member.cohort.name,
        role_label=ROLE_LABELS[Role(member.role)],
    )
    logger.info("Invitation of user %s to cohort %s sent again", member.user_id, member.cohort_id)


def check_removable(member: Membership) -> None:
    """Refuse to remove the last coordinator of a cohort (oneself included)."""
    if member.role == Role.COORDINATOR:
        _keep_a_coordinator(member.cohort)


def remove_member(member: Membership, removed_by: User | None = None) -> MembershipRemoval:
    """Take someone out of a cohort, keeping what undoing it needs; the last coordinator stays.

    Their upcoming invitations are released by the domains above (``member_leaving``); their
    attendance and past events stay as they are.
    """
    cohort = member.cohort
    check_removable(member)
    coached = [t.id for t in cohort.territories if t.coach_id == member.user_id]
    signals.member_leaving.send(member, removed_by=removed_by)
    removal = MembershipRemoval(
        cohort_id=member.cohort_id,
        user_id=member.user_id,
        role=member.role,
        territory_id=member.territory_id,
        invited_name=member.invited_name,
        invited_organisation=member.invited_organisation,
        accepted_at=member.accepted_at,
        joined_at=member.created_at,
        coached_territory_ids=coached if member.role == Role.COACH else [],
        removed_by_id=removed_by.id if removed_by else None,
    )
    db.session.add(removal)
    if member.role == Role.COACH:
        _stop_coaching(member)
    db.session.delete(member)
    db.session.flush()
    audit.record(
        AuditAction.MEMBERSHIP_REMOVED,
        actor=removed_by,
        subject=removal.user_id,
        cohort=removal.cohort_id,
        target=removal,
        details={"role": str(removal.role)},
    )
    forget_memberships()
    logger.info("User %s removed from cohort %s", member.user_id, cohort.id)
    return removal


def restore_member(removal: MembershipRemoval, restored_by: User) -> Membership:
    """Undo a removal: the same role, territory and coached territories, invitations sent again.

    Refused when it is already undone, when the person is back in the cohort by another way,
    or when their territory has meanwhile got its two catalyseurs.
    """
    if removal.restored_at is not None:
        raise CohortError(_("Ce retrait est déjà annulé."))
    if removal.user.is_erased:
        raise CohortError(_("Cette personne a été effacée : son retrait ne peut plus être annulé."))
    cohort = removal.cohort
    current = db.session.scalar(
        select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id == removal.user_id
        )
    )
    if current is not None:
        raise CohortError(
            _(
                "%(name)s fait de nouveau partie de la cohorte (%(role)s) : il n'y a rien à "
                "rétablir.",
                name=current.shown_name,
                role=current.role_label,
            )
        )
    territory = removal.territory
    if territory is not None and not territory.has_room:
        raise CohortError(
            _(
                "Le territoire « %(territory)s » a déjà deux catalyseurs : retirez-en un avant "
                "de rétablir %(name)s.",
                territory=territory.name,
                name=removal.shown_name,
            )
        )
    member = _join(
        cohort,
        removal.user,
        Role(removal.role),
        territory,
        full_name=removal.invited_name,
        organisation=removal.invited_organisation,
    )
    member.accepted_at = removal.accepted_at
    member.created_at = removal.joined_at
    for followed in cohort.territories:
        if followed.id in removal.coached_territory_ids and followed.coach_id is None:
            followed.coach_id = removal.user_id
    removal.restored_at = now_utc()
    removal.restored_by_id = restored_by.id
    db.session.flush()
    audit.record(
        AuditAction.MEMBERSHIP_ADDED,
        actor=restored_by,
        subject=removal.user_id,
        cohort=removal.cohort_id,
        target=member,
        details={"role": str(member.role), "via": "restoration", "removal": removal.id},
    )
    if territory is not None:
        db.session.refresh(territory, ["catalyseurs"])
    signals.member_restored.send(member, restored_by=restored_by)
    logger.info("User %s restored in cohort %s", removal.user_id, cohort.id)
    return member


def change_role(member: Membership, role: Role, *, changed_by: User | None = None) -> None:
    """Give a coordinator, coach or committee member another of these roles in their cohort."""
    if Role.CATALYSEUR in (role, member.role):
        raise CohortError(
            _("Les catalyseurs s'ajoutent depuis la page de leur territoire."), "role"
        )
    if role == member.role:
        return
    if member.role == Role.COORDINATOR:
        _keep_a_coordinator(member.cohort, "role")
    if member.role == Role.COACH:
        _stop_coaching(member)
    audit.record(
        AuditAction.ROLE_CHANGED,
        actor=changed_by,
        subject=member.user_id,
        cohort=member.cohort_id,
        target=member,
        details={"from": str(member.role), "to": str(role)},
    )
    member.role = role
    db.session.flush()
    forget_memberships()
    logger.info("User %s is now %s in cohort %s", member.user_id, role, member.cohort_id)


def _keep_a_coordinator(cohort: Cohort, field: str | None = None) -> None:
    # Lock the cohort's row first (PostgreSQL): two coordinators removing each other at the
    # same moment would otherwise both count two and leave none.
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    coordinators = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.cohort_id == cohort.id, Membership.role == Role.COORDINATOR
        )
    )
    if coordinators <= 1:
        raise CohortError(_("La cohorte doit garder au moins un·e coordinateur·rice."), field)


def _stop_coaching(member: Membership) -> None:
    for territory in member.cohort.territories:
        if territory.coach_id == member.user_id:
            territory.coach_id = None


def assign_coach_by_email(
    territory: Territory, *, email: str, full_name: str, organisation: str, invited_by: User
) -> tuple[Membership, bool]:
    """Make the person with this address follow ``territory``; return them and if they joined.

    A coach of the cohort is simply assigned. Anyone else (an existing account or a new
    address) joins the cohort as a coach and is invited, under the name typed here: the
    cohort shows it until they log in, never the account's own.
    """
    cohort = territory.cohort
    user = accounts.find_user(email)
    member = db.session.scalar(
        select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id == (user.id if user else None)
        )
    )
    joined = member is None
    if joined:
        member = add_member(
            cohort,
            role=Role.COACH,
            email=email,
            full_name=full_name,
            organisation=organisation,
            invited_by=invited_by,
        )
    elif member.role != Role.COACH:
        raise CohortError(
            _(
                "%(name)s participe déjà à cette cohorte (%(role)s) : changez son rôle depuis "
                "la page « Équipe et comité ».",
                name=member.shown_name,
                role=member.role_label,
            ),
            "email",
        )
    assign_coach(territory, member.user)
    return member, joined


def assign_coach(territory: Territory, coach: User | None) -> None:
    """Make ``coach`` (a coach of the cohort) follow ``territory``, or nobody."""
    if coach is not None:
        is_coach = db.session.scalar(
            select(Membership.id).where(
                Membership.cohort_id == territory.cohort_id,
                Membership.user_id == coach.id,
                Membership.role == Role.COACH,
            )
        )
        if is_coach is None:
            raise CohortError(_("Cette personne n'accompagne pas cette cohorte."), "coach")
    territory.coach = coach
    db.session.flush()
    logger.info("Territory %s now followed by user %s", territory.id, coach.id if coach else None)
