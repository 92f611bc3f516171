"""Attendance pages: marking sheet, code shown in the room, check-in, PDFs, signed sheets,
cohort figures."""

from dataclasses import dataclass

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS, can_take_attendance, can_view_event
from parcours.attendance import drafts, operations, pdf, queries, reports
from parcours.attendance.forms import AttendanceSheetForm, CheckInForm, SignedSheetForm
from parcours.attendance.halfdays import current_slot, half_days, next_slot
from parcours.attendance.models import STATUS_LABELS, SignedSheet
from parcours.attendance.permissions import (
    attendance_scope,
    can_attach_signed_sheet,
    can_check_in,
    can_download_attestation,
    can_view_attendance_figures,
    can_view_participant_attendance,
    can_view_signed_sheets,
    membership_of,
)
from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts import permissions as cohort_permissions
from parcours.cohorts.models import Cohort
from parcours.core.conflicts import start_afresh
from parcours.core.downloads import file_response
from parcours.core.extensions import csrf, db, login_manager
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import SAFE_METHODS, Rollback, handles
from parcours.core.text import slug
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url
from parcours.storage import files

audit_labels.name_values(
    "document",
    {
        "signature_sheet": _l("feuille d'émargement"),
        "attendance_attestation": _l("attestation de présence"),
    },
)

bp = Blueprint("attendance", __name__)

CONFLICT = _l(
    "Quelqu'un vient d'enregistrer cet émargement en même temps que vous : vérifiez la page et "
    "enregistrez à nouveau si besoin."
)


@bp.app_template_filter("attendance_rate")
def attendance_rate(rate: float | None) -> str:
    """Show a rate as a percentage in the reader's language, or a dash when there is none."""
    return "—" if rate is None else format_percent(rate)


@bp.app_template_filter("hours")
def hours(value: float) -> str:
    """Show a duration as attestations do: « 7 h 30 »."""
    return pdf.format_hours(value)


def _meeting(event_id: int) -> Event | None:
    """Load an event where attendance is taken (a self-assessment window answers 404)."""
    event = db.session.get(Event, event_id)
    return event if event is not None and event.kind in ATTENDANCE_KINDS else None


@bp.before_request
def _sheet_after_timeout():
    """Keep the marks of a sheet posted once the session has expired, then ask to log in."""
    if (
        request.endpoint != "attendance.mark"
        or request.method != "POST"
        or current_user.is_authenticated
    ):
        return None
    response = login_manager.unauthorized()
    if drafts.keep(response, request.view_args["event_id"]):
        flash(
            _(
                "Votre session a expiré. Reconnectez-vous : vos saisies seront affichées à "
                "nouveau, à enregistrer."
            ),
            "info",
        )
    return response


@bp.route("/events/<int:event_id>/attendance", methods=["GET", "POST"])
@handles(load={"event": _meeting}, allow=can_take_attendance)
def mark(event: Event):
    """Mark who attended each half-day of an event."""
    if request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # here rather than before every view: see _sheet_after_timeout
    grid = queries.attendance_grid(event)
    form = AttendanceSheetForm.for_grid(grid)
    conflicts, raced = None, False
    if request.method in SAFE_METHODS:
        restored = form.restore(drafts.take(current_user.id, event.id))
        if restored:
            flash(
                ngettext(
                    "%(num)d saisie non enregistrée avant l'expiration de votre session est "
                    "affichée à nouveau : vérifiez-la, puis enregistrez.",
                    "%(num)d saisies non enregistrées avant l'expiration de votre session sont "
                    "affichées à nouveau : vérifiez-les, puis enregistrez.",
                    restored,
                ),
                "info",
            )
    all_present = request.form.get("all_present") if request.method == "POST" else None
    if all_present is not None:
        # « Tous présents » without JavaScript: the sheet comes back filled, not saved.
        slot = next((slot for slot in grid.slots if slot.key == all_present), None)
        if slot is None:
            flash(_("Ce rendez-vous n'a pas lieu sur cette demi-journée."), "error")
        elif form.validate_on_submit():
            filled = form.fill_present(grid, slot)
            flash(
                ngettext(
                    "%(num)d personne marquée présente (%(half)s) : indiquez les exceptions, "
                    "puis enregistrez.",
                    "%(num)d personnes marquées présentes (%(half)s) : indiquez les exceptions, "
                    "puis enregistrez.",
                    filled,
                    half=str(slot.label).lower(),
                ),
                "info",
            )
            return _sheet_page(event, grid, form, {}), 200
        return _sheet_page(event, grid, form, {}), 400
    if form.validate_on_submit():
        try:
            changes = operations.record_attendances(
                event, form.marks(grid), recorded_by=current_user
            )
        except operations.AttendanceConflict as conflict:
            conflicts = {clash.key: clash for clash in conflict.conflicts}
            form.rebase(grid, conflicts)
        except operations.AttendanceError as error:
            flash(str(error), "error")
        except (IntegrityError, StaleDataError):  # someone saved the same marks at this moment
            # Read the sheet again, and show it with what was typed, to be checked against
            # what the other save wrote.
            start_afresh()
            grid = queries.attendance_grid(event)
            form = AttendanceSheetForm.for_grid(grid)
            flash(str(CONFLICT), "error")
            raced = True
        else:
            if changes:
                flash(
                    ngettext(
                        "Émargement enregistré : %(num)d modification.",
                        "Émargement enregistré : %(num)d modifications.",
                        changes,
                    ),
                    "success",
                )
            else:
                flash(_("Émargement enregistré, sans modification."), "success")
            return redirect(url_for("attendance.mark", event_id=event.id))
    status = 409 if conflicts or raced else 400 if form.is_submitted() else 200
    return _sheet_page(event, grid, form, conflicts or {}), status


