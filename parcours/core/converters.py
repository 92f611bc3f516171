"""URL converters registered on the application."""

from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns; a larger number in a URL cannot name a row (and overflows SQLite).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that does not match numbers above MAX_ID, so that they answer 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_id(text: str) -> bool:
    """Tell whether ``text`` (a form field) can name a row: ASCII digits, at most MAX_ID.

    ``str.isdigit`` is not enough: « ² » is a digit that ``int`` refuses.
    """
    return text.isascii() and text.isdecimal() and int(text) <= MAX_ID
