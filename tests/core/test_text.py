"""Text helpers: the key under which two names are the same."""

import pytest

from parcours.core.text import NAME_KEY_LENGTH, name_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Île de Ré", "ÎLE DE RÉ"),
        ("Île de Ré", "  île   de\tré "),
        ("Île de Ré", "I\u0302le de Re\u0301"),  # decomposed accents, as macOS types them
        ("Straße", "STRASSE"),
        ("Œuvre ﬁne", "œuvre fine"),  # a ligature
        ("Pays\u00a0d'Auge", "pays d'auge"),  # a no-break space
    ],
)
def test_names_that_read_the_same_have_one_key(first, second):
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(("first", "second"), [("Île de Ré", "Ile de Re"), ("Brest", "Brest 2")])
def test_names_that_differ_keep_their_keys_apart(first, second):
    assert name_key(first) != name_key(second)


def test_a_key_stays_within_its_column_however_much_folding_lengthens_it():
    assert len(name_key("ß" * 200)) == 400
    assert len(name_key("\ufdfa" * 200)) == NAME_KEY_LENGTH  # one character, 18 letters
