"""A small, safe subset of Markdown for the texts people write (notes, journal entries).

Paragraphs, line breaks, bullet and numbered lists, bold, italics and links: what a coach
types in a compte rendu, nothing that could change the page. markdown-it-py renders (raw
HTML in the source is shown as text, not interpreted), and nh3 then keeps only those tags,
links to http(s) and mailto, with ``rel="noopener noreferrer nofollow"``.
"""

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "em", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


@functools.cache
def _parser() -> MarkdownIt:
    # "zero" turns every rule off; only the subset we promise is turned back on.
    return MarkdownIt("zero", {"breaks": True, "html": False}).enable(
        ["paragraph", "list", "emphasis", "link", "newline", "escape"]
    )


def render(text: str) -> Markup:
    """Return ``text`` as safe HTML: the Markdown subset rendered, everything else removed."""
    if not text or not text.strip():
        return Markup("")
    return _rendered(text)


#: How many texts each process keeps rendered: a page's entries, and then some.
_RENDERED_TEXTS = 2048


@functools.lru_cache(maxsize=_RENDERED_TEXTS)
def _rendered(text: str) -> Markup:
    # A pure function of the text: lists show the same entries on every request, and the
    # Markdown parser and the sanitiser were a sixth of « Belles histoires »'s time. Keyed by
    # the text itself, an edited entry is simply another key.
    html = _parser().render(text)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704  (nh3 has just sanitised it)


def init_app(app) -> None:
    """Offer ``{{ text | markdown }}`` to every template."""
    app.add_template_filter(render, "markdown")
