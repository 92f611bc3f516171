"""Administration pages: people (search, deactivate, cohort creation, invitations), programmes,
the audit log (« Journal des actions ») and its CSV export."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from parcours.accounts import operations as accounts
from parcours.accounts.invitations import STATE_LABELS, InvitationState, account_state
from parcours.accounts.models import User
from parcours.accounts.throttle import Throttled
from parcours.admin import queries
from parcours.admin.forms import CohortCreationForm, MoodleImportForm
from parcours.admin.permissions import is_administrator
from parcours.audit import export as audit_export_file
from parcours.audit import operations as audit
from parcours.audit import pages as audit_pages
from parcours.audit.filters import FilterError
from parcours.audit.models import AuditAction
from parcours.cohorts import operations as cohorts
from parcours.cohorts.models import Membership
from parcours.cohorts.views import resend_throttled_message
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm, choices
from parcours.core.pipeline import handles
from parcours.core.spreadsheets import CSV_MIMETYPE
from parcours.core.time import PARIS, now_utc
from parcours.curricula import merge, moodle, moodle_import
from parcours.curricula.loader import CurriculumError
from parcours.curricula.models import CurriculumVersion

bp = Blueprint("admin", __name__, url_prefix="/admin")


bp.add_app_template_filter(account_state, "account_state")


@bp.app_template_filter("invitation_label")
def invitation_label(state: InvitationState):
    """Name an invitation state in the reader's language."""
    return STATE_LABELS[state]


@bp.get("/users")
@handles(allow=is_administrator)
def users():
    """List the platform's people, searched by name or address, page by page."""
    search = request.args.get("q", "").strip()[: queries.MAX_SEARCH_LENGTH]
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= queries.MAX_PAGE:
        abort(404)
    rows, total = queries.users_page(search, page)
    if page > 1 and not rows:
        abort(404)
    return render_template(
        "admin/users.html",
        rows=rows,
        total=total,
        search=search,
        page=page,
        has_next=page * queries.PAGE_SIZE < total,
    )