def _sheet_page(
    event: Event,
    grid,
    form: AttendanceSheetForm,
    conflicts: dict,
    scan_form: SignedSheetForm | None = None,
) -> str:
    sheets = queries.signed_sheets(event)
    return render_template(
        "attendance/mark.html",
        event=event,
        grid=grid,
        form=form,
        conflicts=conflicts or {},
        recording_open=operations.recording_is_open(event),
        recording_opens_on=operations.recording_opens_on(event),
        status_labels=STATUS_LABELS,
        code_form=EmptyForm(),
        sheet_token=drafts.sheet_token(current_user.id, event.id),
        signed_sheets=_listed([s for s in sheets if not s.removed]),
        removed_sheets=_listed([s for s in sheets if s.removed]),
        scan_form=scan_form or SignedSheetForm(formdata=None),
    )


@dataclass(frozen=True)
class SheetItem(files.Listed):
    """A signed sheet in the file list: the file's line, and the sheet for its actions."""

    sheet: SignedSheet | None = None


def _listed(sheets: list[SignedSheet]) -> list[SheetItem]:
    """Return the signed sheets as the file list shows them: links, who attached them, when."""
    items = []
    for sheet in sheets:
        url = url_for("attendance.signed_sheet", event_id=sheet.event_id, sheet_id=sheet.id)
        items.append(
            SheetItem(
                file=sheet.file,
                url=url,
                thumbnail_url=f"{url}?thumbnail=1" if sheet.file.thumbnail_id else None,
                added_by=sheet.attached_by.full_name if sheet.attached_by else None,
                added_at=sheet.attached_at,
                sheet=sheet,
            )
        )
    return items


# The sheet checks its CSRF token itself, once it knows the session has not expired.
csrf.exempt(mark)


@bp.get("/events/<int:event_id>/attendance/code")
@handles(load={"event": _meeting}, allow=can_take_attendance)
def code(event: Event):
    """Show the current half-day's check-in code, large, with its QR code."""
    slots = half_days(event)
    moment = now_utc()
    slot = current_slot(slots, moment)
    check_in_code = qr_svg = check_in_url = None
    if slot is not None and not event.is_cancelled:
        check_in_code = queries.check_in_code(event, slot)
    if check_in_code is not None:
        check_in_url = absolute_url(
            "attendance.check_in", event_id=event.id, code=check_in_code.code
        )
        # segno writes the SVG itself and escapes the title: nothing user-typed goes in raw.
        qr_svg = Markup(  # noqa: S704
            segno.make(check_in_url, error="m").svg_inline(
                scale=1,
                border=2,
                omitsize=True,
                svgclass="qr-code",
                lineclass=None,
                title=_("QR code vers la page d'émargement"),
            )
        )
    return render_template(
        "attendance/code.html",
        event=event,
        slot=slot,
        next_slot=next_slot(slots, moment),
        check_in_code=check_in_code,
        check_in_url=check_in_url,
        qr_svg=qr_svg,
        show_form=EmptyForm(),
    )


