"""Account forms. Labels are lazily translated."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from parcours.accounts.passwords import password_problem
from parcours.core.forms import AppForm, choices

LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


def _acceptable_password(form, field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(AppForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Email(), Length(max=254)])


def _new_password() -> PasswordField:
    return PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(), _acceptable_password]
    )


def _confirmation() -> PasswordField:
    return PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
    )


class NewPasswordForm(AppForm):
    password = _new_password()
    confirm = _confirmation()


class ChangePasswordForm(AppForm):
    # Fields made in the order of the page: the error summary lists them in that order.
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = _new_password()
    confirm = _confirmation()


class ProfileForm(AppForm):
    full_name = StringField(_l("Nom complet"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Structure"), validators=[Length(max=200)])
    locale = SelectField(_l("Langue de l'interface"), choices=choices(LANGUAGE_CHOICES))


class LanguageForm(AppForm):
    locale = SelectField(_l("Langue"), choices=choices(LANGUAGE_CHOICES))
