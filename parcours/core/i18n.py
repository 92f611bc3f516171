"""Language and time zone: French first, English per user; times shown in Europe/Paris."""

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from parcours.core.extensions import babel

LOCALES = ("fr", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    """Pick the user's language, else the one chosen on the login page, else the browser's."""
    if not has_request_context():
        return "fr"  # CLI and jobs; e-mails force the recipient's language themselves
    if current_user and current_user.is_authenticated:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return request.accept_languages.best_match(LOCALES) or "fr"


def _date(value, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def _datetime(value, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the date filters used by templates."""
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS)
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
