"""Attachments of the suivi: stored by their bytes, read by whoever reads their owner only."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.storage.models import StoredFile
from parcours.suivi import attachments
from parcours.suivi.models import (
    Attachment,
    FieldVisitReport,
    FollowUpRecord,
    JournalEntry,
    JournalVisibility,
)
from tests.conftest import page_text
from tests.forms import form_values
from tests.storage import samples
from tests.suivi.factories import page_queries
from tests.suivi.visits.conftest import *  # noqa: F403  (the visit reports' fixtures)
from tests.suivi.visits.conftest import NOT_READERS, READ_ONLY, WRITERS


def _attach(app, world, report_id: int, content: bytes, name: str) -> int:
    """Attach a file to a visit report as its coach; return the attachment's id."""
    with app.test_request_context():
        report = db.session.get(FieldVisitReport, report_id)
        coach = db.session.get(User, world["coach"])
        (attachment,) = attachments.attach(report, [samples.upload(content, name)], user=coach)
        db.session.commit()
        return attachment.id


@pytest.fixture
def photo(app, world, make_report) -> tuple[int, int]:
    """A report of territory A1's visit with a photo; return (report id, attachment id)."""
    report_id = make_report()
    return report_id, _attach(app, world, report_id, samples.png(400, 300), "grange.png")


def _file(name: str, content: bytes):
    return (io.BytesIO(content), name)


# Through the report's form -------------------------------------------------------------------


