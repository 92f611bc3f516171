"""Files attached to the suivi: follow-up records, field-visit reports, journal entries.

The bytes are kept by ``parcours.storage`` (checked by their content, SHA-256, thumbnail of
a photo); an :class:`~parcours.suivi.models.Attachment` row ties one stored file to one
owner. Who reads an attachment is who reads its owner
(``permissions.can_read_attachment``); who removes it is who may change its owner
(``permissions.can_remove_attachment``). The Comité d'orientation and other cohorts read
none.

To give an owner attachments (its form, its save, its page)::

    # forms.py: a multipart form
    from parcours.storage.forms import FilesField
    attachments = FilesField(_l("Pièces jointes"))

    # views.py, in the save path, after the owner is flushed (it needs its id)
    from parcours.suivi import attachments
    attachments.attach(record, form.attachments.data, user=current_user)

    # queries / views: every owner of a page in one query, thumbnails included
    shown = attachments.listed([record])            # {record: [Line, …]}, never N+1
    shown = attachments.listed(entries)             # a list page: one query for all

    # templates: the form's input, and the list (with « Retirer » for those who may)
    {% from "storage/_files.html" import file_input %}
    <form method="post" enctype="multipart/form-data"> … {{ file_input(form.attachments) }}
    {% from "suivi/_attachments.html" import attachment_list %}
    {{ attachment_list(shown[record], removable=can_edit, back=request.path) }}

- :func:`attach` stores each upload (``storage.files.store``, which raises
  ``storage.files.Refused``; a ``FilesField`` has already checked them, so a refused file
  shows on its form with everything else typed kept) and adds one Attachment per file; it
  flushes, never commits.
- :func:`listed` returns, for each owner given, its attachments still there, oldest first, as
  :class:`Line` rows that the ``file_list`` macro of ``templates/storage/_files.html`` shows
  (name, type, size, SHA-256, who added it and when, a thumbnail for a photo).
- :func:`remove` hides an attachment (``removed_at``/``removed_by_id``, logged); it then
  answers 404 at its address, as does its thumbnail.
- Downloads: ``suivi.attachment`` (``/suivi/attachments/<id>``) and
  ``suivi.attachment_thumbnail`` (``…/thumbnail``), both through ``@handles`` with
  ``can_read_attachment``, sent by ``storage.files.send``: ``Content-Disposition:
  attachment``, ``X-Content-Type-Options: nosniff``, ``Cache-Control: private, no-cache``.
  ``suivi.remove_attachment`` (POST, with a ``next`` path to go back to) removes one.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from parcours.accounts.models import User
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.storage import files
from parcours.storage.models import StoredFile
from parcours.suivi.models import Attachment, FieldVisitReport, FollowUpRecord, JournalEntry

logger = logging.getLogger(__name__)

Owner = FollowUpRecord | FieldVisitReport | JournalEntry

#: The column of Attachment that names each kind of owner.
_OWNER_COLUMNS = {
    FollowUpRecord: "record_id",
    FieldVisitReport: "visit_report_id",
    JournalEntry: "journal_entry_id",
}


def _column(owner: Owner) -> str:
    try:
        return _OWNER_COLUMNS[type(owner)]
    except KeyError:
        raise TypeError(f"{type(owner).__name__} takes no attachments") from None


def attach(owner: Owner, uploads: Iterable[FileStorage], *, user: User) -> list[Attachment]:
    """Store each upload and attach it to ``owner``; return the new attachments.

    Raises ``storage.files.Refused`` for a file that cannot be kept (check them first with a
    FilesField). Flushes, never commits.
    """
    column = _column(owner)
    if owner.id is None:
        db.session.flush()  # the owner needs its id
    added = []
    moment = now_utc()
    for upload in uploads:
        stored = files.store(upload, user_id=user.id)
        attachment = Attachment(file=stored, added_by_id=user.id, added_at=moment)
        setattr(attachment, column, owner.id)
        db.session.add(attachment)
        added.append(attachment)
    if added:
        db.session.flush()
        logger.info(
            "%d file(s) attached to %s %s by user %s",
            len(added),
            type(owner).__name__,
            owner.id,
            user.id,
        )
    return added


def remove(attachment: Attachment, user: User) -> None:
    """Hide an attachment: kept, with who removed it and when; its address then answers 404."""
    attachment.removed_at = now_utc()
    attachment.removed_by_id = user.id
    db.session.flush()
    owner = _owner_of(attachment)
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=user,
        cohort=owner.territory.cohort_id,
        target=attachment,
        details={"owner_type": owner.__tablename__, "owner_id": owner.id},
    )
    logger.info("Attachment %s removed by user %s", attachment.id, user.id)


def _owner_of(attachment: Attachment) -> Owner:
    if attachment.record_id is not None:
        return db.session.get(FollowUpRecord, attachment.record_id)
    if attachment.visit_report_id is not None:
        return db.session.get(FieldVisitReport, attachment.visit_report_id)
    return db.session.get(JournalEntry, attachment.journal_entry_id)


@dataclass(frozen=True)
class Line:
    """An attachment as the ``file_list`` macro shows it."""

    attachment: Attachment
    file: StoredFile
    url: str
    thumbnail_url: str | None
    added_by: str | None
    added_at: datetime


def listed(owners: Sequence[Owner]) -> dict[Owner, list[Line]]:
    """Return the attachments of every owner given (each key present), in one query."""
    found: dict[Owner, list[Line]] = {owner: [] for owner in owners}
    by_key = {(_column(owner), owner.id): owner for owner in owners if owner.id is not None}
    if not by_key:
        return found
    ids = defaultdict(set)
    for column, identifier in by_key:
        ids[column].add(identifier)
    wanted = [getattr(Attachment, column).in_(chosen) for column, chosen in ids.items()]
    rows = db.session.scalars(
        select(Attachment)
        .where(Attachment.removed_at.is_(None), or_(*wanted))
        .options(joinedload(Attachment.file), joinedload(Attachment.added_by))
        .order_by(Attachment.added_at, Attachment.id)
    )
    for attachment in rows:
        owner = next(
            by_key[key]
            for column in _OWNER_COLUMNS.values()
            if (key := (column, getattr(attachment, column))) in by_key
        )
        found[owner].append(line(attachment))
    return found


def line(attachment: Attachment) -> Line:
    """Return one attachment as the list shows it: its links, who added it and when."""
    has_thumbnail = attachment.file.thumbnail_id is not None
    return Line(
        attachment=attachment,
        file=attachment.file,
        url=url_for("suivi.attachment", attachment_id=attachment.id),
        thumbnail_url=(
            url_for("suivi.attachment_thumbnail", attachment_id=attachment.id)
            if has_thumbnail
            else None
        ),
        added_by=attachment.added_by.full_name if attachment.added_by else None,
        added_at=attachment.added_at,
    )


def live(attachment_id: int) -> Attachment | None:
    """Return an attachment still there (the loader of its pages: a removed one is a 404)."""
    return db.session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id, Attachment.removed_at.is_(None))
        .options(joinedload(Attachment.file))
    )
