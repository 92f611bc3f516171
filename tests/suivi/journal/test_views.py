"""The carnet de bord's pages for every role, and what each form does to the database."""

import logging

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.suivi.models import JournalEntry, Tag
from tests.conftest import page_text
from tests.forms import error_summary, form_values
from tests.suivi.journal.conftest import ALL_ROLES
from tests.suivi.journal.test_permissions import BINOME, READERS, RESTORERS

CIRCLE = READERS["cohort"]
OPENS_CARNET = BINOME | {"coach", "coordinator", "admin"}


@pytest.fixture
def entries(write_entry):
    """One entry of A1 per visibility, by its visibility."""
    return {
        visibility: write_entry(visibility=visibility, title=f"Entrée {visibility}")
        for visibility in READERS
    }


def _pages(world, entries) -> dict[str, set[str]]:
    a1, cohort = world["territory_a1"], world["cohort_a"]
    pages = {
        f"/territories/{a1}/suivi/journal": OPENS_CARNET,
        f"/territories/{a1}/suivi/journal/new": BINOME,
        f"/cohorts/{cohort}/belles-histoires": CIRCLE,
        f"/cohorts/{world['cohort_b']}/belles-histoires": {"admin", "coordinator_b", "b1"},
    }
    for visibility, entry_id in entries.items():
        pages[f"/suivi/journal/{entry_id}"] = READERS[visibility]
        pages[f"/suivi/journal/{entry_id}/edit"] = BINOME
        pages[f"/suivi/journal/{entry_id}/delete"] = BINOME
    return pages


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_page_answers_each_role_as_the_rules_say(client_of, world, entries, role):
    client = client_of(role)
    for url, allowed in _pages(world, entries).items():
        status = client.get(url).status_code
        expected = 200 if role in allowed else 403
        assert status == expected, f"{role} on {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_login(client, world, entries):
    for url in _pages(world, entries):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    for url in (
        f"/suivi/journal/{entries['cohort']}/delete",
        f"/suivi/journal/{entries['cohort']}/restore",
    ):
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_an_entry_that_does_not_exist_is_a_404(login_as, world):
    client = login_as("a1")
    for suffix in ("", "/edit", "/delete"):
        assert client.get(f"/suivi/journal/999999{suffix}").status_code == 404
    assert client.post("/suivi/journal/999999/restore").status_code == 404
    assert client.get("/territories/999999/suivi/journal").status_code == 404


def _set(form, **values) -> None:
    """Replace fields of a posted form (a MultiDict's update() would add values)."""
    for name, value in values.items():
        form[name] = value


def _new_form(client, world) -> dict:
    page = client.get(f"/territories/{world['territory_a1']}/suivi/journal/new")
    assert page.status_code == 200
    return form_values(page)


def test_a_catalyseur_writes_an_entry_with_tags_and_a_visibility(app, login_as, world):
    client = login_as("a1")
    form = _new_form(client, world)
    assert form["written_on"] == "2026-05-04", "today, in the cohort's zone"
    assert form["visibility"] == "coach"
    _set(
        form,
        title="Forum des alliances",
        what_we_did="Un forum avec **40 personnes**.",
        what_we_learned="Les entreprises viennent quand on les invite une à une.",
        visibility="cohort",
    )
    form.setlist("thematics", ["T3", "T6"])
    form.setlist("competences", ["D1.2", "D2.2"])
    response = client.post(f"/territories/{world['territory_a1']}/suivi/journal/new", data=form)
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(JournalEntry))
        assert (entry.title, entry.visibility, entry.author_id) == (
            "Forum des alliances",
            "cohort",
            world["a1"],
        )
        assert str(entry.written_on) == "2026-05-04"
        tags = db.session.scalars(select(Tag).where(Tag.journal_entry_id == entry.id)).all()
        version_id = entry.territory.cohort.curriculum_version_id
        assert sorted((t.kind, t.code) for t in tags) == [
            ("competence", "D1.2"),
            ("competence", "D2.2"),
            ("thematic", "T3"),
            ("thematic", "T6"),
        ]
        assert {t.curriculum_version_id for t in tags} == {version_id}
        entry_id = entry.id
    assert response.headers["Location"].endswith(f"/suivi/journal/{entry_id}")
    # The other catalyseur of the binôme reads it, rendered from Markdown.
    page = login_as("a1bis").get(f"/suivi/journal/{entry_id}")
    html = page.get_data(as_text=True)
    assert "<strong>40 personnes</strong>" in html
    text = page_text(page)
    assert "Toute la cohorte (belle histoire)" in text
    assert "Catalyseur A1" in text