def test_a_png_named_pdf_is_kept_as_the_image_it_is_and_shown_as_a_thumbnail(
    app, client_as, visits
):
    client = client_as("coach")
    url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["observed"] = "La grange."
    sent = {**data.to_dict(flat=False), "attachments": [_file("plan.pdf", samples.png(400, 300))]}
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        stored = attachment.file
        assert stored.content_type == "image/png" and stored.filename == "plan.pdf"
        assert stored.thumbnail_id is not None
        assert attachment.visit_report_id is not None and attachment.added_by_id is not None
        attachment_id, report_id = attachment.id, attachment.visit_report_id
    page = client.get(f"/suivi/visits/{report_id}")
    html = page.get_data(as_text=True)
    assert f'src="/suivi/attachments/{attachment_id}/thumbnail"' in html
    assert f'href="/suivi/attachments/{attachment_id}"' in html
    assert "Image PNG" in page_text(page)
    thumbnail = client.get(f"/suivi/attachments/{attachment_id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert thumbnail.data.startswith(b"\xff\xd8")


def test_an_exe_is_refused_with_a_message_and_the_form_keeps_the_text(app, client_as, visits):
    client = client_as("coach")
    url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["observed"] = "Tout ce que nous avons vu ce jour-là."
    data["stakeholders-0-kind"] = "medias"
    data["stakeholders-0-name"] = "Radio locale"
    sent = {**data.to_dict(flat=False), "attachments": [_file("photos.pdf", samples.exe())]}
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 400
    text = page_text(response)
    assert "« photos.pdf » n'est pas accepté" in text
    assert "choisissez à nouveau les fichiers" in text
    again = form_values(response)
    assert again["observed"].strip() == "Tout ce que nous avons vu ce jour-là."
    assert again["stakeholders-0-name"] == "Radio locale"
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0
        assert db.session.scalar(select(func.count(FieldVisitReport.id))) == 0


def test_an_edit_adds_files_and_a_conflict_keeps_none(app, client_as, world, make_report):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    first, second = client_as("coach"), client_as("coordinator")
    first_form, second_form = form_values(first.get(url)), form_values(second.get(url))
    sent = {**first_form.to_dict(flat=False), "attachments": [_file("cr.pdf", samples.pdf())]}
    assert first.post(url, data=sent, content_type="multipart/form-data").status_code == 302
    first_form["places"] = "Ailleurs"
    assert first.post(url, data=first_form).status_code == 302
    late = {**second_form.to_dict(flat=False), "attachments": [_file("b.png", samples.png())]}
    response = second.post(url, data=late, content_type="multipart/form-data")
    assert response.status_code == 409
    assert "Le fichier choisi (b.png) n'a pas été joint" in page_text(response)
    with app.app_context():
        names = db.session.scalars(
            select(StoredFile.filename)
            .join(Attachment, Attachment.file_id == StoredFile.id)
            .where(Attachment.visit_report_id == report_id)
        ).all()
        assert names == ["cr.pdf"]
    assert "cr.pdf" in page_text(second.get(url)), "listed on the edit form"


# Downloads ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, photo):
    _report_id, attachment_id = photo
    for url in (
        f"/suivi/attachments/{attachment_id}",
        f"/suivi/attachments/{attachment_id}/thumbnail",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/suivi/attachments/{attachment_id}/remove")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", NOT_READERS)
def test_others_get_nothing_from_the_download_address(client_as, photo, role):
    _report_id, attachment_id = photo
    client = client_as(role)
    for url in (
        f"/suivi/attachments/{attachment_id}",
        f"/suivi/attachments/{attachment_id}/thumbnail",
    ):
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert b"\x89PNG" not in response.data and b"\xff\xd8" not in response.data


@pytest.mark.parametrize("role", READ_ONLY + WRITERS)
def test_readers_of_the_report_download_it_as_an_attachment(client_as, photo, role):
    _report_id, attachment_id = photo
    response = client_as(role).get(f"/suivi/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == samples.png(400, 300)
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "grange.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    thumbnail = client_as(role).get(f"/suivi/attachments/{attachment_id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert thumbnail.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_without_thumbnail_answers_404_there(app, world, client_as, make_report):
    report_id = make_report()
    attachment_id = _attach(app, world, report_id, samples.pdf(), "compte-rendu.pdf")
    client = client_as("a1")
    assert client.get(f"/suivi/attachments/{attachment_id}").mimetype == "application/pdf"
    assert client.get(f"/suivi/attachments/{attachment_id}/thumbnail").status_code == 404


def test_the_files_of_a_deleted_report_are_the_teams_only(app, client_as, photo):
    report_id, attachment_id = photo
    assert client_as("coach").post(f"/suivi/visits/{report_id}/delete").status_code == 302
    assert client_as("a1").get(f"/suivi/attachments/{attachment_id}").status_code == 403
    assert client_as("coach").get(f"/suivi/attachments/{attachment_id}").status_code == 200


def test_a_missing_attachment_is_404(client_as):
    assert client_as("coordinator").get("/suivi/attachments/999999").status_code == 404


# Removal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_READERS + READ_ONLY)
def test_only_those_who_change_the_report_remove_its_files(app, client_as, photo, role):
    _report_id, attachment_id = photo
    assert client_as(role).post(f"/suivi/attachments/{attachment_id}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(Attachment, attachment_id).removed_at is None


def test_a_removed_attachment_answers_404_and_is_kept(app, world, client_as, photo, caplog):
    report_id, attachment_id = photo
    caplog.set_level("INFO", logger="parcours.suivi.attachments")
    client = client_as("coach")
    back = f"/suivi/visits/{report_id}"
    assert "Retirer « grange.png »" in page_text(client.get(back))
    response = client.post(f"/suivi/attachments/{attachment_id}/remove", data={"next": back})
    assert response.headers["Location"] == back
    assert f"Attachment {attachment_id} removed by user {world['coach']}" in caplog.text
    for role in ("coach", "coordinator", "a1"):
        for suffix in ("", "/thumbnail"):
            url = f"/suivi/attachments/{attachment_id}{suffix}"
            assert client_as(role).get(url).status_code == 404, (role, url)
    after = client.get(back)
    assert "« grange.png » est retiré." in page_text(after)
    assert f"/suivi/attachments/{attachment_id}" not in after.get_data(as_text=True)
    assert "Aucune pièce jointe." in page_text(after)
    assert "Retirer « grange.png »" not in page_text(client_as("a1").get(back))
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.removed_by_id == world["coach"]
        assert attachment.file.size > 0, "the bytes are kept"


def test_removal_goes_back_only_to_a_page_of_this_site(client_as, photo):
    _report_id, attachment_id = photo
    response = client_as("coach").post(
        f"/suivi/attachments/{attachment_id}/remove", data={"next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


# The API for every owner -------------------------------------------------------------------


def test_every_owner_takes_attachments_read_like_itself(app, world, client_as, make_report):
    """Records and journal entries take files too, read by exactly those who read them."""
    report_id = make_report()
    with app.test_request_context():
        coach = db.session.get(User, world["coach"])
        a1 = db.session.get(User, world["a1"])
        record = FollowUpRecord(territory_id=world["territory_a1"], held_on=date(2026, 9, 1))
        private = JournalEntry(
            territory_id=world["territory_a1"],
            author_id=a1.id,
            written_on=date(2026, 9, 2),
            visibility=JournalVisibility.BINOME,
        )
        db.session.add_all([record, private])
        report = db.session.get(FieldVisitReport, report_id)
        ids = {}
        for key, owner, user in (
            ("record", record, coach),
            ("entry", private, a1),
            ("report", report, coach),
        ):
            (attachment,) = attachments.attach(
                owner, [samples.upload(samples.pdf(key), f"{key}.pdf")], user=user
            )
            ids[key] = attachment.id
        shown = attachments.listed([record, private, report])
        assert [line.file.filename for line in shown[record]] == ["record.pdf"]
        assert [line.file.filename for line in shown[private]] == ["entry.pdf"]
        assert [line.file.filename for line in shown[report]] == ["report.pdf"]
        assert shown[record][0].added_by == "Coach A"
        db.session.commit()
    # The binôme's own entry: its coach does not read it, nor its file.
    assert client_as("a1").get(f"/suivi/attachments/{ids['entry']}").status_code == 200
    assert client_as("coach").get(f"/suivi/attachments/{ids['entry']}").status_code == 403
    assert client_as("coach").get(f"/suivi/attachments/{ids['record']}").status_code == 200
    assert client_as("a2").get(f"/suivi/attachments/{ids['record']}").status_code == 403
    assert client_as("committee").get(f"/suivi/attachments/{ids['record']}").status_code == 403


def test_listing_takes_one_query_whatever_the_number_of_owners_and_files(
    app, world, make_report, query_counter
):
    report_id = make_report()
    for n in range(10):
        _attach(app, world, report_id, samples.png(20 + n, 20), f"photo-{n}.png")
    with app.test_request_context():
        owners = [db.session.get(FieldVisitReport, report_id)]
        for n in range(9):
            extra = FieldVisitReport(
                territory_id=world["territory_a1"], visited_on=date(2026, 6, n + 1)
            )
            db.session.add(extra)
            owners.append(extra)
        db.session.flush()
        db.session.expire_all()
        owners = [db.session.get(FieldVisitReport, owner.id) for owner in owners]
        for owner in owners:
            owner.territory_id  # noqa: B018  (loaded before counting)
        with query_counter as counter:
            shown = attachments.listed(owners)
            names = [line.file.filename for line in shown[owners[0]]]
            thumbnails = [line.thumbnail_url for line in shown[owners[0]]]
            who = {line.added_by for line in shown[owners[0]]}
        assert counter.count == 1
        assert names == [f"photo-{n}.png" for n in range(10)]
        assert all(thumbnails) and who == {"Coach A"}
        assert attachments.listed([]) == {}


@pytest.mark.parametrize("role", ["coach", "a1"])
def test_the_report_page_keeps_its_query_count_with_ten_times_the_files(
    app, world, client_as, photo, query_counter, role
):
    report_id, _attachment_id = photo
    client = client_as(role)
    url = f"/suivi/visits/{report_id}"

    once = page_queries(client, query_counter, url)
    for n in range(9):
        _attach(app, world, report_id, samples.jpeg(30, 20 + n), f"vue-{n}.jpg")
    assert page_queries(client, query_counter, url) == once
    assert page_text(client.get(url)).count("Photo JPEG") == 9
