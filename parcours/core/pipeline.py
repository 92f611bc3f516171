"""The request pipeline every page goes through: load, check access, run, commit once.

A view declares what its URL names and who may use it::

    @bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
    @handles(load={"cohort": Cohort}, allow=can_manage_cohort)
    def edit_cohort(cohort: Cohort): ...

In that order, for every request (the steps of Indico's ``RH`` and CTFd's access decorators):

1. **Login**: unless the view is open to ``ANYONE``, an anonymous visitor is sent to the login
   page (``next`` kept).
2. **Load**: each entry of ``load`` turns URL values into an object, or answers 404. A model
   class takes ``<name>_id`` from the URL; a function receives the URL values and the objects
   already loaded that its parameters name (a membership of *this* cohort, say).
3. **Access**: ``allow(user, …)`` answers 403 when it says no. Its parameters after the user
   are filled by name from the loaded objects, then from the URL values:
   ``can_manage_cohort(user, cohort)`` gets the loaded ``cohort``.
4. **Cache**: a page declared with ``cache_page=True`` is served again, after steps 1–3,
   while nothing it shows can have changed (:mod:`parcours.core.page_cache`).
5. **Run** the view, which parses its form, calls one operation, flashes and redirects.
6. **Transaction**: a POST that answered below 400 commits, once; anything else rolls back, so
   a failed form or an error never leaves half an operation behind. A GET never writes: one that
   tried is a bug, raised in development and tests, logged and rolled back in production.
   The one exception is a *log of reading* (:func:`logs_reading`: the audit entry of a
   download): a GET that added only such rows commits them with its answer.

A view that must undo its work but still answer normally (a concurrent save caught as an
IntegrityError) raises :class:`Rollback` with its response.
"""

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, make_response, request
from flask_login import current_user
from sqlalchemy import event

from parcours.core import page_cache
from parcours.core.extensions import db, login_manager

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WROTE = "parcours_request_wrote"
_LOGGED = "parcours_request_logged_a_reading"

#: The models a GET may add rows to: the record that something was read (downloaded).
_READING_LOGS: set[type] = set()


def logs_reading(model: type) -> type:
    """Let a GET add rows of ``model`` (and only add them): the trace of a download.

    A GET that added such rows and nothing else commits them when it answers below 400;
    any other write is still a bug, refused as before.
    """
    _READING_LOGS.add(model)
    return model


def _is_reading_log(obj) -> bool:
    return isinstance(obj, tuple(_READING_LOGS))


def ANYONE(user) -> bool:
    """Open to every visitor, logged in or not (login page, health, links carrying a token)."""
    return True


def LOGGED_IN(user) -> bool:
    """Open to every logged-in person; the page shows only what concerns them."""
    return True


@dataclass(frozen=True)
class Access:
    """What a test of the URL map reads: who may use a view and what it loads."""

    allow: Callable[..., bool]
    load: tuple[str, ...]  # the objects handed to the view
    reads: tuple[str, ...]  # the URL values the loaders turn into them
    anonymous: bool
    cache_page: bool = False


class Rollback(Exception):
    """Undo the request's writes and answer with ``response``."""

    def __init__(self, response) -> None:
        super().__init__()
        self.response = response


def handles(
    *,
    allow: Callable[..., bool],
    load: Mapping[str, type | Callable[..., Any]] | None = None,
    commit_failures: bool = False,
    cache_page: bool = False,
):
    """Wrap a view in the pipeline: login, load (404), ``allow`` (403), run, commit once.

    ``commit_failures`` keeps the writes of a failure answer (a 401 that counts a failed
    login); every other answer of 400 and above rolls back. ``cache_page`` lets a page of a
    logged-in person be served again from the page cache.
    """
    if cache_page and allow is ANYONE:
        raise ValueError("only the pages of a logged-in person are kept")
    loaders = _prepare(load or {})
    anonymous = allow is ANYONE
    wanted = list(inspect.signature(allow).parameters)[1:]

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(**values):
            if not anonymous and not current_user.is_authenticated:
                return login_manager.unauthorized()
            context = {**values, **_load(loaders, values)}
            if not allow(current_user, **{name: context[name] for name in wanted}):
                abort(403)
            for loader in loaders:
                for key in loader.reads:
                    del context[key]  # the view gets the object, not its id
            if cache_page:
                return page_cache.serve(lambda: _run_in_transaction(view, context, commit_failures))
            return _run_in_transaction(view, context, commit_failures)

        run.access = Access(
            allow=allow,
            load=tuple(loader.name for loader in loaders),
            reads=tuple(key for loader in loaders for key in loader.reads),
            anonymous=anonymous,
            cache_page=cache_page,
        )
        return run

    return decorate