@bp.post("/events/<int:event_id>/attendance/code")
@handles(load={"event": _meeting}, allow=can_take_attendance)
def show_code(event: Event):
    """Give the current half-day its check-in code, then show it."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    slot = current_slot(half_days(event), now_utc())
    if slot is not None and not event.is_cancelled:
        operations.check_in_code(event, slot)
    return redirect(url_for("attendance.code", event_id=event.id))


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"])
@handles(load={"event": _meeting}, allow=can_view_event, commit_failures=True)  # wrong codes count
def check_in(event: Event):
    """Let an expected participant record their own presence with the code shown in the room."""
    form = CheckInForm() if request.method == "POST" else CheckInForm(code=request.args.get("code"))
    status = 400 if form.is_submitted() else 200
    headers = {}
    if form.validate_on_submit():
        try:
            record = operations.check_in(event, current_user, form.code.data)
        except operations.TooManyCodes as error:
            form.code.errors = [*form.code.errors, str(error)]
            status = 429
            headers["Retry-After"] = str(error.retry_after_seconds)
        except operations.AttendanceError as error:
            form.code.errors = [*form.code.errors, str(error)]
        except (IntegrityError, StaleDataError):  # the same check-in twice at once: one counts
            raise Rollback(redirect(url_for("attendance.check_in", event_id=event.id))) from None
        else:
            flash(
                _(
                    "C'est noté : %(status)s à « %(title)s ». Bonne séance !",
                    status=record.status_label,
                    title=event.title,
                ),
                "success",
            )
            return redirect(url_for("attendance.check_in", event_id=event.id))
    expected = can_check_in(current_user, event)
    slot = current_slot(half_days(event), now_utc())
    window = operations.check_in_window(event)
    mine = None
    if slot is not None and expected:
        mine = queries.attendance_grid(event).record(current_user.id, slot)
    return (
        render_template(
            "attendance/check_in.html",
            event=event,
            form=form,
            expected=expected,
            slot=slot,
            window=window,
            zone=event.cohort.timezone,
            mine=mine,
        ),
        status,
        headers,
    )


@bp.get("/events/<int:event_id>/signature-sheet.pdf")
@handles(load={"event": _meeting}, allow=can_take_attendance)
def signature_sheet(event: Event):
    """Download the feuille d'émargement, blank or (?prefill=1) with the recorded presence."""
    sheet = reports.signature_sheet(event, prefill=request.args.get("prefill") == "1")
    # Both are kept side by side in the same folder: their names must tell them apart.
    kind = "prerempli" if sheet.prefilled else "vierge"
    filename = f"emargement-{kind}-{sheet.first_day.isoformat()}-{slug(event.title)}.pdf"
    audit.record(
        AuditAction.REPORT_DOWNLOADED,
        actor=current_user,
        cohort=event.cohort_id,
        target=event,
        details={
            "document": "signature_sheet",
            "variant": "prefilled" if sheet.prefilled else "blank",
        },
    )
    return file_response(pdf.render_signature_sheet(sheet), filename, "application/pdf")


def _signed_sheet(event: Event, sheet_id: int) -> SignedSheet | None:
    """Load a signed sheet of ``event`` (another event's answers 404)."""
    sheet = db.session.get(SignedSheet, sheet_id)
    return sheet if sheet is not None and sheet.event_id == event.id else None


@bp.post("/events/<int:event_id>/attendance/signed-sheets")
@handles(load={"event": _meeting}, allow=can_attach_signed_sheet)
def attach_signed_sheet(event: Event):
    """Attach the scans of the signed feuille d'émargement (PDF, JPEG or PNG)."""
    form = SignedSheetForm()
    if form.validate_on_submit():
        try:
            sheets = operations.attach_signed_sheets(
                event, form.scans.data, attached_by=current_user
            )
        except files.Refused as refused:  # the form checked the files: a guard, not a path
            form.scans.errors = [*form.scans.errors, refused.message]
        except operations.SheetError as error:
            flash(str(error), "error")
        else:
            flash(
                ngettext(
                    "Feuille signée jointe : %(names)s.",
                    "%(num)d feuilles signées jointes : %(names)s.",
                    len(sheets),
                    names=", ".join(sheet.file.filename for sheet in sheets),
                ),
                "success",
            )
            return redirect(url_for("attendance.mark", event_id=event.id, _anchor="signed-sheets"))
    grid = queries.attendance_grid(event)
    page = _sheet_page(event, grid, AttendanceSheetForm.for_grid(grid), {}, scan_form=form)
    return page, 400


