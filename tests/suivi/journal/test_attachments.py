"""An entry's files: added from its form, read by exactly those its visibility names."""

import io

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.storage.models import StoredFile
from parcours.suivi import attachments
from parcours.suivi.models import Attachment, JournalEntry
from tests.conftest import page_text
from tests.forms import form_values
from tests.storage import samples
from tests.suivi.factories import page_queries

#: Who downloads the file of an entry, by the entry's visibility; everyone else gets a 403.
READERS = {
    "binome": {"a1", "a1bis"},
    "coach": {"a1", "a1bis", "coach"},
    "cohort": {"a1", "a1bis", "a2", "coach", "coach2", "coordinator", "admin"},
}
EVERYONE = [
    "admin",
    "coordinator",
    "coach",
    "coach2",
    "committee",
    "a1",
    "a1bis",
    "a2",
    "coordinator_b",
    "b1",
    "outsider",
]


def _file(name: str, content: bytes):
    return (io.BytesIO(content), name)


def _multipart(form, *files) -> dict:
    return {**form.to_dict(flat=False), "attachments": list(files)}


def _attach(app, world, entry_id: int, content: bytes, name: str) -> int:
    with app.test_request_context():
        entry = db.session.get(JournalEntry, entry_id)
        a1 = db.session.get(User, world["a1"])
        (attachment,) = attachments.attach(entry, [samples.upload(content, name)], user=a1)
        db.session.commit()
        return attachment.id


@pytest.fixture
def files_by_visibility(app, world, write_entry) -> dict[str, int]:
    """An entry of A1 per visibility, each with a PDF; the attachments' ids by visibility."""
    found = {}
    for visibility in READERS:
        entry_id = write_entry(visibility=visibility, title=f"Entrée {visibility}")
        found[visibility] = _attach(app, world, entry_id, samples.pdf(visibility), "carnet.pdf")
    return found


def test_a_new_entry_takes_its_files_and_shows_them(app, login_as, world):
    client = login_as("a1")
    url = f"/territories/{world['territory_a1']}/suivi/journal/new"
    form = form_values(client.get(url))
    form["what_we_did"] = "Un forum avec 40 personnes."
    sent = _multipart(
        form, _file("affiche.png", samples.png(300, 200)), _file("bilan.pdf", samples.pdf())
    )
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        entry = db.session.scalar(select(JournalEntry))
        rows = db.session.scalars(
            select(Attachment)
            .where(Attachment.journal_entry_id == entry.id)
            .order_by(Attachment.id)
        ).all()
        assert [(a.file.filename, a.added_by_id) for a in rows] == [
            ("affiche.png", world["a1"]),
            ("bilan.pdf", world["a1"]),
        ]
        ids = [a.id for a in rows]
    page = login_as("a1bis").get(f"/suivi/journal/{entry.id}")
    html = page.get_data(as_text=True)
    assert f'src="/suivi/attachments/{ids[0]}/thumbnail"' in html
    assert f'href="/suivi/attachments/{ids[1]}"' in html
    assert "Retirer « bilan.pdf »" in page_text(page)


def test_an_edit_adds_files(app, login_as, world, write_entry):
    entry_id = write_entry()
    _attach(app, world, entry_id, samples.pdf(), "premier.pdf")
    client = login_as("a1bis")
    url = f"/suivi/journal/{entry_id}/edit"
    page = client.get(url)
    assert "premier.pdf" in page_text(page), "the files already there are listed on the form"
    sent = _multipart(form_values(page), _file("tableau.xlsx", samples.xlsx()))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:600]
    assert "L'entrée est modifiée." in page_text(client.get(response.headers["Location"]))
    with app.app_context():
        names = db.session.scalars(
            select(StoredFile.filename)
            .join(Attachment, Attachment.file_id == StoredFile.id)
            .where(Attachment.journal_entry_id == entry_id)
            .order_by(Attachment.id)
        ).all()
        assert names == ["premier.pdf", "tableau.xlsx"]


