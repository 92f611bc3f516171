"""Read-side of packs: the coordinator's page, the committee's portal, each in a few queries.

The PDFs and the snapshot are deferred columns: lists read a pack's row, never its bytes.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import EventKind, PackKind
from parcours.evaluation.models import (
    CommitteePack,
    PackDownload,
    PackEditorial,
    PackErasure,
    PackVariant,
)

#: What a pack is called, by the meeting it is for.
KIND_LABELS = {
    PackKind.LAUNCH: _l("Dossier de lancement"),
    PackKind.MIDWAY: _l("Dossier de mi-parcours"),
    PackKind.FINAL: _l("Dossier de bilan"),
}
#: The same, as a file name reads it.
KIND_FILE_NAMES = {
    PackKind.LAUNCH: _l("lancement"),
    PackKind.MIDWAY: _l("mi-parcours"),
    PackKind.FINAL: _l("bilan"),
}
VARIANT_LABELS = {
    PackVariant.FULL: _l("complet"),
    PackVariant.PSEUDONYMISED: _l("pseudonymisé"),
}
#: How many downloads the coordinator's log lists, newest first.
DOWNLOAD_LOG_LIMIT = 100

#: The editorial of a pack nobody has written yet: its form carries version 0, so that a
#: first save over one written meanwhile is a conflict too.
UNWRITTEN = SimpleNamespace(version=0)


def pack_kinds(cohort: Cohort) -> dict[PackKind, str]:
    """Return the kinds of pack the cohort's curriculum has a committee meeting for.

    By the meeting's curriculum code, in the curriculum's order of days.
    """
    planned = sorted(
        (event for event in cohort.curriculum.events if event.pack is not None),
        key=lambda event: event.offset_days,
    )
    return {PackKind(event.pack): event.code for event in planned}


def offered_kind(cohort: Cohort, kind: str) -> PackKind | None:
    """Return ``kind`` when the cohort's curriculum has a meeting for it (else None: a 404)."""
    try:
        pack_kind = PackKind(kind)
    except ValueError:
        return None
    return pack_kind if pack_kind in pack_kinds(cohort) else None


@functools.cache
def _meetings_statement():
    # Built once per process: the committee's space runs it on every request.
    return select(Event).where(
        Event.cohort_id == bindparam("cohort_id"),
        Event.kind == EventKind.COMMITTEE,
        Event.territory_id.is_(None),
        Event.code.in_(bindparam("codes", expanding=True)),
    )


def meetings(cohort: Cohort) -> dict[PackKind, Event | None]:
    """Return each pack kind's committee meeting in the cohort's agenda (None if removed)."""
    codes = pack_kinds(cohort)
    if not codes:
        return {}
    events = db.session.scalars(
        _meetings_statement(), {"cohort_id": cohort.id, "codes": list(codes.values())}
    )
    by_code = {event.code: event for event in events}
    return {kind: by_code.get(code) for kind, code in codes.items()}


def next_meeting(cohort: Cohort, now: datetime) -> Event | None:
    """Return the cohort's next Comité d'orientation meeting, if one is planned."""
    return db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.COMMITTEE,
            Event.territory_id.is_(None),
            Event.status == EventStatus.PLANNED,
            Event.starts_at > now,
        )
        .order_by(Event.starts_at)
        .limit(1)
    ).first()


def editorial(cohort: Cohort, kind: PackKind) -> PackEditorial | None:
    """Return what the coordinator wrote for the cohort's ``kind`` pack, if anything."""
    return db.session.scalars(
        select(PackEditorial).where(
            PackEditorial.cohort_id == cohort.id, PackEditorial.kind == kind
        )
    ).first()


def editorials(cohort: Cohort) -> dict[PackKind, PackEditorial]:
    rows = db.session.scalars(
        select(PackEditorial)
        .where(PackEditorial.cohort_id == cohort.id)
        .options(joinedload(PackEditorial.updated_by))
    )
    return {PackKind(row.kind): row for row in rows}


@dataclass(frozen=True)
class Version:
    """One generated version of a pack, as its lists show it (never its bytes)."""

    pack: CommitteePack
    downloads: int
    #: People erased since it was generated: the pack is not rewritten, the list says so.
    erasures: int = 0
    last_erased_at: datetime | None = None

    @property
    def id(self) -> int:
        return self.pack.id

    @property
    def number(self) -> int:
        return self.pack.number

    @property
    def generated_at(self) -> datetime:
        return self.pack.generated_at


