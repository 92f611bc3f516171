"""Downloads of generated documents (PDF, CSV, SVG): one response with safe headers."""

import unicodedata
from urllib.parse import quote

from flask import Response

#: What the ASCII fallback name keeps as is; anything else becomes "_".
_FALLBACK_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_ ()")


def _ascii_fallback(filename: str) -> str:
    """Return ``filename`` in plain ASCII for readers that ignore ``filename*``: Été → Ete."""
    decomposed = unicodedata.normalize("NFKD", filename)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c in _FALLBACK_SAFE else "_" for c in ascii_name).strip() or "document"


def file_response(
    content: bytes, filename: str, mimetype: str, *, inline: bool = False
) -> Response:
    """Return ``content`` as a download named ``filename``, kept out of every cache."""
    response = Response(content, mimetype=mimetype)
    # Control characters (a line break in a title) would break the header or be refused.
    clean = "".join(c for c in filename if unicodedata.category(c)[0] != "C").strip()
    fallback = _ascii_fallback(clean)
    names = {"filename": fallback}
    if clean and clean != fallback:
        # RFC 6266 / 5987: the exact name for the readers that understand it, as Werkzeug's
        # send_file does (Headers.set quotes the value but would leave it non-ASCII).
        names["filename*"] = "UTF-8''" + quote(clean, safe="")
    response.headers.set("Content-Disposition", "inline" if inline else "attachment", **names)
    # Personal documents (attendance, assessments): no shared or browser cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
