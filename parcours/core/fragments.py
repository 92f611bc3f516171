"""Pieces of pages rendered once per process and served again while what they show is the same.

A cohort's timeline and a long list of events are the same HTML for every reader in one
language, page after page, and rendering them was most of the cost of the pages that show
them. ``{{ fragment("agenda/_timeline.html", "timeline", phases, zone) }}`` calls the macro
``timeline`` of that template once for those arguments and keeps the result.

The key is the arguments themselves, so a fragment can never be stale: when an event changes,
its row differs, the key differs, and the fragment is rendered anew (the old one ages out of
the cache). That is only true when the arguments hold everything the macro reads, so:

- the arguments are frozen values (frozen dataclasses, tuples, strings), never ORM objects
  or lists, which change without changing their hash, or have none;
- the macro reads nothing else but translations (the language is part of the key), filters
  and ``url_for`` (the script root is part of the key): no ``current_user``, ``request`` or
  ``now``. A macro imported from a template's module has no request context to read them
  from, so a macro that tries fails loudly rather than caching one reader's view for another.
"""

from functools import lru_cache

from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import Markup

#: Fragments kept per process: a timeline per cohort, language and viewpoint, and lists.
FRAGMENT_CACHE_SIZE = 2048


def fragment(template: str, macro: str, *args) -> Markup:
    """Return the HTML of ``macro`` in ``template`` called with ``args``, rendered once."""
    return _render(
        current_app._get_current_object(), template, macro, args, get_locale(), request.script_root
    )


@lru_cache(maxsize=FRAGMENT_CACHE_SIZE)
def _render(app: Flask, template: str, macro: str, args: tuple, locale, script_root: str) -> Markup:
    module = app.jinja_env.get_template(template).module
    return Markup(getattr(module, macro)(*args))  # noqa: S704  (Jinja's autoescaped output)


def init_app(app: Flask) -> None:
    """Make ``fragment`` available in every template."""
    app.jinja_env.globals["fragment"] = fragment
