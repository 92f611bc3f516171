"""The binôme's two catalyseurs edit the same entry at once: nothing is lost."""

from sqlalchemy import select

from parcours.core.extensions import db
from parcours.suivi.models import JournalEntry, Tag
from tests.conftest import page_text
from tests.forms import form_values


def _open_twice(login_as, url):
    opened = []
    for role in ("a1", "a1bis"):
        client = login_as(role)
        page = client.get(url)
        assert page.status_code == 200
        opened.append((client, form_values(page)))
    return opened


def test_an_edit_from_an_older_form_shows_both_versions_and_saves_on_purpose(
    app, login_as, write_entry
):
    entry_id = write_entry(title="Forum", what_we_learned="", competences=("D1.2",))
    url = f"/suivi/journal/{entry_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["title"] = "Forum des alliances"
    first_form.setlist("competences", ["D1.2", "D1.3"])
    assert first.post(url, data=first_form).status_code == 302
    second_form["what_we_learned"] = "Inviter les entreprises une à une."
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    assert "Titre (facultatif) Forum Forum des alliances" in text
    assert "Ce que nous avons appris Inviter les entreprises une à une. (vide)" in text
    assert "D1.3" in text.split("Compétences du référentiel")[1]
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert (entry.title, entry.what_we_learned) == ("Forum des alliances", "")
    # The form keeps what this user typed; taking the other change in and saving keeps both.
    merged = form_values(response)
    assert merged["what_we_learned"].strip() == "Inviter les entreprises une à une."
    merged["title"] = "Forum des alliances"
    merged.setlist("competences", ["D1.2", "D1.3"])
    assert second.post(url, data=merged).status_code == 302
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert (entry.title, entry.what_we_learned) == (
            "Forum des alliances",
            "Inviter les entreprises une à une.",
        )
        codes = db.session.scalars(select(Tag.code).where(Tag.journal_entry_id == entry_id))
        assert sorted(codes) == ["D1.2", "D1.3"]


def test_an_edit_without_its_version_is_a_conflict_not_a_blind_write(app, login_as, write_entry):
    entry_id = write_entry(title="Forum")
    client = login_as("a1")
    url = f"/suivi/journal/{entry_id}/edit"
    form = form_values(client.get(url))
    del form["version"]
    form["title"] = "Écrasé ?"
    assert client.post(url, data=form).status_code == 409
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id).title == "Forum"


def test_deleting_an_entry_changed_since_the_confirmation_asks_again(app, login_as, write_entry):
    entry_id = write_entry(title="Forum")
    delete_url = f"/suivi/journal/{entry_id}/delete"
    first = login_as("a1")
    confirm = form_values(first.get(delete_url))
    second = login_as("a1bis")
    edit = form_values(second.get(f"/suivi/journal/{entry_id}/edit"))
    edit["what_we_try_next"] = "Un second forum."
    assert second.post(f"/suivi/journal/{entry_id}/edit", data=edit).status_code == 302
    response = first.post(delete_url, data=confirm)
    assert response.status_code == 409
    text = page_text(response)
    assert "Cette entrée a été modifiée entre-temps : rien n'est supprimé." in text
    assert "Un second forum." in text
    with app.app_context():
        assert not db.session.get(JournalEntry, entry_id).is_deleted
    assert first.post(delete_url, data=form_values(response)).status_code == 302
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id).is_deleted


def _lose_the_race(monkeypatch, name: str):
    """Make operation ``name`` find, at its flush, a row another request changed meanwhile."""
    from sqlalchemy import update

    from parcours.suivi.journal import operations

    original = getattr(operations, name)

    def racing(entry, by):
        db.session.execute(
            update(JournalEntry)
            .where(JournalEntry.id == entry.id)
            .values(version=JournalEntry.version + 1)
            .execution_options(synchronize_session=False)
        )
        return original(entry, by)

    monkeypatch.setattr(operations, name, racing)


def test_a_deletion_that_loses_a_race_at_flush_is_a_conflict_not_an_error(
    app, login_as, write_entry, monkeypatch
):
    entry_id = write_entry(title="Forum")
    client = login_as("a1")
    url = f"/suivi/journal/{entry_id}/delete"
    confirm = form_values(client.get(url))
    _lose_the_race(monkeypatch, "delete_entry")
    response = client.post(url, data=confirm)
    assert response.status_code == 409
    with app.app_context():
        assert not db.session.get(JournalEntry, entry_id).is_deleted


def test_a_restore_that_loses_a_race_says_so(app, login_as, write_entry, delete_entry, monkeypatch):
    entry_id = write_entry(title="Forum")
    delete_entry(entry_id)
    _lose_the_race(monkeypatch, "restore_entry")
    response = login_as("a1bis").post(f"/suivi/journal/{entry_id}/restore", follow_redirects=True)
    assert response.status_code == 200
    assert "Cette entrée a été restaurée entre-temps." in page_text(response)
