"""The coordinator's view of the suivi across the cohort, per coach, sortable."""

from flask import render_template, request
from flask_login import current_user

from parcours.cohorts.models import Cohort
from parcours.core.pipeline import handles
from parcours.suivi import permissions as can
from parcours.suivi.blueprint import bp
from parcours.suivi.dashboards import queries
from parcours.suivi.dashboards import sections as _sections  # noqa: F401  (connects them)

#: The columns of the table, in order: sort key and header.
COLUMNS = (
    "territory",
    "coach",
    "last_record",
    "next_meeting",
    "open_items",
    "overdue_items",
    "last_entry",
    "maturity",
)


@bp.get("/cohorts/<int:cohort_id>/suivi")
@handles(load={"cohort": Cohort}, allow=can.can_view_cohort_suivi)
def show_cohort_suivi(cohort: Cohort):
    """Show the suivi of every territory of the cohort: per coach, the late ones highlighted."""
    dashboard = queries.cohort_dashboard(
        cohort, current_user, sort=request.args.get("sort"), coach=request.args.get("coach")
    )
    return render_template(
        "suivi/dashboards/cohort.html",
        cohort=cohort,
        dashboard=dashboard,
        columns=COLUMNS,
    )
