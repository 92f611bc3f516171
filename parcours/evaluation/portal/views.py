"""The Comité d'orientation's space in a cohort: its packs, the cohort's figures, read-only."""

from flask import current_app, render_template, url_for
from flask_login import current_user

from parcours.cohorts.models import Cohort
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.core.time import now_utc
from parcours.evaluation.blueprint import bp
from parcours.evaluation.packs import permissions as can
from parcours.evaluation.packs import queries

#: The survey syntheses' page, when the surveys' pages are there to link to.
SURVEYS_ENDPOINT = "evaluation.surveys"


@bp.get("/cohorts/<int:cohort_id>/comite")
@handles(load={"cohort": Cohort}, allow=can.can_read_packs, cache_page=True)
def committee(cohort: Cohort):
    """Show a committee member's home in a cohort: every pack version, the cohort's pages."""
    now = now_utc()
    blocks = [block for block in queries.kind_blocks(cohort, with_editorials=False)]
    generated = any(block.versions for block in blocks)
    return render_template(
        "evaluation/portal/committee.html",
        cohort=cohort,
        blocks=blocks,
        generated=generated,
        next_meeting=None if generated else queries.next_meeting(cohort, now),
        surveys_url=_surveys_url(cohort),
        manages=can.can_manage_packs(current_user, cohort),
        form=EmptyForm(),
    )


def _surveys_url(cohort: Cohort) -> str | None:
    """Link the survey syntheses once their page exists (another feature of évaluation)."""
    if SURVEYS_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(SURVEYS_ENDPOINT, cohort_id=cohort.id)
