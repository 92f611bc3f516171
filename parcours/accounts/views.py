"""Login, logout, invitations, password reset and the account page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from parcours.accounts import devices, operations, tokens
from parcours.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
)
from parcours.accounts.throttle import Throttled
from parcours.audit import queries as audit
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import ANYONE, LOGGED_IN, handles
from parcours.core.urls import safe_next

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it stays on this site, else the home page."""
    return safe_next(target, url_for("home.index"))


def _renew_session(*keep: str) -> None:
    """Empty the session (against fixation), keeping only the interface language and ``keep``."""
    kept = {key: session[key] for key in ("locale", *keep) if key in session}
    session.clear()
    session.update(kept)


def _too_many_attempts(refusal: Throttled, message: str, template: str, **context):
    """Answer 429 with ``message`` on the form's page, the form kept as typed."""
    flash(message, "error")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(refusal.retry_after_seconds)
    return response


def _minutes(refusal: Throttled) -> int:
    return int(refusal.limit.window.total_seconds() // 60)


@bp.route("/login", methods=["GET", "POST"])
@handles(allow=ANYONE, commit_failures=True)  # a failed attempt is counted, for throttling
def login():
    """Log a user in, with throttling and one message for every kind of failure."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = operations.authenticate(
            form.email.data,
            form.password.data,
            client=request.remote_addr,
            device=devices.recognise(request),
        )
        if result.throttled:
            return _too_many_attempts(
                result.throttled,
                _(
                    "Trop de tentatives de connexion. Réessayez dans %(minutes)d minutes.",
                    minutes=_minutes(result.throttled),
                ),
                "accounts/login.html",
                form=form,
                language_form=LanguageForm(),
            )
        if result.user is None:
            flash(_("Adresse e-mail ou mot de passe incorrect."), "error")
            return render_template(
                "accounts/login.html", form=form, language_form=LanguageForm()
            ), 401
        _renew_session()
        login_user(result.user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form, language_form=LanguageForm())


@bp.post("/logout")
@handles(allow=LOGGED_IN)
def logout():
    """End every session of the current user, then log out."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.log_out(current_user)
    logout_user()
    _renew_session("_remember")  # Flask-Login's order to delete a remember-me cookie, if any
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/language")
@handles(allow=ANYONE)
def choose_language():
    """Remember the interface language of an anonymous visitor."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
    return redirect(_safe_next(request.values.get("next")))


@bp.route("/password/forgot", methods=["GET", "POST"])
@handles(allow=ANYONE)
def forgot_password():
    """Send a reset link; answer the same, as fast, whether the address exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            operations.ask_password_reset(form.email.data, client=request.remote_addr)
        except Throttled as refusal:
            return _too_many_attempts(
                refusal,
                _(
                    "Trop de demandes de réinitialisation. Réessayez dans %(minutes)d minutes.",
                    minutes=_minutes(refusal),
                ),
                "accounts/forgot_password.html",
                form=form,
            )
        flash(
            _(
                "Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y "
                "être envoyé."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _set_password_page(purpose: str, token: str, template: str):
    user = tokens.read_token(token, purpose)
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        operations.choose_password(user, form.password.data, purpose=purpose)
        logout_user()
        _renew_session()
        login_user(user)
        flash(_("Votre mot de passe est enregistré. Bienvenue !"), "success")
        return redirect(url_for("home.index"))
    return render_template(template, form=form, user=user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@handles(allow=ANYONE)
def accept_invitation(token: str):
    """Let an invited person choose a password through their one-time link."""
    return _set_password_page(tokens.INVITATION, token, "accounts/accept_invitation.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@handles(allow=ANYONE)
def reset_password(token: str):
    """Let a person choose a new password through their one-time link."""
    return _set_password_page(tokens.PASSWORD_RESET, token, "accounts/reset_password.html")


@bp.route("/account", methods=["GET", "POST"])
@handles(allow=LOGGED_IN)
def account():
    """Show and edit one's profile and language."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        operations.update_profile(
            current_user,
            full_name=form.full_name.data,
            organisation=form.organisation.data or "",
            locale=form.locale.data,
        )
        flash(_("Vos informations sont enregistrées."), "success")
        return redirect(url_for("accounts.account"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "accounts/account.html", form=form, password_form=ChangePasswordForm(formdata=None)
    ), status


@bp.get("/account/connexions")
@handles(allow=LOGGED_IN)
def my_logins():
    """List one's own logins, failed logins, lock-outs and logouts (« Mes connexions »)."""
    return render_template(
        "accounts/logins.html",
        entries=db.session.scalars(audit.logins_of(current_user.id)).all(),
        limit=audit.LOGINS_SHOWN,
        retention_days=current_app.config["PARCOURS_RETENTION_AUDIT_DAYS"],
    )


@bp.post("/account/password")
@handles(allow=LOGGED_IN)
def change_password():
    """Change one's password; every other session ends, this one continues."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current.data, form.password.data)
        except operations.AccountError as error:
            form.current.errors = [str(error)]
        else:
            login_user(
                current_user._get_current_object()
            )  # re-issue this browser's cookie with the new token
            flash(_("Votre mot de passe a été changé."), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html", form=ProfileForm(obj=current_user), password_form=form
    ), 400
