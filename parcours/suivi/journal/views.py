"""The carnet de bord's pages: a territory's carnet, an entry, its forms, « Belles histoires »."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from parcours.cohorts.models import Cohort, Territory
from parcours.core import conflicts
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.suivi import attachments, drafts
from parcours.suivi import permissions as can
from parcours.suivi.actions.queries import local_today
from parcours.suivi.blueprint import bp, keeps_drafts, protect
from parcours.suivi.journal import operations, queries
from parcours.suivi.journal import sections as _sections  # noqa: F401  (page sections)
from parcours.suivi.journal.forms import (
    MARKDOWN_HINT,
    VISIBILITY_READERS,
    DeleteEntryForm,
    EntryForm,
    TagFilterForm,
)
from parcours.suivi.models import JOURNAL_VISIBILITY_LABELS, JournalEntry, JournalVisibility

ENTRY_FORM = "suivi/journal/entry_form.html"


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _filters(cohort: Cohort) -> tuple[TagFilterForm, str | None, str | None, int]:
    """Read the tag filters of a list; a code the curriculum does not name is a 400."""
    form = TagFilterForm(formdata=request.args)
    form.setup(cohort.curriculum)
    if not form.validate():
        return form, None, None, 400
    thematic, competence = form.chosen()
    return form, thematic, competence, 200


@bp.get("/territories/<int:territory_id>/suivi/journal")
@handles(load={"territory": Territory}, allow=can.can_open_journal)
def journal(territory: Territory):
    """Show the territory's carnet de bord: the entries I may read, newest first."""
    cohort = territory.cohort
    form, thematic, competence, status = _filters(cohort)
    page = queries.carnet(
        current_user, territory, thematic=thematic, competence=competence, page=_page_number()
    )
    return render_template(
        "suivi/journal/carnet.html",
        territory=territory,
        cohort=cohort,
        page=page,
        filters=form,
        filtered=bool(thematic or competence),
        deleted=queries.deleted_entries(current_user, territory),
        can_write=can.can_write_journal(current_user, territory),
        is_binome=can.is_binome(current_user, territory),
        reads_coach_entries=can.reads_coach_entries(current_user, territory),
        readers=VISIBILITY_READERS,
        visibility_labels=JOURNAL_VISIBILITY_LABELS,
        restore_form=EmptyForm(),
    ), status


@bp.get("/suivi/journal/<int:entry_id>")
@handles(load={"entry": JournalEntry}, allow=can.can_read_journal_entry)
def journal_entry(entry: JournalEntry):
    """Show an entry of a carnet de bord, its tags and who reads it."""
    territory = entry.territory
    return render_template(
        "suivi/journal/entry.html",
        row=queries.entry_row(entry),
        entry=entry,
        territory=territory,
        cohort=territory.cohort,
        can_edit=can.can_edit_journal_entry(current_user, entry),
        can_restore=can.can_restore_journal_entry(current_user, entry),
        can_open_journal=can.can_open_journal(current_user, territory),
        attachments=attachments.listed([entry])[entry],
        readers=VISIBILITY_READERS,
        visibility_labels=JOURNAL_VISIBILITY_LABELS,
        restore_form=EmptyForm(),
    )


def _entry_form(territory: Territory, form_key: str, entry: JournalEntry | None) -> EntryForm:
    """Build the entry form: what was posted, a draft kept after the timeout, or the entry."""
    restored = None if request.method == "POST" else drafts.restore(current_user.id, form_key)
    form = EntryForm(formdata=restored) if restored is not None else EntryForm()
    form.setup(territory.cohort.curriculum, local_today(territory.cohort))
    if restored is not None:
        flash(
            _(
                "Ce que vous aviez saisi avant l'expiration de votre session est affiché à "
                "nouveau : vérifiez-le, puis enregistrez."
            ),
            "info",
        )
    elif entry is not None and not form.is_submitted():
        form.fill_from(entry, *operations.tag_codes(entry))
    return form


def _form_page(form: EntryForm, territory: Territory, entry: JournalEntry | None, form_key):
    """Render the entry form (new or edit) with its draft token."""
    form.draft_token.data = drafts.token(current_user.id, form_key)
    return render_template(
        ENTRY_FORM, **_form_context(form, territory, entry)
    ), 400 if form.is_submitted() else 200


def _form_context(form: EntryForm, territory: Territory, entry: JournalEntry | None) -> dict:
    return {
        "form": form,
        "territory": territory,
        "cohort": territory.cohort,
        "entry": entry,
        "readers": VISIBILITY_READERS,
        "coach": territory.coach,
        "markdown_hint": MARKDOWN_HINT,
        "attached": attachments.listed([entry])[entry] if entry is not None else [],
    }


