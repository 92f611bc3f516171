"""The binôme's consensus and the coach's appréciation of a territory, in one campaign.

Each page is read (GET) by the territory's binôme and its team; it is written (POST, a
separate view on the same URL) only by those who give that viewpoint: the two catalyseurs for
the consensus, the coach who follows the territory for the appréciation.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences import permissions as can
from parcours.competences.blueprint import bp
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.competences.viewpoints import queries
from parcours.competences.viewpoints import sections as _sections  # noqa: F401  (connects them)
from parcours.competences.viewpoints.forms import AnswerForm, ConfirmForm, answer_form
from parcours.core import conflicts
from parcours.core.extensions import db
from parcours.core.pipeline import handles

CONSENSUS_URL = "/auto-evaluations/<int:campaign_id>/territoires/<int:territory_id>/consensus"
APPRAISAL_URL = "/auto-evaluations/<int:campaign_id>/territoires/<int:territory_id>/appreciation"


def _territory_of(campaign: AssessmentCampaign, territory_id: int) -> Territory | None:
    """The territory of the URL, if it belongs to the campaign's cohort (404 otherwise)."""
    territory = db.session.get(Territory, territory_id)
    return (
        territory if territory is not None and territory.cohort_id == campaign.cohort_id else None
    )


LOAD = {"campaign": AssessmentCampaign, "territory": _territory_of}


def _form_class(campaign: AssessmentCampaign, viewpoint: Viewpoint) -> type[AnswerForm]:
    return answer_form(
        ops.items(campaign, viewpoint), campaign.cohort.curriculum.referential.levels
    )


def _initial_form(form_class: type[AnswerForm], draft) -> AnswerForm:
    """The form as the stored draft holds it (empty before the first save)."""
    answer = ans.from_data(draft.data if draft is not None else None)
    form = form_class(formdata=None, data=form_class.values_of(answer))
    form.version.data = draft.version if draft is not None else ""
    return form


def _save(form: AnswerForm, campaign, viewpoint: Viewpoint, territory: Territory):
    """Save the posted answer as the draft; a save over a version not shown is a Conflict."""
    draft = ops.draft_for(campaign, viewpoint, territory, None)
    if draft is None:
        try:
            return ops.save_draft(
                campaign, viewpoint, territory, None, form.answer(), by=current_user
            )
        except IntegrityError as error:  # the partner created it at the same moment
            conflicts.start_afresh()
            raise conflicts.Conflict from error
    with conflicts.versioned(form, draft):
        return ops.save_draft(campaign, viewpoint, territory, None, form.answer(), by=current_user)


def _conflict(template: str, form: AnswerForm, page_of, campaign, viewpoint, territory):
    """Answer 409 with the page: what the viewer typed, the stored version, the differences."""
    draft = ops.draft_for(campaign, viewpoint, territory, None)
    stored = _initial_form(type(form), draft)
    page = page_of(campaign, territory, current_user)
    return conflicts.page(
        template, form, stored, draft, page=page, confirm_form=_confirm_form(page)
    )


def _confirm_form(page) -> ConfirmForm:
    form = ConfirmForm(formdata=None)
    form.version.data = page.draft.version if page.draft is not None else ""
    return form


# -- The consensus --------------------------------------------------------------------------------

CONSENSUS_TEMPLATE = "competences/viewpoints/consensus.html"


def _consensus_page(campaign, territory, form=None, status=200, **context):
    page = queries.consensus_page(campaign, territory, current_user)
    if form is None and page.writable:
        form = _initial_form(_form_class(campaign, Viewpoint.CONSENSUS), page.draft)
    return render_template(
        CONSENSUS_TEMPLATE, page=page, form=form, confirm_form=_confirm_form(page), **context
    ), status


@bp.get(CONSENSUS_URL)
@handles(load=LOAD, allow=can.can_read_consensus)
def consensus(campaign: AssessmentCampaign, territory: Territory):
    """Show the binôme's consensus: the form while they draft it, the submitted revisions."""
    return _consensus_page(campaign, territory)


