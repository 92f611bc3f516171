"""Field-visit report pages: write one from its visit, read it, change it, delete, restore."""

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.agenda.models import Event
from parcours.cohorts.models import Territory
from parcours.core import conflicts
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.suivi import attachments, drafts
from parcours.suivi import permissions as can
from parcours.suivi.actions import links
from parcours.suivi.actions import operations as actions
from parcours.suivi.actions.forms import row_errors, typed_rows
from parcours.suivi.actions.queries import local_today
from parcours.suivi.blueprint import bp, keeps_drafts, protect
from parcours.suivi.models import FieldVisitReport
from parcours.suivi.visits import operations, queries
from parcours.suivi.visits import subscribers as _subscribers  # noqa: F401  (page sections)
from parcours.suivi.visits.forms import MARKDOWN_HINT, VisitReportForm

FORM_TEMPLATE = "suivi/visits/form.html"

# Action items born of a visit link back to its report (lists, « Mes actions », e-mails).
links.register_source("visit_report_id", "suivi.visit_report", "report_id")


def _new_key(event: Event) -> str:
    return f"visit:new:{event.id}"


def _edit_key(report: FieldVisitReport) -> str:
    return f"visit:{report.id}"


def form_submitted() -> bool:
    """Tell whether this request posts the form (what it carries wins over a kept draft)."""
    return request.method == "POST"


def _form(territory: Territory, form_key: str, report: FieldVisitReport | None = None):
    """Return the report form: as posted, as kept past the idle timeout, or as stored."""
    typed = None if form_submitted() else drafts.restore(current_user.id, form_key)
    form = VisitReportForm() if typed is None else VisitReportForm(formdata=typed)
    people, tags = (report.stakeholders, queries.tags_of(report)) if report else ((), ())
    form.setup(
        territory.cohort, user_id=current_user.id, form_key=form_key, stakeholders=people, tags=tags
    )
    items = queries.items_of(report) if report is not None else []
    if typed is not None:
        flash(
            _(
                "Ce que vous aviez saisi avant l'expiration de votre session est affiché à "
                "nouveau : vérifiez-le, puis enregistrez."
            ),
            "info",
        )
    elif report is not None and not form.is_submitted():
        form.fill_from(report, people, tags, items)
    form.offer_owners(territory, items)
    return form


def _stored_form(report: FieldVisitReport) -> VisitReportForm:
    """Return the form filled with the stored report, to compare with what was typed."""
    stored = VisitReportForm(formdata=None)
    tags = queries.tags_of(report)
    stored.setup(
        report.territory.cohort,
        user_id=current_user.id,
        form_key=_edit_key(report),
        stakeholders=report.stakeholders,
        tags=tags,
    )
    items = queries.items_of(report)
    stored.fill_from(report, report.stakeholders, tags, items)
    stored.offer_owners(report.territory, items)
    return stored


def _context(territory: Territory, event: Event | None, report: FieldVisitReport | None):
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


def _refused_items(form: VisitReportForm, error: actions.ActionError, context: dict):
    """Answer 400 with the refused action row's message under it (the request rolls back)."""
    row_errors(form.actions, error)
    return _form_page(form, 400, context)


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
    form = _form(territory, key)
    if not form.is_submitted() and form.visited_on.data is None:
        zone = ZoneInfo(territory.cohort.timezone)
        form.visited_on.data = event.starts_at.astimezone(zone).date()
    context = _context(territory, event, None)
    if not form.validate_on_submit():
        return _form_page(form, 400 if form.is_submitted() else 200, context)
    try:
        if existing is not None:
            raise operations.ReportExists
        report = operations.create_report(event, form.fields(), user=current_user)
        actions.sync_items(report, typed_rows(form.actions), territory=territory, user=current_user)
        attachments.attach(report, form.attachments.data, user=current_user)
    except operations.ReportExists:
        # Someone else wrote it meanwhile: this one becomes an edit of theirs, as a conflict.
        conflicts.start_afresh()
        return _conflict_page(form, queries.report_of_event(event.id), event)
    except actions.ActionError as error:
        return _refused_items(form, error, context)
    drafts.discard(current_user.id, key)
    flash(_("Le compte rendu de visite est enregistré."), "success")
    return redirect(url_for("suivi.visit_report", report_id=report.id))


@bp.get("/suivi/visits/<int:report_id>")
@handles(load={"report": queries.stored_report}, allow=can.can_read_visit_report)
def visit_report(report: FieldVisitReport):
    """Show a field-visit report: people met by type, what was seen, tags, actions, files."""
    territory = report.territory
    items = queries.items_of(report)
    return render_template(
        "suivi/visits/report.html",
        report=report,
        territory=territory,
        cohort=territory.cohort,
        page=queries.report_page(report),
        items=items,
        today=local_today(territory.cohort),
        tickable={item.id for item in items if can.can_tick_action_item(current_user, item)},
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
    form = _form(territory, key, report)
    context = _context(territory, report.event, report)
    if not form.validate_on_submit():
        return _form_page(form, 400 if form.is_submitted() else 200, context)
    try:
        with conflicts.versioned(form, report):
            changed = operations.update_report(report, form.fields(), user=current_user)
            version = report.version
            rows = typed_rows(form.actions)
            moved = actions.sync_items(report, rows, territory=territory, user=current_user)
            if moved and report.version == version:
                operations.touch(report, current_user)  # the items changed: a new version
            added = attachments.attach(report, form.attachments.data, user=current_user)
    except conflicts.Conflict:
        return _conflict_page(form, report, report.event)
    except actions.ActionError as error:
        return _refused_items(form, error, context)
    drafts.discard(current_user.id, key)
    flash(
        _("Le compte rendu de visite est modifié.")
        if changed or moved or added
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
