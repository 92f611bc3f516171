"""Packs of the test world written straight into their table, for the pages that list them.

Generation itself (gather, render, freeze) is tested in ``test_generation.py``; the pages
and downloads only need rows with bytes whose SHA-256 is known.
"""

import hashlib
from datetime import UTC, datetime

from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import CommitteePack
from parcours.evaluation.packs.gather import gather

GENERATED_AT = datetime(2026, 3, 6, 15, 30, tzinfo=UTC)


def fake_pdf(label: str) -> bytes:
    return f"%PDF-1.4\n% {label}\n%%EOF\n".encode()


def stored_pack(cohort_id: int, kind: str = "launch", number: int = 1, *, by_id=None, at=None):
    """Write a pack version with small distinct bytes and the cohort's real data; flushed."""
    full, pseudo = fake_pdf(f"{kind} v{number}"), fake_pdf(f"{kind} v{number} pseudo")
    pack = CommitteePack(
        cohort_id=cohort_id,
        kind=kind,
        number=number,
        generated_at=at or GENERATED_AT,
        generated_by_id=by_id,
        app_version="0.1.0",
        snapshot=gather(
            db.session.get(Cohort, cohort_id), PackKind(kind), now=at or GENERATED_AT
        ).snapshot(),
        pdf=full,
        sha256=hashlib.sha256(full).hexdigest(),
        pages=3,
        pseudonymised_pdf=pseudo,
        pseudonymised_sha256=hashlib.sha256(pseudo).hexdigest(),
    )
    db.session.add(pack)
    db.session.flush()
    return pack
