"""The outbox log of a cohort, for its coordinators."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from parcours.cohorts import permissions as can
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.outbox.models import OutboxMessage
from parcours.outbox.queries import readable_body

bp = Blueprint("outbox", __name__)

PAGE_SIZE = 50
MAX_PAGE = 10_000  # 500,000 messages; keeps the OFFSET far from 64-bit overflow


@bp.get("/cohorts/<int:cohort_id>/outbox")
@login_required
def log(cohort_id: int):
    """List the e-mails sent about a cohort, newest first, with their delivery state."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can.can_manage_cohort(current_user, cohort):
        abort(403)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    query = select(OutboxMessage).where(OutboxMessage.cohort_id == cohort.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    if page > 1 and not messages:
        abort(404)
    return render_template(
        "outbox/log.html",
        cohort=cohort,
        messages=messages,
        page=page,
        has_next=page * PAGE_SIZE < total,
        total=total,
    )


@bp.get("/cohorts/<int:cohort_id>/outbox/<int:message_id>")
@login_required
def message(cohort_id: int, message_id: int):
    """Show one e-mail of a cohort's log, with its body."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can.can_manage_cohort(current_user, cohort):
        abort(403)
    message = db.get_or_404(OutboxMessage, message_id)
    if message.cohort_id != cohort.id:
        abort(404)
    return render_template(
        "outbox/message.html", cohort=cohort, message=message, body=readable_body(message)
    )
