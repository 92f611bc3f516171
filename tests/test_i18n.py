"""The English catalogue: complete, compiled, faithful to placeholders, and used by the pages.

French is the source language (the msgids); English lives in
parcours/translations/en/LC_MESSAGES/messages.po, compiled to messages.mo next to it.
"""

import re
from io import BytesIO

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from parcours.core.i18n import TRANSLATIONS
from parcours.core.paths import ROOT

BABEL_CFG = ROOT / "babel.cfg"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
# The same keywords as the extraction command: Babel's defaults plus the lazy ones.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
UPDATE_COMMANDS = """\
    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext \\
        -o parcours/translations/messages.pot .
    .venv/bin/pybabel update -i parcours/translations/messages.pot -d parcours/translations
    # translate the new or changed entries in parcours/translations/en/LC_MESSAGES/messages.po
    # (fill every msgstr, remove the "fuzzy" flags), then:
    .venv/bin/pybabel compile -d parcours/translations
"""

# A printf-style conversion, named or not, as gettext's python-format understands it.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>.)"
)


def _extracted() -> Catalog:
    """Extract the messages of the source tree, as ``pybabel extract -F babel.cfg`` does."""
    parse_cfg = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_cfg(fileobj, filename=str(BABEL_CFG))
    catalog = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def _english() -> Catalog:
    with EN_PO.open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def _forms(value) -> tuple[str, ...]:
    """Return the singular (and plural) texts of an id or a translation."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _describe(message) -> str:
    where = ", ".join(f"{file}:{line}" for file, line in message.locations)
    return f"  {' | '.join(_forms(message.id))!r}  ({where})"


@pytest.fixture(scope="module")
def source_catalog() -> Catalog:
    catalog = _extracted()
    assert len(catalog) > 100, "extraction found almost nothing: is babel.cfg still right?"
    return catalog


@pytest.fixture(scope="module")
def english() -> Catalog:
    return _english()


def test_every_source_message_has_an_english_translation(source_catalog, english):
    missing = []
    for message in source_catalog:
        if not message.id:
            continue
        entry = english.get(message.id, context=message.context)
        if (
            entry is None
            or _forms(entry.id) != _forms(message.id)  # e.g. a plural form was added or changed
            or entry.fuzzy
            or not all(_forms(entry.string))
            or len(_forms(entry.string)) != (english.num_plurals if entry.pluralizable else 1)
        ):
            missing.append(_describe(message))
    assert not missing, (
        f"{len(missing)} message(s) of the code or templates have no English translation "
        f"(missing, empty or fuzzy in {EN_PO.relative_to(ROOT)}):\n"
        + "\n".join(missing)
        + "\n\nUpdate the catalogue from the repository root (where babel.cfg is):\n"
        + UPDATE_COMMANDS
    )


def test_the_english_catalogue_has_no_fuzzy_or_empty_entry(english):
    """Stale entries may linger after an update, but none may be half-done."""
    unfinished = [
        _describe(message)
        for message in english
        if message.id and (message.fuzzy or not all(_forms(message.string)))
    ]
    assert not unfinished, "Unfinished entries in the English catalogue:\n" + "\n".join(unfinished)


def test_the_committed_mo_file_is_compiled_from_the_po_file(english):
    compiled = BytesIO()
    write_mo(compiled, english)
    compiled.seek(0)
    with EN_MO.open("rb") as fileobj:
        committed = _messages(read_mo(fileobj))
    assert committed == _messages(read_mo(compiled)), (
        f"{EN_MO.relative_to(ROOT)} is out of date: run "
        "`.venv/bin/pybabel compile -d parcours/translations` and commit the .mo file."
    )


def _messages(catalog: Catalog) -> dict:
    return {(_forms(m.id), m.context): _forms(m.string) for m in catalog if m.id}


def _placeholders(text: str) -> list[str]:
    """Return the conversions of ``text``, sorted; a stray ``%`` comes out as an invalid one."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        name, kind = match.group("name"), match.group("type")
        if kind not in "diouxXeEfFgGcrsa%":
            found.append(f"invalid {match.group(0)!r}")
        elif kind != "%":
            found.append(f"%({name}){kind}" if name is not None else f"%{kind}")
    if text.endswith("%") and not text.endswith("%%"):
        found.append("invalid trailing '%'")
    return sorted(found)


def test_translations_keep_the_placeholders(english):
    """Python and Jinja format every translation with ``%``: names and types must match."""
    problems = []
    for message in english:
        if not message.id or not all(_forms(message.string)):
            continue
        sources = _forms(message.id)
        for index, translation in enumerate(_forms(message.string)):
            # msgstr[0] renders the singular, every other form the plural.
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(translation) != _placeholders(source):
                problems.append(
                    f"  {source!r}: {_placeholders(source)}\n"
                    f"    -> {translation!r}: {_placeholders(translation)}"
                )
    assert not problems, "Placeholders differ between French and English:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [("en", "en"), ("en-GB,en;q=0.9,fr;q=0.5", "en"), ("fr", "fr"), ("fr-FR,fr;q=0.9", "fr")],
)
def test_the_login_page_follows_the_browser_language(client, accept_language, lang):
    translations = {message.id: message.string for message in _english() if message.id}
    title, label = "Connexion", "Adresse e-mail"  # from the template and from a lazy form label
    response = client.get("/login", headers={"Accept-Language": accept_language})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    if lang == "en":
        assert translations[title] and translations[title] != title
        assert f"<h1>{translations[title]}</h1>" in html
        assert translations[label] in html
        assert f"<h1>{title}</h1>" not in html
        assert label not in html
    else:
        assert f"<h1>{title}</h1>" in html
        assert label in html
        assert f"<h1>{translations[title]}</h1>" not in html
