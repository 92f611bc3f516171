"""The self-assessment pages: my form (with its background save), and a participant's answer.

The form keeps what was typed when the session expires, as the suivi forms do (see
``parcours.suivi.drafts``): the same hidden token, the same hook before the login page.
"""

from contextlib import contextmanager

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from parcours.cohorts.permissions import membership
from parcours.competences import answers as ans
from parcours.competences import permissions as can
from parcours.competences.blueprint import bp
from parcours.competences.models import AssessmentCampaign
from parcours.competences.self_assessment import operations, queries
from parcours.competences.self_assessment import sections as _sections  # noqa: F401
from parcours.competences.self_assessment.forms import (
    UNKNOWN,
    SelfAssessmentForm,
    Typed,
    field_id,
)
from parcours.core import conflicts
from parcours.core.extensions import csrf
from parcours.core.i18n import format_datetime
from parcours.core.pipeline import SAFE_METHODS, handles
from parcours.suivi import blueprint as suivi_forms
from parcours.suivi import drafts

FORM = "competences/self_assessment/form.html"
ANSWER = "competences/self_assessment/answer.html"


def _keeps_drafts(view):
    """Keep what was typed in this form when it is posted after the session expired."""
    suivi_forms.DRAFT_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
    csrf.exempt(view)  # checked by suivi_forms.protect(), which keeps a draft first
    return view


# The suivi's hook: it answers only for the endpoints above, and for anonymous posts.
bp.before_request(suivi_forms.keep_form_after_timeout)


def _form_key(campaign: AssessmentCampaign) -> str:
    return f"self-assessment:{campaign.id}"


def _page(campaign: AssessmentCampaign) -> queries.FormPage:
    territory = membership(current_user, campaign.cohort_id).territory
    return queries.form_page(campaign, current_user, territory)


class _Refused(Exception):
    """The post cannot be saved: why, and the status of the answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@contextmanager
def _versioned(form: SelfAssessmentForm, page: queries.FormPage):
    """Check the posted version against the draft's; a save lost to another tab is a Conflict."""
    if page.draft is not None:
        conflicts.check(form, page.draft)
    try:
        yield
    except (StaleDataError, IntegrityError) as error:
        conflicts.start_afresh()
        raise conflicts.Conflict from error


def _save(page: queries.FormPage, form: SelfAssessmentForm, typed: Typed, *, submit: bool):
    """Save (or send) what was posted; raise _Refused or conflicts.Conflict."""
    if not page.writable:
        if page.latest is not None and page.draft is None:
            message = _("Cette réponse est déjà envoyée ; seule la coordination peut la rouvrir.")
        else:
            message = _("Cette campagne est close : les réponses ne changent plus.")
        raise _Refused(message, 409)
    offered = {
        code: {choice.value: choice.title for choice in choices}
        for code, choices in queries.evidence_choices(page).items()
    }
    try:
        answer = typed.answer(page.items, offered, binome=page.binome)
        with _versioned(form, page):
            if submit:
                result = operations.send(page.campaign, page.territory, answer, by=current_user)
            else:
                result = operations.save(page.campaign, page.territory, answer, by=current_user)
    except ans.AnswerRefused as refused:
        raise _Refused(str(refused), 422) from None
    drafts.discard(current_user.id, _form_key(page.campaign))
    return result


@bp.route("/auto-evaluations/<int:campaign_id>/moi", methods=["GET", "POST"])
@_keeps_drafts
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_self_assess)
def self_assessment(campaign: AssessmentCampaign):
    """Fill in my self-assessment of a campaign, or read it once sent."""
    suivi_forms.protect()
    page = _page(campaign)
    form = SelfAssessmentForm()
    if request.method in SAFE_METHODS:
        if not page.writable:
            return _answer_page(page)
        restored = drafts.restore(current_user.id, _form_key(campaign))
        if restored is not None:
            flash(
                _(
                    "Ce que vous aviez saisi avant l'expiration de votre session est affiché "
                    "à nouveau : vérifiez-le, puis enregistrez."
                ),
                "info",
            )
            form = SelfAssessmentForm(formdata=restored)
            return _form_page(page, form, Typed.from_form(restored, page.items))
        if page.draft is not None:
            form.version.data = page.draft.version
            return _form_page(page, form, Typed.from_answer(ans.from_data(page.draft.data)))
        return _form_page(page, form, Typed())
    typed = Typed.from_form(request.form, page.items)
    submit = request.form.get("action") == "submit"
    try:
        _save(page, form, typed, submit=submit)
    except _Refused as refused:
        if refused.status == 409:
            return _answer_page(page, error=refused.message, status=409)
        missing = typed.unanswered(page.items) if submit else set()
        return _form_page(page, form, typed, error=refused.message, missing=missing, status=422)
    except conflicts.Conflict:
        return _conflict_page(campaign, form, typed)
    if submit:
        flash(_("Votre auto-évaluation est envoyée. Merci !"), "success")
    else:
        flash(_("Brouillon enregistré."), "success")
    return redirect(url_for(".self_assessment", campaign_id=campaign.id))


