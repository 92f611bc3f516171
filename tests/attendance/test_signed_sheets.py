"""Scanned signed sheets on the attendance page: attach, read, remove, and who may do each."""

import hashlib
import io

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.attendance import operations
from parcours.attendance.models import SignedSheet
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.storage.models import StoredFile
from tests.attendance.conftest import S1_DAY, paris
from tests.conftest import ROLES, page_text
from tests.storage import samples

#: The evening of S1 (1 April 2026), when the coordinator scans the sheet: 18:00 in Paris.
AFTER_S1 = paris(S1_DAY, "18:00")
#: When every meeting of both cohorts has taken place.
LATER = paris("2027-06-30", "12:00")

# event -> roles that attach and remove its sheets; those that read them.
ATTACH = {
    "S1": {"admin", "coordinator"},
    "SUIVI1-A1": {"admin", "coordinator", "coach"},
    "SUIVI1-A2": {"admin", "coordinator"},
    "S1-B": {"admin", "coordinator_b"},
}
READ = {
    # The committee reads the collective sessions' proof; a coach, not (every territory signs).
    "S1": {"admin", "coordinator", "committee"},
    "SUIVI1-A1": {"admin", "coordinator", "coach"},
    "SUIVI1-A2": {"admin", "coordinator"},
    "S1-B": {"admin", "coordinator_b"},
}
ATTACHERS = {"S1": "coordinator", "SUIVI1-A1": "coach", "SUIVI1-A2": "coordinator"}


def _post_scans(client, event_id: int, *scans: tuple[bytes, str]):
    return client.post(
        f"/events/{event_id}/attendance/signed-sheets",
        data={"scans": [(io.BytesIO(content), name) for content, name in scans]},
        content_type="multipart/form-data",
    )


def _attach(app, world, event_id: int, content: bytes, name: str, by: str = "coordinator") -> int:
    """Attach a scan through the operation, committed; return the sheet's id."""
    with app.test_request_context(), freeze(LATER):
        event = db.session.get(Event, event_id)
        user = db.session.get(User, world[by])
        upload = samples.upload(content, name)
        (sheet,) = operations.attach_signed_sheets(event, [upload], attached_by=user)
        db.session.commit()
        return sheet.id


def _sheets(app, event_id: int) -> list[SignedSheet]:
    with app.app_context():
        rows = db.session.scalars(
            select(SignedSheet).where(SignedSheet.event_id == event_id).order_by(SignedSheet.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


# Attaching -------------------------------------------------------------------------------


def test_the_coordinator_attaches_the_signed_sheet(app, login_as, world, events):
    client = login_as("coordinator")
    scan, photo = samples.pdf("Feuille signée S1 (fictive)"), samples.jpeg(1600, 1200)
    with freeze(AFTER_S1):
        response = _post_scans(
            client, events["S1"], (scan, "émargement matin.pdf"), (photo, "après-midi.jpg")
        )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{events['S1']}/attendance#signed-sheets")

    sheets = _sheets(app, events["S1"])
    assert len(sheets) == 2
    with app.app_context():
        files = [db.session.get(StoredFile, sheet.file_id) for sheet in sheets]
        assert [f.filename for f in files] == ["émargement matin.pdf", "après-midi.jpg"]
        assert [f.content_type for f in files] == ["application/pdf", "image/jpeg"]
        assert files[0].sha256 == hashlib.sha256(scan).hexdigest()
        assert files[1].thumbnail_id is not None
        assert {s.attached_by_id for s in sheets} == {world["coordinator"]}
        assert {s.attached_at for s in sheets} == {AFTER_S1}
        assert all(s.removed_at is None for s in sheets)

    page = client.get(f"/events/{events['S1']}/attendance")
    text = page_text(page)
    assert "2 feuilles signées jointes : émargement matin.pdf, après-midi.jpg." in text
    assert "émargement matin.pdf" in text
    assert "ajouté par Coordination A le 1er avr. 2026 à 18:00" in text  # Paris time
    assert hashlib.sha256(scan).hexdigest()[:12] in text
    assert hashlib.sha256(scan).hexdigest() in text  # in full, folded
    html = page.get_data(as_text=True)
    photo_url = f"/events/{events['S1']}/attendance/signed-sheets/{sheets[1].id}"
    assert f'<img class="file-thumbnail" src="{photo_url}?thumbnail=1" alt="après-midi.jpg"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            samples.docx(),
            "feuille.pdf",
            "« feuille.pdf » n'est pas accepté : seuls les photos (JPEG, PNG) et les PDF le sont.",
        ),
        (samples.webp(), "feuille.webp", "« feuille.webp » n'est pas accepté"),
        (b"", "vide.pdf", "« vide.pdf » est vide."),
        (samples.truncated_png(), "scan.png", "« scan.png » est une image illisible ou abîmée."),
    ],
)
def test_a_file_that_is_not_a_scan_is_refused(app, login_as, events, content, name, message):
    client = login_as("coordinator")
    with freeze(AFTER_S1):
        response = _post_scans(client, events["S1"], (samples.pdf(), "bon.pdf"), (content, name))
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert "choisissez à nouveau les fichiers" in text
    assert _sheets(app, events["S1"]) == []  # not even the good one


