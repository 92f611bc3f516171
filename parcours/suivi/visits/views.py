"""Field-visit report pages: write one from its visit, read it, change it, delete, restore."""

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.agenda.models import Event
from parcours.core import conflicts
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.suivi import attachments, drafts
from parcours.suivi import permissions as can
from parcours.suivi.blueprint import bp, keeps_drafts, protect
from parcours.suivi.models import FieldVisitReport
from parcours.suivi.visits import operations, queries
from parcours.suivi.visits import subscribers as _subscribers  # noqa: F401  (page sections)
from parcours.suivi.visits.forms import MARKDOWN_HINT, VisitReportForm

FORM_TEMPLATE = "suivi/visits/form.html"


def _new_key(event: Event) -> str:
    return f"visit:new:{event.id}"


def _edit_key(report: FieldVisitReport) -> str:
    return f"visit:{report.id}"


def _form(cohort, form_key: str, *, formdata=None) -> VisitReportForm:
    """Return the report form, from ``formdata`` when given (a restored draft), else the request."""
    form = VisitReportForm() if formdata is None else VisitReportForm(formdata=formdata)
    form.setup(cohort, user_id=current_user.id, form_key=form_key)
    return form


def _restored(cohort, form_key: str) -> VisitReportForm | None:
    """Return the form as typed before the session expired, if a draft was kept."""
    typed = drafts.restore(current_user.id, form_key)
    if typed is None:
        return None
    flash(
        _(
            "Ce que vous aviez saisi avant l'expiration de votre session est affiché à "
            "nouveau : vérifiez-le, puis enregistrez."
        ),
        "info",
    )
    return _form(cohort, form_key, formdata=typed)


def form_submitted() -> bool:
    """Tell whether this request posts the form (what it carries wins over a kept draft)."""
    return request.method == "POST"


def _context(territory, event: Event | None, report: FieldVisitReport | None) -> dict:
    """Return what the form's page shows around the form."""
    return {
        "territory": territory,
        "cohort": territory.cohort,
        "event": event,
        "report": report,
        "domains": territory.cohort.curriculum.referential.domains,
        "markdown_hint": MARKDOWN_HINT,
        "attached": attachments.listed([report])[report] if report is not None else [],
    }


def _form_page(form: VisitReportForm, status: int, context: dict):
    form.pad_blank_rows()
    return render_template(FORM_TEMPLATE, form=form, **context), status


def _conflict_page(form: VisitReportForm, report: FieldVisitReport, event: Event | None):
    """Answer 409: what this user typed beside the report as now stored, to save again."""
    report = queries.stored_report(report.id)
    form.draft_token.data = drafts.token(current_user.id, _edit_key(report))
    form.pad_blank_rows()
    return conflicts.page(
        FORM_TEMPLATE,
        form,
        _stored_form(report),
        report,
        **_context(report.territory, event, report),
    )


@bp.route("/suivi/field-visits/<int:event_id>/report", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"event": Event}, allow=can.can_report_visit)
def new_visit_report(event: Event):
    """Write the report of a field visit (the territory's team)."""
    protect()
    territory, key = event.territory, _new_key(event)
    existing = queries.report_of_event(event.id)
    if existing is not None and not form_submitted():
        flash(_("Cette visite a déjà son compte rendu."), "info")
        return redirect(url_for("suivi.visit_report", report_id=existing.id))
    form = None if form_submitted() else _restored(territory.cohort, key)
    if form is None:
        form = _form(territory.cohort, key)
    if not form.is_submitted() and form.visited_on.data is None:
        zone = ZoneInfo(territory.cohort.timezone)
        form.visited_on.data = event.starts_at.astimezone(zone).date()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _form_page(form, status, _context(territory, event, None))
    try:
        if existing is not None:
            raise operations.ReportExists
        report = operations.create_report(event, form.fields(), user=current_user)
        attachments.attach(report, form.attachments.data, user=current_user)
    except operations.ReportExists:
        # Someone else wrote it meanwhile: this one becomes an edit of theirs, as a conflict.
        conflicts.start_afresh()
        return _conflict_page(form, queries.report_of_event(event.id), event)
    drafts.discard(current_user.id, key)
    flash(_("Le compte rendu de visite est enregistré."), "success")
    return redirect(url_for("suivi.visit_report", report_id=report.id))


def _stored_form(report: FieldVisitReport) -> VisitReportForm:
    """Return the form filled with the stored report, to compare with what was typed."""
    stored = VisitReportForm(formdata=None)
    stored.setup(report.territory.cohort, user_id=current_user.id, form_key=_edit_key(report))
    stored.fill_from(report, report.stakeholders, queries.tags_of(report))
    return stored


@bp.get("/suivi/visits/<int:report_id>")
@handles(load={"report": queries.stored_report}, allow=can.can_read_visit_report)
def visit_report(report: FieldVisitReport):
    """Show a field-visit report: people met by type, what was seen, tags, actions."""
    territory = report.territory
    return render_template(
        "suivi/visits/report.html",
        report=report,
        territory=territory,
        cohort=territory.cohort,
        page=queries.report_page(report),
        attachments=attachments.listed([report])[report],
        can_edit=can.can_edit_visit_report(current_user, report),
        can_restore=can.can_restore_visit_report(current_user, report),
        button_form=EmptyForm(),
    )


@bp.route("/suivi/visits/<int:report_id>/edit", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"report": queries.stored_report}, allow=can.can_edit_visit_report)
def edit_visit_report(report: FieldVisitReport):
    """Change a field-visit report; a save over a newer version is a conflict (409)."""
    protect()
    territory, key = report.territory, _edit_key(report)
    form = None if form_submitted() else _restored(territory.cohort, key)
    if form is None:
        form = _form(territory.cohort, key)
        if not form.is_submitted():
            form.fill_from(report, report.stakeholders, queries.tags_of(report))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _form_page(form, status, _context(territory, report.event, report))
    try:
        with conflicts.versioned(form, report):
            changed = operations.update_report(report, form.fields(), user=current_user)
            added = attachments.attach(report, form.attachments.data, user=current_user)
    except conflicts.Conflict:
        return _conflict_page(form, report, report.event)
    drafts.discard(current_user.id, key)
    flash(
        _("Le compte rendu de visite est modifié.")
        if changed or added
        else _("Aucune modification."),
        "success",
    )
    return redirect(url_for("suivi.visit_report", report_id=report.id))


@bp.post("/suivi/visits/<int:report_id>/delete")
@handles(load={"report": queries.stored_report}, allow=can.can_edit_visit_report)
def delete_visit_report(report: FieldVisitReport):
    """Delete a field-visit report: hidden, kept, restorable by the coordination."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.delete_report(report, user=current_user)
    flash(
        _("Le compte rendu de visite est supprimé ; la coordination peut le restaurer."),
        "success",
    )
    return redirect(url_for("cohorts.territory", territory_id=report.territory_id))


@bp.post("/suivi/visits/<int:report_id>/restore")
@handles(load={"report": queries.stored_report}, allow=can.can_restore_visit_report)
def restore_visit_report(report: FieldVisitReport):
    """Restore a deleted field-visit report (those who run the cohort)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.restore_report(report, user=current_user)
    flash(_("Le compte rendu de visite est restauré."), "success")
    return redirect(url_for("suivi.visit_report", report_id=report.id))
