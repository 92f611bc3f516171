"""Follow-up records' pages: a territory's suivi, writing, reading, deleting and restoring one."""

from contextlib import nullcontext
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import CombinedMultiDict

from parcours.agenda.models import Event
from parcours.agenda.operations import EventError
from parcours.cohorts.models import Territory
from parcours.core import conflicts
from parcours.core.forms import EmptyForm
from parcours.core.i18n import format_date
from parcours.core.pipeline import SAFE_METHODS, handles
from parcours.core.time import local_to_utc
from parcours.suivi import attachments, drafts
from parcours.suivi import permissions as can
from parcours.suivi.actions import links
from parcours.suivi.actions import queries as action_queries
from parcours.suivi.actions.forms import fill_rows, prepare_rows, row_errors
from parcours.suivi.actions.operations import ActionError
from parcours.suivi.blueprint import bp, keeps_drafts, protect
from parcours.suivi.models import (
    MODE_LABELS,
    VISIBILITY_LABELS,
    VISIBILITY_READERS,
    FollowUpRecord,
    MeetingMode,
    Visibility,
)
from parcours.suivi.records import operations, queries
from parcours.suivi.records import subscribers as _subscribers  # noqa: F401  (its sections)
from parcours.suivi.records.forms import NextMeetingForm, RecordForm

links.register_source("record_id", "suivi.record")

BLOCK_LABELS = {
    "agenda": _l("Ordre du jour"),
    "notes": _l("Notes"),
    "decisions": _l("Décisions"),
    "team_notes": _l("Notes de l'accompagnement"),
}


@dataclass(frozen=True)
class Block:
    """A block of a record as its reader sees it, with who else reads it."""

    name: str
    label: str
    text: str
    visibility: Visibility
    badge: str
    readers: str


def shown_blocks(record: FollowUpRecord, *, team: bool) -> list[Block]:
    """Return the blocks ``record`` shows this reader: those they may read that say something."""
    return [
        Block(
            name,
            str(BLOCK_LABELS[name]),
            text,
            visibility,
            str(VISIBILITY_LABELS[visibility]),
            str(VISIBILITY_READERS[visibility]),
        )
        for name, text, visibility in record.blocks(team=team)
        if text.strip()
    ]


# A territory's suivi ------------------------------------------------------------------------


@bp.get("/territories/<int:territory_id>/suivi")
@handles(load={"territory": Territory}, allow=can.can_read_suivi)
def territory_suivi(territory: Territory):
    """List a territory's records, newest first, its open action items and, for the team, the
    meetings still to write up and the deleted records."""
    team = can.sees_team_blocks(current_user, territory)
    items = action_queries.open_items_of_territory(territory)
    deleted = queries.deleted_records(territory) if team else []
    return render_template(
        "suivi/records/list.html",
        territory=territory,
        cohort=territory.cohort,
        listed=queries.territory_records(territory, team=team),
        items=items,
        today=action_queries.local_today(territory.cohort),
        tickable={item.id for item in items if can.can_tick_action_item(current_user, item)},
        tick_form=EmptyForm(),
        awaiting=queries.meetings_awaiting_a_record(territory) if team else [],
        deleted=deleted,
        deleters=queries.deleters(deleted),
        can_write=can.can_write_suivi(current_user, territory),
        can_restore=can.can_restore(current_user, territory),
        mode_labels=MODE_LABELS,
    )


# Writing a record ---------------------------------------------------------------------------


@bp.route("/territories/<int:territory_id>/suivi/records/new", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"territory": Territory}, allow=can.can_write_suivi)
def new_record(territory: Territory):
    """Write the record of an unplanned call or meeting (date and mode typed)."""
    return _record_form(territory, form_key=f"record:new:{territory.id}")


@bp.route("/events/<int:event_id>/record", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"event": Event}, allow=can.can_write_event_record)
def new_event_record(event: Event):
    """Write the record of a follow-up or bilatérale; show it if it is written already."""
    existing = queries.record_of_event(event)
    if existing is not None and request.method in SAFE_METHODS:
        return redirect(url_for("suivi.record", record_id=existing.id))
    return _record_form(event.territory, event=event, form_key=f"record:event:{event.id}")


@bp.route("/suivi/records/<int:record_id>/edit", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"record": FollowUpRecord}, allow=can.can_edit_record)
def edit_record(record: FollowUpRecord):
    """Change a record: its text, who reads each part, its action items."""
    return _record_form(
        record.territory, event=record.event, record=record, form_key=f"record:{record.id}"
    )