@bp.get("/events/<int:event_id>/attendance/signed-sheets/<int:sheet_id>")
@handles(load={"event": _meeting, "sheet": _signed_sheet}, allow=can_view_signed_sheets)
def signed_sheet(event: Event, sheet: SignedSheet):
    """Download a scan of the signed sheet (?thumbnail=1: its thumbnail, for a photo)."""
    return files.send(sheet.file, thumbnail=request.args.get("thumbnail") == "1")


@bp.route(
    "/events/<int:event_id>/attendance/signed-sheets/<int:sheet_id>/remove",
    methods=["GET", "POST"],
)
@handles(load={"event": _meeting, "sheet": _signed_sheet}, allow=can_attach_signed_sheet)
def remove_signed_sheet(event: Event, sheet: SignedSheet):
    """Withdraw a signed sheet, after a confirmation; it stays in the history."""
    form = EmptyForm()
    if sheet.removed:
        flash(_("Cette feuille signée a déjà été retirée."), "info")
        return redirect(url_for("attendance.mark", event_id=event.id, _anchor="signed-sheets"))
    if form.validate_on_submit():
        try:
            operations.remove_signed_sheet(sheet, removed_by=current_user)
        except StaleDataError:  # removed by someone else at this very moment
            flash(_("Cette feuille signée a déjà été retirée."), "info")
            raise Rollback(
                redirect(url_for("attendance.mark", event_id=event.id, _anchor="signed-sheets"))
            ) from None
        flash(
            _(
                "« %(name)s » est retirée : elle ne compte plus comme feuille signée et reste "
                "dans l'historique.",
                name=sheet.file.filename,
            ),
            "success",
        )
        return redirect(url_for("attendance.mark", event_id=event.id, _anchor="signed-sheets"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "attendance/remove_sheet.html",
        event=event,
        sheet=sheet,
        item=_listed([sheet])[0],
        form=form,
    ), status


@bp.get("/cohorts/<int:cohort_id>/attestations/<int:user_id>.pdf")
@handles(load={"cohort": Cohort}, allow=can_download_attestation)
def attestation(cohort: Cohort, user_id: int):
    """Download a catalyseur's attestation de participation."""
    # Loaded after the access check: only those who may see it learn that none exists.
    member = membership_of(user_id, cohort)
    if member is None:
        abort(404)
    document = reports.attestation(cohort, member)
    filename = f"attestation-{slug(cohort.name)}-{slug(member.user.full_name)}.pdf"
    audit.record(
        AuditAction.REPORT_DOWNLOADED,
        actor=current_user,
        subject=member.user_id,
        cohort=cohort,
        target=member,
        details={"document": "attendance_attestation"},
    )
    return file_response(pdf.render_attestation(document), filename, "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/attendance")
@handles(load={"cohort": Cohort}, allow=can_view_attendance_figures)
def cohort_figures(cohort: Cohort):
    """Show attendance at the collective sessions per session, territory and participant."""
    scope = attendance_scope(current_user, cohort)
    figures = queries.cohort_attendance(cohort, scope)
    can_manage = cohort_permissions.can_manage_cohort(current_user, cohort)
    return render_template(
        "attendance/cohort.html",
        cohort=cohort,
        figures=figures,
        scope=scope,
        can_manage=can_manage,
        # Links to the scans for those who may read them; the others see whether one exists.
        sheets_readable={
            session.event.id
            for session in figures.sessions
            if can_view_signed_sheets(current_user, session.event)
        },
        # Those who run the cohort, and a coach (for the people of their scope), open each
        # record (can_view_participant_attendance); the committee reads the figures only.
        record_links=can_manage or scope is not None,
    )


@bp.get("/cohorts/<int:cohort_id>/attendance/<int:user_id>")
@handles(load={"cohort": Cohort}, allow=can_view_participant_attendance)
def participant_record(cohort: Cohort, user_id: int):
    """Show one catalyseur's attendance, half-day by half-day, with the hours counted."""
    # Loaded after the access check: only those who may see it learn that none exists.
    member = membership_of(user_id, cohort)
    if member is None:
        abort(404)
    return render_template(
        "attendance/participant.html",
        cohort=cohort,
        record=queries.participant_record(cohort, member),
        mine=user_id == current_user.id,
        can_download=can_download_attestation(current_user, cohort, user_id),
        status_labels=STATUS_LABELS,
    )
