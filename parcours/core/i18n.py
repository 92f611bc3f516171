"""Language and time zone: French first, English per user; times shown in Europe/Paris."""

from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale, support
from babel.dates import (
    get_date_format,
    get_datetime_format,
    get_time_format,
    get_timezone,
    get_timezone_location,
)
from flask import Flask, g, has_request_context, request, session
from flask_babel import Domain, get_locale
from flask_babel import format_date as _babel_format_date
from flask_babel import format_datetime as _babel_format_datetime
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


def is_french_singular(count) -> bool:
    """French puts 0 and 1 in the singular (« 0 réponse », CLDR: i = 0,1), where gettext's
    fallback for a message without a catalogue entry keeps the singular for 1 alone."""
    try:
        return int(abs(count)) in (0, 1)
    except (TypeError, ValueError):
        return count == 1


class FrenchSource(support.NullTranslations):
    """The catalogue of French, the source language: every message is its own translation,
    and plurals follow the French rule (there is no French catalogue to carry it)."""

    def __init__(self, fallback) -> None:
        super().__init__()
        self.add_fallback(fallback)

    def ngettext(self, singular: str, plural: str, num) -> str:
        return singular if is_french_singular(num) else plural

    ungettext = ngettext

    def npgettext(self, context: str, singular: str, plural: str, num) -> str:
        return self.ngettext(singular, plural, num)

    unpgettext = npgettext


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
            translations = super().get_translations()
            if locale.language == "fr":
                translations = FrenchSource(translations)
            self._by_locale[locale] = translations
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


# Dates with « 1er » ---------------------------------------------------------------------------
#
# French writes the first day of a month as an ordinal: « mardi 1er décembre », « 1er déc. »,
# never « 1 décembre » (but « 01/12/2026 » in figures). Babel's patterns have no such rule, so
# every date and moment the application writes goes through format_date()/format_datetime()
# below, never through Babel's or Flask-Babel's own (tests/core/test_dates.py checks it).

_NAMED = ("short", "medium", "long", "full")


def format_date(value=None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's format_date(), with « 1er » for the first day of a month in French."""
    pattern = _first_day_pattern(value, "date", format, rebase)
    return _babel_format_date(value, pattern or format, rebase)


def format_datetime(value=None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's format_datetime(), with « 1er » for the first day of a month in French."""
    pattern = _first_day_pattern(value, "datetime", format, rebase)
    return _babel_format_datetime(value, pattern or format, rebase)


def _first_day_pattern(value, kind: str, format: str | None, rebase: bool) -> str | None:
    """Return the pattern that writes « 1er » when ``value`` is a first of the month in French."""
    locale = _current_locale()
    if value is None or locale is None or locale.language != "fr":
        return None
    pattern = _pattern(kind, format or "medium", locale)
    ordinal = _ordinal_pattern(pattern)
    if ordinal is None:
        return None
    day = (_babel_format_datetime if kind == "datetime" else _babel_format_date)(value, "d", rebase)
    return ordinal if day == "1" else None


@lru_cache(maxsize=256)
def _pattern(kind: str, format: str, locale: Locale) -> str:
    if format not in _NAMED:
        return format
    if kind == "date":
        return get_date_format(format, locale).pattern
    # What Babel's format_datetime() writes for a named format: its date and time patterns
    # inside the locale's datetime pattern (whose quoted literals stay literals).
    return (
        get_datetime_format(format, locale)
        .replace("{1}", get_date_format(format, locale).pattern)
        .replace("{0}", get_time_format(format, locale).pattern)
    )


@lru_cache(maxsize=256)
def _ordinal_pattern(pattern: str) -> str | None:
    """Return ``pattern`` with its day written « 1er », or None if no day goes with a month name.

    The day is the field ``d`` (not ``dd``, which writes figures: 01/12/2026); the month name
    is ``MMM`` or more (``MM`` is figures too).
    """
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":  # a literal, '' being a quote
            end = index + 1
            while end < len(pattern):
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        end += 2
                        continue
                    break
                end += 1
            tokens.append(pattern[index : end + 1])
            index = end + 1
        elif char.isalpha():
            end = index
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append(pattern[index:end])
            index = end
        else:
            tokens.append(char)
            index += 1
    has_month_name = any(t[0] in "ML" and len(t) >= 3 for t in tokens)
    if not has_month_name or "d" not in tokens:
        return None
    return "".join("'1er'" if t == "d" else t for t in tokens)


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


def zone_city(zone: str) -> str:
    """Name a time zone by its city, in the reader's language: « Paris » for Europe/Paris,
    where the zone's identifier would read « heures de Europe/Paris »."""
    return _zone_city(zone, get_locale())


@lru_cache(maxsize=64)
def _zone_city(zone: str, locale: Locale | None) -> str:
    return get_timezone_location(get_timezone(zone), locale=locale or "fr", return_city=True)


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
    app.jinja_env.filters["zone_city"] = zone_city
