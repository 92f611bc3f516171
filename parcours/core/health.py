"""Health check for monitoring."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from parcours.core.extensions import csrf, db
from parcours.core.pipeline import ANYONE, handles

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@csrf.exempt
@handles(allow=ANYONE)
def healthz():
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok"), 200