def test_no_file_chosen(app, login_as, events):
    client = login_as("coordinator")
    with freeze(AFTER_S1):
        response = client.post(
            f"/events/{events['S1']}/attendance/signed-sheets",
            data={"scans": [(io.BytesIO(b""), "")]},
            content_type="multipart/form-data",
        )
    assert response.status_code == 400
    assert "Choisissez le fichier de la feuille signée." in page_text(response)
    assert _sheets(app, events["S1"]) == []


def test_no_sheet_before_the_event_nor_for_a_cancelled_one(app, login_as, events):
    client = login_as("coordinator")
    with freeze(paris("2026-03-20", "10:00")):
        page = client.get(f"/events/{events['S1']}/attendance")
        assert "La feuille signée se joint une fois le rendez-vous commencé" in page_text(page)
        response = _post_scans(client, events["S1"], (samples.pdf(), "a.pdf"))
    assert response.status_code == 400
    assert "à partir du mercredi 1er avril 2026" in page_text(response)
    with app.app_context():
        db.session.get(Event, events["S1"]).status = "cancelled"
        db.session.commit()
    with freeze(AFTER_S1):
        response = _post_scans(client, events["S1"], (samples.pdf(), "a.pdf"))
    assert response.status_code == 400
    assert "Ce rendez-vous est annulé : il n'a pas de feuille signée." in page_text(response)
    assert _sheets(app, events["S1"]) == []


def test_a_coach_attaches_the_sheet_of_a_follow_up_they_run(app, login_as, world, events):
    with freeze(LATER):
        response = _post_scans(login_as("coach"), events["SUIVI1-A1"], (samples.png(), "s.png"))
    assert response.status_code == 302
    assert [s.attached_by_id for s in _sheets(app, events["SUIVI1-A1"])] == [world["coach"]]