def test_an_entry_needs_one_of_its_three_parts_and_keeps_what_was_typed(app, login_as, world):
    client = login_as("a1")
    form = _new_form(client, world)
    _set(form, title="Sans contenu", what_we_did="  ", what_we_learned="", what_we_try_next="")
    form.setlist("competences", ["D1.2"])
    response = client.post(f"/territories/{world['territory_a1']}/suivi/journal/new", data=form)
    assert response.status_code == 400
    summary = error_summary(response)
    assert any(
        "Écrivez au moins l'une des trois parties" in text and anchor == "what_we_did"
        for anchor, text in summary
    ), summary
    again = form_values(response)
    assert again["title"] == "Sans contenu" and again.getlist("competences") == ["D1.2"]
    with app.app_context():
        assert db.session.scalar(select(func.count(JournalEntry.id))) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("written_on", "2026-05-05", "choisissez une date jusqu'au 4 mai 2026"),
        ("written_on", "31/02/2026", "Date non reconnue"),
        ("thematics", "T99", "T99"),
        ("competences", "Z9.9", "Z9.9"),
        ("visibility", "everyone", "Qui peut lire cette entrée ?"),
    ],
)
def test_bad_input_is_a_400_with_a_message(app, login_as, world, field, value, message):
    client = login_as("a1")
    form = _new_form(client, world)
    form["what_we_did"] = "Un atelier."
    form.setlist(field, [value])
    response = client.post(f"/territories/{world['territory_a1']}/suivi/journal/new", data=form)
    assert response.status_code == 400
    assert any(message in text for _anchor, text in error_summary(response)), error_summary(
        response
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(JournalEntry.id))) == 0


@pytest.mark.parametrize("role", sorted(set(ALL_ROLES) - BINOME))
def test_nobody_else_writes_changes_or_deletes(app, client_of, world, write_entry, role):
    entry_id = write_entry(visibility="cohort")
    client = client_of(role)
    data = {"what_we_did": "Intrusion", "visibility": "cohort", "written_on": "2026-05-01"}
    assert (
        client.post(
            f"/territories/{world['territory_a1']}/suivi/journal/new", data=data
        ).status_code
        == 403
    )
    assert client.post(f"/suivi/journal/{entry_id}/edit", data=data).status_code == 403
    assert (
        client.post(f"/suivi/journal/{entry_id}/delete", data={"version": "1"}).status_code == 403
    )
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert entry.what_we_did != "Intrusion" and not entry.is_deleted
        assert db.session.scalar(select(func.count(JournalEntry.id))) == 1


def test_the_binome_changes_an_entry_and_its_tags(app, login_as, world, write_entry):
    entry_id = write_entry(thematics=("T1",), competences=("D0.1",))
    client = login_as("a1bis")
    url = f"/suivi/journal/{entry_id}/edit"
    form = form_values(client.get(url))
    assert form.getlist("thematics") == ["T1"] and form.getlist("competences") == ["D0.1"]
    form["what_we_try_next"] = "Un second forum, à l'automne."
    form.setlist("competences", ["D0.1", "D7.1"])
    form.setlist("thematics", [])
    response = client.post(url, data=form)
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert entry.what_we_try_next == "Un second forum, à l'automne."
        assert entry.updated_by_id == world["a1bis"] and entry.author_id == world["a1"]
        assert entry.version == 2
        codes = db.session.scalars(
            select(Tag.code).where(Tag.journal_entry_id == entry_id).order_by(Tag.code)
        ).all()
        assert codes == ["D0.1", "D7.1"]
    # Changing only the tags is a change too: a new version.
    form = form_values(client.get(url))
    form.setlist("competences", ["D7.1"])
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id).version == 3
    # Saving without a change writes nothing.
    form = form_values(client.get(url))
    response = client.post(url, data=form, follow_redirects=True)
    assert "Aucune modification." in page_text(response)
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id).version == 3


