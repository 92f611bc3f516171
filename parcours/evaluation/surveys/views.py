"""Survey pages: a cohort's surveys, one survey's management, answering, results, exports."""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from parcours.agenda.models import Event
from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import membership
from parcours.cohorts.queries import start_page
from parcours.core import errors
from parcours.core.converters import is_id
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import SAFE_METHODS, handles
from parcours.core.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE
from parcours.core.time import now_utc
from parcours.curricula.schema import EventKind, QuestionKind, SurveyKind
from parcours.evaluation.blueprint import bp
from parcours.evaluation.models import MIN_ANONYMOUS_ANSWERS, Consent, Survey
from parcours.evaluation.surveys import exports, queries, results
from parcours.evaluation.surveys import operations as ops
from parcours.evaluation.surveys import permissions as can
from parcours.evaluation.surveys import sections as _sections  # noqa: F401  (receivers)
from parcours.evaluation.surveys.forms import (
    DECLINED,
    KIND_LABELS,
    AnswerForm,
    QuestionForm,
    Typed,
    field_name,
)
from parcours.reports import charts

audit_labels.name_values("document", {"survey_answers": _l("réponses au questionnaire")})

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
        back_url=url_for("cohorts.my_path", cohort_id=survey.cohort_id),
        back_label=_("Mon parcours"),
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
    if request.method in SAFE_METHODS:
        typed = Typed.from_answers(draft.answers) if draft is not None else Typed()
        return _answer_page(survey, form, typed, draft=draft)
    questions = list(survey.questions)
    typed = Typed.from_form(request.form, questions)
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : vos réponses sont gardées, renvoyez-le."), "error")
        return _answer_page(survey, form, typed, draft=draft, status=400)
    # « Enregistrer le brouillon » is only offered where drafts are kept; sent otherwise.
    keep_draft = request.form.get("action") == "draft" and survey.keeps_drafts
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


# -- A cohort's surveys ---------------------------------------------------------------------------


def _back(cohort: Cohort) -> tuple[str, str]:
    return start_page(current_user, cohort)


@bp.get("/cohorts/<int:cohort_id>/questionnaires")
@handles(load={"cohort": Cohort}, allow=can.can_read_surveys)
def surveys(cohort: Cohort):
    """List the cohort's surveys: one per collective session, and the final one."""
    back_url, back_label = _back(cohort)
    return render_template(
        "evaluation/surveys/list.html",
        cohort=cohort,
        rows=queries.cohort_surveys(cohort, now_utc()),
        manages=can.can_manage_surveys(current_user, cohort),
        form=EmptyForm(),
        back_url=back_url,
        back_label=back_label,
    )


def _templates(cohort: Cohort):
    return {template.code: template for template in cohort.curriculum.surveys}


@bp.post("/cohorts/<int:cohort_id>/questionnaires/preparer")
@handles(load={"cohort": Cohort}, allow=can.can_manage_surveys)
def prepare_survey(cohort: Cohort):
    """Prepare a session's or the final survey in advance, so that questions can be added."""
    back_url = url_for(".surveys", cohort_id=cohort.id)
    if not EmptyForm().validate_on_submit():
        return errors.refused(errors.EXPIRED, back_url=back_url)
    template = _templates(cohort).get(request.form.get("template", ""))
    event = None
    raw_event = request.form.get("event", "")
    if raw_event:
        event = db.session.get(Event, int(raw_event)) if is_id(raw_event) else None
        if event is None or event.cohort_id != cohort.id or event.kind != EventKind.SESSION:
            event = None
            template = None
    if template is None or (template.kind == SurveyKind.SESSION) != (event is not None):
        return errors.refused(
            _("Ce questionnaire n'existe pas pour cette cohorte."), back_url=back_url
        )
    survey = ops.prepare_survey(cohort, template, event)
    flash(_("Le questionnaire est préparé : vous pouvez y ajouter des questions."), "success")
    return redirect(url_for(".survey", survey_id=survey.id))


# -- One survey, for its coordinators ------------------------------------------------------------


def _manage_page(survey: Survey, *, question_form=None, status=200):
    now = now_utc()
    if question_form is None and survey.is_prepared():
        question_form = QuestionForm(formdata=None, anonymous=survey.anonymous)
    invited, responses = queries.survey_counts(survey)
    return render_template(
        "evaluation/surveys/manage.html",
        survey=survey,
        cohort=survey.cohort,
        questions=survey.questions,
        state=queries.state_of(survey, now),
        ends_at=queries.closed_at(survey),
        invited=invited,
        responses=responses,
        answers_hidden=results.answers_hidden(survey, responses, now),
        min_answers=MIN_ANONYMOUS_ANSWERS,
        question_form=question_form,
        form=EmptyForm(),
        kind_labels=KIND_LABELS,
    ), status


@bp.get("/questionnaires/<int:survey_id>/gestion")
@handles(load={"survey": Survey}, allow=can.can_manage_survey)
def survey(survey: Survey):
    """Show a survey to its coordinators: its questions, its mode, its state and actions."""
    return _manage_page(survey)


