"""Competences pages: the cohort's referential, on screen, on paper and for Moodle.

Each feature's pages live in its subpackage; importing them here registers them on ``bp``.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from parcours.cohorts.models import Cohort
from parcours.cohorts.queries import start_page
from parcours.competences import permissions as can
from parcours.competences import queries
from parcours.competences.blueprint import bp
from parcours.core.downloads import file_response
from parcours.core.pipeline import handles
from parcours.curricula.moodle import MoodleExportError


@bp.get("/cohorts/<int:cohort_id>/referentiel")
@handles(load={"cohort": Cohort}, allow=can.can_read_referential)
def referential(cohort: Cohort):
    """Show the cohort's referential: its level scale, its domains and their competences."""
    back_url, back_label = start_page(current_user, cohort)
    return render_template(
        "competences/referential.html",
        cohort=cohort,
        referential=queries.cohort_referential(cohort),
        back_url=back_url,
        back_label=back_label,
    )


@bp.get("/cohorts/<int:cohort_id>/referentiel.csv")
@handles(load={"cohort": Cohort}, allow=can.can_read_referential)
def referential_csv(cohort: Cohort):
    """Download the cohort's referential as a Moodle competency framework file."""
    try:
        content, filename = queries.moodle_file(cohort)
    except MoodleExportError as error:
        flash(str(error), "error")
        return redirect(url_for(".referential", cohort_id=cohort.id))
    return file_response(content, filename, "text/csv")


from parcours.competences.campaigns import views as _campaigns  # noqa: E402, F401
from parcours.competences.exports import views as _exports  # noqa: E402, F401
from parcours.competences.progression import views as _progression  # noqa: E402, F401
from parcours.competences.self_assessment import views as _self_assessment  # noqa: E402, F401
from parcours.competences.viewpoints import views as _viewpoints  # noqa: E402, F401