@functools.cache
def _versions_statement():
    # Built once per process: the portal and the packs' page run it on every request. Each
    # count is correlated to its pack, so it reads that pack's rows only: grouping the whole
    # download log then joining it grew with every download of every cohort.
    downloads = (
        select(func.count(PackDownload.id))
        .where(PackDownload.pack_id == CommitteePack.id)
        .correlate(CommitteePack)
        .scalar_subquery()
    )
    erasures = (
        select(func.count(PackErasure.id))
        .where(PackErasure.pack_id == CommitteePack.id)
        .correlate(CommitteePack)
        .scalar_subquery()
    )
    last_erased = (
        select(func.max(PackErasure.erased_at))
        .where(PackErasure.pack_id == CommitteePack.id)
        .correlate(CommitteePack)
        .scalar_subquery()
    )
    return (
        select(CommitteePack, downloads, erasures, last_erased)
        .where(CommitteePack.cohort_id == bindparam("cohort_id"))
        .options(joinedload(CommitteePack.generated_by))
        .order_by(CommitteePack.number.desc())
    )


def versions(cohort: Cohort) -> dict[PackKind, list[Version]]:
    """Return every generated version of the cohort's packs, newest first, by kind."""
    rows = db.session.execute(_versions_statement(), {"cohort_id": cohort.id})
    found: dict[PackKind, list[Version]] = {}
    for pack, count, erased, last in rows:
        found.setdefault(PackKind(pack.kind), []).append(Version(pack, count, erased, last))
    return found


@dataclass(frozen=True)
class Latest:
    """The newest version of one kind of pack, as the dashboard names it."""

    number: int
    generated_at: datetime


@dataclass(frozen=True)
class Headline:
    """One kind of pack on the cohort's dashboard: its newest version, if any."""

    kind: PackKind
    latest: Latest | None

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


@functools.cache
def _latest_statement():
    return (
        select(CommitteePack.kind, CommitteePack.number, CommitteePack.generated_at)
        .where(CommitteePack.cohort_id == bindparam("cohort_id"))
        .order_by(CommitteePack.number)
    )


def headlines(cohort: Cohort) -> list[Headline]:
    """Return each pack kind's newest version (or None), in the order of their meetings.

    The dashboard names only that: one query of three columns, no pack, no meeting loaded.
    """
    kinds = pack_kinds(cohort)
    if not kinds:
        return []
    newest: dict[str, Latest] = {}
    for kind, number, generated_at in db.session.execute(
        _latest_statement(), {"cohort_id": cohort.id}
    ):
        newest[kind] = Latest(number, generated_at)  # by number: the last one is the newest
    return [Headline(kind, newest.get(kind)) for kind in kinds]


@dataclass(frozen=True)
class Download:
    """One line of the download log."""

    who: str
    kind_label: str
    number: int
    variant: PackVariant
    at: datetime

    @property
    def variant_label(self) -> str:
        return str(VARIANT_LABELS[self.variant])


def download_log(cohort: Cohort, limit: int = DOWNLOAD_LOG_LIMIT) -> list[Download]:
    """Return who downloaded which of the cohort's packs, in which variant, newest first."""
    rows = db.session.execute(
        select(
            User.full_name,
            CommitteePack.kind,
            CommitteePack.number,
            PackDownload.variant,
            PackDownload.downloaded_at,
        )
        .join(CommitteePack, CommitteePack.id == PackDownload.pack_id)
        .outerjoin(User, User.id == PackDownload.user_id)
        .where(CommitteePack.cohort_id == cohort.id)
        .order_by(PackDownload.downloaded_at.desc(), PackDownload.id.desc())
        .limit(limit)
    )
    return [
        Download(
            who=name or str(_l("(compte supprimé)")),
            kind_label=str(KIND_LABELS[PackKind(kind)]),
            number=number,
            variant=PackVariant(variant),
            at=at,
        )
        for name, kind, number, variant, at in rows
    ]


@dataclass(frozen=True)
class KindBlock:
    """One kind of pack on a page: its meeting, what was written for it, its versions."""

    kind: PackKind
    meeting: Event | None
    editorial: PackEditorial | None
    versions: list[Version]

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def latest(self) -> Version | None:
        return self.versions[0] if self.versions else None


def kind_blocks(cohort: Cohort, *, with_editorials: bool = True) -> list[KindBlock]:
    """Return the blocks of the cohort's pack kinds, in the order of their meetings."""
    found = versions(cohort)
    written = editorials(cohort) if with_editorials else {}
    return [
        KindBlock(kind, meeting, written.get(kind), found.get(kind, []))
        for kind, meeting in meetings(cohort).items()
    ]


def filename(pack: CommitteePack, variant: PackVariant) -> str:
    """Name a pack's download: cohort, kind, version, and the variant when pseudonymised."""
    name = f"{pack.cohort.name} - {_l('comité')} {KIND_FILE_NAMES[pack.kind_enum]} v{pack.number}"
    if variant is PackVariant.PSEUDONYMISED:
        name += f" ({VARIANT_LABELS[variant]})"
    return f"{name}.pdf"


def data_filename(pack: CommitteePack, fmt: str) -> str:
    """Name the « données du rapport » download of a pack."""
    kind = KIND_FILE_NAMES[pack.kind_enum]
    return f"{pack.cohort.name} - {_l('données du rapport')} {kind} v{pack.number}.{fmt}"
