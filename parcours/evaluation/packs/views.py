"""The coordinator's pack page: the editorial, « Générer », the versions, the download log;
the download of a version (logged) and its « données du rapport »."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort
from parcours.core import conflicts, errors
from parcours.core.downloads import file_response
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.core.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Sheet, csv_file, xlsx_file
from parcours.core.time import now_utc
from parcours.curricula.schema import PackKind
from parcours.evaluation.blueprint import bp
from parcours.evaluation.models import CommitteePack, PackVariant
from parcours.evaluation.packs import operations, queries
from parcours.evaluation.packs import permissions as can
from parcours.evaluation.packs import sections as _sections  # noqa: F401  (receivers)
from parcours.evaluation.packs.export import sheets
from parcours.evaluation.packs.forms import EditorialForm

audit_labels.name_values("document", {"pack_data": _l("données du dossier")})

PAGE = "evaluation/packs/packs.html"
#: The kinds and variants a URL names; any other value is no page (404).
_KIND = "<any(launch, midway, final):kind>"
_VARIANT = "<any(full, pseudonymised):variant>"
_FORMAT = "<any(csv, xlsx):fmt>"


def _editorial_form(kind: PackKind, editorial) -> EditorialForm:
    form = EditorialForm(formdata=None, obj=editorial, prefix=kind.value)
    form.version.data = (editorial or queries.UNWRITTEN).version
    return form


def _page(cohort: Cohort, *, posted=None, conflict=None, status=200):
    """Render the page; ``posted`` is the form of one kind as it was typed."""
    blocks = queries.kind_blocks(cohort)
    forms = {block.kind: _editorial_form(block.kind, block.editorial) for block in blocks}
    if posted is not None:
        forms[PackKind(posted.kind)] = posted.form
    return render_template(
        PAGE,
        cohort=cohort,
        blocks=blocks,
        forms=forms,
        posted_kind=posted.kind if posted is not None else None,
        conflict=conflict,
        downloads=queries.download_log(cohort),
        now=now_utc(),
        action_form=EmptyForm(),
    ), status


class _Posted:
    def __init__(self, kind: PackKind, form: EditorialForm) -> None:
        self.kind, self.form = kind, form


@bp.get("/cohorts/<int:cohort_id>/comite/dossiers")
@handles(load={"cohort": Cohort}, allow=can.can_manage_packs)
def committee_packs(cohort: Cohort):
    """Show the cohort's committee packs: editorial, generation, versions, downloads."""
    return _page(cohort)


@bp.post(f"/cohorts/<int:cohort_id>/comite/dossiers/{_KIND}/editorial")
@handles(load={"cohort": Cohort, "pack_kind": queries.offered_kind}, allow=can.can_manage_packs)
def save_editorial(cohort: Cohort, pack_kind: PackKind):
    """Save the editorial section of one kind of pack (the next version copies it)."""
    form = EditorialForm(prefix=pack_kind.value)
    if not form.validate_on_submit():
        return _page(cohort, posted=_Posted(pack_kind, form), status=400)
    stored = queries.editorial(cohort, pack_kind)
    try:
        with conflicts.versioned(form, stored or queries.UNWRITTEN):
            operations.save_editorial(
                cohort, pack_kind, form.parts(), by=current_user, now=now_utc()
            )
    except conflicts.Conflict:
        stored = queries.editorial(cohort, pack_kind)
        difference = conflicts.differences(form, _editorial_form(pack_kind, stored))
        conflicts.rebase(form, stored or queries.UNWRITTEN)
        return _page(cohort, posted=_Posted(pack_kind, form), conflict=difference, status=409)
    flash(
        _("L'éditorial du %(pack)s est enregistré.", pack=queries.KIND_LABELS[pack_kind].lower()),
        "success",
    )
    return redirect(url_for(".committee_packs", cohort_id=cohort.id, _anchor=pack_kind.value))


@bp.post(f"/cohorts/<int:cohort_id>/comite/dossiers/{_KIND}/generer")
@handles(load={"cohort": Cohort, "pack_kind": queries.offered_kind}, allow=can.can_manage_packs)
def generate_pack(cohort: Cohort, pack_kind: PackKind):
    """Generate the next version of one kind of pack, frozen with its SHA-256."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré : réessayez."), "error")
        return _page(cohort, status=400)
    try:
        pack = operations.generate_pack(cohort, pack_kind, by=current_user, now=now_utc())
    except operations.PackRefused as error:
        flash(str(error), "error")
        return _page(cohort, status=409)
    flash(
        _(
            "La version %(number)d du %(pack)s est générée.",
            number=pack.number,
            pack=queries.KIND_LABELS[pack_kind].lower(),
        ),
        "success",
    )
    return redirect(url_for(".committee_packs", cohort_id=cohort.id, _anchor=pack_kind.value))


@bp.post(f"/comite/dossiers/<int:pack_id>/telecharger/{_VARIANT}")
@handles(load={"pack": CommitteePack}, allow=can.can_read_pack)
def download_pack(pack: CommitteePack, variant: str):
    """Download a pack's PDF as it was generated; the download is logged."""
    if not EmptyForm().validate_on_submit():
        return errors.refused(
            errors.EXPIRED, back_url=url_for(".committee", cohort_id=pack.cohort_id)
        )
    chosen = PackVariant(variant)
    operations.log_download(pack, chosen, by=current_user, now=now_utc())
    content = pack.pdf if chosen is PackVariant.FULL else pack.pseudonymised_pdf
    return file_response(content, queries.filename(pack, chosen), "application/pdf")


@bp.get(f"/comite/dossiers/<int:pack_id>/donnees.{_FORMAT}")
@handles(load={"pack": CommitteePack}, allow=can.can_manage_pack)
def pack_data(pack: CommitteePack, fmt: str):
    """Download the figures a pack was made from (« données du rapport »)."""
    tables = sheets(pack.snapshot)
    audit.record(
        AuditAction.EXPORTED,
        actor=current_user,
        cohort=pack.cohort_id,
        target=pack,
        details={"document": "pack_data", "format": fmt, "version": pack.number},
    )
    if fmt == "xlsx":
        workbook = [Sheet(table.name, table.header, table.rows) for table in tables]
        return file_response(xlsx_file(workbook), queries.data_filename(pack, fmt), XLSX_MIMETYPE)
    return file_response(_csv(tables), queries.data_filename(pack, fmt), CSV_MIMETYPE)


def _csv(tables) -> bytes:
    """Write every table in one CSV, one after the other: its name, its header, its rows."""
    rows = []
    for index, table in enumerate(tables):
        if index:
            rows += [[], [table.name]]
        rows += [list(table.header), *table.rows]
    return csv_file([tables[0].name] if tables else [], rows)


from parcours.evaluation.portal import views as _portal  # noqa: E402, F401