@dataclass(frozen=True)
class _Loader:
    name: str  # what the view receives
    find: Callable[..., Any]  # returns the object, or None for a 404
    parameters: tuple[str, ...]  # objects loaded before it, and URL values
    reads: tuple[str, ...]  # the URL values among them


def _prepare(load: Mapping[str, type | Callable]) -> list[_Loader]:
    """Read the loaders' signatures once per view, not at every request."""
    prepared = []
    for name, loader in load.items():
        if isinstance(loader, type):
            prepared.append(_Loader(name, _by_id(loader), (f"{name}_id",), (f"{name}_id",)))
            continue
        parameters = tuple(inspect.signature(loader).parameters)
        reads = tuple(key for key in parameters if key not in load)
        prepared.append(_Loader(name, loader, parameters, reads))
    return prepared


def _by_id(model: type) -> Callable[[int], Any]:
    def find(identifier: int):
        return db.session.get(model, identifier)

    return find


def _load(loaders: list[_Loader], values: dict) -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    for loader in loaders:
        context = {**values, **loaded}
        obj = loader.find(*(context[key] for key in loader.parameters))
        if obj is None:
            abort(404)
        loaded[loader.name] = obj
    return loaded


def _run_in_transaction(view: Callable, arguments: dict, commit_failures: bool):
    session = db.session()
    session.info[_WROTE] = False
    session.info[_LOGGED] = False
    try:
        response = make_response(view(**arguments))
    except Rollback as rollback:
        session.rollback()
        return rollback.response
    except BaseException:
        session.rollback()
        raise
    if request.method in SAFE_METHODS:
        _refuse_writes(session, response.status_code)
    elif response.status_code < 400 or commit_failures:
        session.commit()
    else:
        session.rollback()
    return response


def _refuse_writes(session, status_code: int) -> None:
    logged = session.info.pop(_LOGGED, False) or any(map(_is_reading_log, session.new))
    wrote = (
        session.info.pop(_WROTE, False)
        or any(not _is_reading_log(obj) for obj in session.new)
        or session.deleted
        or any(session.is_modified(obj) for obj in session.dirty)
    )
    # Nothing to undo otherwise: the session ends with the request. Rolling back here would
    # expire the logged-in user, and reloading them would cost every page a query.
    if wrote:
        session.rollback()
        # The route's pattern, not the path, which may carry a token.
        message = f"{request.method} {request.url_rule.rule} wrote to the database"
        if current_app.debug or current_app.testing:
            raise RuntimeError(message)
        logger.error("%s; the changes were rolled back", message)
    elif logged:
        if status_code < 400:
            # The record of a download, and nothing else: the objects read stay as they were,
            # so nothing (the logged-in user) is expired and loaded again.
            expiring, session.expire_on_commit = session.expire_on_commit, False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expiring
        else:
            session.rollback()


def _note_flush(session, flush_context) -> None:
    # Still the state before the flush: what it wrote.
    changed = [*session.new, *session.dirty, *session.deleted]
    if changed and all(map(_is_reading_log, changed)):
        session.info[_LOGGED] = True
    else:
        session.info[_WROTE] = True


def init_app(app) -> None:
    """Watch flushes, so that a GET that writes is caught (idempotent)."""
    if not event.contains(db.session, "after_flush", _note_flush):
        event.listen(db.session, "after_flush", _note_flush)


def is_handled(view: Callable) -> bool:
    """Tell whether ``view`` goes through the pipeline."""
    return isinstance(getattr(view, "access", None), Access)