def test_deleting_asks_first_hides_the_entry_is_logged_and_the_binome_restores_it(
    app, login_as, world, write_entry, caplog
):
    entry_id = write_entry(visibility="coach", title="Erreur de saisie")
    client = login_as("a1")
    url = f"/suivi/journal/{entry_id}/delete"
    confirm = client.get(url)
    assert "Supprimer l'entrée « Erreur de saisie » ?" in page_text(confirm)
    with app.app_context():
        assert not db.session.get(JournalEntry, entry_id).is_deleted, "a GET deletes nothing"
    with caplog.at_level(logging.INFO, logger="parcours.suivi.journal.operations"):
        response = client.post(url, data=form_values(confirm))
    assert response.status_code == 302
    assert f"Journal entry {entry_id} of territory {world['territory_a1']} deleted by user" in (
        caplog.text
    )
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert entry.is_deleted and entry.deleted_by_id == world["a1"]
    carnet = f"/territories/{world['territory_a1']}/suivi/journal"
    # Gone for the coach, listed as deleted for the binôme.
    coach_text = page_text(login_as("coach").get(carnet))
    assert "Erreur de saisie" not in coach_text
    assert login_as("coach").get(f"/suivi/journal/{entry_id}").status_code == 403
    partner = login_as("a1bis")
    text = page_text(partner.get(carnet))
    assert "Entrées supprimées" in text and "Erreur de saisie" in text
    assert "Erreur de saisie" not in page_text(partner.get(carnet)).split("Entrées supprimées")[0]
    # A deleted entry is neither edited nor deleted again.
    assert partner.get(f"/suivi/journal/{entry_id}/edit").status_code == 403
    assert partner.get(url).status_code == 403
    response = partner.post(f"/suivi/journal/{entry_id}/restore")
    assert response.status_code == 302
    with app.app_context():
        assert not db.session.get(JournalEntry, entry_id).is_deleted
    assert "Erreur de saisie" in page_text(login_as("coach").get(carnet))


@pytest.mark.parametrize("visibility", RESTORERS)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_restores_a_deleted_entry(
    app, client_of, world, write_entry, delete_entry, visibility, role
):
    entry_id = write_entry(visibility=visibility)
    delete_entry(entry_id)
    client = client_of(role)
    allowed = role in RESTORERS[visibility]
    assert client.get(f"/suivi/journal/{entry_id}").status_code == (200 if allowed else 403)
    response = client.post(f"/suivi/journal/{entry_id}/restore")
    assert response.status_code == (302 if allowed else 403), role
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id).is_deleted is not allowed


def test_the_coordination_finds_a_deleted_shared_entry_on_the_carnet_and_restores_it(
    app, login_as, world, write_entry, delete_entry
):
    shared = write_entry(visibility="cohort", title="Histoire partagée")
    private = write_entry(visibility="binome", title="Note privée")
    delete_entry(shared)
    delete_entry(private)
    client = login_as("coordinator")
    carnet = client.get(f"/territories/{world['territory_a1']}/suivi/journal")
    text = page_text(carnet)
    assert "Histoire partagée" in text and "Note privée" not in text
    assert f"/suivi/journal/{shared}/restore" in carnet.get_data(as_text=True)
    assert client.post(f"/suivi/journal/{shared}/restore").status_code == 302
    with app.app_context():
        assert not db.session.get(JournalEntry, shared).is_deleted


def test_the_carnet_shows_each_reader_what_they_read_newest_first_filtered_by_tag(
    login_as, world, write_entry
):
    from datetime import date

    write_entry(visibility="binome", title="Entre nous", written_on=date(2026, 4, 1))
    write_entry(
        visibility="coach", title="Pour le coach", written_on=date(2026, 4, 10), thematics=("T2",)
    )
    write_entry(
        visibility="cohort",
        title="Pour la cohorte",
        written_on=date(2026, 4, 20),
        thematics=("T2",),
        competences=("D1.1",),
    )
    url = f"/territories/{world['territory_a1']}/suivi/journal"
    seen = {role: page_text(login_as(role).get(url)) for role in ("a1", "coach", "coordinator")}
    order = ["Pour la cohorte", "Pour le coach", "Entre nous"]
    positions = [seen["a1"].index(title) for title in order]
    assert positions == sorted(positions), "newest first"
    assert all(title in seen["coach"] for title in order[:2]) and "Entre nous" not in seen["coach"]
    assert "Pour la cohorte" in seen["coordinator"]
    assert "Pour le coach" not in seen["coordinator"] and "Entre nous" not in seen["coordinator"]
    client = login_as("a1")
    by_thematic = page_text(client.get(url + "?thematic=T2"))
    assert "Pour le coach" in by_thematic and "Entre nous" not in by_thematic
    assert "2 entrées (filtrées)" in by_thematic
    by_competence = page_text(client.get(url + "?competence=D1.1"))
    assert "Pour la cohorte" in by_competence and "Pour le coach" not in by_competence
    assert "Aucune entrée ne porte cette étiquette." in page_text(client.get(url + "?thematic=T8"))
    refused = client.get(url + "?competence=nope")
    assert refused.status_code == 400
    assert any("Compétence" in text for _a, text in error_summary(refused))


