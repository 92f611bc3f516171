"""The Markdown subset: what a coach types renders, nothing that could change the page does."""

from html.parser import HTMLParser

import pytest

from parcours.core.markdown import render


def test_paragraphs_lists_bold_italics_and_links_render():
    html = render(
        "Premier point.\n\n- **Mécénat** de compétences\n- *Atelier* du 12\n\n"
        "1. Appeler la mairie\n2. Relancer\n\n[Le RAMEAU](https://www.lerameau.fr)"
    )
    assert "<p>Premier point.</p>" in html
    assert "<li><strong>Mécénat</strong> de compétences</li>" in html
    assert "<em>Atelier</em>" in html
    assert "<ol>" in html and "<li>Appeler la mairie</li>" in html
    assert 'href="https://www.lerameau.fr"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_line_break_is_kept():
    assert render("Ligne un\nLigne deux") == "<p>Ligne un<br>\nLigne deux</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        '<a href="https://x.example" onclick="alert(1)">x</a>',
        "<iframe src='https://x.example'></iframe>",
    ],
)
def test_nothing_that_could_run_or_change_the_page_survives(source):
    # What the browser would build from the output: raw HTML in the source is shown as text.
    elements = _elements(render(source))
    assert {tag for tag, _ in elements} <= {"p", "a"}
    for _tag, attributes in elements:
        assert set(attributes) <= {"href", "rel"}
        assert not attributes.get("href", "").startswith("javascript")


def _elements(html: str) -> list[tuple[str, dict]]:
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collect().feed(html)
    return found


def test_headings_tables_and_images_are_not_part_of_the_subset():
    html = render("# Titre\n\n![photo](https://x.example/a.png)\n\n| a | b |\n|---|---|")
    assert "<h1>" not in html and "<img" not in html and "<table" not in html


def test_empty_text_renders_nothing():
    assert render("") == "" and render("  \n ") == ""


def test_the_template_filter_marks_its_output_safe(app):
    with app.test_request_context():
        from flask import render_template_string

        out = render_template_string("{{ text | markdown }}", text="**gras** <b>brut</b>")
    assert "<strong>gras</strong>" in out
    assert "&lt;b&gt;brut&lt;/b&gt;" in out
