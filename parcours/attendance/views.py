"""Attendance pages: marking sheet, code shown in the room, check-in, PDFs, cohort figures."""

import re
import unicodedata
from collections.abc import Callable

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS, can_take_attendance, can_view_event
from parcours.attendance import operations, pdf, queries, reports
from parcours.attendance.forms import AttendanceSheetForm, CheckInForm
from parcours.attendance.halfdays import current_slot, half_days, next_slot
from parcours.attendance.permissions import can_check_in
from parcours.cohorts import permissions as cohort_permissions
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url

bp = Blueprint("attendance", __name__)

SLUG_MAX_LENGTH = 60

CONFLICT = _l(
    "Quelqu'un vient d'enregistrer cet émargement en même temps que vous : vérifiez la page et "
    "enregistrez à nouveau si besoin."
)


@bp.before_request
@login_required
def _require_login() -> None:
    """Every attendance page needs a logged-in user; object checks follow in each view."""


@bp.app_template_filter("attendance_rate")
def attendance_rate(rate: float | None) -> str:
    """Show a rate as a percentage in the reader's language, or a dash when there is none."""
    return "—" if rate is None else format_percent(rate)


def _load_event(event_id: int, allowed: Callable) -> Event:
    event = db.get_or_404(Event, event_id)
    if event.kind not in ATTENDANCE_KINDS:
        abort(404)
    if not allowed(current_user, event):
        abort(403)
    return event


def slug(text: str) -> str:
    """Return ``text`` as a file-name-safe ASCII slug: « Séance n° 1 » → ``seance-n-1``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > SLUG_MAX_LENGTH:  # cut between words
        words = words[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0][:SLUG_MAX_LENGTH]
    return words or "document"


@bp.route("/events/<int:event_id>/attendance", methods=["GET", "POST"])
def mark(event_id: int):
    """Mark who attended each half-day of an event."""
    event = _load_event(event_id, can_take_attendance)
    grid = queries.attendance_grid(event)
    form = AttendanceSheetForm.for_grid(grid)
    if form.validate_on_submit():
        try:
            changes = operations.record_attendances(
                event, form.marks(grid), recorded_by=current_user
            )
        except operations.AttendanceError as error:
            db.session.rollback()
            flash(str(error), "error")
        except IntegrityError:  # someone saved the same sheet at the same moment
            db.session.rollback()
            flash(str(CONFLICT), "error")
            return redirect(url_for("attendance.mark", event_id=event.id))
        else:
            db.session.commit()
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
    status = 400 if form.is_submitted() else 200
    return render_template("attendance/mark.html", event=event, grid=grid, form=form), status


@bp.get("/events/<int:event_id>/attendance/code")
def code(event_id: int):
    """Show the current half-day's check-in code, large, with its QR code."""
    event = _load_event(event_id, can_take_attendance)
    slots = half_days(event)
    moment = now_utc()
    slot = current_slot(slots, moment)
    check_in_code = qr_svg = check_in_url = None
    if slot is not None and not event.is_cancelled:
        check_in_code = operations.check_in_code(event, slot)
        db.session.commit()
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
    )


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"])
def check_in(event_id: int):
    """Let an expected participant record their own presence with the code shown in the room."""
    event = _load_event(event_id, can_view_event)
    form = CheckInForm() if request.method == "POST" else CheckInForm(code=request.args.get("code"))
    if form.validate_on_submit():
        try:
            record = operations.check_in(event, current_user, form.code.data)
        except operations.AttendanceError as error:
            db.session.rollback()
            form.code.errors = [*form.code.errors, str(error)]
        except IntegrityError:  # the same check-in sent twice at once: the first one counts
            db.session.rollback()
            return redirect(url_for("attendance.check_in", event_id=event.id))
        else:
            db.session.commit()
            flash(
                _(
                    "C'est noté : %(status)s à « %(title)s ». Bonne séance !",
                    status=record.status_label,
                    title=event.title,
                ),
                "success",
            )
            return redirect(url_for("attendance.check_in", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    expected = can_check_in(current_user, event)
    slot = current_slot(half_days(event), now_utc())
    mine = None
    if slot is not None and expected:
        mine = queries.attendance_grid(event).record(current_user.id, slot)
    return render_template(
        "attendance/check_in.html",
        event=event,
        form=form,
        expected=expected,
        slot=slot,
        mine=mine,
    ), status


@bp.get("/events/<int:event_id>/signature-sheet.pdf")
def signature_sheet(event_id: int):
    """Download the feuille d'émargement, blank or (?prefill=1) with the recorded presence."""
    event = _load_event(event_id, can_take_attendance)
    sheet = reports.signature_sheet(event, prefill=request.args.get("prefill") == "1")
    filename = f"emargement-{sheet.first_day.isoformat()}-{slug(event.title)}.pdf"
    return file_response(pdf.render_signature_sheet(sheet), filename, "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/attestations/<int:user_id>.pdf")
def attestation(cohort_id: int, user_id: int):
    """Download a catalyseur's attestation de participation."""
    cohort = db.get_or_404(Cohort, cohort_id)
    manager = cohort_permissions.can_manage_cohort(current_user, cohort)
    if not manager and current_user.id != user_id:
        abort(403)
    member = db.session.scalar(
        select(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == user_id,
            Membership.role == Role.CATALYSEUR,
        )
    )
    if member is None:
        abort(404)
    document = reports.attestation(cohort, member)
    filename = f"attestation-{slug(cohort.name)}-{slug(member.user.full_name)}.pdf"
    return file_response(pdf.render_attestation(document), filename, "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/attendance")
def cohort_figures(cohort_id: int):
    """Show attendance at the collective sessions per session, territory and participant."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not cohort_permissions.can_view_overview(current_user, cohort):
        abort(403)
    return render_template(
        "attendance/cohort.html",
        cohort=cohort,
        figures=queries.cohort_attendance(cohort),
        can_manage=cohort_permissions.can_manage_cohort(current_user, cohort),
    )
