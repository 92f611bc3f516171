"""The home page: each person's cohorts, with the page their role needs."""

from flask import Blueprint, render_template
from flask_login import current_user

from parcours.cohorts import permissions as can
from parcours.cohorts import queries
from parcours.core.pipeline import LOGGED_IN, handles

bp = Blueprint("home", __name__)


@bp.get("/")
@handles(allow=LOGGED_IN, cache_page=True)
def index():
    """List my cohorts and where each of my roles starts."""
    return render_template(
        "home.html",
        cohorts=queries.my_cohorts(current_user),
        can_create=can.can_create_cohort(current_user),
    )