# Who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_attaching_per_role(app, login_as, world, events, role):
    client = login_as(role)
    for code, allowed in ATTACH.items():
        with freeze(LATER):
            response = _post_scans(client, events[code], (samples.pdf(), "a.pdf"))
        expected = 302 if role in allowed else 403
        assert response.status_code == expected, f"{role} on {code}: {response.status_code}"
        assert len(_sheets(app, events[code])) == (1 if role in allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_reading_and_removing_per_role(app, login_as, world, events, role):
    sheets = {
        code: _attach(app, world, events[code], samples.pdf(), f"{code}.pdf", by)
        for code, by in {**ATTACHERS, "S1-B": "coordinator_b"}.items()
    }
    client = login_as(role)
    for code, sheet_id in sheets.items():
        base = f"/events/{events[code]}/attendance/signed-sheets/{sheet_id}"
        status = client.get(base).status_code
        assert status == (200 if role in READ[code] else 403), f"{role} reads {code}: {status}"
        status = client.get(f"{base}/remove").status_code
        assert status == (200 if role in ATTACH[code] else 403), f"{role} asks {code}: {status}"
        status = client.post(f"{base}/remove").status_code
        assert status == (302 if role in ATTACH[code] else 403), f"{role} removes {code}: {status}"
        (sheet,) = _sheets(app, events[code])
        assert sheet.removed is (role in ATTACH[code])


def test_anonymous_visitors_are_sent_to_login(app, client, world, events):
    sheet_id = _attach(app, world, events["S1"], samples.pdf(), "a.pdf")
    base = f"/events/{events['S1']}/attendance/signed-sheets"
    for method, url in (
        ("post", base),
        ("get", f"{base}/{sheet_id}"),
        ("get", f"{base}/{sheet_id}/remove"),
        ("post", f"{base}/{sheet_id}/remove"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    assert not _sheets(app, events["S1"])[0].removed


def test_a_sheet_is_reached_through_its_own_event_only(app, login_as, world, events):
    sheet_id = _attach(app, world, events["S1"], samples.pdf(), "a.pdf")
    client = login_as("admin")
    for url in (
        f"/events/{events['S2']}/attendance/signed-sheets/{sheet_id}",
        f"/events/{events['S2']}/attendance/signed-sheets/{sheet_id}/remove",
        f"/events/{events['S1']}/attendance/signed-sheets/999999",
        f"/events/{events['T0']}/attendance/signed-sheets/{sheet_id}",  # not a meeting
    ):
        assert client.get(url).status_code == 404, url


# Reading ---------------------------------------------------------------------------------


def test_the_committee_downloads_the_scan(app, login_as, world, events):
    scan = samples.pdf()
    sheet_id = _attach(app, world, events["S1"], scan, "Émargement S1 signé.pdf")
    response = login_as("committee").get(
        f"/events/{events['S1']}/attendance/signed-sheets/{sheet_id}"
    )
    assert response.status_code == 200
    assert response.data == scan
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%C3%89margement%20S1%20sign%C3%A9.pdf"
        in (response.headers["Content-Disposition"])
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{hashlib.sha256(scan).hexdigest()}"'
    # Kept by the browser alone, and asked for again at each use: the access is checked anew.
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert cache == {"private", "no-cache"}


def test_a_photo_scan_has_its_thumbnail(app, login_as, world, events):
    sheet_id = _attach(app, world, events["S1"], samples.png(1200, 1600), "page 1.png")
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance/signed-sheets/{sheet_id}"
    thumbnail = client.get(f"{url}?thumbnail=1")
    assert thumbnail.status_code == 200
    assert thumbnail.mimetype == "image/jpeg"
    assert client.get(url).mimetype == "image/png"
    assert login_as("a1").get(f"{url}?thumbnail=1").status_code == 403


# Removing --------------------------------------------------------------------------------


def test_removing_asks_first_then_keeps_the_row_and_who_removed_it(app, login_as, world, events):
    sheet_id = _attach(app, world, events["S1"], samples.pdf(), "erreur.pdf")
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance/signed-sheets/{sheet_id}/remove"
    confirm = client.get(url)
    assert confirm.status_code == 200
    text = page_text(confirm)
    assert "Retirer cette feuille signée ?" in text
    assert "erreur.pdf" in text
    assert "Elle reste dans l'historique" in text
    assert not _sheets(app, events["S1"])[0].removed  # asking writes nothing

    moment = paris("2026-04-02", "09:15")
    with freeze(moment):
        response = client.post(url)
    assert response.status_code == 302
    (sheet,) = _sheets(app, events["S1"])
    assert sheet.removed_at == moment
    assert sheet.removed_by_id == world["coordinator"]
    with app.app_context():  # the scan itself stays
        assert db.session.get(StoredFile, sheet.file_id) is not None

    page = page_text(client.get(f"/events/{events['S1']}/attendance"))
    assert "« erreur.pdf » est retirée" in page
    assert "Pas encore de feuille signée pour ce rendez-vous." in page
    assert "1 feuille retirée" in page
    assert "Retirée par Coordination A le 2 avr. 2026 à 09:15" in page

    # Removing it again (another tab) changes nothing, and says so.
    with freeze(paris("2026-04-03", "10:00")):
        again = client.post(url)
    assert again.status_code == 302
    assert _sheets(app, events["S1"])[0].removed_at == moment
    assert "déjà été retirée" in page_text(client.get(again.headers["Location"]))


def test_removal_and_attaching_need_the_forms_token(app, login_as, world, events, monkeypatch):
    sheet_id = _attach(app, world, events["S1"], samples.pdf(), "a.pdf")
    client = login_as("coordinator")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with freeze(AFTER_S1):
        response = _post_scans(client, events["S1"], (samples.pdf(), "b.pdf"))
    assert response.status_code == 400
    assert len(_sheets(app, events["S1"])) == 1
    response = client.post(f"/events/{events['S1']}/attendance/signed-sheets/{sheet_id}/remove")
    assert response.status_code == 400
    assert not _sheets(app, events["S1"])[0].removed


# The figures say which sessions have their proof ----------------------------------------


def test_the_figures_say_which_sessions_have_their_signed_sheet(app, login_as, world, events):
    sheet_id = _attach(app, world, events["S1"], samples.pdf(), "S1 signée.pdf")
    removed = _attach(app, world, events["S2"], samples.pdf(), "S2 erreur.pdf")
    with app.test_request_context():
        sheet = db.session.get(SignedSheet, removed)
        operations.remove_signed_sheet(sheet, removed_by=db.session.get(User, world["admin"]))
        db.session.commit()
    link = f'href="/events/{events["S1"]}/attendance/signed-sheets/{sheet_id}"'
    for role in ("coordinator", "committee", "coach"):
        page = login_as(role).get(f"/cohorts/{world['cohort_a']}/attendance")
        text = page_text(page)
        assert text.count("feuille signée jointe") == 1, role  # S1 only: S2's was removed
        assert text.count("pas encore de feuille signée") == 3, role  # S2, S3, S4
        s1 = text.index(db_title(app, events["S1"]))
        assert text.index("feuille signée jointe") > s1
        html = page.get_data(as_text=True)
        # Those who may read the scan get its link; a coach learns only that it exists.
        assert (link in html) is (role != "coach"), role
        assert "S2 erreur.pdf" not in html


def db_title(app, event_id: int) -> str:
    with app.app_context():
        return db.session.get(Event, event_id).title


def test_query_counts_do_not_grow_with_the_sheets(app, login_as, world, events, query_counter):
    client = login_as("coordinator")
    urls = [f"/events/{events['S1']}/attendance", f"/cohorts/{world['cohort_a']}/attendance"]

    def measure() -> dict:
        counts = {}
        for url in urls:
            with query_counter:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = query_counter.count
        return counts

    _attach(app, world, events["S1"], samples.png(), "p1.png")
    small = measure()
    for code in ("S1", "S1", "S2", "S3"):
        _attach(app, world, events[code], samples.jpeg(), f"{code}.jpg", "admin")
    _attach(app, world, events["S1"], samples.pdf(), "p.pdf", "admin")
    large = measure()
    assert large == small, (small, large)
    with app.app_context():
        assert db.session.scalar(select(func.count(SignedSheet.id))) == 6
