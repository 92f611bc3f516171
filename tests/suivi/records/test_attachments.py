"""A record's files: added from its form, read by every reader of the record, binôme included."""

import io

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.storage.models import StoredFile
from parcours.suivi import attachments
from parcours.suivi.models import Attachment, FollowUpRecord
from tests.conftest import page_text
from tests.forms import form_values
from tests.storage import samples
from tests.suivi.factories import add_record, page_queries

#: Everyone who reads territory A1's records (the binôme too: no file is the team's only).
READERS = ["a1", "a1bis", "coach", "coordinator", "admin"]
#: Those who change them, and so remove their files.
TEAM = ["coach", "coordinator", "admin"]
NOT_READERS = ["a2", "committee", "coordinator_b", "b1", "outsider", "other_coach"]


def _file(name: str, content: bytes):
    return (io.BytesIO(content), name)


def _multipart(form, *files) -> dict:
    return {**form.to_dict(flat=False), "attachments": list(files)}


@pytest.fixture
def record_id(app, world) -> int:
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        db.session.commit()
        return record.id


def _attach(app, world, record_id: int, content: bytes, name: str) -> int:
    with app.test_request_context():
        record = db.session.get(FollowUpRecord, record_id)
        coach = db.session.get(User, world["coach"])
        (attachment,) = attachments.attach(record, [samples.upload(content, name)], user=coach)
        db.session.commit()
        return attachment.id


@pytest.fixture
def attached(app, world, record_id) -> int:
    """The id of a PDF attached to A1's record."""
    return _attach(app, world, record_id, samples.pdf("Présentation du forum"), "forum.pdf")


def test_a_new_record_takes_its_files_and_shows_them(app, as_role, world, meetings):
    client = as_role("coach")
    url = f"/events/{meetings['SUIVI1']}/record"
    page = client.get(url)
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    text = page_text(page)
    assert "Les pièces jointes sont lues par tous les lecteurs du compte rendu, binôme compris" in (
        text
    )
    form = form_values(page, url)
    form["decisions"] = "Organiser le forum en octobre."
    sent = _multipart(
        form, _file("forum.pdf", samples.pdf()), _file("salle.png", samples.png(300, 200))
    )
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        record = db.session.scalar(select(FollowUpRecord))
        rows = db.session.scalars(
            select(Attachment).where(Attachment.record_id == record.id).order_by(Attachment.id)
        ).all()
        assert [(a.file.filename, a.added_by_id) for a in rows] == [
            ("forum.pdf", world["coach"]),
            ("salle.png", world["coach"]),
        ]
        ids = [a.id for a in rows]
    shown = client.get(f"/suivi/records/{record.id}")
    html = shown.get_data(as_text=True)
    assert f'href="/suivi/attachments/{ids[0]}"' in html
    assert f'src="/suivi/attachments/{ids[1]}/thumbnail"' in html
    assert "Retirer « forum.pdf »" in page_text(shown)


def test_an_edit_adds_files_to_those_already_there(app, as_role, world, record_id, attached):
    client = as_role("coordinator")
    url = f"/suivi/records/{record_id}/edit"
    page = client.get(url)
    assert "forum.pdf" in page_text(page), "the files already there are listed on the form"
    form = form_values(page, url)
    sent = _multipart(form, _file("budget.docx", samples.docx()))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        names = db.session.scalars(
            select(StoredFile.filename)
            .join(Attachment, Attachment.file_id == StoredFile.id)
            .where(Attachment.record_id == record_id)
            .order_by(Attachment.id)
        ).all()
        assert names == ["forum.pdf", "budget.docx"]
        added = db.session.scalar(
            select(Attachment.added_by_id).where(Attachment.record_id == record_id).offset(1)
        )
        assert added == world["coordinator"]


