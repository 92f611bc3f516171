"""Attachment downloads, thumbnails and removal, for every owner in the suivi."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.core.urls import safe_next
from parcours.storage import files
from parcours.suivi import attachments
from parcours.suivi import permissions as can
from parcours.suivi.blueprint import bp
from parcours.suivi.models import Attachment


@bp.get("/suivi/attachments/<int:attachment_id>")
@handles(load={"attachment": attachments.live}, allow=can.can_read_attachment)
def attachment(attachment: Attachment):
    """Send an attached file to those who read what it is attached to."""
    return files.send(attachment.file)


@bp.get("/suivi/attachments/<int:attachment_id>/thumbnail")
@handles(load={"attachment": attachments.live}, allow=can.can_read_attachment)
def attachment_thumbnail(attachment: Attachment):
    """Send the thumbnail of an attached photo (404 for a file that has none)."""
    return files.send(attachment.file, thumbnail=True)


@bp.post("/suivi/attachments/<int:attachment_id>/remove")
@handles(load={"attachment": attachments.live}, allow=can.can_remove_attachment)
def remove_attachment(attachment: Attachment):
    """Remove an attachment (those who may change what it is attached to), then go back."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    attachments.remove(attachment, current_user)
    flash(_("« %(name)s » est retiré.", name=attachment.file.filename), "success")
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))
