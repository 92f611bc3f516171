"""Account forms: errors in the reader's language, listed at the top with links."""

import pytest

from parcours.accounts.models import User
from parcours.core.extensions import db
from tests.forms import error_summary as summary


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            {
                "email": "Adresse e-mail : Ce champ est requis.",
                "password": "Mot de passe : Ce champ est requis.",
            },
        ),
        (
            "en",
            {
                "email": "Email address: This field is required.",
                "password": "Password: This field is required.",
            },
        ),
    ],
)
def test_login_form_lists_its_errors(client, app, language, expected):
    response = client.post(
        "/login", data={"email": "", "password": ""}, headers={"Accept-Language": language}
    )
    assert response.status_code in (400, 200)
    assert dict(summary(response)) == expected


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_password_change_errors_are_listed_and_translated(app, login_as, world, locale):
    with app.app_context():
        db.session.get(User, world["a1"]).locale = locale
        db.session.commit()
    client = login_as("a1")
    response = client.post(
        "/account/password", data={"current": "", "password": "court", "confirm": "autre"}
    )
    assert response.status_code == 400
    links = summary(response)
    by_anchor = dict(links)
    assert list(by_anchor) == ["current", "password", "confirm"]  # the page's order
    required = "Ce champ est requis." if locale == "fr" else "This field is required."
    assert by_anchor["current"].endswith(required)