@bp.post(CONSENSUS_URL)
@handles(load=LOAD, allow=can.can_write_consensus)
def consensus_save(campaign: AssessmentCampaign, territory: Territory):
    """Save the binôme's consensus draft; any change clears a partner's confirmation."""
    form = _form_class(campaign, Viewpoint.CONSENSUS)()
    if not form.validate_on_submit():
        return _consensus_page(campaign, territory, form, 400)
    before = ops.draft_for(campaign, Viewpoint.CONSENSUS, territory, None)
    confirmed_by = before.confirmed_by if before is not None else None
    try:
        draft = _save(form, campaign, Viewpoint.CONSENSUS, territory)
    except conflicts.Conflict:
        return _conflict(
            CONSENSUS_TEMPLATE,
            form,
            queries.consensus_page,
            campaign,
            Viewpoint.CONSENSUS,
            territory,
        )
    except ans.AnswerRefused as refusal:
        flash(str(refusal), "error")
        return _consensus_page(campaign, territory, form, 400)
    if confirmed_by is not None and draft.confirmed_by_id is None:
        flash(
            _(
                "Le consensus a changé : la confirmation de %(name)s est levée. Vous devez "
                "maintenant confirmer tous les deux cette nouvelle version.",
                name=confirmed_by.full_name,
            ),
            "info",
        )
    else:
        flash(_("Le brouillon du consensus est enregistré."), "success")
    return redirect(url_for(".consensus", campaign_id=campaign.id, territory_id=territory.id))


@bp.post(CONSENSUS_URL + "/confirmer")
@handles(load=LOAD, allow=can.can_write_consensus)
def consensus_confirm(campaign: AssessmentCampaign, territory: Territory):
    """Confirm the consensus as read; the second confirmation submits it."""
    form = ConfirmForm()
    draft = ops.draft_for(campaign, Viewpoint.CONSENSUS, territory, None)
    if not form.validate_on_submit() or draft is None:
        flash(_("Il n'y a pas de brouillon de consensus à confirmer."), "error")
        return _consensus_page(campaign, territory, status=400)
    try:
        with conflicts.versioned(form, draft):
            submitted = ops.confirm_consensus(draft, by=current_user)
    except conflicts.Conflict:
        return _consensus_page(campaign, territory, status=409, stale_confirmation=True)
    except ans.AnswerRefused as refusal:
        flash(str(refusal), "error")
        return _consensus_page(campaign, territory, status=400)
    if submitted is None:
        flash(
            _("Votre confirmation est enregistrée : votre binôme doit confirmer à son tour."),
            "success",
        )
    else:
        flash(_("Vous avez confirmé tous les deux : le consensus est envoyé."), "success")
    return redirect(url_for(".consensus", campaign_id=campaign.id, territory_id=territory.id))


# -- The coach's appréciation ----------------------------------------------------------------------

APPRAISAL_TEMPLATE = "competences/viewpoints/appraisal.html"


def _appraisal_page(campaign, territory, form=None, status=200):
    page = queries.appraisal_page(campaign, territory, current_user)
    if form is None and page.writable:
        form = _initial_form(_form_class(campaign, Viewpoint.COACH), page.draft)
    return render_template(APPRAISAL_TEMPLATE, page=page, form=form), status


@bp.get(APPRAISAL_URL)
@handles(load=LOAD, allow=can.can_read_appraisal)
def appraisal(campaign: AssessmentCampaign, territory: Territory):
    """Show the coach's appréciation: the form while the coach writes it, the revisions sent."""
    return _appraisal_page(campaign, territory)


@bp.post(APPRAISAL_URL)
@handles(load=LOAD, allow=can.can_write_appraisal)
def appraisal_save(campaign: AssessmentCampaign, territory: Territory):
    """Save the coach's appréciation as a draft, or send it (« Envoyer »)."""
    form = _form_class(campaign, Viewpoint.COACH)()
    if not form.validate_on_submit():
        return _appraisal_page(campaign, territory, form, 400)
    try:
        draft = _save(form, campaign, Viewpoint.COACH, territory)
        if request.form.get("action") == "submit":
            ops.submit(draft, by=current_user)
    except conflicts.Conflict:
        return _conflict(
            APPRAISAL_TEMPLATE, form, queries.appraisal_page, campaign, Viewpoint.COACH, territory
        )
    except ans.AnswerRefused as refusal:
        flash(str(refusal), "error")
        return _appraisal_page(campaign, territory, form, 400)
    if request.form.get("action") == "submit":
        flash(_("Votre appréciation est envoyée."), "success")
    else:
        flash(_("Le brouillon de votre appréciation est enregistré."), "success")
    return redirect(url_for(".appraisal", campaign_id=campaign.id, territory_id=territory.id))
