"""Attestation pages for every role, issuing through them, and the public verification page."""

import hashlib
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Membership
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.attestations import operations as ops
from parcours.evaluation.models import FinalAttestation
from tests.conftest import ROLES, page_text
from tests.evaluation.attestations.conftest import AFTER, BEFORE


def _issue(app, world, role="a1") -> SimpleNamespace:
    with app.test_request_context(), freeze(AFTER):
        cohort = db.session.get(Cohort, world["cohort_a"])
        member = db.session.scalars(
            select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.user_id == world[role]
            )
        ).one()
        attestation = ops.issue(cohort, member, by=db.session.get(User, world["coordinator"]))
        db.session.commit()
        return SimpleNamespace(
            id=attestation.id,
            token=attestation.token,
            sha256=attestation.sha256,
            pdf=attestation.pdf,
            number=attestation.number,
        )


@pytest.fixture
def issued(app, finished):
    return _issue(app, finished)


def _pages(world, attestation) -> dict[tuple[str, str], tuple[set, int]]:
    """(method, url) -> (roles allowed, status when allowed); every other role gets 403."""
    cohort = world["cohort_a"]
    managers = {"admin", "coordinator"}
    return {
        ("GET", f"/cohorts/{cohort}/final-attestations"): (managers, 200),
        ("POST", f"/cohorts/{cohort}/final-attestations/{world['a2']}"): (managers, 302),
        ("POST", f"/cohorts/{cohort}/final-attestations/issue-all"): (managers, 302),
        ("GET", f"/final-attestations/{attestation.id}.pdf"): (managers | {"a1"}, 200),
        ("GET", f"/cohorts/{cohort}/my-final-attestation"): ({"a1", "a1bis", "a2"}, 200),
        ("GET", f"/cohorts/{world['cohort_b']}/final-attestations"): (
            {"admin", "coordinator_b"},
            200,
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_page_refuses_the_wrong_role(login_as, finished, issued, role):
    client = login_as(role)
    with freeze(AFTER):
        for (method, url), (allowed, ok) in _pages(finished, issued).items():
            status = client.open(url, method=method).status_code
            expected = ok if role in allowed else 403
            assert status == expected, f"{role} {method} {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_login(app, client, finished, issued):
    for method, url in _pages(finished, issued):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert _numbers(app) == [1]  # nothing issued by the POSTs


def _numbers(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(select(FinalAttestation.number).order_by(FinalAttestation.id))
        )


def test_unknown_objects_answer_404(login_as, finished):
    client = login_as("admin")
    cohort = finished["cohort_a"]
    with freeze(AFTER):
        for method, url in (
            ("GET", "/final-attestations/999999.pdf"),
            ("GET", "/cohorts/999999/final-attestations"),
            ("POST", f"/cohorts/{cohort}/final-attestations/999999"),
            ("POST", f"/cohorts/{cohort}/final-attestations/{finished['b1']}"),  # cohort B
        ):
            assert client.open(url, method=method).status_code == 404, url


def test_the_coordinator_issues_from_the_list(app, login_as, finished):
    client = login_as("coordinator")
    url = f"/cohorts/{finished['cohort_a']}/final-attestations"
    with freeze(AFTER):
        page = client.get(url)
        assert "Tout délivrer (3 attestations manquantes)" in page_text(page)
        response = client.post(f"{url}/{finished['a1']}", follow_redirects=True)
        assert "L'attestation de Catalyseur A1 est délivrée." in page_text(response)
        response = client.post(f"{url}/{finished['a1']}", follow_redirects=True)
        assert "Une nouvelle version (n° 2)" in page_text(response)
        response = client.post(f"{url}/issue-all", follow_redirects=True)
        assert "2 attestations délivrées." in page_text(response)
        text = page_text(client.get(url))
    assert "Tout délivrer" not in text and "pas encore délivrée" not in text
    assert "PDF, version 2" in text and "n° 1" in text and "Réémettre" in text
    assert _numbers(app) == [1, 2, 1, 1]


def test_too_early_the_list_says_when_and_a_post_is_refused(app, login_as, finished):
    client = login_as("coordinator")
    url = f"/cohorts/{finished['cohort_a']}/final-attestations"
    with freeze(BEFORE):
        text = page_text(client.get(url))
        assert "à partir du 12 novembre 2026" in text and "Délivrer" not in text
        response = client.post(f"{url}/{finished['a1']}", follow_redirects=True)
        assert "à partir du 12 novembre 2026" in page_text(response)
        response = client.post(f"{url}/issue-all")
    assert response.status_code == 302
    assert _numbers(app) == []


def test_a_non_catalyseur_is_refused_with_a_message(app, login_as, finished):
    client = login_as("coordinator")
    url = f"/cohorts/{finished['cohort_a']}/final-attestations/{finished['coach']}"
    with freeze(AFTER):
        response = client.post(url, follow_redirects=True)
    assert "Seuls les catalyseurs du parcours" in page_text(response)
    assert _numbers(app) == []


def test_the_list_keeps_its_query_count_as_the_cohort_grows(app, login_as, finished, query_counter):
    client = login_as("coordinator")
    url = f"/cohorts/{finished['cohort_a']}/final-attestations"
    with freeze(AFTER):
        client.get(url)
        with query_counter:
            assert client.get(url).status_code == 200
        small = query_counter.count
        with app.test_request_context():
            cohort = db.session.get(Cohort, finished["cohort_a"])
            coordinator = db.session.get(User, finished["coordinator"])
            for index in range(4):
                territory = cohort_ops.add_territory(
                    cohort,
                    name=f"Territoire N{index}",
                    region="Bretagne",
                    department="Finistère (29)",
                    kind="rural",
                    carrier_structure="Asso",
                    carrier_type="associatif",
                    status="accepted",
                    status_reason="",
                )
                cohort_ops.add_catalyseur(
                    territory,
                    email=f"nouveau{index}@example.org",
                    full_name=f"Nouveau {index}",
                    organisation="",
                    invited_by=coordinator,
                )
            db.session.flush()
            ops.issue_all(cohort, by=coordinator)
            db.session.commit()
        with query_counter:
            page = client.get(url)
        assert page.status_code == 200 and "Nouveau 3" in page_text(page)
    assert query_counter.count == small


def test_the_download_is_the_stored_pdf(login_as, finished, issued):
    response = login_as("a1").get(f"/final-attestations/{issued.id}.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=attestation-fin-de-parcours-cohorte-a-catalyseur-a1.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == issued.pdf
    assert hashlib.sha256(response.data).hexdigest() == issued.sha256


def test_mon_parcours_leads_to_my_attestation_with_an_empty_state_first(app, login_as, finished):
    client = login_as("a1")
    cohort = finished["cohort_a"]
    with freeze(BEFORE):
        assert f"/cohorts/{cohort}/my-final-attestation" in client.get(
            f"/cohorts/{cohort}/my-path"
        ).get_data(as_text=True)
        text = page_text(client.get(f"/cohorts/{cohort}/my-final-attestation"))
    assert "Votre attestation n'a pas encore été délivrée." in text
    assert "à partir du 12 novembre 2026" in text
    first = _issue(app, finished)
    second = _issue(app, finished)
    html = client.get(f"/cohorts/{cohort}/my-final-attestation").get_data(as_text=True)
    assert f"/final-attestations/{second.id}.pdf" in html
    assert f"/final-attestations/{first.id}.pdf" in html
    assert "Versions précédentes" in html


def test_the_dashboard_links_to_the_list_for_those_who_run_the_cohort(login_as, finished):
    cohort = finished["cohort_a"]
    link = f"/cohorts/{cohort}/final-attestations"
    assert link in login_as("coordinator").get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert link not in login_as("committee").get(f"/cohorts/{cohort}").get_data(as_text=True)


# The public verification page ------------------------------------------------------------


def test_anyone_sees_that_it_exists_and_nothing_else(client, finished, issued):
    response = client.get(f"/verifier/{issued.token}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    html = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in html
    text = page_text(response)
    assert "Cette attestation existe" in text
    assert "12 novembre 2026" in text and issued.sha256 in text
    assert "Co-construction territoriale" in text
    for private in ("Catalyseur A1", "Territoire A1", "Cohorte A", "Session 1"):
        assert private not in text, private


def test_a_logged_in_visitor_gets_the_same_page(login_as, finished, issued):
    text = page_text(login_as("b1").get(f"/verifier/{issued.token}"))
    assert "Cette attestation existe" in text and "Catalyseur A1" not in text


@pytest.mark.parametrize("token", ["inconnu", "x" * 65, "%00"])
def test_an_unknown_token_is_a_404_in_the_layout(client, finished, token):
    response = client.get(f"/verifier/{token}")
    assert response.status_code in (404, 400)
    assert "Parcours" in page_text(response)


def _upload(client, token, content: bytes, name="attestation.pdf"):
    # Encoded in memory: the test client would spool a large body to a file it leaves open.
    body, length, boundary = stream_encode_multipart(
        {"document": FileStorage(BytesIO(content), name, content_type="application/pdf")},
        use_tempfile=False,
    )
    return client.post(
        f"/verifier/{token}",
        input_stream=body,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_the_pdf_held_matches(client, finished, issued):
    response = _upload(client, issued.token, issued.pdf)
    assert response.status_code == 200, page_text(response)
    assert "Le fichier correspond : cette attestation existe et n'a pas été modifiée." in (
        page_text(response)
    )


def test_a_modified_pdf_does_not_match(client, finished, issued):
    modified = issued.pdf.replace(b"Catalyseur A1", b"Catalyseur A9", 1)
    response = _upload(client, issued.token, modified + b"\n")
    assert response.status_code == 200
    assert "Le fichier ne correspond pas" in page_text(response)


def test_an_earlier_version_stays_valid(app, client, finished, issued):
    second = _issue(app, finished)
    assert "Le fichier correspond" in page_text(_upload(client, issued.token, issued.pdf))
    assert "ne correspond pas" in page_text(_upload(client, second.token, issued.pdf))


@pytest.mark.parametrize("size", [2 * 1024 * 1024 - 4, 3 * 1024 * 1024])
def test_a_file_over_2_mb_is_refused_with_a_message(client, finished, issued, size):
    """Just over: counted while hashing; far over: refused from the request's length."""
    response = _upload(client, issued.token, b"%PDF-" + b"0" * size)
    assert response.status_code == 413
    assert "Ce fichier dépasse 2 Mo" in page_text(response)


def test_no_file_is_a_400_with_a_message(client, finished, issued):
    response = client.post(f"/verifier/{issued.token}", data={})
    assert response.status_code == 400
    assert "Choisissez le fichier PDF de l'attestation." in page_text(response)
