"""Territorial dynamics: record a new snapshot, read every recording of a territory."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.cohorts.models import Territory
from parcours.core.pipeline import SAFE_METHODS, handles
from parcours.suivi import drafts
from parcours.suivi import permissions as can
from parcours.suivi.actions.queries import local_today
from parcours.suivi.blueprint import bp, keeps_drafts, protect
from parcours.suivi.dynamics import operations, queries
from parcours.suivi.dynamics import sections as _sections  # noqa: F401  (connects the section)
from parcours.suivi.dynamics.forms import DynamicsForm
from parcours.suivi.models import DYNAMICS_MOMENT_LABELS


def _form_key(territory: Territory) -> str:
    return f"dynamics:new:{territory.id}"


@bp.route("/territories/<int:territory_id>/suivi/dynamics/new", methods=["GET", "POST"])
@keeps_drafts
@handles(load={"territory": Territory}, allow=can.can_write_suivi)
def record_dynamics(territory: Territory):
    """Record the territory's dynamics with its binôme: a new snapshot, kept as it is."""
    protect()
    key = _form_key(territory)
    cohort = territory.cohort
    restored = drafts.restore(current_user.id, key) if request.method in SAFE_METHODS else None
    form = DynamicsForm(formdata=restored) if restored is not None else DynamicsForm()
    form.setup(cohort.curriculum)
    if restored is not None:
        flash(
            _(
                "Ce que vous aviez saisi avant l'expiration de la session est affiché à "
                "nouveau : vérifiez-le, puis enregistrez."
            ),
            "info",
        )
    elif request.method in SAFE_METHODS:
        form.moment.data = queries.suggested_moment(queries.territory_dynamics(territory)).value
        form.recorded_on.data = local_today(territory.cohort)
    if form.validate_on_submit():
        try:
            operations.record_dynamics(territory, form.draft(), recorded_by=current_user)
        except operations.DynamicsError as error:
            target = getattr(form, error.field, None) if error.field else None
            if target is not None:
                target.errors = [*target.errors, str(error)]
            else:
                flash(str(error), "error")
        else:
            drafts.discard(current_user.id, key)
            flash(_("La dynamique du territoire est relevée."), "success")
            return redirect(url_for("cohorts.territory", territory_id=territory.id) + "#dynamique")
    form.draft_token.data = drafts.token(current_user.id, key)
    form.draft_token.raw_data = None  # rendered from .data: a fresh token, not the posted one
    status = 400 if form.is_submitted() else 200
    return render_template(
        "suivi/dynamics/form.html",
        form=form,
        territory=territory,
        cohort=cohort,
        curriculum=cohort.curriculum,
        fragility_options={option.data: option for option in form.fragilities},
    ), status


@bp.get("/territories/<int:territory_id>/suivi/dynamics")
@handles(load={"territory": Territory}, allow=can.can_read_suivi)
def list_dynamics(territory: Territory):
    """List every recording of the territory's dynamics, newest first, and the change."""
    return render_template(
        "suivi/dynamics/history.html",
        territory=territory,
        cohort=territory.cohort,
        dynamics=queries.territory_dynamics(territory),
        moment_labels=DYNAMICS_MOMENT_LABELS,
        can_write=can.can_write_suivi(current_user, territory),
    )