def test_a_refused_file_keeps_everything_typed_and_creates_nothing(app, login_as, world):
    client = login_as("a1")
    url = f"/territories/{world['territory_a1']}/suivi/journal/new"
    form = form_values(client.get(url))
    form["title"] = "Forum des alliances"
    form["what_we_did"] = "Un forum avec 40 personnes."
    form["visibility"] = "cohort"
    form.setlist("thematics", ["T3"])
    sent = _multipart(form, _file("photos.pdf", samples.exe()))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 400
    text = page_text(response)
    assert "« photos.pdf » n'est pas accepté" in text
    assert "choisissez à nouveau les fichiers" in text
    again = form_values(response)
    assert again["title"] == "Forum des alliances"
    assert again["what_we_did"].strip() == "Un forum avec 40 personnes."
    assert again["visibility"] == "cohort"
    assert again.getlist("thematics") == ["T3"]
    with app.app_context():
        assert db.session.scalar(select(func.count(JournalEntry.id))) == 0
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0


# Downloads ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, files_by_visibility):
    response = client.get(f"/suivi/attachments/{files_by_visibility['binome']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("role", EVERYONE)
def test_an_entrys_file_is_read_as_its_visibility_says(
    client_of, files_by_visibility, visibility, role
):
    response = client_of(role).get(f"/suivi/attachments/{files_by_visibility[visibility]}")
    if role in READERS[visibility]:
        assert response.status_code == 200, (visibility, role)
        assert response.data == samples.pdf(visibility)
    else:
        assert response.status_code == 403, (visibility, role)
        assert b"%PDF" not in response.data


def test_the_file_of_a_deleted_entry_is_read_by_its_restorers_only(
    app, client_of, world, write_entry, delete_entry
):
    entry_id = write_entry(visibility="coach")
    attachment_id = _attach(app, world, entry_id, samples.pdf(), "carnet.pdf")
    delete_entry(entry_id)
    assert client_of("a1bis").get(f"/suivi/attachments/{attachment_id}").status_code == 200
    assert client_of("coach").get(f"/suivi/attachments/{attachment_id}").status_code == 403


# Removal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "coordinator", "admin", "a2", "committee"])
def test_only_the_binome_removes_an_entrys_file(app, client_of, files_by_visibility, role):
    attachment_id = files_by_visibility["cohort"]
    assert client_of(role).post(f"/suivi/attachments/{attachment_id}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(Attachment, attachment_id).removed_at is None


def test_the_binome_removes_a_file_and_it_is_gone(app, login_as, world, write_entry):
    entry_id = write_entry(visibility="coach")
    attachment_id = _attach(app, world, entry_id, samples.pdf(), "carnet.pdf")
    back = f"/suivi/journal/{entry_id}"
    coach_page = login_as("coach").get(back)
    assert "carnet.pdf" in page_text(coach_page)
    assert "Retirer « carnet.pdf »" not in page_text(coach_page)
    client = login_as("a1bis")
    response = client.post(f"/suivi/attachments/{attachment_id}/remove", data={"next": back})
    assert response.headers["Location"] == back
    after = client.get(back)
    assert "« carnet.pdf » est retiré." in page_text(after)
    assert f"/suivi/attachments/{attachment_id}" not in after.get_data(as_text=True)
    assert login_as("coach").get(f"/suivi/attachments/{attachment_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Attachment, attachment_id).removed_by_id == world["a1bis"]


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["a1", "coach"])
def test_the_entry_page_costs_the_same_with_one_or_five_files(
    app, login_as, world, write_entry, query_counter, role
):
    entry_id = write_entry(visibility="coach")
    _attach(app, world, entry_id, samples.pdf(), "carnet.pdf")
    client = login_as(role)
    url = f"/suivi/journal/{entry_id}"

    once = page_queries(client, query_counter, url)
    for n in range(4):
        _attach(app, world, entry_id, samples.jpeg(30, 20 + n), f"photo-{n}.jpg")
    assert page_queries(client, query_counter, url) == once
    assert page_text(client.get(url)).count("Photo JPEG") == 4
