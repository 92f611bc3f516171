"""Text helpers shared by every domain."""

import unicodedata


def sort_key(text: str) -> str:
    """Sort French names as a reader expects: « Élodie » with the E's, not after Z."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