def test_belles_histoires_show_shared_entries_with_territory_and_author_filtered(
    login_as, world, write_entry
):
    write_entry(
        visibility="cohort", title="Le tiers-lieu ouvre", thematics=("T5",), competences=("D4.1",)
    )
    write_entry(
        territory="territory_a2",
        author="a2",
        visibility="cohort",
        title="Un club d'entreprises",
        thematics=("T6",),
        competences=("D3.1",),
    )
    write_entry(visibility="coach", title="Réservé au coach")
    write_entry(territory="territory_b1", author="b1", visibility="cohort", title="Cohorte B")
    client = login_as("a2")
    url = f"/cohorts/{world['cohort_a']}/belles-histoires"
    text = page_text(client.get(url))
    assert "2 histoires" in text
    assert "Le tiers-lieu ouvre" in text and "Territoire A1" in text and "Catalyseur A1" in text
    assert "Un club d'entreprises" in text and "Territoire A2" in text
    assert "Réservé au coach" not in text and "Cohorte B" not in text
    by_thematic = page_text(client.get(url + "?thematic=T5"))
    assert "Le tiers-lieu ouvre" in by_thematic and "Un club d'entreprises" not in by_thematic
    both = page_text(client.get(url + "?thematic=T6&competence=D3.1"))
    assert "Un club d'entreprises" in both and "Le tiers-lieu ouvre" not in both
    none = page_text(client.get(url + "?thematic=T6&competence=D4.1"))
    assert "Aucune belle histoire ne porte cette étiquette" in none
    # The filter form is a plain GET form: it works without JavaScript.
    html = client.get(url).get_data(as_text=True)
    assert f'<form method="get" action="{url}"' in html
    assert client.get(url + "?thematic=T99").status_code == 400


def test_belles_histoires_say_when_there_is_none_yet(login_as, world):
    text = page_text(login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/belles-histoires"))
    assert "Aucune belle histoire pour l'instant." in text


def test_belles_histoires_are_paginated(login_as, world, write_entry):
    from datetime import date, timedelta

    from parcours.suivi.journal.queries import PAGE_SIZE

    for n in range(PAGE_SIZE + 3):
        write_entry(
            visibility="cohort",
            title=f"Histoire numéro {n:02d}",
            written_on=date(2026, 3, 10) + timedelta(days=n),
            thematics=("T1",),
        )
    client = login_as("coach")
    url = f"/cohorts/{world['cohort_a']}/belles-histoires"
    first = client.get(url + "?thematic=T1")
    text = page_text(first)
    assert f"{PAGE_SIZE + 3} histoires" in text and "Page 1 sur 2" in text
    assert f"Histoire numéro {PAGE_SIZE + 2:02d}" in text and "Histoire numéro 00" not in text
    html = first.get_data(as_text=True)
    assert "page=2" in html and "thematic=T1" in html, "the next page keeps the filter"
    second = page_text(client.get(url + "?thematic=T1&page=2"))
    assert "Histoire numéro 00" in second and "Page 2 sur 2" in second
    # A page past the end shows the last one.
    assert "Page 2 sur 2" in page_text(client.get(url + "?page=9"))


def test_an_entry_page_links_its_competences_to_the_referential(login_as, world, write_entry):
    entry_id = write_entry(visibility="cohort", competences=("D2.3",), thematics=("T3",))
    client = login_as("a2")
    page = client.get(f"/suivi/journal/{entry_id}")
    html = page.get_data(as_text=True)
    link = f"/cohorts/{world['cohort_a']}/referentiel#competence-D2.3"
    assert f'href="{link}"' in html
    text = page_text(page)
    assert "D2.3 — Je sais transformer un groupe de travail multi-acteurs en plan d'action" in text
    assert "T3 — Modèles de co-construction territoriale" in text
    referential = client.get(link.split("#")[0]).get_data(as_text=True)
    assert 'id="competence-D2.3"' in referential


def test_the_form_says_who_reads_each_visibility(login_as, world):
    text = page_text(login_as("a1").get(f"/territories/{world['territory_a1']}/suivi/journal/new"))
    assert "Lue par les catalyseurs de votre territoire seulement" in text
    assert "Lue aussi par l'accompagnateur·rice de votre territoire" in text
    assert "(aujourd'hui : Coach A)" in text
    assert "Jamais par le Comité d'orientation" in text
    assert "Mise en forme : **gras**" in text
    html = login_as("a1").get(f"/territories/{world['territory_a1']}/suivi/journal/new")
    assert 'enctype="multipart/form-data"' in html.get_data(as_text=True)
