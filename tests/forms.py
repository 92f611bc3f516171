"""Read a page's form as a browser would post it (to replay an older page in a test), and its
error summary."""

import re
from html import unescape
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormReader(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.forms: list[MultiDict] = []
        self._current: MultiDict | None = None
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            wanted = (attributes.get("method") or "get").lower() == "post" and (
                self.action is None or attributes.get("action", "") in ("", self.action)
            )
            self._current = MultiDict() if wanted else None
            return
        if self._current is None or ("name" not in attributes and tag != "option"):
            return
        if tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._current.add(attributes["name"], attributes.get("value", "on"))
        elif tag == "textarea":
            self._textarea, self._text = attributes["name"], ""
        elif tag == "select":
            self._select, self._options = attributes["name"], []
            self._multiple = "multiple" in attributes
        elif tag == "option" and self._select is not None:
            self._options.append((attributes.get("value", ""), "selected" in attributes))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if self._current is None:
            return
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            self._current.add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options and not self._multiple:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._current.add(self._select, value)
            self._select = None
        elif tag == "form":
            self.forms.append(self._current)
            self._current = None


def form_values(response, action: str | None = None) -> MultiDict:
    """Return what the page's POST form (to ``action``, or its own URL) would send."""
    reader = _FormReader(action)
    reader.feed(response.get_data(as_text=True))
    assert reader.forms, "no such form on the page"
    return reader.forms[-1] if action is None else reader.forms[0]


def error_summary(response) -> list[tuple[str, str]]:
    """Return the (anchor, text) of each link of the page's error summary; check the anchors."""
    html = response.get_data(as_text=True)
    box = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert box, "no error summary on the page"
    assert 'role="alert"' in box.group(0) and "autofocus" in box.group(0)
    links = [
        (anchor, " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()))
        for anchor, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', box.group(1), re.S)
    ]
    for anchor, _text in links:
        assert len(re.findall(rf'\bid="{re.escape(anchor)}"', html)) == 1, anchor
    return links
