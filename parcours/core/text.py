"""Text helpers shared by every domain."""

import re
import unicodedata

SLUG_MAX_LENGTH = 60


def sort_key(text: str) -> str:
    """Sort French names as a reader expects: « Élodie » with the E's, not after Z."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str, default: str = "document") -> str:
    """Return ``text`` as a file-name-safe ASCII slug: « Séance n° 1 » → ``seance-n-1``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > SLUG_MAX_LENGTH:  # cut between words
        words = words[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0][:SLUG_MAX_LENGTH]
    return words or default