def _user_page(user: User, status: int = 200, creation_form: CohortCreationForm | None = None):
    return make_response(
        render_template(
            "admin/user.html",
            person=user,
            state=account_state(user),
            memberships=queries.user_memberships(user),
            creation_form=creation_form
            or CohortCreationForm(formdata=None, allowed=user.can_create_cohorts),
            button_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
@handles(load={"user": User}, allow=is_administrator)
def user(user: User):
    """Show a person: their account, cohorts and roles, and what an administrator may do."""
    return _user_page(user)


def _check_button() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/users/<int:user_id>/deactivate")
@handles(load={"user": User}, allow=is_administrator)
def deactivate(user: User):
    """Stop a person from logging in; their open sessions end at once."""
    _check_button()
    try:
        accounts.deactivate_user(user, by=current_user)
    except accounts.AccountError as error:
        flash(str(error), "error")
        return _user_page(user, 400)
    flash(_("Le compte de %(name)s est désactivé.", name=user.full_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@handles(load={"user": User}, allow=is_administrator)
def reactivate(user: User):
    """Let a deactivated person log in again."""
    _check_button()
    try:
        accounts.reactivate_user(user, by=current_user)
    except accounts.AccountError as error:
        flash(str(error), "error")
        return _user_page(user, 409)
    flash(_("Le compte de %(name)s est réactivé.", name=user.full_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/cohort-creation")
@handles(load={"user": User}, allow=is_administrator)
def cohort_creation(user: User):
    """Give or take back a person's right to create cohorts."""
    form = CohortCreationForm()
    if not form.validate_on_submit():
        return _user_page(user, 400, form)
    accounts.allow_cohort_creation(user, form.allowed.data, by=current_user)
    if form.allowed.data:
        message = _("%(name)s peut créer des cohortes.", name=user.full_name)
    else:
        message = _("%(name)s ne peut plus créer de cohortes.", name=user.full_name)
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _membership_of(membership_id: int, user: User) -> Membership | None:
    member = db.session.get(Membership, membership_id)
    return member if member is not None and member.user_id == user.id else None


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>/resend")
@handles(load={"user": User, "member": _membership_of}, allow=is_administrator)
def resend_invitation(user: User, member: Membership):
    """Send a person their invitation to one of their cohorts again."""
    _check_button()
    try:
        cohorts.resend_invitation(member, invited_by=current_user)
    except cohorts.CohortError as error:
        flash(str(error), "error")
        return _user_page(user, 400)
    except Throttled as refusal:
        flash(resend_throttled_message(user.full_name, refusal), "error")
        response = _user_page(user, 429)
        response.headers["Retry-After"] = str(refusal.retry_after_seconds)
        return response
    flash(
        _(
            "L'invitation de %(name)s à « %(cohort)s » est renvoyée.",
            name=user.full_name,
            cohort=member.cohort.name,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.get("/curricula")
@handles(allow=is_administrator)
def curricula():
    """List the programmes, their versions and the cohorts that run on each."""
    return render_template("admin/curricula.html", curricula=queries.curricula())


@bp.get("/curricula/versions/<int:version_id>/moodle.csv")
@handles(load={"version": CurriculumVersion}, allow=is_administrator)
def curriculum_moodle_csv(version: CurriculumVersion):
    """Download a version's referential as a Moodle competency framework file."""
    try:
        content, filename = moodle.framework_file(version.document, version.number)
    except moodle.MoodleExportError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.curricula"))
    return file_response(content, filename, "text/csv")


@bp.route("/curricula/import-moodle", methods=["GET", "POST"])
@handles(allow=is_administrator)
def import_moodle():
    """Turn a Moodle framework file into a curriculum file to review, or list its problems."""
    form = MoodleImportForm()
    form.base.choices = choices(queries.version_choices())
    problems = []
    if form.validate_on_submit():
        version = db.session.get(CurriculumVersion, form.base.data)
        name = f"{version.document.programme.slug}-referentiel-moodle.toml"
        try:
            imported = moodle_import.read_framework(form.file.data.read())
            text, _document = merge.with_referential(
                merge.document_toml(version.document), imported.referential, name
            )
        except moodle_import.MoodleImportError as error:
            problems = error.problems
        except CurriculumError as error:
            problems = str(error).splitlines()
        else:
            lines = [
                _(
                    "Référentiel importé de %(file)s, le reste repris de %(version)s : relisez "
                    "ce fichier, puis chargez-le avec « flask --app parcours curricula load ».",
                    file=form.file.data.filename,
                    version=version.label,
                ),
                *imported.notes,
            ]
            header = "".join(f"# {line}\n" for line in lines) + "\n"
            audit.record(
                AuditAction.IMPORTED,
                actor=current_user,
                target=version,
                details={
                    "format": "moodle",
                    "domains": len(imported.referential["domains"]),
                    "competences": imported.competence_count,
                },
            )
            return file_response((header + text).encode("utf-8"), name, "application/toml")
    status = 400 if form.is_submitted() else 200
    return render_template("admin/import_moodle.html", form=form, problems=problems), status


def _audit_page(log: audit_pages.LogPage, status: int = 200):
    if log.beyond_last:
        abort(404)
    return render_template(
        "admin/audit.html",
        log=log,
        cohorts=queries.cohort_choices(),
        export_form=EmptyForm(),
    ), (400 if log.error else status)


@bp.get("/journal")
@handles(allow=is_administrator)
def audit_log():
    """List every audit entry, newest first, filtered by person, cohort, action and days."""
    return _audit_page(audit_pages.read(request.args))


@bp.post("/journal/export.csv")
@handles(allow=is_administrator)
def audit_export():
    """Download the filtered entries as CSV; the export is itself recorded in the log."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        filters = audit_pages.export_filters(request.args)
    except FilterError:
        return _audit_page(audit_pages.read(request.args))
    content, _count = audit.export_entries(filters, by=current_user)
    today = now_utc().astimezone(PARIS).date()
    return file_response(content, audit_export_file.filename(today), CSV_MIMETYPE)
