"""Cohort pages: overview, territories, members, CSV import, « Mon parcours », coach view."""

import hashlib
import math

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
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from parcours.accounts.throttle import Throttled
from parcours.audit import export as audit_export_file
from parcours.audit import operations as audit
from parcours.audit import pages as audit_pages
from parcours.audit.filters import FilterError
from parcours.cohorts import csv_import, operations, queries, sections
from parcours.cohorts import permissions as can
from parcours.cohorts.forms import (
    CoachByEmailForm,
    CoachForm,
    CohortEditForm,
    CohortForm,
    ImportConfirmForm,
    ImportForm,
    MemberForm,
    MemberRoleForm,
    PersonForm,
    RemovalForm,
    TerritoryForm,
)
from parcours.cohorts.models import (
    ROLE_LABELS,
    Cohort,
    Membership,
    MembershipRemoval,
    Role,
    Territory,
)
from parcours.core import conflicts
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm, choices
from parcours.core.pipeline import Rollback, handles
from parcours.core.spreadsheets import CSV_MIMETYPE
from parcours.core.text import slug
from parcours.core.time import PARIS, now_utc
from parcours.curricula.models import CurriculumVersion
from parcours.outbox import queries as outbox
from parcours.outbox.models import OutboxMessage

bp = Blueprint("cohorts", __name__)


@bp.app_template_filter("role_label")
def role_label(role: str):
    """Show a role in the reader's language."""
    return ROLE_LABELS[Role(role)]


def _message_of(message_id: int, cohort: Cohort) -> OutboxMessage | None:
    return outbox.cohort_message(cohort.id, message_id)


def _membership_of(membership_id: int, cohort: Cohort) -> Membership | None:
    member = db.session.get(Membership, membership_id)
    return member if member is not None and member.cohort_id == cohort.id else None


