"""The outbox log of a cohort, for its coordinators."""

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select

from parcours.cohorts import permissions as can
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.pipeline import handles
from parcours.outbox.models import OutboxMessage

bp = Blueprint("outbox", __name__)

PAGE_SIZE = 50
MAX_PAGE = 10_000  # 500,000 messages; keeps the OFFSET far from 64-bit overflow


@bp.get("/cohorts/<int:cohort_id>/outbox")
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def log(cohort: Cohort):
    """List the e-mails sent about a cohort, newest first, with their delivery state."""
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
