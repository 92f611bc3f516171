"""File downloads: one response shape for every PDF, CSV and calendar file the product serves."""

import unicodedata
from urllib.parse import quote

from flask import Response
from werkzeug.http import quote_header_value


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Return a Content-Disposition header that every browser reads (RFC 6266).

    The plain ``filename`` is quoted ASCII (accents dropped); a name that is not ASCII also
    goes whole in ``filename*`` (RFC 8187), which modern browsers prefer.
    """
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(c for c in fallback if c.isprintable()) or "fichier"
    parts = [
        "inline" if inline else "attachment",
        f"filename={quote_header_value(fallback, allow_token=False)}",
    ]
    if fallback != filename:
        parts.append(f"filename*=UTF-8''{quote(filename, safe='')}")
    return "; ".join(parts)


def file_response(
    content: bytes, filename: str, mimetype: str, *, inline: bool = False
) -> Response:
    """Return ``content`` as a download named ``filename``, never kept by shared caches."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["Cache-Control"] = "private, no-store"
    return response
