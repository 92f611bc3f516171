"""Survey pages: a cohort's surveys, one survey's management, answering, results, exports."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from parcours.cohorts.permissions import membership
from parcours.core.extensions import db
from parcours.core.pipeline import handles
from parcours.core.time import now_utc
from parcours.evaluation.blueprint import bp
from parcours.evaluation.models import Consent, Survey
from parcours.evaluation.surveys import operations as ops
from parcours.evaluation.surveys import permissions as can
from parcours.evaluation.surveys import queries
from parcours.evaluation.surveys.forms import DECLINED, AnswerForm, Typed, field_name

ANSWER = "evaluation/surveys/answer.html"
REFUSED = "evaluation/surveys/refused.html"


# -- Answering ---------------------------------------------------------------------------------


def _refusal_message(survey: Survey, refusal: queries.Refusal) -> str:
    if refusal is queries.Refusal.NOT_INVITED:
        if survey.event_id is not None:
            return _(
                "Vous n'êtes pas invité·e à répondre à ce questionnaire : il s'adresse aux "
                "catalyseurs présents à la session."
            )
        return _("Vous n'êtes pas invité·e à répondre à ce questionnaire.")
    if refusal is queries.Refusal.ANSWERED:
        return _("Vous avez déjà répondu à ce questionnaire. Merci !")
    return _("Ce questionnaire est clos : il ne reçoit plus de réponses.")


def _refused(survey: Survey, refusal: queries.Refusal):
    return render_template(
        REFUSED,
        survey=survey,
        message=_refusal_message(survey, refusal),
        refusal=refusal,
    ), queries.REFUSAL_STATUS[refusal]


def _answer_page(survey, form, typed, *, errors=None, draft=None, status=200):
    return render_template(
        ANSWER,
        survey=survey,
        questions=survey.questions,
        form=form,
        typed=typed,
        errors=errors or {},
        draft=draft,
        field_name=field_name,
        declined=DECLINED,
        consents=list(Consent),
    ), status


@bp.route("/questionnaires/<int:survey_id>", methods=["GET", "POST"])
@handles(load={"survey": Survey}, allow=can.may_answer)
def answer_survey(survey: Survey):
    """Answer a survey I am invited to: once, anonymous or not as the survey says."""
    now = now_utc()
    refusal = queries.refusal(survey, current_user, now)
    if refusal is not None:
        return _refused(survey, refusal)
    draft = ops.draft_of(survey, current_user)
    form = AnswerForm()
    if request.method == "GET":
        typed = Typed.from_answers(draft.answers) if draft is not None else Typed()
        return _answer_page(survey, form, typed, draft=draft)
    questions = list(survey.questions)
    typed = Typed.from_form(request.form, questions)
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : vos réponses sont gardées, renvoyez-le."), "error")
        return _answer_page(survey, form, typed, draft=draft, status=400)
    keep_draft = request.form.get("action") == "draft" and not survey.anonymous
    answers, errors = typed.answers_for(questions, submit=not keep_draft)
    if errors:
        return _answer_page(survey, form, typed, errors=errors, draft=draft, status=422)
    member = membership(current_user, survey.cohort_id)
    try:
        ops.answer_survey(
            survey,
            current_user,
            answers,
            now=now,
            territory_id=member.territory_id if member is not None else None,
            draft=keep_draft,
        )
    except ops.SurveyRefused as refused:
        flash(str(refused), "error")
        return _answer_page(survey, form, typed, draft=draft, status=409)
    except (StaleDataError, IntegrityError):
        # Sent twice at once (two tabs, a double click): the other one was saved.
        db.session.rollback()
        return _refused(survey, queries.Refusal.ANSWERED)
    if keep_draft:
        flash(_("Brouillon enregistré : vous pourrez le reprendre avant la clôture."), "success")
        return redirect(url_for(".answer_survey", survey_id=survey.id))
    flash(_("Vos réponses sont envoyées. Merci !"), "success")
    return redirect(url_for("cohorts.my_path", cohort_id=survey.cohort_id))
