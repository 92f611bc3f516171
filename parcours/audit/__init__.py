"""The audit log: one append-only trace of every sensitive action, below every domain.

Domains call :func:`parcours.audit.operations.record` inside the operation they audit, so the
entry is written in the same transaction as the action (or not at all). Entries name people
and objects by id only and never hold assessment content.
"""