@bp.post("/questionnaires/<int:survey_id>/questions")
@handles(load={"survey": Survey}, allow=can.can_manage_survey)
def add_question(survey: Survey):
    """Add a question of the cohort's own to a survey that has not opened yet."""
    form = QuestionForm(anonymous=survey.anonymous)
    if not survey.is_prepared():
        flash(_("Ce questionnaire est ouvert : ses questions ne changent plus."), "error")
        return _manage_page(survey, status=409)
    if not form.validate_on_submit():
        return _manage_page(survey, question_form=form, status=400)
    try:
        ops.add_question(
            survey,
            kind=QuestionKind(form.kind.data),
            text=form.text.data,
            help=form.help.data or "",
            labels=form.scale_labels,
            options=form.choice_labels,
            allow_decline=form.allow_decline.data,
            required=form.required.data,
            by=current_user,
        )
    except ops.SurveyRefused as refused:
        flash(str(refused), "error")
        return _manage_page(survey, question_form=form, status=409)
    flash(_("Question ajoutée."), "success")
    return redirect(url_for(".survey", survey_id=survey.id))


@bp.post("/questionnaires/<int:survey_id>/ouvrir")
@handles(load={"survey": Survey}, allow=can.can_manage_survey)
def open_survey(survey: Survey):
    """Open a prepared survey now, before the scheduler would."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _manage_page(survey, status=400)
    try:
        count = ops.open_survey(survey, now=now_utc(), by=current_user)
    except ops.SurveyRefused as refused:
        flash(str(refused), "error")
        return _manage_page(survey, status=409)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(_("Ce questionnaire est déjà ouvert."), "error")
        return _manage_page(survey, status=409)
    flash(
        ngettext(
            "Le questionnaire est ouvert : %(num)d personne y est invitée.",
            "Le questionnaire est ouvert : %(num)d personnes y sont invitées.",
            count,
        ),
        "success",
    )
    return redirect(url_for(".survey", survey_id=survey.id))


@bp.post("/questionnaires/<int:survey_id>/clore")
@handles(load={"survey": Survey}, allow=can.can_manage_survey)
def close_survey(survey: Survey):
    """Close an open survey now, before the end of its window."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _manage_page(survey, status=400)
    try:
        ops.close_survey(survey, now=now_utc(), by=current_user)
    except ops.SurveyRefused as refused:
        flash(str(refused), "error")
        return _manage_page(survey, status=409)
    except StaleDataError:
        db.session.rollback()
        flash(_("Ce questionnaire vient d'être modifié ailleurs : vérifiez son état."), "error")
        return _manage_page(survey, status=409)
    flash(_("Le questionnaire est clos."), "success")
    return redirect(url_for(".survey", survey_id=survey.id))


# -- Results and answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionChart:
    """A closed question's bar chart, ready for the page: its SVG, its table, its words."""

    chart: charts.BarChart

    @property
    def svg(self) -> Markup:
        drawing = charts.draw(self.chart, show_title=False)
        return Markup(charts.to_svg(drawing))  # noqa: S704  (reportlab's SVG, no user markup)

    @property
    def table(self) -> list[list[str]]:
        return charts.data_table(self.chart)

    @property
    def description(self) -> str:
        return charts.text_alternative(self.chart)


def _chart(question) -> QuestionChart | None:
    if question.hidden or not question.counts:
        return None
    return QuestionChart(
        charts.BarChart(
            title=question.text,
            bars=tuple(charts.Bar(count.label, count.count) for count in question.counts),
            label_heading=_("Réponse"),
            value_heading=_("Nombre"),
        )
    )


@bp.get("/questionnaires/<int:survey_id>/resultats")
@handles(load={"survey": Survey}, allow=can.can_read_results)
def survey_results(survey: Survey):
    """Show a survey's results: response rate, a chart per closed question, the texts."""
    result = results.survey_results([survey.id])[survey.id]
    back_url, back_label = _back(survey.cohort)
    return render_template(
        "evaluation/surveys/results.html",
        survey=survey,
        cohort=survey.cohort,
        result=result,
        charts={q.question_id: _chart(q) for q in result.questions},
        testimonies=[] if result.hidden else results.testimonies([survey.id]),
        state=queries.state_of(survey, now_utc()),
        manages=can.can_manage_survey(current_user, survey),
        minimum=MIN_ANONYMOUS_ANSWERS,
        format_value=charts.format_value,
        percent=format_percent,  # « 100 % » in French, « 100% » in English
        back_url=back_url,
        back_label=back_label,
    )


@bp.get("/questionnaires/<int:survey_id>/reponses.<any(csv, xlsx):extension>")
@handles(load={"survey": Survey}, allow=can.can_export_answers)
def survey_export(survey: Survey, extension: str):
    """Download a survey's answers, one row per response (anonymous ones with no author)."""
    try:
        if extension == "csv":
            content, mimetype = exports.answers_csv(survey), CSV_MIMETYPE
        else:
            content, mimetype = exports.answers_xlsx(survey), XLSX_MIMETYPE
    except exports.ExportRefused as refused:
        return render_template(
            REFUSED,
            survey=survey,
            message=str(refused),
            refusal="hidden",
            back_url=url_for(".survey_results", survey_id=survey.id),
            back_label=_("Résultats"),
        ), 409
    audit.record(
        AuditAction.EXPORTED,
        actor=current_user,
        cohort=survey.cohort_id,
        target=survey,
        details={"document": "survey_answers", "format": extension},
    )
    return file_response(content, exports.filename(survey, extension), mimetype)
