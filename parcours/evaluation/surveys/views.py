"""Survey pages: answering, following, results."""

from flask import abort

from parcours.core.pipeline import LOGGED_IN, handles
from parcours.evaluation.blueprint import bp
from parcours.evaluation.models import Survey


@bp.get("/questionnaires/<int:survey_id>")
@handles(load={"survey": Survey}, allow=LOGGED_IN)
def answer_survey(survey: Survey):
    """Answer a survey (the page comes with the survey's form)."""
    abort(404)
