"""Text helpers shared by every domain."""

import re
import unicodedata

SLUG_MAX_LENGTH = 60
#: The longest key :func:`name_key` gives. Folding can lengthen a name (« ß » → « ss », a
#: ligature into its letters); the bound keeps every key within its column and within
#: PostgreSQL's limit for one index entry (2,704 bytes, at 4 bytes a character at most).
NAME_KEY_LENGTH = 600

# C0 control characters: PostgreSQL refuses NUL in text, and none of them belongs in a name,
# an address or a URL. Tab, line feed and carriage return are the ones a text area may hold.
_CONTROL = re.compile("[\x00-\x1f]")
_CONTROL_BUT_WHITESPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sort_key(text: str) -> str:
    """Sort French names as a reader expects: « Élodie » with the E's, not after Z."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """Return the spelling under which two names are the same: « Île  de Ré » = « ÎLE DE RÉ ».

    Compared in Python and stored in a key column rather than with SQL ``lower()``, which
    folds only ASCII on SQLite: both databases then agree on what « existe déjà » means.
    Accents count (NFKC keeps them, only composing them one way).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())[:NAME_KEY_LENGTH]


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Tell whether ``text`` holds a control character (``multiline``: tab and newlines allowed)."""
    pattern = _CONTROL_BUT_WHITESPACE if multiline else _CONTROL
    return pattern.search(text) is not None


def slug(text: str, default: str = "document") -> str:
    """Return ``text`` as a file-name-safe ASCII slug: « Séance n° 1 » → ``seance-n-1``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > SLUG_MAX_LENGTH:  # cut between words
        words = words[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0][:SLUG_MAX_LENGTH]
    return words or default