@bp.route("/territories/<int:territory_id>/suivi/journal/new", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"territory": Territory}, allow=can.can_write_journal)
def new_journal_entry(territory: Territory):
    """Write a new entry of my territory's carnet de bord."""
    protect()
    form_key = f"journal:new:{territory.id}"
    form = _entry_form(territory, form_key, None)
    if form.validate_on_submit():
        entry = operations.create_entry(territory, form.draft(), current_user)
        attachments.attach(entry, form.attachments.data, user=current_user)
        drafts.discard(current_user.id, form_key)
        flash(_saved_message(entry), "success")
        return redirect(url_for("suivi.journal_entry", entry_id=entry.id))
    return _form_page(form, territory, None, form_key)


def _saved_message(entry: JournalEntry) -> str:
    if entry.visibility == JournalVisibility.COHORT:
        return _(
            "L'entrée est enregistrée ; elle figure dans les « Belles histoires » de la cohorte."
        )
    return _("L'entrée est enregistrée dans votre carnet de bord.")


@bp.route("/suivi/journal/<int:entry_id>/edit", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"entry": JournalEntry}, allow=can.can_edit_journal_entry)
def edit_journal_entry(entry: JournalEntry):
    """Change an entry of my territory's carnet de bord."""
    protect()
    territory = entry.territory
    form_key = f"journal:{entry.id}"
    form = _entry_form(territory, form_key, entry)
    if form.validate_on_submit():
        try:
            with conflicts.versioned(form, entry):
                changed = operations.update_entry(entry, form.draft(), current_user)
                added = attachments.attach(entry, form.attachments.data, user=current_user)
        except conflicts.Conflict:
            stored = EntryForm(formdata=None)
            stored.setup(territory.cohort.curriculum, local_today(territory.cohort))
            stored.fill_from(entry, *operations.tag_codes(entry))
            form.draft_token.data = drafts.token(current_user.id, form_key)
            return conflicts.page(
                ENTRY_FORM, form, stored, entry, **_without_form(form, territory, entry)
            )
        drafts.discard(current_user.id, form_key)
        saved = changed or added
        flash(_("L'entrée est modifiée.") if saved else _("Aucune modification."), "success")
        return redirect(url_for("suivi.journal_entry", entry_id=entry.id))
    return _form_page(form, territory, entry, form_key)


def _without_form(form: EntryForm, territory: Territory, entry: JournalEntry) -> dict:
    context = _form_context(form, territory, entry)
    del context["form"]  # conflicts.page hands the form itself
    return context


@bp.route("/suivi/journal/<int:entry_id>/delete", methods=["GET", "POST"])
@handles(load={"entry": JournalEntry}, allow=can.can_delete_journal_entry)
def delete_journal_entry(entry: JournalEntry):
    """Delete an entry of my territory's carnet de bord, after a confirmation."""
    form = DeleteEntryForm()
    if not form.is_submitted():
        form.version.data = entry.version
    elif form.validate_on_submit():
        try:
            with conflicts.versioned(form, entry):
                operations.delete_entry(entry, current_user)
        except conflicts.Conflict:
            if entry.is_deleted:  # the other catalyseur of the binôme deleted it meanwhile
                flash(_("Cette entrée a déjà été supprimée."), "info")
                return redirect(url_for("suivi.journal", territory_id=entry.territory_id))
            conflicts.rebase(form, entry)
            return _delete_page(entry, form, changed=True), 409
        flash(
            _(
                "L'entrée est supprimée. Votre binôme ou vous pouvez la restaurer depuis le "
                "carnet de bord."
            ),
            "success",
        )
        return redirect(url_for("suivi.journal", territory_id=entry.territory_id))
    else:
        abort(400)
    return _delete_page(entry, form)


def _delete_page(entry: JournalEntry, form: DeleteEntryForm, changed: bool = False):
    return render_template(
        "suivi/journal/delete.html",
        entry=entry,
        row=queries.entry_row(entry),
        territory=entry.territory,
        form=form,
        changed=changed,
        readers=VISIBILITY_READERS,
        visibility_labels=JOURNAL_VISIBILITY_LABELS,
    )


@bp.post("/suivi/journal/<int:entry_id>/restore")
@handles(load={"entry": JournalEntry}, allow=can.can_restore_journal_entry)
def restore_journal_entry(entry: JournalEntry):
    """Bring a deleted entry back into its carnet de bord."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operations.restore_entry(entry, current_user)
    except StaleDataError:  # restored (or changed) by someone else at the same moment
        conflicts.start_afresh()
        flash(_("Cette entrée a été restaurée entre-temps."), "info")
    else:
        flash(_("L'entrée est restaurée."), "success")
    return redirect(url_for("suivi.journal_entry", entry_id=entry.id))


@bp.get("/cohorts/<int:cohort_id>/belles-histoires")
@handles(load={"cohort": Cohort}, allow=can.can_read_belles_histoires, cache_page=True)
def belles_histoires(cohort: Cohort):
    """Show the entries the cohort's binômes shared with it, filtered by thematic or competence."""
    form, thematic, competence, status = _filters(cohort)
    page = queries.belles_histoires(
        current_user, cohort, thematic=thematic, competence=competence, page=_page_number()
    )
    return render_template(
        "suivi/journal/belles_histoires.html",
        cohort=cohort,
        page=page,
        filters=form,
        filtered=bool(thematic or competence),
    ), status
