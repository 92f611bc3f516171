"""Error pages: in the site's layout, in French, never a traceback."""

import logging

from tests.conftest import login, page_text

LAYOUT = "parcours d'expérience des catalyseurs territoriaux"


def test_404_renders_the_layout_in_french(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    text = page_text(response)
    assert "Page introuvable (404)" in text
    assert "Cette page n'existe pas ou plus." in text
    assert "Retour à l'accueil" in text
    assert LAYOUT in text


def test_404_for_a_logged_in_user_keeps_the_navigation(client, create_user):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    text = page_text(client.get("/no-such-page"))
    assert "Page introuvable" in text
    assert "Mon compte" in text
    assert "Se déconnecter" in text


def test_405_names_the_allowed_methods(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Méthode non autorisée (405)" in page_text(response)
    assert "POST" in response.headers["Allow"]
    assert LAYOUT in page_text(response)


def test_413_when_the_upload_is_too_large(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024), "password": "x"})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in page_text(response)


def test_an_unexpected_error_gives_a_500_page_without_traceback(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    with caplog.at_level(logging.ERROR, logger="parcours.core.errors"):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Erreur du serveur (500)" in text
    assert "Une erreur inattendue s'est produite" in text
    assert LAYOUT in text
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals"):
        assert leak not in html
    # ...but the team gets the details in the log.
    assert "Unhandled error" in caplog.text
    assert caplog.records[-1].exc_info[0] is RuntimeError


def test_a_database_error_logs_neither_sql_parameters_nor_url_tokens(make_app, caplog):
    """A failed INSERT's traceback names the statement, not the values (session tokens)."""
    from parcours.accounts.models import User
    from parcours.core.extensions import db

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    token = "secret-session-token-0123456789abcdef"

    @app.post("/probe/<feed_token>")
    def nameless(feed_token):
        db.session.add(User(email="nameless@example.org", full_name=None, session_token=token))
        db.session.flush()  # IntegrityError: full_name is NOT NULL
        return "unreachable"

    with caplog.at_level(logging.ERROR, logger="parcours.core.errors"):
        response = app.test_client().post("/probe/url-token-abcdef0123456789")
    assert response.status_code == 500
    logged = caplog.text + "".join(
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    )
    assert "IntegrityError" in logged and "INSERT INTO users" in logged
    assert "SQL parameters hidden" in logged
    for secret in (token, "url-token-abcdef0123456789"):
        assert secret not in logged
    assert "Unhandled error on POST /probe/<feed_token>" in caplog.text


def test_a_duplicate_the_database_refuses_is_a_409_page_not_a_500(make_app, caplog):
    """The last safety net for two requests creating the same thing at once."""
    from parcours.accounts.models import User
    from parcours.core.extensions import db

    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.post("/probe/twice")
    def twice():
        db.session.add(User(email="twice@example.org", full_name="Un"))
        db.session.flush()
        db.session.add(User(email="twice@example.org", full_name="Deux"))
        db.session.flush()  # IntegrityError: uq_users_email
        return "unreachable"

    with caplog.at_level(logging.WARNING, logger="parcours.core.errors"):
        response = app.test_client().post("/probe/twice")
    assert response.status_code == 409
    text = page_text(response)
    assert "Modification non enregistrée (409)" in text
    assert "quelqu'un vient d'enregistrer la même chose" in text
    assert "Duplicate refused by the database on POST /probe/twice" in caplog.text
    with app.app_context():
        assert db.session.query(User).filter_by(email="twice@example.org").count() == 0


def test_a_form_without_files_keeps_a_small_limit(client):
    """Only multipart bodies (files) may use the whole request limit, tens of megabytes."""
    assert (
        client.post("/login", data={"email": "x" * (1024 * 1024), "password": "x"}).status_code
        != 413
    )
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024 + 1), "password": "x"})
    assert response.status_code == 413
