"""Pack actions: write the editorial, generate (freeze) a version, log a download.

They flush, never commit: the request commits once.
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from importlib import metadata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from parcours.accounts.models import User
from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort
from parcours.core.conflicts import Conflict
from parcours.core.extensions import db
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import CommitteePack, PackDownload, PackEditorial, PackVariant
from parcours.evaluation.packs import queries
from parcours.evaluation.packs.codes import assign_codes
from parcours.evaluation.packs.gather import gather
from parcours.evaluation.packs.render import render

# The codes this domain writes in the audit log, in words (audit/labels.py).
audit_labels.name_values("kind", queries.KIND_LABELS)
audit_labels.name_values("variant", queries.VARIANT_LABELS)
audit_labels.name_values("document", {"committee_pack": _l("dossier du comité")})

logger = logging.getLogger(__name__)

#: How many numbers a generation tries when others take them at the same moment.
NUMBER_ATTEMPTS = 5
EDITORIAL_PARTS = ("highlights", "concerns", "recommendations")


class PackRefused(Exception):
    """A pack cannot be generated (its message says why, in the reader's language)."""


def app_version() -> str:
    """Return the application's version, as its package says (stored with each pack)."""
    try:
        return metadata.version("parcours")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def save_editorial(
    cohort: Cohort, kind: PackKind, parts: Mapping[str, str], *, by: User, now: datetime
) -> PackEditorial:
    """Write the editorial section of the cohort's ``kind`` pack: the next version copies it.

    The first save creates it; one created meanwhile by someone else is a :class:`Conflict`
    (the caller checked the version it showed, see ``queries.UNWRITTEN``).
    """
    texts = {part: (parts.get(part) or "").strip() for part in EDITORIAL_PARTS}
    editorial = queries.editorial(cohort, kind)
    if editorial is None:
        editorial = PackEditorial(
            cohort_id=cohort.id, kind=kind, updated_at=now, updated_by_id=by.id, **texts
        )
        try:
            with db.session.begin_nested():
                db.session.add(editorial)
        except IntegrityError as error:  # the other one's first save won the unique key
            raise Conflict from error
    else:
        for part, text in texts.items():
            if getattr(editorial, part) != text:
                setattr(editorial, part, text)
        if db.session.is_modified(editorial):
            editorial.updated_at, editorial.updated_by_id = now, by.id
        db.session.flush()
    logger.info("Editorial of the %s pack of cohort %s saved by user %s", kind, cohort.id, by.id)
    return editorial


def generate_pack(cohort: Cohort, kind: PackKind, *, by: User, now: datetime) -> CommitteePack:
    """Gather, render and freeze the next version of the cohort's ``kind`` pack.

    Both PDFs (full and pseudonymised), the data they were drawn from, the application's
    version and each file's SHA-256 are stored; nothing of it changes afterwards (the table
    is kept as written). Two coordinators generating at once get two numbers.
    """
    if kind not in queries.pack_kinds(cohort):
        raise PackRefused(_("Le programme de cette cohorte ne prévoit pas ce comité."))
    try:
        with db.session.begin_nested():
            codes = assign_codes(cohort)
    except IntegrityError:  # another generation gave the same codes at the same moment
        raise PackRefused(_("D'autres dossiers sont générés en ce moment : réessayez.")) from None
    data = gather(cohort, kind, now=now, editorial=queries.editorial(cohort, kind))
    full = render(data, pseudonymised=False)
    pseudonymised = render(data, pseudonymised=True, codes=codes)
    fields = {
        "cohort_id": cohort.id,
        "kind": kind,
        "generated_at": now,
        "generated_by_id": by.id,
        "app_version": app_version(),
        "snapshot": data.snapshot(),
        "pdf": full.pdf,
        "sha256": hashlib.sha256(full.pdf).hexdigest(),
        "pages": full.pages,
        "pseudonymised_pdf": pseudonymised.pdf,
        "pseudonymised_sha256": hashlib.sha256(pseudonymised.pdf).hexdigest(),
    }
    for _attempt in range(NUMBER_ATTEMPTS):
        pack = CommitteePack(number=next_number(cohort, kind), **fields)
        try:
            with db.session.begin_nested():
                db.session.add(pack)
        except IntegrityError:  # another generation took that number: take the next one
            continue
        audit.record(
            AuditAction.PACK_GENERATED,
            actor=by,
            cohort=cohort,
            target=pack,
            details={"kind": str(kind), "version": pack.number, "variants": "full,pseudonymised"},
        )
        logger.info(
            "Pack %s v%s of cohort %s generated by user %s", kind, pack.number, cohort.id, by.id
        )
        return pack
    raise PackRefused(_("D'autres dossiers sont générés en ce moment : réessayez."))


def next_number(cohort: Cohort, kind: PackKind) -> int:
    """Return the number the next version of the cohort's ``kind`` pack takes."""
    latest = db.session.scalar(
        select(func.max(CommitteePack.number)).where(
            CommitteePack.cohort_id == cohort.id, CommitteePack.kind == kind
        )
    )
    return (latest or 0) + 1


def log_download(
    pack: CommitteePack, variant: PackVariant, *, by: User, now: datetime
) -> PackDownload:
    """Record that ``by`` downloaded ``pack`` in ``variant`` (in the download's transaction)."""
    download = PackDownload(pack_id=pack.id, user_id=by.id, variant=variant, downloaded_at=now)
    db.session.add(download)
    audit.record(
        AuditAction.REPORT_DOWNLOADED,
        actor=by,
        cohort=pack.cohort_id,
        target=pack,
        details={
            "document": "committee_pack",
            "kind": pack.kind,
            "version": pack.number,
            "variant": str(variant),
        },
    )
    db.session.flush()
    logger.info("Pack %s (%s) downloaded by user %s", pack.id, variant, by.id)
    return download
