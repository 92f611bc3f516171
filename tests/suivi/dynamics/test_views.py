"""The dynamics' pages: who records, who reads, what is refused, and what is never rewritten."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.suivi import drafts
from parcours.suivi.models import DynamicsSnapshot, FormDraft
from tests.conftest import login, page_text
from tests.suivi.dashboards import helpers

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
WRITERS = ["admin", "coordinator", "coach"]
READERS = [*WRITERS, "a1", "a1bis"]
OTHERS = ["committee", "a2", "coordinator_b", "b1", "outsider", "coach2"]


@pytest.fixture
def as_role(app, world, login_as):
    """Log in as a role of ``world``, or as a second coach of cohort A who follows nothing."""

    def _as(role):
        if role == "coach2":
            helpers.second_coach(app, world)
            return helpers.client_for(app, "coach2@example.org")
        return login_as(role)

    return _as


def _new(world) -> str:
    return f"/territories/{world['territory_a1']}/suivi/dynamics/new"


def _history(world) -> str:
    return f"/territories/{world['territory_a1']}/suivi/dynamics"


def _form(**changes) -> dict:
    data = {
        "moment": "launch",
        "recorded_on": "17/03/2026",
        "maturity": "1",
        "forms": ["animation"],
        "fragilities": ["emploi", "mobilite"],
        "partnerships": ["mecenat"],
        "comment": "Une première table ronde emploi-mobilité (fictif).",
    }
    data.update(changes)
    return data


def _checked(html: str, name: str, value: str) -> bool:
    """Tell whether the page checks the option ``value`` of the radio or check boxes ``name``."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no option {value!r} of {name!r}")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DynamicsSnapshot))


