"""Producing a person's export: gathered, rendered, and recorded in the audit log."""

from dataclasses import dataclass

from parcours.accounts.models import User
from parcours.audit.models import AuditAction
from parcours.audit.operations import record
from parcours.core.time import now_utc
from parcours.privacy.personal_data import gather
from parcours.privacy.personal_data_render import to_html, to_json

FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    mimetype: str


def can_export_for(user: User, person: User) -> bool:
    """Another person's export (a request received by post or e-mail): administrators only."""
    return user.is_authenticated and user.is_admin


def export(person: User, fmt: str, *, by: User) -> Export:
    """Return ``person``'s data as ``fmt`` (json, html); the download goes in the audit log."""
    data = gather(person)
    content = to_json(data) if fmt == "json" else to_html(data, person_name=person.full_name)
    record(
        AuditAction.PERSONAL_DATA_DOWNLOADED,
        actor=by,
        subject=person,
        target=person,
        object_type="user",
        details={"format": fmt},
    )
    day = now_utc().date().isoformat()
    return Export(content, f"mes-donnees-parcours-{person.id}-{day}.{fmt}", FORMATS[fmt])