def _field_error(form, error: operations.CohortError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


@bp.route("/cohorts/new", methods=["GET", "POST"])
@handles(allow=can.can_create_cohort)
def new_cohort():
    """Create a cohort from a curriculum; its timeline is generated."""
    form = CohortForm()
    versions = queries.curriculum_versions()
    form.curriculum.choices = choices((v.id, v.label) for v in versions)
    if form.validate_on_submit():
        version = db.session.get(CurriculumVersion, form.curriculum.data)
        try:
            cohort = operations.create_cohort(
                version=version,
                name=form.name.data,
                start_date=form.start_date.data,
                timezone=form.timezone.data,
                target_territories=form.target_territories.data,
                created_by=current_user,
            )
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(_("La cohorte « %(name)s » est créée.", name=cohort.name), "success")
            return redirect(url_for("cohorts.overview", cohort_id=cohort.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "cohorts/cohort_form.html", form=form, cohort=None, has_curricula=bool(versions)
    ), status


@bp.get("/cohorts/<int:cohort_id>")
@handles(load={"cohort": Cohort}, allow=can.can_view_overview, cache_page=True)
def overview(cohort: Cohort):
    """Show the cohort dashboard (read-only for the Comité d'orientation)."""
    return render_template(
        "cohorts/overview.html",
        cohort=cohort,
        overview=queries.cohort_overview(cohort),
        sections=sections.collect("overview", cohort=cohort, viewer=current_user),
        can_manage=can.can_manage_cohort(current_user, cohort),
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def edit_cohort(cohort: Cohort):
    """Edit a cohort's name, dates and target; a new start date is previewed, then confirmed."""
    form = CohortEditForm(obj=cohort)
    moves = []
    if form.validate_on_submit():
        try:
            with conflicts.versioned(form, cohort):
                moves = operations.reschedule_preview(
                    cohort, start_date=form.start_date.data, timezone=form.timezone.data
                )
                if not moves or form.confirmed():
                    operations.update_cohort(
                        cohort,
                        name=form.name.data,
                        start_date=form.start_date.data,
                        timezone=form.timezone.data,
                        target_territories=form.target_territories.data,
                        changed_by=current_user,
                    )
                    moves = []
        except conflicts.Conflict:
            stored = CohortEditForm(formdata=None, obj=cohort)
            page = "cohorts/cohort_form.html"
            return conflicts.page(page, form, stored, cohort, cohort=cohort, has_curricula=True)
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            if not moves:
                flash(_("La cohorte est enregistrée."), "success")
                return redirect(url_for("cohorts.overview", cohort_id=cohort.id))
            form.previewed.data, form.previewed.raw_data = form.moves_key(), None
            form.confirm.data, form.confirm.raw_data = False, None
    status = 400 if form.is_submitted() and not moves else 200
    return render_template(
        "cohorts/cohort_form.html", form=form, cohort=cohort, has_curricula=True, moves=moves
    ), status


@bp.route("/cohorts/<int:cohort_id>/members", methods=["GET", "POST"])
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def members(cohort: Cohort):
    """List and invite the coordinators, coaches and Comité d'orientation members."""
    form = MemberForm()
    if form.validate_on_submit():
        try:
            operations.add_member(
                cohort,
                role=Role(form.role.data),
                email=form.email.data,
                full_name=form.full_name.data,
                organisation=form.organisation.data or "",
                invited_by=current_user,
            )
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(_("%(name)s est invité·e.", name=form.full_name.data), "success")
            return redirect(url_for("cohorts.members", cohort_id=cohort.id))
    return _members_page(cohort, form, 400 if form.is_submitted() else 200)


def _members_page(cohort: Cohort, form: MemberForm, status: int = 200):
    people = queries.cohort_members(cohort, (Role.COORDINATOR, Role.COACH, Role.COMMITTEE))
    return render_template(
        "cohorts/members.html",
        cohort=cohort,
        form=form,
        people=people,
        removals=queries.recent_removals(cohort),
        restore_form=EmptyForm(),
    ), status


def resend_throttled_message(name: str, refusal: Throttled) -> str:
    """Say that a person's invitation was resent too often, and when to try again."""
    return _(
        "L'invitation de %(name)s a déjà été renvoyée plusieurs fois ; réessayez dans "
        "%(minutes)d minutes.",
        name=name,
        minutes=math.ceil(refusal.retry_after_seconds / 60),
    )


def _resend(member: Membership, refused):
    """Send an invitation again; a refusal answers ``refused(status)``: the page, its message."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operations.resend_invitation(member, invited_by=current_user)
    except operations.CohortError as error:
        flash(str(error), "error")
        return refused(400)
    except Throttled as refusal:
        flash(resend_throttled_message(member.shown_name, refusal), "error")
        response = refused(429)
        response.headers["Retry-After"] = str(refusal.retry_after_seconds)
        return response
    flash(_("L'invitation de %(name)s est renvoyée.", name=member.shown_name), "success")
    return None


@bp.post("/cohorts/<int:cohort_id>/members/<int:membership_id>/resend")
@handles(load={"cohort": Cohort, "member": _membership_of}, allow=can.can_manage_cohort)
def resend_invitation(cohort: Cohort, member: Membership):
    """Send a member of the team or the committee their invitation again."""
    refused = _resend(
        member,
        lambda status: make_response(_members_page(cohort, MemberForm(formdata=None), status)),
    )
    return refused or redirect(url_for("cohorts.members", cohort_id=cohort.id))


def _staff_membership_of(membership_id: int, cohort: Cohort) -> Membership | None:
    member = _membership_of(membership_id, cohort)
    return member if member is not None and member.role != Role.CATALYSEUR else None


@bp.route("/cohorts/<int:cohort_id>/members/<int:membership_id>/edit", methods=["GET", "POST"])
@handles(load={"cohort": Cohort, "member": _staff_membership_of}, allow=can.can_manage_cohort)
def edit_member(cohort: Cohort, member: Membership):
    """Change the role of a coordinator, coach or committee member."""
    form = MemberRoleForm(obj=member)
    if form.validate_on_submit():
        try:
            with conflicts.versioned(form, member):
                operations.change_role(member, Role(form.role.data), changed_by=current_user)
        except conflicts.Conflict:
            stored = MemberRoleForm(formdata=None, obj=member)
            page = "cohorts/member_form.html"
            return conflicts.page(page, form, stored, member, cohort=cohort, member=member)
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(
                _(
                    "Nouveau rôle de %(name)s : %(role)s.",
                    name=member.user.full_name,
                    role=member.role_label,
                ),
                "success",
            )
            return redirect(url_for("cohorts.members", cohort_id=cohort.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "cohorts/member_form.html", form=form, cohort=cohort, member=member
    ), status


def _removal_digest(member: Membership, coached: list[Territory], preview: list[Markup]) -> str:
    """Sum up what the confirmation page says, to tell a page that no longer says it."""
    followed = ",".join(str(t.id) for t in coached)
    told = "\n".join([member.role, str(member.territory_id), followed, *map(str, preview)])
    return hashlib.sha256(told.encode()).hexdigest()


def _after_removal(cohort: Cohort, territory_id: int | None) -> str:
    if can.can_manage_cohort(current_user, cohort):
        if territory_id:
            return url_for("cohorts.territory", territory_id=territory_id)
        return url_for("cohorts.members", cohort_id=cohort.id)
    return url_for("home.index")  # who removed themselves no longer sees the cohort


@bp.route("/cohorts/<int:cohort_id>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@handles(load={"cohort": Cohort, "member": _membership_of}, allow=can.can_manage_cohort)
def remove_member(cohort: Cohort, member: Membership):
    """Say what removing someone will do, then remove them, with an undo in the message."""
    preview = sections.collect_removal(member)
    coached = [t for t in cohort.territories if t.coach_id == member.user_id]
    digest = _removal_digest(member, coached, preview)
    form = RemovalForm()
    refusal, status = None, 200
    try:
        operations.check_removable(member)
    except operations.CohortError as error:
        refusal = str(error)
    if refusal is None and form.validate_on_submit():
        try:
            conflicts.check(form, member)
            if form.preview.data != digest:
                raise conflicts.Conflict
        except conflicts.Conflict:
            status = 409  # the page no longer says what the removal would do: show it again
        else:
            return _remove(cohort, member, form)
    elif form.is_submitted():
        status = 409 if refusal else 400
    form.version.data, form.preview.data = member.version, digest
    form.version.raw_data = form.preview.raw_data = None  # rendered from .data
    return render_template(
        "cohorts/remove_member.html",
        cohort=cohort,
        member=member,
        form=form,
        preview=preview,
        coached=coached,
        refusal=refusal,
        stale=status == 409 and refusal is None,
        oneself=member.user_id == current_user.id,
    ), status


def _remove(cohort: Cohort, member: Membership, form: RemovalForm):
    territory_id, name = member.territory_id, member.shown_name
    try:
        with conflicts.versioned(form, member):
            removal = operations.remove_member(member, current_user)
    except conflicts.Conflict:  # changed by someone else between the check and the delete
        flash(_("Cette personne a changé entre-temps : vérifiez avant de confirmer."), "error")
        back = url_for("cohorts.remove_member", cohort_id=cohort.id, membership_id=member.id)
        raise Rollback(redirect(back)) from None
    except operations.CohortError as error:  # the last coordinator, since the check above
        flash(str(error), "error")
        raise Rollback(redirect(url_for("cohorts.members", cohort_id=cohort.id))) from None
    undo = render_template("cohorts/_removed_flash.html", cohort=cohort, removal=removal, name=name)
    flash(Markup(undo), "success")  # noqa: S704  (rendered by Jinja, escaped)
    return redirect(_after_removal(cohort, territory_id))


def _removal_of(removal_id: int, cohort: Cohort) -> MembershipRemoval | None:
    removal = db.session.get(MembershipRemoval, removal_id)
    return removal if removal is not None and removal.cohort_id == cohort.id else None


@bp.post("/cohorts/<int:cohort_id>/removals/<int:removal_id>/restore")
@handles(load={"cohort": Cohort, "removal": _removal_of}, allow=can.can_restore_removal)
def restore_member(cohort: Cohort, removal: MembershipRemoval):
    """Undo a removal: the person is back with their role, and invited again."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        member = operations.restore_member(removal, current_user)
    except operations.CohortError as error:
        flash(str(error), "error")
        back = (
            url_for("cohorts.members", cohort_id=cohort.id)
            if can.can_manage_cohort(current_user, cohort)
            else url_for("home.index")
        )
        return redirect(back)
    flash(
        _(
            "%(name)s fait de nouveau partie de la cohorte ; ses invitations aux rendez-vous à "
            "venir lui sont renvoyées.",
            name=member.shown_name,
        ),
        "success",
    )
    return redirect(_after_removal(cohort, member.territory_id))


@bp.route("/cohorts/<int:cohort_id>/territories/new", methods=["GET", "POST"])
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def new_territory(cohort: Cohort):
    """Add a territory to the cohort."""
    form = TerritoryForm()
    if form.validate_on_submit():
        try:
            territory = operations.add_territory(cohort, **form.territory_fields())
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(_("Le territoire « %(name)s » est ajouté.", name=territory.name), "success")
            return redirect(url_for("cohorts.territory", territory_id=territory.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "cohorts/territory_form.html", form=form, cohort=cohort, territory=None
    ), status


def _coach_form(territory: Territory, **kwargs) -> tuple[CoachForm, list[Membership]]:
    """Return the coach picker of a territory, with the cohort's coaches to choose from."""
    form = CoachForm(**kwargs)
    coaches = queries.cohort_members(territory.cohort, (Role.COACH,))
    form.coach.choices = choices(
        [(0, _("— aucun·e —")), *((m.user_id, m.shown_name) for m in coaches)]
    )
    return form, coaches


def _stored_coach_form(territory: Territory, **kwargs) -> CoachForm:
    return _coach_form(
        territory, coach=territory.coach_id or 0, version=territory.version, **kwargs
    )[0]


def _territory_page(
    territory: Territory,
    person_form: PersonForm,
    status: int = 200,
    coach_form: CoachForm | None = None,
    conflict: list[conflicts.Difference] | None = None,
    coach_email_form: CoachByEmailForm | None = None,
):
    """Render a territory's page, with the invitation (or coach) form as it was typed."""
    cohort = territory.cohort
    manage = can.can_manage_cohort(current_user, cohort)
    coaches = None
    if coach_form is None and manage:
        coach_form, coaches = _coach_form(
            territory, coach=territory.coach_id or 0, version=territory.version
        )
    # The coach is among the coaches the picker lists: no query of its own then.
    coach = next((m for m in coaches if m.user_id == territory.coach_id), None) if coaches else None
    if coach is None:
        coach = queries.membership(cohort, territory.coach_id)
    if coach_email_form is None and manage:
        coach_email_form = CoachByEmailForm(formdata=None, prefix=COACH_EMAIL_PREFIX)
    return render_template(
        "cohorts/territory.html",
        territory=territory,
        coach=coach,
        cohort=cohort,
        can_manage=manage,
        person_form=person_form,
        coach_form=coach_form,
        coach_email_form=coach_email_form,
        conflict=conflict,
        resend_form=EmptyForm(),  # the CSRF token of the « Renvoyer » buttons
        sections=sections.collect(
            "territory", cohort=cohort, viewer=current_user, territory=territory
        ),
    ), status


@bp.get("/territories/<int:territory_id>")
@handles(load={"territory": queries.territory_for_page}, allow=can.can_view_territory)
def territory(territory: Territory):
    """Show a territory: status, catalyseurs, coach, planned events."""
    return _territory_page(territory, PersonForm())


@bp.route("/territories/<int:territory_id>/edit", methods=["GET", "POST"])
@handles(load={"territory": Territory}, allow=can.can_manage_territory)
def edit_territory(territory: Territory):
    """Edit a territory and its solicitation status."""
    form = TerritoryForm(obj=territory)
    if form.validate_on_submit():
        try:
            with conflicts.versioned(form, territory):
                operations.update_territory(
                    territory, changed_by=current_user, **form.territory_fields()
                )
        except conflicts.Conflict:
            stored = TerritoryForm(formdata=None, obj=territory)
            page = "cohorts/territory_form.html"
            return conflicts.page(
                page, form, stored, territory, cohort=territory.cohort, territory=territory
            )
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(_("Le territoire est enregistré."), "success")
            return redirect(url_for("cohorts.territory", territory_id=territory.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "cohorts/territory_form.html", form=form, cohort=territory.cohort, territory=territory
    ), status


@bp.post("/territories/<int:territory_id>/catalyseurs")
@handles(load={"territory": Territory}, allow=can.can_manage_territory)
def add_catalyseur(territory: Territory):
    """Invite a catalyseur into the territory (one, or two for a binôme)."""
    form = PersonForm()
    if form.validate_on_submit():
        try:
            operations.add_catalyseur(
                territory,
                email=form.email.data,
                full_name=form.full_name.data,
                organisation=form.organisation.data or "",
                invited_by=current_user,
            )
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            flash(_("%(name)s est invité·e.", name=form.full_name.data), "success")
            return redirect(url_for("cohorts.territory", territory_id=territory.id))
    return _territory_page(territory, form, 400)


@bp.post("/territories/<int:territory_id>/coach")
@handles(load={"territory": Territory}, allow=can.can_manage_territory)
def assign_coach(territory: Territory):
    """Choose the coach who follows the territory."""
    form, coaches = _coach_form(territory)
    if not form.validate_on_submit():
        flash(_("Choisissez un·e accompagnateur·rice de la liste."), "error")
        return redirect(url_for("cohorts.territory", territory_id=territory.id))
    coach = next((m.user for m in coaches if m.user_id == form.coach.data), None)
    try:
        with conflicts.versioned(form, territory):
            operations.assign_coach(territory, coach)
    except conflicts.Conflict:
        difference = conflicts.differences(form, _stored_coach_form(territory, formdata=None))
        conflicts.rebase(form, territory)
        return _territory_page(territory, PersonForm(), 409, form, difference)
    except operations.CohortError as error:
        flash(str(error), "error")
    else:
        flash(_("L'accompagnement du territoire est enregistré."), "success")
    return redirect(url_for("cohorts.territory", territory_id=territory.id))


#: The coach-by-address form shares its page with the catalyseur invitation: distinct ids.
COACH_EMAIL_PREFIX = "coach_invite"


@bp.post("/territories/<int:territory_id>/coach/email")
@handles(load={"territory": Territory}, allow=can.can_manage_territory)
def assign_coach_by_email(territory: Territory):
    """Make anyone, by e-mail address, the coach of the territory (invited if need be)."""
    form = CoachByEmailForm(prefix=COACH_EMAIL_PREFIX)
    if form.validate_on_submit():
        try:
            member, joined = operations.assign_coach_by_email(
                territory,
                email=form.email.data,
                full_name=form.full_name.data,
                organisation=form.organisation.data or "",
                invited_by=current_user,
            )
        except operations.CohortError as error:
            _field_error(form, error)
        else:
            if joined:
                message = _(
                    "%(name)s accompagne désormais ce territoire ; une invitation lui est envoyée.",
                    name=member.shown_name,
                )
            else:
                message = _("%(name)s accompagne désormais ce territoire.", name=member.shown_name)
            flash(message, "success")
            return redirect(url_for("cohorts.territory", territory_id=territory.id))
    return _territory_page(territory, PersonForm(formdata=None), 400, coach_email_form=form)


def _member_of_territory(membership_id: int, territory: Territory) -> Membership | None:
    """A catalyseur of the territory, or its coach: the people its page lists."""
    member = db.session.get(Membership, membership_id)
    if member is None or member.cohort_id != territory.cohort_id:
        return None
    ours = member.territory_id == territory.id or (
        member.role == Role.COACH and member.user_id == territory.coach_id
    )
    return member if ours else None


@bp.post("/territories/<int:territory_id>/members/<int:membership_id>/resend")
@handles(
    load={"territory": Territory, "member": _member_of_territory},
    allow=can.can_manage_territory,
)
def resend_territory_invitation(territory: Territory, member: Membership):
    """Send a catalyseur or the coach of the territory their invitation again."""
    refused = _resend(
        member,
        lambda status: make_response(_territory_page(territory, PersonForm(formdata=None), status)),
    )
    return refused or redirect(url_for("cohorts.territory", territory_id=territory.id))


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def import_territories(cohort: Cohort):
    """Upload a CSV of territories and catalyseurs and preview it, errors by line."""
    form = ImportForm()
    preview = content = None
    if form.validate_on_submit():
        content = csv_import.decode(form.file.data.read())
        preview = csv_import.parse(cohort, content)
    status = 400 if form.is_submitted() and (preview is None or not preview.ok) else 200
    return render_template(
        "cohorts/import.html",
        cohort=cohort,
        form=form,
        preview=preview,
        confirm_form=ImportConfirmForm(content=content) if preview and preview.ok else None,
        columns=csv_import.HEADER,
    ), status


@bp.post("/cohorts/<int:cohort_id>/import/confirm")
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def confirm_import(cohort: Cohort):
    """Write a previewed import, all or nothing, after checking it again."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    preview = csv_import.parse(cohort, form.content.data)
    if not preview.ok:
        flash(_("Le fichier contient des erreurs ; rien n'a été importé."), "error")
        return render_template(
            "cohorts/import.html",
            cohort=cohort,
            form=ImportForm(),
            preview=preview,
            confirm_form=None,
            columns=csv_import.HEADER,
        ), 400
    territories = csv_import.apply(cohort, preview, invited_by=current_user)
    flash(
        ngettext(
            "%(num)d territoire importé ; ses catalyseurs ont reçu leur invitation.",
            "%(num)d territoires importés ; les catalyseurs ont reçu leur invitation.",
            len(territories),
        ),
        "success",
    )
    return redirect(url_for("cohorts.overview", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/import/modele.csv")
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def import_template(cohort: Cohort):
    """Download an example CSV file with the expected columns."""
    return file_response(
        csv_import.template_csv().encode("utf-8"), "parcours-territoires.csv", "text/csv"
    )


@bp.get("/cohorts/<int:cohort_id>/my-path")
@handles(load={"cohort": Cohort}, allow=can.is_catalyseur, cache_page=True)
def my_path(cohort: Cohort):
    """« Mon parcours »: my territory, my binôme partner, my coach, the timeline, my peers."""
    me = can.membership(current_user, cohort.id)
    territory = me.territory
    partners = [m.user for m in territory.catalyseurs if m.user_id != current_user.id]
    peers = tuple(t for t in queries.peer_territories(cohort) if t.id != territory.id)
    return render_template(
        "cohorts/my_path.html",
        cohort=cohort,
        territory=territory,
        partners=partners,
        peers=peers,
        sections=sections.collect(
            "my_path", cohort=cohort, viewer=current_user, territory=territory
        ),
    )


@bp.get("/cohorts/<int:cohort_id>/my-territories")
@handles(load={"cohort": Cohort}, allow=can.is_coach, cache_page=True)
def my_territories(cohort: Cohort):
    """The territories a coach follows in this cohort."""
    return render_template(
        "cohorts/my_territories.html",
        cohort=cohort,
        territories=queries.coached_territories(cohort, current_user),
        sections=sections.collect("my_territories", cohort=cohort, viewer=current_user),
    )


@bp.get("/cohorts/<int:cohort_id>/outbox")
@handles(load={"cohort": Cohort}, allow=can.can_manage_cohort)
def outbox_log(cohort: Cohort):
    """List the e-mails sent about a cohort, newest first, with their delivery state."""
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= outbox.MAX_PAGE:
        abort(404)
    messages, total = outbox.cohort_messages(cohort.id, page)
    if page > 1 and not messages:
        abort(404)
    return render_template(
        "cohorts/outbox.html",
        cohort=cohort,
        messages=messages,
        page=page,
        has_next=page * outbox.PAGE_SIZE < total,
        total=total,
    )


@bp.get("/cohorts/<int:cohort_id>/outbox/<int:message_id>")
@handles(load={"cohort": Cohort, "message": _message_of}, allow=can.can_manage_cohort)
def outbox_message(cohort: Cohort, message: OutboxMessage):
    """Show one e-mail of a cohort's log, with its body."""
    return render_template(
        "cohorts/outbox_message.html",
        cohort=cohort,
        message=message,
        body=outbox.readable_body(message),
    )


def _cohort_log_page(cohort: Cohort, log: audit_pages.LogPage):
    if log.beyond_last:
        abort(404)
    return render_template("cohorts/audit.html", cohort=cohort, log=log, export_form=EmptyForm()), (
        400 if log.error else 200
    )


@bp.get("/cohorts/<int:cohort_id>/journal")
@handles(load={"cohort": Cohort}, allow=can.can_read_cohort_log)
def cohort_audit_log(cohort: Cohort):
    """List the cohort's audit entries, newest first, filtered by person, action and days."""
    return _cohort_log_page(cohort, audit_pages.read(request.args, cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/journal/export.csv")
@handles(load={"cohort": Cohort}, allow=can.can_read_cohort_log)
def cohort_audit_export(cohort: Cohort):
    """Download the cohort's filtered entries as CSV; the export is recorded in the log."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        filters = audit_pages.export_filters(request.args, cohort_id=cohort.id)
    except FilterError:
        return _cohort_log_page(cohort, audit_pages.read(request.args, cohort_id=cohort.id))
    content, _count = audit.export_entries(filters, by=current_user, cohort=cohort)
    today = now_utc().astimezone(PARIS).date()
    name = audit_export_file.filename(today, slug(cohort.name))
    return file_response(content, name, CSV_MIMETYPE)