def _record_form(
    territory: Territory,
    *,
    form_key: str,
    event: Event | None = None,
    record: FollowUpRecord | None = None,
):
    """Show, check and save the record form: shared by the new and edit pages."""
    protect()
    owners = action_queries.possible_owners(territory)
    items = list(record.action_items) if record is not None else []
    present = queries.participants(record) if record is not None else []
    open_items = [
        item
        for item in action_queries.open_items_of_territory(territory)
        if record is None or item.record_id != record.id
    ]
    previous = queries.previous_record(territory, before=record)

    def built(formdata) -> RecordForm:
        form = RecordForm(formdata=formdata)
        form.setup(owners, open_items, present)
        return form

    if request.method == "POST":
        form = built(CombinedMultiDict((request.files, request.form)))
    else:
        restored = drafts.restore(current_user.id, form_key)
        form = built(restored)
        if restored is not None:
            flash(
                _(
                    "Ce que vous aviez saisi avant l'expiration de votre session est affiché à "
                    "nouveau : relisez-le, puis enregistrez."
                ),
                "info",
            )
        elif record is not None:
            form.fill_from(record)
            fill_rows(form.actions, items)
        else:
            _fill_new(form, territory, event, owners, previous)
    prepare_rows(form.actions, territory, items)
    context = {
        "territory": territory,
        "cohort": territory.cohort,
        "event": event,
        "record": record,
        "previous": previous,
        "open_items": {item.id: item for item in open_items},
        "today": action_queries.local_today(territory.cohort),
        "visibility_labels": VISIBILITY_LABELS,
        "visibility_readers": VISIBILITY_READERS,
        "back": _back_from_form(territory, event, record),
        "attached": attachments.listed([record])[record] if record is not None else [],
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with conflicts.versioned(form, record) if record is not None else nullcontext():
                    saved = _save(territory, event, record, form)
            except conflicts.Conflict:
                form.sign(current_user.id, form_key)
                return conflicts.page(
                    "suivi/records/form.html",
                    form,
                    _stored_form(record, owners, present),
                    record,
                    **context,
                )
            except operations.RecordError as error:
                _show(form, error)
                status = 409 if error.field is None else 400
            except ActionError as error:
                row_errors(form.actions, error)
            except IntegrityError:
                # Someone wrote this meeting's record at the same moment: keep what was typed.
                conflicts.start_afresh()
                flash(_("Le compte rendu de ce rendez-vous existe déjà."), "error")
                status = 409
            else:
                drafts.discard(current_user.id, form_key)
                flash(_("Le compte rendu est enregistré."), "success")
                return redirect(url_for("suivi.record", record_id=saved.id))
    form.sign(current_user.id, form_key)
    if status == 409 and event is not None:
        context["existing"] = queries.record_of_event(event)
    return render_template("suivi/records/form.html", form=form, **context), status


def _save(territory, event, record, form: RecordForm) -> FollowUpRecord:
    draft = form.draft()
    if record is None:
        record = operations.create_record(territory, draft, author=current_user, event=event)
    else:
        operations.update_record(record, draft, editor=current_user)
    attachments.attach(record, form.attachments.data, user=current_user)
    return record


def _show(form: RecordForm, error: operations.RecordError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "error")


def _stored_form(record: FollowUpRecord, owners, present) -> RecordForm:
    """Return the form as the stored record fills it: what the 409 page compares with."""
    stored = RecordForm(formdata=None)
    stored.setup(owners, [], present)
    stored.fill_from(record)
    fill_rows(stored.actions, record.action_items)
    prepare_rows(stored.actions, record.territory, record.action_items)
    return stored


def _fill_new(form: RecordForm, territory, event, owners, previous) -> None:
    """Open a new record ready to type: the meeting's day and mode, everyone ticked present,
    and an agenda that starts from the last meeting."""
    cohort = territory.cohort
    if event is not None:
        form.held_on.data = event.starts_at.astimezone(ZoneInfo(cohort.timezone)).date()
        form.mode.data = (
            MeetingMode.VIDEO
            if event.online_url
            else MeetingMode.ONSITE
            if event.venue_name or event.venue_address
            else MeetingMode.VIDEO
        )
    else:
        form.held_on.data = action_queries.local_today(cohort)
    form.participants.data = [owner.user_id for owner in owners]
    if previous is not None:
        form.agenda.data = "\n".join(
            (
                "- "
                + _(
                    "Retour sur les décisions du %(date)s",
                    date=format_date(previous.held_on, "long"),
                ),
                "- " + _("Point sur les actions en cours"),
                "- ",
            )
        )


def _back_from_form(territory, event, record) -> str:
    if record is not None:
        return url_for("suivi.record", record_id=record.id)
    if event is not None:
        return url_for("agenda.event", event_id=event.id)
    return url_for("suivi.territory_suivi", territory_id=territory.id)


# Reading a record ---------------------------------------------------------------------------


@bp.get("/suivi/records/<int:record_id>")
@handles(load={"record": FollowUpRecord}, allow=can.can_read_record)
def record(record: FollowUpRecord):
    """Show a record: each part with who reads it, its action items, the next meeting."""
    return _record_page(record)


def _record_page(record: FollowUpRecord, next_form: NextMeetingForm | None = None, status=200):
    territory = record.territory
    team = can.sees_team_blocks(current_user, territory)
    items = queries.record_items(record)
    plan = can.can_plan_next_meeting(current_user, record)
    if plan and next_form is None:
        next_form = NextMeetingForm(formdata=None)
        next_form.setup(queries.upcoming_choices(queries.upcoming_follow_ups(territory)))
    return render_template(
        "suivi/records/record.html",
        record=record,
        territory=territory,
        cohort=territory.cohort,
        blocks=shown_blocks(record, team=team),
        participants=queries.participants(record),
        mode_label=MODE_LABELS[MeetingMode(record.mode)],
        items=items,
        today=action_queries.local_today(territory.cohort),
        tickable={item.id for item in items if can.can_tick_action_item(current_user, item)},
        tick_form=EmptyForm(),
        names=queries.authors(record),
        attachments=attachments.listed([record])[record],
        can_edit=can.can_edit_record(current_user, record),
        can_restore=can.can_restore_record(current_user, record),
        next_form=next_form if plan else None,
    ), status


@bp.post("/suivi/records/<int:record_id>/next-meeting")
@handles(load={"record": FollowUpRecord}, allow=can.can_plan_next_meeting)
def next_meeting(record: FollowUpRecord):
    """Name the next meeting: a follow-up already in the agenda, or a new one (invitations go)."""
    territory = record.territory
    upcoming = queries.upcoming_follow_ups(territory)
    form = NextMeetingForm()
    form.setup(queries.upcoming_choices(upcoming))
    if not form.validate_on_submit():
        return _record_page(record, form, 400)
    try:
        if form.how.data == NextMeetingForm.LINK:
            # The form offers only these events: a choice of another is refused by it.
            chosen = next(event for event in upcoming if event.id == form.event.data)
            operations.link_next_meeting(record, chosen, current_user)
            flash(_("Le prochain rendez-vous est noté dans le compte rendu."), "success")
        else:
            zone = territory.cohort.timezone
            operations.schedule_next_meeting(
                record,
                starts_at=local_to_utc(form.day.data, form.start_time.data, zone),
                ends_at=local_to_utc(form.day.data, form.end_time.data, zone),
                mode=form.mode.data,
                venue=form.venue.data or "",
                online_url=form.online_url.data or "",
                user=current_user,
            )
            flash(
                _("Le prochain suivi est programmé ; les personnes attendues sont invitées."),
                "success",
            )
    except operations.RecordError as error:
        target = form.day if error.field == "day" else form.event
        target.errors = [*target.errors, str(error)]
        return _record_page(record, form, 400)
    except EventError as error:
        target = {"start_date": form.day, "end_date": form.day, "end_time": form.end_time}.get(
            error.field or "", form.day
        )
        target.errors = [*target.errors, str(error)]
        return _record_page(record, form, 400)
    return redirect(url_for("suivi.record", record_id=record.id) + "#next-meeting")


# Deleting and restoring ---------------------------------------------------------------------


@bp.route("/suivi/records/<int:record_id>/delete", methods=["GET", "POST"])
@handles(load={"record": FollowUpRecord}, allow=can.can_edit_record)
def delete_record(record: FollowUpRecord):
    """Ask, then delete a record: hidden from all, kept for a coordinator to restore."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        operations.delete_record(record, current_user)
        flash(
            _(
                "Le compte rendu du %(date)s est supprimé. La coordination peut le restaurer.",
                date=format_date(record.held_on, "long"),
            ),
            "success",
        )
        return redirect(url_for("suivi.territory_suivi", territory_id=record.territory_id))
    return render_template(
        "suivi/records/delete.html",
        record=record,
        territory=record.territory,
        items=len(record.action_items),
        form=form,
    )


@bp.post("/suivi/records/<int:record_id>/restore")
@handles(load={"record": FollowUpRecord}, allow=can.can_restore_record)
def restore_record(record: FollowUpRecord):
    """Bring a deleted record back, with its action items."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.restore_record(record, current_user)
    flash(
        _("Le compte rendu du %(date)s est restauré.", date=format_date(record.held_on, "long")),
        "success",
    )
    return redirect(url_for("suivi.record", record_id=record.id))