@bp.post("/auto-evaluations/<int:campaign_id>/moi/brouillon")
@_keeps_drafts
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_self_assess)
def self_assessment_autosave(campaign: AssessmentCampaign):
    """Save my self-assessment's draft in the background; answer JSON."""
    suivi_forms.protect()
    page = _page(campaign)
    form = SelfAssessmentForm()
    typed = Typed.from_form(request.form, page.items)
    try:
        draft = _save(page, form, typed, submit=False)
    except _Refused as refused:
        return jsonify(error=refused.message), refused.status
    except conflicts.Conflict:
        message = _(
            "Ce brouillon a été enregistré entre-temps ailleurs (un autre onglet ?) : "
            "rechargez la page avant de continuer, pour ne rien écraser."
        )
        return jsonify(error=message), 409
    saved = format_datetime(draft.updated_at, "HH:mm")
    return jsonify(
        version=draft.version,
        saved_at=draft.updated_at.isoformat(),
        message=_("Brouillon enregistré à %(time)s", time=saved),
    )


@bp.get("/auto-evaluations/<int:campaign_id>/participants/<int:user_id>")
@handles(
    load={"campaign": AssessmentCampaign, "subject": queries.subject},
    allow=can.can_read_self_assessment,
)
def self_assessment_view(campaign: AssessmentCampaign, subject: queries.SelfSubject):
    """Read a participant's submitted self-assessment of a campaign, and its revisions."""
    page = queries.answer_page(subject)
    return render_template(ANSWER, page=page, participant=subject.participant, own=False)


# -- Pages --------------------------------------------------------------------------------------


def _form_page(page, form, typed, *, error=None, missing=(), status=200, conflict=None):
    form.draft_token.data = drafts.token(current_user.id, _form_key(page.campaign))
    return render_template(
        FORM,
        page=page,
        form=form,
        typed=typed,
        choices=queries.evidence_choices(page),
        error=error,
        missing=set(missing),
        conflict=conflict,
        unknown=UNKNOWN,
        field_id=field_id,
        unknown_label=ans.UNKNOWN_LABEL,
    ), status


def _answer_page(page, *, error=None, status=200):
    if error:
        flash(error, "error")
    return render_template(ANSWER, page=page, participant=current_user, own=True), status


def _conflict_page(campaign: AssessmentCampaign, form: SelfAssessmentForm, typed: Typed):
    """Answer 409 with the form as typed, beside what the other tab saved."""
    page = _page(campaign)
    if page.draft is None or not page.writable:
        return _answer_page(
            page,
            error=_("Cette réponse a été envoyée entre-temps, depuis un autre onglet."),
            status=409,
        )
    stored = Typed.from_answer(ans.from_data(page.draft.data))
    conflicts.rebase(form, page.draft)
    return _form_page(page, form, typed, conflict=_differences(page, typed, stored), status=409)


def _differences(page, mine: Typed, stored: Typed) -> list[conflicts.Difference]:
    def shown(typed: Typed, code: str) -> str:
        rating = typed.rating(code)
        if rating.level == UNKNOWN:
            level = str(ans.UNKNOWN_LABEL)
        elif rating.level.isdigit():
            level = page.level_label(int(rating.level))
        else:
            level = ""
        return " — ".join(part for part in (level, rating.comment) if part)

    found = []
    for item in page.items:
        if shown(mine, item.code) != shown(stored, item.code):
            label = f"{item.code} {item.label}"
            found.append(
                conflicts.Difference(label, shown(mine, item.code), shown(stored, item.code))
            )
    if mine.comment != stored.comment:
        found.append(
            conflicts.Difference(_("Commentaire d'ensemble"), mine.comment, stored.comment)
        )
    return found
