"""Campaign pages: a cohort's moments, a campaign and its follow-up, the coordinator's actions."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.cohorts.queries import start_page
from parcours.competences import answers as ans
from parcours.competences import permissions as can
from parcours.competences.blueprint import bp
from parcours.competences.campaigns import operations, queries
from parcours.competences.campaigns import sections as _sections  # noqa: F401  (receivers)
from parcours.competences.campaigns.forms import CloseForm, ExtendForm
from parcours.competences.models import Assessment, AssessmentCampaign
from parcours.competences.sections import campaign_blocks
from parcours.core import conflicts, errors
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.core.time import now_utc
from parcours.curricula.schema import EventKind

PAGE = "competences/campaigns/campaign.html"


def _moment(cohort: Cohort, event_id: int) -> Event | None:
    event = db.session.get(Event, event_id)
    if event is None or event.cohort_id != cohort.id or event.kind != EventKind.ASSESSMENT:
        return None
    return event


def _answer(campaign: AssessmentCampaign, assessment_id: int) -> Assessment | None:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.campaign_id != campaign.id:
        return None
    return assessment


def _back(cohort: Cohort) -> tuple[str, str]:
    return start_page(current_user, cohort)


@bp.get("/cohorts/<int:cohort_id>/auto-evaluations")
@handles(load={"cohort": Cohort}, allow=can.can_see_campaigns)
def campaigns(cohort: Cohort):
    """List the cohort's assessment moments, their window, state and answers."""
    back_url, back_label = _back(cohort)
    return render_template(
        "competences/campaigns/list.html",
        cohort=cohort,
        rows=queries.moment_rows(cohort, now_utc()),
        runs=can.can_run_campaigns(current_user, cohort),
        form=EmptyForm(),
        back_url=back_url,
        back_label=back_label,
    )


@bp.post("/cohorts/<int:cohort_id>/auto-evaluations/<int:event_id>/ouvrir")
@handles(load={"cohort": Cohort, "event": _moment}, allow=can.can_run_campaigns)
def open_campaign(cohort: Cohort, event: Event):
    """Open a moment's campaign now, before its date; every catalyseur is told by e-mail."""
    if not EmptyForm().validate_on_submit():
        return errors.refused(errors.EXPIRED, back_url=url_for(".campaigns", cohort_id=cohort.id))
    from parcours.competences import operations as ops

    try:
        campaign, opened = ops.open_campaign(event, by=current_user)
    except ops.CampaignRefused as error:
        return errors.refused(
            str(error), back_url=url_for(".campaigns", cohort_id=cohort.id), status=409
        )
    if opened:
        flash(_("La campagne est ouverte ; les catalyseurs en sont avertis par e-mail."), "success")
    else:
        flash(_("Cette campagne était déjà ouverte."), "info")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


def _page(campaign: AssessmentCampaign, *, extend=None, close=None, conflict=None, status=200):
    runs = can.can_run_campaign(current_user, campaign)
    now = now_utc()
    if runs:
        if extend is None:
            extend = ExtendForm(formdata=None)
            extend.version.data = campaign.version
        if close is None:
            close = CloseForm(formdata=None)
            close.version.data = campaign.version
    back_url, back_label = _back(campaign.cohort)
    return render_template(
        PAGE,
        campaign=campaign,
        cohort=campaign.cohort,
        is_open=campaign.is_open(now),
        last_day=queries.last_answering_day(campaign),
        blocks=campaign_blocks(campaign, current_user),
        runs=runs,
        extend_form=extend,
        close_form=close,
        conflict=conflict,
        back_url=back_url,
        back_label=back_label,
    ), status


@bp.get("/auto-evaluations/<int:campaign_id>")
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_see_campaign)
def campaign(campaign: AssessmentCampaign):
    """Show a campaign: its window, what each viewer may do in it, the coordinator's follow-up."""
    return _page(campaign)


def _stale(form, campaign: AssessmentCampaign, stored, **forms):
    conflict = conflicts.differences(form, stored)
    conflicts.rebase(form, campaign)
    return _page(campaign, conflict=conflict, status=409, **forms)


@bp.post("/auto-evaluations/<int:campaign_id>/prolonger")
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_run_campaign)
def extend_campaign(campaign: AssessmentCampaign):
    """Move the campaign's last answering day later (a closed campaign reopens)."""
    form = ExtendForm()
    if not form.validate_on_submit():
        return _page(campaign, extend=form, status=400)
    try:
        with conflicts.versioned(form, campaign):
            operations.extend(campaign, form.last_day.data, by=current_user)
    except conflicts.Conflict:
        stored = ExtendForm(formdata=None)
        stored.last_day.data = queries.last_answering_day(campaign)
        return _stale(form, campaign, stored, extend=form)
    except operations.CampaignRefused as error:
        form.last_day.errors = [*form.last_day.errors, str(error)]
        return _page(campaign, extend=form, status=400)
    flash(
        _("La campagne est prolongée : dernier jour le %(date)s.", date=_day(campaign)), "success"
    )
    return redirect(url_for(".campaign", campaign_id=campaign.id))


def _day(campaign: AssessmentCampaign) -> str:
    from parcours.core.i18n import format_date

    return format_date(queries.last_answering_day(campaign), "long")


@bp.post("/auto-evaluations/<int:campaign_id>/clore")
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_run_campaign)
def close_campaign(campaign: AssessmentCampaign):
    """Close the campaign now: nobody answers any more (reopened answers excepted)."""
    form = CloseForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _page(campaign, close=form, status=400)
    try:
        with conflicts.versioned(form, campaign):
            operations.close(campaign, by=current_user)
    except conflicts.Conflict:
        return _stale(form, campaign, CloseForm(formdata=None), close=form)
    except operations.CampaignRefused as error:
        flash(str(error), "error")
        return _page(campaign, status=409)
    flash(_("La campagne est close."), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.post("/auto-evaluations/<int:campaign_id>/relancer")
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_run_campaign)
def remind_campaign(campaign: AssessmentCampaign):
    """E-mail the catalyseurs who have not answered yet: once per day at most."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _page(campaign, status=400)
    try:
        queued = operations.remind_now(campaign, by=current_user)
    except operations.CampaignRefused as error:
        flash(str(error), "error")
        return _page(campaign, status=409)
    flash(
        ngettext(
            "Relance envoyée à %(num)d retardataire.",
            "Relance envoyée à %(num)d retardataires.",
            queued,
        )
        if queued
        else _("Personne à relancer : tout le monde a envoyé sa réponse."),
        "success",
    )
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.post("/auto-evaluations/<int:campaign_id>/reponses/<int:assessment_id>/rouvrir")
@handles(load={"campaign": AssessmentCampaign, "assessment": _answer}, allow=can.can_run_campaign)
def reopen_answer(campaign: AssessmentCampaign, assessment: Assessment):
    """Reopen a submitted answer for a new revision; its authors are told by e-mail."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _page(campaign, status=400)
    try:
        operations.reopen_answer(assessment, by=current_user)
    except ans.AnswerRefused as error:
        flash(str(error), "error")
        return _page(campaign, status=409)
    flash(_("La réponse est rouverte ; ses auteurs en sont avertis par e-mail."), "success")
    return redirect(url_for(".campaign", campaign_id=campaign.id))
