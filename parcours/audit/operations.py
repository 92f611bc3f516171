"""Writing the audit log. Never commits: the entry goes with the action's transaction."""

from collections.abc import Mapping

from flask import has_request_context, request

from parcours.audit import export, queries
from parcours.audit.filters import AuditFilter
from parcours.audit.models import AuditAction, AuditEntry
from parcours.core.extensions import db
from parcours.core.time import now_utc

#: Detail values are short facts; anything longer is cut so that no free text slips in whole.
MAX_DETAIL_LENGTH = 80


def _address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def _id(value) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.id


def _clean(details: Mapping | None) -> dict:
    cleaned = {}
    for key, value in (details or {}).items():
        if value is None or isinstance(value, bool | int | float):
            cleaned[str(key)] = value
        else:
            cleaned[str(key)] = str(value)[:MAX_DETAIL_LENGTH]
    return cleaned


def record(
    action: AuditAction,
    *,
    actor=None,
    subject=None,
    cohort=None,
    target=None,
    object_type: str | None = None,
    details: Mapping | None = None,
) -> AuditEntry:
    """Add one entry for ``action`` to the session, in the caller's transaction.

    ``actor``, ``subject`` and ``cohort`` take a model or an id. ``target`` is the object the
    action touched (any model with an ``id``); its type name is its table's unless
    ``object_type`` says otherwise.
    """
    if object_type is None and target is not None and hasattr(target, "__tablename__"):
        object_type = target.__tablename__
    entry = AuditEntry(
        at=now_utc(),
        action=AuditAction(action).value,
        actor_id=_id(actor),
        subject_id=_id(subject),
        cohort_id=_id(cohort),
        object_type=(object_type or "")[:40],
        object_id=_id(target),
        address=_address(),
        details=_clean(details),
    )
    db.session.add(entry)
    return entry


def export_entries(filters: AuditFilter, *, by, cohort=None) -> tuple[bytes, int]:
    """Return the entries ``filters`` match as CSV, and record the export itself.

    The export's own entry goes with the request's transaction, so a failed download leaves
    no trace of an export that did not happen.
    """
    found = queries.all_entries(filters)
    record(
        AuditAction.EXPORTED,
        actor=by,
        cohort=cohort,
        object_type="audit_entries",
        details={"rows": len(found)},
    )
    return export.csv_content(found), len(found)