# Access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, world):
    for url in (_new(world), _history(world)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(_new(world), data=_form())
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", WRITERS)
def test_the_territory_team_opens_the_form(as_role, world, role):
    response = as_role(role).get(_new(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "il ne se modifie pas et ne se supprime pas" in text
    assert "Cela commence à émerger" in text and "Fragilités sociétales" in text


@pytest.mark.parametrize("role", ["a1", "a1bis", *OTHERS])
def test_nobody_else_records_the_dynamics(app, as_role, world, role):
    client = as_role(role)
    assert client.get(_new(world)).status_code == 403
    assert client.post(_new(world), data=_form()).status_code == 403
    assert _count(app) == 0


@pytest.mark.parametrize("role", READERS)
def test_the_team_and_the_binome_read_the_history(as_role, world, role):
    assert as_role(role).get(_history(world)).status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_else_reads_the_history(as_role, world, role):
    assert as_role(role).get(_history(world)).status_code == 403


def test_an_unknown_territory_is_not_found(login_as):
    client = login_as("admin")
    assert client.get("/territories/999999/suivi/dynamics").status_code == 404
    assert client.get("/territories/999999/suivi/dynamics/new").status_code == 404


def test_no_page_edits_or_deletes_a_recording(app):
    routes = {
        (rule.endpoint, frozenset(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if "dynamics" in rule.rule
    }
    assert routes == {
        ("suivi.record_dynamics", frozenset({"GET", "POST"})),
        ("suivi.list_dynamics", frozenset({"GET"})),
    }


# Recording --------------------------------------------------------------------------------


def test_the_coach_records_and_the_territory_page_shows_it(app, login_as, world):
    client = login_as("coach")
    with freeze(NOW):
        form = client.get(_new(world)).get_data(as_text=True)
        assert _checked(form, "moment", "launch")  # nothing recorded yet
        assert 'value="2026-06-15"' in form  # today
        response = client.post(_new(world), data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/territories/{world['territory_a1']}#dynamique")
    with app.app_context():
        snapshot = db.session.scalar(select(DynamicsSnapshot))
        assert (snapshot.moment, snapshot.recorded_on, snapshot.maturity) == (
            "launch",
            date(2026, 3, 17),
            1,
        )
        assert snapshot.recorded_by_id == world["coach"]
        assert snapshot.fragilities == ["emploi", "mobilite"]
    with freeze(NOW):
        text = page_text(client.get(f"/territories/{world['territory_a1']}"))
    assert "La dynamique du territoire est relevée." in text
    assert "Dernier relevé : Lancement, le 17 mars 2026." in text
    assert "Emploi, chômage, insertion, Mobilité, transports" in text
    assert "L'évolution apparaîtra au relevé suivant" in text


def test_a_second_recording_is_a_new_row_and_the_change_shows(app, login_as, world):
    client = login_as("coach")
    with freeze(NOW):
        client.post(_new(world), data=_form())
        form = client.get(_new(world)).get_data(as_text=True)
        assert _checked(form, "moment", "midway")
        midway = _form(
            moment="midway",
            recorded_on="10/06/2026",
            maturity="2",
            forms=["animation", "experimentation"],
            fragilities=["mobilite"],
            partnerships=["mecenat", "innovation-societale"],
        )
        assert client.post(_new(world), data=midway).status_code == 302
        territory = page_text(client.get(f"/territories/{world['territory_a1']}"))
        history = page_text(client.get(_history(world)))
    assert _count(app) == 2
    expected = "Maturité : Cela commence à émerger → De plus en plus nombreuses (+1)"
    assert expected in territory and expected in history
    assert "Formes pratiquées : ajoutées Expérimentation collective" in territory
    assert "Fragilités traitées : abandonnées Emploi, chômage, insertion" in territory
    assert "Types de partenariats : ajoutées Innovation sociétale" in territory
    assert "Historique : 2 relevés" in territory
    assert "Relevé par Coach A" in history


def test_a_correction_is_a_new_recording_the_history_keeps_the_first(app, login_as, world):
    client = login_as("coach")
    with freeze(NOW):
        client.post(_new(world), data=_form(maturity="3"))
    with freeze(NOW + timedelta(minutes=5)):
        client.post(_new(world), data=_form(maturity="1"))
        history = page_text(client.get(_history(world)))
    assert _count(app) == 2
    assert history.count("remplacé") == 2  # the explanation, and the replaced recording
    assert history.index("Cela commence à émerger") < history.index("Tout à fait ancrées")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"forms": ["animation", "danse"]}, "n'est pas un choix valide"),
        ({"fragilities": ["richesses-humaines"]}, "n'est pas un choix valide"),
        ({"maturity": "7"}, "N'est pas un choix valide"),
        ({"maturity": "beaucoup"}, "Choix non valide"),
        ({"maturity": None}, "Ce champ est requis"),
        ({"moment": "debut"}, "N'est pas un choix valide"),
        ({"recorded_on": "16/06/2026"}, "le jour même ou après coup"),
        ({"recorded_on": "le 17 mars"}, "Date non reconnue"),
        ({"comment": "x" * 2001}, "2000"),
    ],
)
def test_a_refused_recording_answers_400_keeps_what_was_typed_and_stores_nothing(
    app, login_as, world, changes, message
):
    data = {key: value for key, value in _form(**changes).items() if value is not None}
    with freeze(NOW):
        response = login_as("coach").post(_new(world), data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in page_text(response)
    assert "Le formulaire contient" in html
    assert _checked(html, "fragilities", "mobilite") or "mobilite" not in str(data["fragilities"])
    assert _count(app) == 0


def test_the_maturity_levels_are_radio_buttons_described_by_their_description(login_as, world):
    html = login_as("coach").get(_new(world)).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="maturity"[^>]*>', html)
    assert len(radios) == 4
    assert all('type="radio"' in radio for radio in radios)
    assert 'aria-describedby="maturity-1-description"' in radios[1]
    assert 'id="maturity-1-description"' in html


# The territory page -----------------------------------------------------------------------


def test_the_territory_page_offers_recording_to_the_team_only(login_as, world):
    url = f"/territories/{world['territory_a1']}"
    coach = page_text(login_as("coach").get(url))
    assert "La dynamique du territoire n'a pas encore été relevée." in coach
    assert "Relever la dynamique" in coach
    binome = page_text(login_as("a1").get(url))
    assert "Dynamique territoriale" in binome and "Relever la dynamique" not in binome


def test_the_territory_page_and_history_keep_their_queries_as_recordings_grow(
    app, login_as, world, query_counter
):
    client = login_as("coach")
    urls = (f"/territories/{world['territory_a1']}", _history(world))

    def add(count):
        with app.app_context():
            for n in range(count):
                moment = ("launch", "midway", "end")[n % 3]
                helpers.snapshot(
                    world["territory_a1"],
                    moment,
                    n % 4,
                    NOW - timedelta(days=100 - n),
                    forms=["animation"],
                    recorded_by_id=world["coach"] if n % 2 else world["coordinator"],
                )
            db.session.commit()

    def counts():
        found = []
        for url in urls:
            client.get(url)
            with query_counter:
                assert client.get(url).status_code == 200
            found.append(query_counter.count)
        return found

    with freeze(NOW):
        add(3)
        small = counts()
        add(27)
        large = counts()
    assert small == large


# A form posted after the session expired --------------------------------------------------


def test_a_recording_posted_after_the_session_expired_is_shown_again_then_saved(app, client, world):
    login(client, "coach@example.org")
    with freeze(NOW):
        html = client.get(_new(world)).get_data(as_text=True)
    token = re.search(r'name="draft_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/logout")
    typed = _form(comment="Une longue discussion avec le binôme sur la mobilité (fictif).")
    with freeze(NOW + timedelta(hours=3)):
        response = client.post(_new(world), data={**typed, drafts.TOKEN_FIELD: token})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert _count(app) == 0
        login(client, "coach@example.org")
        page = client.get(_new(world))
        html = page.get_data(as_text=True)
        assert "Une longue discussion avec le binôme" in html
        assert "est affiché à nouveau" in page_text(page)
        assert _checked(html, "partnerships", "mecenat")
        assert client.post(_new(world), data=typed).status_code == 302
    assert _count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0
