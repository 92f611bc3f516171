"""Administration pages: people and programmes, for administrators only."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Membership
from parcours.core.extensions import db
from tests.conftest import PASSWORD, ROLES, page_text

NON_ADMINS = [role for role in ROLES if role != "admin"]


def _pages(world) -> list[str]:
    return ["/admin/users", "/admin/users?q=a1", f"/admin/users/{world['a1']}", "/admin/curricula"]


def _posts(app, world) -> list[str]:
    with app.app_context():
        a1_member = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world["a1"])
        )
    user = f"/admin/users/{world['a1']}"
    return [
        f"{user}/deactivate",
        f"{user}/reactivate",
        f"{user}/cohort-creation",
        f"{user}/memberships/{a1_member}/resend",
    ]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_every_administration_page_is_refused_to_every_other_role(app, login_as, world, role):
    client = login_as(role)
    for url in _pages(world):
        assert client.get(url).status_code == 403, url
    for url in _posts(app, world):
        assert client.post(url, data={"allowed": "y"}).status_code == 403, url
    with app.app_context():
        a1 = db.session.get(User, world["a1"])
        assert (a1.active, a1.can_create_cohorts) == (True, False)


def test_anonymous_visitors_are_sent_to_login(app, client, world):
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in _posts(app, world):
        assert "/login" in client.post(url).headers["Location"], url


def test_the_admin_finds_the_pages_from_the_navigation_and_home(login_as, world):
    html = login_as("admin").get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in html and 'href="/admin/curricula"' in html
    assert 'href="/admin/users"' not in login_as("coordinator").get("/").get_data(as_text=True)


def test_users_list_shows_cohorts_roles_and_states(login_as, world):
    text = page_text(login_as("admin").get("/admin/users"))
    assert "10 personnes." in text
    row = text[text.index("Catalyseur A1 a1@example.org") :][:120]
    assert "Cohorte A — Catalyseur·rice" in row
    assert "invitation acceptée" in row  # has chosen a password
    coordinator = text[text.index("Coordination A coord@example.org") :][:120]
    assert "peut créer des cohortes" in coordinator
    assert "aucune cohorte" in text[text.index("Hors cohorte") :][:80]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("coord", ["Coordination A", "Coordination B"]),
        ("COORD-B@", ["Coordination B"]),  # an address, whatever its case
        ("a1 bis", ["Catalyseur A1 bis"]),  # a name
        ("%", []),  # a wildcard is a character to look for
        ("_", []),
    ],
)
def test_users_are_searched_by_name_or_address(login_as, world, search, expected):
    response = login_as("admin").get("/admin/users", query_string={"q": search})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    names = [name for name in ROLE_NAMES if f">{name}</a>" in html]
    assert names == expected
    if not expected:
        assert "Aucune personne ne correspond à cette recherche." in page_text(response)


ROLE_NAMES = [
    "Admin",
    "Catalyseur A1",
    "Catalyseur A1 bis",
    "Catalyseur A2",
    "Catalyseur B1",
    "Coach A",
    "Comité A",
    "Coordination A",
    "Coordination B",
    "Hors cohorte",
]


def test_users_are_listed_page_by_page(app, login_as, world, create_user):
    for n in range(30):
        create_user(f"personne{n:02}@example.org", f"Zz Personne {n:02}")
    admin = login_as("admin")
    first = admin.get("/admin/users?q=zz").get_data(as_text=True)
    second = admin.get("/admin/users?q=zz&page=2").get_data(as_text=True)
    assert first.count("Zz Personne") == 25 and second.count("Zz Personne") == 5
    assert "Zz Personne 24<" in first and "Zz Personne 25<" in second
    assert "/admin/users?q=zz&amp;page=2" in first
    assert admin.get("/admin/users?q=zz&page=3").status_code == 404
    assert admin.get("/admin/users?page=0").status_code == 404


def test_deactivating_ends_the_persons_sessions_and_refuses_their_login(app, login_as, world):
    a1 = login_as("a1")
    assert a1.get("/").status_code == 200
    admin = login_as("admin")
    response = admin.post(f"/admin/users/{world['a1']}/deactivate", follow_redirects=True)
    assert "Le compte de Catalyseur A1 est désactivé." in page_text(response)
    assert "compte désactivé" in page_text(response)
    after = a1.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    refused = app.test_client().post(
        "/login", data={"email": "a1@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 401
    # The cohort's coordinator sees it where the person is listed.
    page = login_as("coordinator").get(f"/territories/{world['territory_a1']}")
    assert "compte désactivé" in page_text(page)

    admin.post(f"/admin/users/{world['a1']}/reactivate")
    assert login_as("a1").get("/").status_code == 200


def test_an_admin_cannot_deactivate_themselves(app, login_as, world):
    admin = login_as("admin")
    response = admin.post(f"/admin/users/{world['admin']}/deactivate")
    assert response.status_code == 400
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)
    assert admin.get("/").status_code == 200


def test_the_admin_allows_a_coordinator_to_create_cohorts_and_takes_it_back(login_as, world):
    coordinator_b = login_as("coordinator_b")
    assert coordinator_b.get("/cohorts/new").status_code == 403
    assert "Créer une cohorte" not in page_text(coordinator_b.get("/"))
    admin = login_as("admin")
    url = f"/admin/users/{world['coordinator_b']}/cohort-creation"
    response = admin.post(url, data={"allowed": "y"}, follow_redirects=True)
    assert "Coordination B peut créer des cohortes." in page_text(response)
    assert "checked" in response.get_data(as_text=True)
    assert coordinator_b.get("/cohorts/new").status_code == 200
    assert "Créer une cohorte" in page_text(coordinator_b.get("/"))
    response = admin.post(url, data={}, follow_redirects=True)
    assert "Coordination B ne peut plus créer de cohortes." in page_text(response)
    assert coordinator_b.get("/cohorts/new").status_code == 403


def test_the_user_page_lists_cohorts_and_resends_an_invitation(app, login_as, world, outbox):
    admin = login_as("admin")
    coordinator = login_as("coordinator")
    coordinator.post(
        f"/cohorts/{world['cohort_a']}/members",
        data={"role": "committee", "full_name": "Nina", "email": "nina@example.org"},
    )
    with app.app_context():
        nina = db.session.scalar(select(User).where(User.email == "nina@example.org"))
        member_id = db.session.scalar(select(Membership.id).where(Membership.user_id == nina.id))
    page = admin.get(f"/admin/users/{nina.id}")
    text = page_text(page)
    assert "Cohorte A Membre du Comité d'orientation invitation en attente" in text
    assert "Jamais connecté·e." in text
    response = admin.post(f"/admin/users/{nina.id}/memberships/{member_id}/resend")
    assert response.status_code == 302
    assert outbox[-1].to == "nina@example.org" and "/invitation/" in outbox[-1].body
    assert "L'invitation de Nina à « Cohorte A » est renvoyée." in page_text(
        admin.get(response.headers["Location"])
    )
    with app.app_context():  # a membership of someone else is not this user's
        a1_member = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world["a1"])
        )
    assert admin.post(f"/admin/users/{nina.id}/memberships/{a1_member}/resend").status_code == 404


def test_unknown_users_answer_404(login_as, world):
    admin = login_as("admin")
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/deactivate").status_code == 404


def test_curricula_page_lists_versions_and_the_cohorts_on_each(app, login_as, world):
    text = page_text(login_as("admin").get("/admin/curricula"))
    assert "co-construction-territoriale" in text
    row = text[text.index("v1 la plus récente") :][:200]
    assert "co-construction-territoriale.toml" in row
    assert "Cohorte A" in row and "Cohorte B" in row
    assert "flask --app parcours curricula load curricula/" in text


@pytest.mark.parametrize("search", ["helene", "HÉLÈNE ROUS", "Hélène", "élène"])
def test_names_are_found_whatever_their_accents_and_case(login_as, world, create_user, search):
    """SQL lower() folds only ASCII on SQLite: the name is searched by a key of its own."""
    create_user("h.rousseau@example.org", "Hélène Rousseau")
    html = login_as("admin").get("/admin/users", query_string={"q": search}).get_data(True)
    assert ">Hélène Rousseau</a>" in html


def test_a_renamed_person_is_found_under_their_new_name(app, login_as, world):
    from parcours.accounts import operations

    with app.app_context():
        user = db.session.get(User, world["outsider"])
        operations.update_profile(user, full_name="Émile Zola", organisation="", locale="fr")
        db.session.commit()
    html = login_as("admin").get("/admin/users?q=emile").get_data(True)
    assert ">Émile Zola</a>" in html