def test_a_refused_file_keeps_everything_typed_and_creates_nothing(app, as_role, world):
    client = as_role("coach")
    url = f"/territories/{world['territory_a1']}/suivi/records/new"
    form = form_values(client.get(url), url)
    form["notes"] = "La mairie hésite encore."
    form["decisions"] = "Relancer la mairie avant le forum."
    form["other_participants"] = "Jeanne Martin (CCI)"
    form["actions-0-title"] = "Réserver la salle"
    form["actions-0-owner"] = str(world["a1"])
    sent = _multipart(form, _file("programme.pdf", samples.exe()))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 400
    text = page_text(response)
    assert "« programme.pdf » n'est pas accepté" in text
    assert "choisissez à nouveau les fichiers" in text
    again = form_values(response, url)
    assert again["notes"].strip() == "La mairie hésite encore."
    assert again["decisions"].strip() == "Relancer la mairie avant le forum."
    assert again["other_participants"] == "Jeanne Martin (CCI)"
    assert again["actions-0-title"] == "Réserver la salle"
    with app.app_context():
        assert db.session.scalar(select(func.count(FollowUpRecord.id))) == 0
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_a_refused_file_on_an_edit_changes_nothing(app, as_role, record_id):
    client = as_role("coach")
    url = f"/suivi/records/{record_id}/edit"
    form = form_values(client.get(url), url)
    form["decisions"] = "Une autre décision."
    sent = _multipart(form, _file("cr.pdf", samples.exe()))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 400
    assert form_values(response, url)["decisions"].strip() == "Une autre décision."
    with app.app_context():
        assert db.session.get(FollowUpRecord, record_id).decisions.startswith("Décisions")
        assert db.session.scalar(select(func.count(Attachment.id))) == 0


# Downloads ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, attached):
    response = client.get(f"/suivi/attachments/{attached}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", READERS)
def test_every_reader_of_the_record_downloads_its_files(as_role, attached, role):
    response = as_role(role).get(f"/suivi/attachments/{attached}")
    assert response.status_code == 200
    assert response.data == samples.pdf("Présentation du forum")
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("role", NOT_READERS)
def test_others_get_nothing(as_role, attached, role):
    response = as_role(role).get(f"/suivi/attachments/{attached}")
    assert response.status_code == 403
    assert b"%PDF" not in response.data


def test_the_binome_sees_the_files_on_the_record_without_removing_them(
    as_role, record_id, attached
):
    page = as_role("a1").get(f"/suivi/records/{record_id}")
    assert f'href="/suivi/attachments/{attached}"' in page.get_data(as_text=True)
    assert "Retirer « forum.pdf »" not in page_text(page)


def test_the_files_of_a_deleted_record_are_the_teams_only(as_role, record_id, attached):
    assert as_role("coach").post(f"/suivi/records/{record_id}/delete").status_code == 302
    assert as_role("a1").get(f"/suivi/attachments/{attached}").status_code == 403
    assert as_role("coordinator").get(f"/suivi/attachments/{attached}").status_code == 200


# Removal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["a1", "a1bis", *NOT_READERS])
def test_only_the_team_removes_a_records_file(app, as_role, attached, role):
    assert as_role(role).post(f"/suivi/attachments/{attached}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(Attachment, attached).removed_at is None


def test_the_team_removes_a_file_and_it_is_gone(app, as_role, world, record_id, attached):
    client = as_role("coach")
    back = f"/suivi/records/{record_id}"
    response = client.post(f"/suivi/attachments/{attached}/remove", data={"next": back})
    assert response.headers["Location"] == back
    after = client.get(back)
    assert "« forum.pdf » est retiré." in page_text(after)
    assert "Aucune pièce jointe." in page_text(after)
    assert as_role("a1").get(f"/suivi/attachments/{attached}").status_code == 404
    with app.app_context():
        assert db.session.get(Attachment, attached).removed_by_id == world["coach"]


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "a1"])
def test_the_record_page_costs_the_same_with_one_or_five_files(
    app, as_role, world, record_id, attached, query_counter, role
):
    client = as_role(role)
    url = f"/suivi/records/{record_id}"

    once = page_queries(client, query_counter, url)
    for n in range(4):
        _attach(app, world, record_id, samples.jpeg(30, 20 + n), f"photo-{n}.jpg")
    assert page_queries(client, query_counter, url) == once
    assert page_text(client.get(url)).count("Photo JPEG") == 4
