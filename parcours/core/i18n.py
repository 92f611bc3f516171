"""Language and time zone: French first, English per user; times shown in Europe/Paris."""

from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, g, has_request_context, request, session
from flask_babel import Domain, format_date, format_datetime, get_locale
from flask_login import current_user

from parcours.core.extensions import babel

LOCALES = ("fr", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: One Locale object per language for the whole process. Flask-Babel keeps the one the selector
#: gives for the request; caches keyed by it (catalogues, formatted dates) then find their
#: entries by identity instead of comparing a new object field by field on every lookup.
_LOCALE_OBJECTS = {code: Locale.parse(code) for code in LOCALES}


def select_locale() -> Locale:
    """Pick the user's language, else the one chosen on the login page, else the browser's."""
    code = _select_code()
    return _LOCALE_OBJECTS.get(code) or Locale.parse(code)


def _select_code() -> str:
    if not has_request_context():
        return "fr"  # CLI and jobs; e-mails force the recipient's language themselves
    if current_user and current_user.is_authenticated:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return request.accept_languages.best_match(LOCALES) or "fr"


class CataloguesByLocale(Domain):
    """Flask-Babel's message domain, with each language's catalogue kept by locale.

    Flask-Babel finds the catalogue of every string it translates by the locale's name, which
    it spells out again each time (``str(locale)``): a tenth of the rendering of a page with a
    hundred strings. The catalogues never change while the process runs, so the locale object
    itself, which hashes cheaply, is a good enough key.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._by_locale: dict = {}

    def get_translations(self):
        """Return the catalogue of the current language (force_locale included)."""
        locale = _current_locale()
        if locale is None:  # outside a request: Flask-Babel's own answer
            return super().get_translations()
        translations = self._by_locale.get(locale)
        if translations is None:
            translations = self._by_locale[locale] = super().get_translations()
        return translations


def _current_locale() -> Locale | None:
    """Return get_locale(), reading first where Flask-Babel keeps it for the request.

    get_locale() looks its state up three times through ``g`` before reading it, which made
    the lookup the dearest part of translating a string. Flask-Babel 4 keeps the request's
    locale (the selector's, or the one force_locale() sets) in ``g._flask_babel.babel_locale``;
    when it is not there yet, or no longer there (refresh()), get_locale() answers as usual.
    tests/core/test_i18n_cache.py checks that both agree.
    """
    try:
        state = g.get("_flask_babel")
    except RuntimeError:  # no application context
        return None
    locale = getattr(state, "babel_locale", None)
    return locale if locale is not None else get_locale()


def _date(value, fmt: str = "long") -> str:
    if not value:
        return ""
    if type(value) is date:  # a datetime would be moved to the reader's zone first
        return _formatted_date(value, fmt, get_locale())
    return format_date(value, fmt)


@lru_cache(maxsize=4096)
def _formatted_date(value: date, fmt: str, locale: Locale | None) -> str:
    # A day reads the same in one language every time; pages show the same few days (a
    # cohort's dates, its phases) on every request.
    return format_date(value, fmt)


def _datetime(value, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the date filters used by templates."""
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS)
    )
    domain = babel.domain_instance = CataloguesByLocale()
    # Templates translate through the domain directly, skipping Flask-Babel's lookup of the
    # request's domain for each string (there is one domain here).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
