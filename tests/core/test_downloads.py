"""file_response(): a generated document as a download, with safe headers for any file name."""

import pytest
from werkzeug.http import parse_options_header

from parcours.core.downloads import file_response
from tests.conftest import login

PDF = b"%PDF-1.4 fake"


def _disposition(response) -> tuple[str, dict[str, str]]:
    """Return the header as a browser reads it (``filename*`` wins over ``filename``)."""
    return parse_options_header(response.headers["Content-Disposition"])


def test_an_ascii_name_is_sent_as_is_with_private_headers(app):
    with app.test_request_context():
        response = file_response(PDF, "emargement-2026-04-01-session-1.pdf", "application/pdf")
    assert response.get_data() == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=emargement-2026-04-01-session-1.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_inline_asks_the_browser_to_show_the_document(app):
    with app.test_request_context():
        response = file_response(b"<svg/>", "radar.svg", "image/svg+xml", inline=True)
    assert response.headers["Content-Disposition"] == "inline; filename=radar.svg"
    assert response.mimetype == "image/svg+xml"


def test_an_accented_name_gets_an_ascii_fallback_and_the_exact_utf8_name(app):
    with app.test_request_context():
        response = file_response(PDF, "Attestation Élise Château – été.pdf", "application/pdf")
    header = response.headers["Content-Disposition"]
    header.encode("ascii")  # a header must travel as plain ASCII
    assert header == (
        'attachment; filename="Attestation Elise Chateau _ ete.pdf"; '
        "filename*=UTF-8''Attestation%20%C3%89lise%20Ch%C3%A2teau%20%E2%80%93%20%C3%A9t%C3%A9.pdf"
    )
    assert _disposition(response) == (
        "attachment",
        {"filename": "Attestation Élise Château – été.pdf"},
    )


@pytest.mark.parametrize(
    ("filename", "fallback", "exact"),
    [
        ('R&D "final"; v2.pdf', "R_D _final__ v2.pdf", 'R&D "final"; v2.pdf'),
        ("../../etc\\passwd.pdf", ".._.._etc_passwd.pdf", "../../etc\\passwd.pdf"),
        ("Bilan\r\nSet-Cookie: x=1.pdf", "BilanSet-Cookie_ x_1.pdf", "BilanSet-Cookie: x=1.pdf"),
        ("Ωμέγα.pdf", "_____.pdf", "Ωμέγα.pdf"),
        ("", "document", None),
    ],
)
def test_any_name_makes_a_well_formed_header(app, filename, fallback, exact):
    with app.test_request_context():
        response = file_response(PDF, filename, "application/pdf")
    header = response.headers["Content-Disposition"]
    header.encode("ascii")
    assert "\r" not in header and "\n" not in header
    assert "Set-Cookie" not in response.headers
    if exact is None:
        assert header == f"attachment; filename={fallback}"
    else:
        assert "filename*=UTF-8''" in header
        assert _disposition(response) == ("attachment", {"filename": exact})
    fallback_only = header.split("; filename*=")[0]
    assert parse_options_header(fallback_only) == ("attachment", {"filename": fallback})


@pytest.fixture
def download_app(make_app):
    application = make_app()

    @application.get("/test-download")
    def download():
        return file_response(PDF, "Présences.pdf", "application/pdf")

    return application


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_app_keeps_the_download_headers(download_app, create_user, logged_in):
    client = download_app.test_client()
    if logged_in:
        create_user("ana@example.org")
        login(client, "ana@example.org")
    response = client.get("/test-download")
    assert response.status_code == 200
    assert response.get_data() == PDF
    # The header written for logged-in pages must not replace the download's own.
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert _disposition(response) == ("attachment", {"filename": "Présences.pdf"})
