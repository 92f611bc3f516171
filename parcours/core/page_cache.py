"""Main pages served again, per process, for as long as nothing they show can have changed.

A cohort's dashboard or « Mon parcours » gathers what every domain knows (6–10 queries) and
renders it on each load, though what it shows changes only when something is written, and
people come back to these pages all day. A page opted in with ``@handles(cache_page=True)``
is kept after it is rendered, and served again while all of these are what they were:

- the database's version (:mod:`parcours.core.changes`): nothing was committed since;
- the person, their browser session (whose CSRF token the page's forms carry) and the
  language;
- the view, the scheme, the host and the address with its query string;
- the minute of the clock (:func:`~parcours.core.time.now_utc`): what depends on the time
  (an event under way, a campaign that opens) is at most a minute late, never the data.

Nothing is read from or kept in the cache while a flashed message waits to be shown (it is
shown once), for a session's first page (it creates the session's CSRF secret), nor when the
page answered anything but 200. The access check runs before the
cache is read, on every request (:mod:`parcours.core.pipeline`): the cache never decides who
sees a page. The cache is off in debug mode, where templates change under a running server.
Its size counts the pages' bodies, not the keys and headers beside them.
"""

import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Flask, Response, current_app, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user

from parcours.core import changes
from parcours.core.time import now_utc

_EXTENSION = "parcours_page_cache"


@dataclass(frozen=True)
class _Page:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """The pages one process keeps, least recently used first out, within a size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self._pages: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda page: len(page.body))
        self._lock = threading.Lock()  # for threaded workers: cachetools is not thread-safe
        self.hits = self.misses = 0

    def get(self, key: tuple) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
            else:
                self.hits += 1
            return page

    def put(self, key: tuple, response: Response) -> None:
        page = _Page(response.get_data(), tuple(response.headers.items()))
        if len(page.body) > self.max_bytes:
            return
        with self._lock:
            self._pages[key] = page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def max_bytes(self) -> int:
        return int(self._pages.maxsize)


def cache_of(app: Flask) -> PageCache | None:
    """Return ``app``'s page cache, or None when it is off."""
    return app.extensions.get(_EXTENSION)


def _key() -> tuple | None:
    """Return what the page about to be rendered depends on, or None if it may not be kept."""
    if session.get("_flashes"):
        return None
    secret = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if secret is None:
        # The session's first page, which creates the secret its forms are signed with: kept,
        # it could only be served to a browser that never took the new session cookie.
        return None
    token = changes.read()
    if token is None:  # no version row (a database emptied by hand): nothing is kept
        return None
    minute = int(now_utc().timestamp() // 60)
    return (
        request.endpoint,
        request.scheme,
        request.host,
        request.script_root,
        request.full_path,
        current_user.id,
        secret,
        str(get_locale()),
        token,
        minute,
    )


def serve(render) -> Response:
    """Answer a GET from the cache, or by ``render()``, keeping what it rendered."""
    cache = cache_of(current_app)
    if cache is None or current_app.debug or request.method != "GET":
        return render()
    key = _key()
    if key is not None:
        page = cache.get(key)
        if page is not None:
            return Response(page.body, headers=list(page.headers))
    response = render()
    if (
        key is not None
        and response.status_code == 200
        and not response.is_streamed
        # A message flashed and shown by this very page must not be shown again.
        and not request_ctx.flashes
        and not session.get("_flashes")
    ):
        cache.put(key, response)
    return response


def init_app(app: Flask) -> None:
    """Give ``app`` its page cache, unless it is off (debug, or a size of 0)."""
    size = int(app.config["PARCOURS_PAGE_CACHE_MB"] * 1024 * 1024)
    if size > 0 and not app.debug:
        app.extensions[_EXTENSION] = PageCache(size)
