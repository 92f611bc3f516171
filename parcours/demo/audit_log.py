"""The demo's audit log: what « Journal des actions » and « Mes connexions » show at once.

Three weeks of logins of every person of the demo cohort (working hours, a logout now and
then), two mistyped passwords, one account locked after five failures, a failed login to an
address that has no account; the coordinator's CSV import of the territories before the
launch and her exports; and one entry for each committee pack generated and downloaded,
at the very moment the demo dated them. Each entry is written under ``freeze()`` so that its
date is the one it shows. Addresses are from the ranges kept for documentation (RFC 5737).
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction, AuditEntry
from parcours.cohorts.models import Cohort, Membership
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze, now_utc
from parcours.demo import data
from parcours.evaluation.models import CommitteePack, PackDownload

#: How many days back the logins go.
DAYS = 21
#: Who mistyped a password twice (then got in), and who locked their account: two
#: catalyseurs of the demo's second and third territories.
MISTYPED = data.TERRITORIES[1][-1][0][1]
LOCKED = data.TERRITORIES[2][-1][0][1]
ADDRESSES = ["192.0.2.14", "198.51.100.23", "203.0.113.41", "192.0.2.87", "198.51.100.66"]


def _at(day, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _write(at: datetime, action: AuditAction, address: str = "", **fields) -> None:
    with freeze(at):
        entry = audit.record(action, **fields)
    entry.address = address


def _people(cohort: Cohort) -> list[User]:
    members = select(Membership.user_id).where(
        Membership.cohort_id == cohort.id, Membership.accepted_at.is_not(None)
    )
    return db.session.scalars(
        select(User)
        .where(User.id.in_(members) | User.is_admin.is_(True))
        .where(User.active.is_(True))
        .order_by(User.id)
    ).all()


def _logins(cohort: Cohort) -> None:
    today = now_utc().astimezone(PARIS).date()
    for index, person in enumerate(_people(cohort)):
        address = ADDRESSES[index % len(ADDRESSES)]
        local = person.email.split("@")[0]
        mistyped = local == MISTYPED
        # Every fourth day or so, on working days, at an hour of its own.
        for back in range(DAYS, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5 or (back + index) % 4:
                continue
            hour, minute = 8 + (index + back) % 9, (index * 7 + back * 3) % 60
            start = _at(day, hour, minute)
            if mistyped:  # the first time in these weeks
                mistyped = False
                for offset in (2, 1):
                    _write(
                        start - timedelta(minutes=offset),
                        AuditAction.LOGIN_FAILED,
                        address,
                        actor=person,
                    )
            _write(start, AuditAction.LOGIN_SUCCEEDED, address, actor=person)
            if (index + back) % 3 == 0:
                _write(start + timedelta(minutes=40), AuditAction.LOGOUT, address, actor=person)
        if local == LOCKED:
            day = today - timedelta(days=3)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            for minute in range(5):
                _write(
                    _at(day, 7, 50 + minute),
                    AuditAction.LOGIN_FAILED,
                    "203.0.113.200",
                    actor=person,
                )
            _write(_at(day, 7, 55), AuditAction.LOGIN_LOCKED, "203.0.113.200", actor=person)
            # The next morning, from the usual browser, once the lock had passed.
            _write(
                _at(day + timedelta(days=1), 9, 5),
                AuditAction.LOGIN_SUCCEEDED,
                address,
                actor=person,
            )
    # Someone tried an address that has no account.
    _write(_at(today - timedelta(days=2), 23, 12), AuditAction.LOGIN_FAILED, "192.0.2.250")


def _coordination(cohort: Cohort, coordinator: User) -> None:
    """The territories' CSV import before the launch, and the coordinator's exports."""
    address = "192.0.2.30"
    territories = len(cohort.territories)
    before_start = cohort.start_date - timedelta(days=24)
    _write(
        _at(before_start, 10, 20),
        AuditAction.IMPORTED,
        address,
        actor=coordinator,
        cohort=cohort,
        object_type="territories",
        details={"rows": territories, "created": territories},
    )
    today = now_utc().astimezone(PARIS).date()
    for back, object_type, details in [
        (12, "assessment_ratings", {"format": "xlsx", "moment": "T0"}),
        (6, "survey_responses", {"format": "csv", "survey": "S1"}),
    ]:
        day = today - timedelta(days=back)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        _write(
            _at(day, 15, 10),
            AuditAction.EXPORTED,
            address,
            actor=coordinator,
            cohort=cohort,
            object_type=object_type,
            details=details,
        )


def _recorded(action: AuditAction, object_id: int, actor_id: int | None, at: datetime) -> bool:
    """Tell whether the operation that made the object already wrote its entry (the demo
    runs it under a frozen clock, so its entry bears the same moment)."""
    found = select(AuditEntry.id).where(
        AuditEntry.action == action.value,
        AuditEntry.object_type == "committee_packs",
        AuditEntry.object_id == object_id,
        AuditEntry.actor_id == actor_id,
        AuditEntry.at == at,
    )
    return db.session.scalar(found.limit(1)) is not None


def _packs() -> None:
    """One entry for each pack generated and each download, when the demo dated them."""
    db.session.flush()
    for pack in db.session.scalars(select(CommitteePack).order_by(CommitteePack.id)):
        if not _recorded(
            AuditAction.PACK_GENERATED, pack.id, pack.generated_by_id, pack.generated_at
        ):
            _write(
                pack.generated_at,
                AuditAction.PACK_GENERATED,
                "192.0.2.30",
                actor=pack.generated_by_id,
                cohort=pack.cohort_id,
                target=pack,
                details={"kind": pack.kind, "number": pack.number},
            )
    downloads = select(PackDownload).order_by(PackDownload.id)
    for download in db.session.scalars(downloads):
        pack = download.pack
        if not _recorded(
            AuditAction.REPORT_DOWNLOADED, pack.id, download.user_id, download.downloaded_at
        ):
            _write(
                download.downloaded_at,
                AuditAction.REPORT_DOWNLOADED,
                "198.51.100.120",
                actor=download.user_id,
                cohort=pack.cohort_id,
                target=pack,
                details={"variant": download.variant},
            )


def build(cohort: Cohort, coordinator: User) -> None:
    """Write the demo's audit entries (after the packs, whose dates they repeat)."""
    _logins(cohort)
    _coordination(cohort, coordinator)
    _packs()
    db.session.flush()
