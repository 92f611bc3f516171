"""Reading the audit log."""

from sqlalchemy import select

from parcours.audit.models import LOGIN_ACTIONS, AuditEntry


def logins_of(user_id: int, limit: int = 100):
    """Return the statement for a person's own login entries, newest first (« mes connexions »)."""
    return (
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == user_id,
            AuditEntry.action.in_([action.value for action in LOGIN_ACTIONS]),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
