"""Attendance pages for every role of ``world``, and what each form does to the database."""

import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItem, Event
from parcours.attendance import operations, reports
from parcours.attendance.models import Attendance, CheckInCode
from parcours.attendance.operations import COMMENT_MAX_LENGTH, Mark
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from tests.attendance.conftest import S1_DAY, paris
from tests.conftest import ROLES, page_text
from tests.forms import form_values

APRIL_1 = date(2026, 4, 1)

# page -> roles that may open it; every other role gets 403.
PAGES = {
    "/events/{S1}/attendance": {"admin", "coordinator"},
    "/events/{S1}/attendance/code": {"admin", "coordinator"},
    "/events/{S1}/signature-sheet.pdf": {"admin", "coordinator"},
    "/events/{BILAT-A1}/attendance": {"admin", "coordinator"},
    "/events/{SUIVI1-A1}/attendance": {"admin", "coordinator", "coach"},
    "/events/{SUIVI1-A1}/signature-sheet.pdf": {"admin", "coordinator", "coach"},
    "/events/{SUIVI1-A2}/attendance": {"admin", "coordinator"},
    "/events/{COMITE1}/attendance": {"admin", "coordinator"},
    "/events/{S1}/check-in": {"admin", "coordinator", "coach", "committee", "a1", "a1bis", "a2"},
    "/events/{BILAT-A1}/check-in": {"admin", "coordinator", "coach", "a1", "a1bis"},
    "/events/{COMITE1}/check-in": {"admin", "coordinator", "committee"},
    "/events/{S1-B}/attendance": {"admin", "coordinator_b"},
    "/events/{S1-B}/check-in": {"admin", "coordinator_b", "b1"},
    "/cohorts/{cohort_a}/attestations/{a1}.pdf": {"admin", "coordinator", "a1"},
    "/cohorts/{cohort_a}/attestations/{a2}.pdf": {"admin", "coordinator", "a2"},
    "/cohorts/{cohort_b}/attestations/{b1}.pdf": {"admin", "coordinator_b", "b1"},
    "/cohorts/{cohort_a}/attendance": {"admin", "coordinator", "committee", "coach"},
    "/cohorts/{cohort_b}/attendance": {"admin", "coordinator_b"},
    # A catalyseur's record: theirs, their territory's coach (A1 only), those who run it.
    "/cohorts/{cohort_a}/attendance/{a1}": {"admin", "coordinator", "coach", "a1"},
    "/cohorts/{cohort_a}/attendance/{a1bis}": {"admin", "coordinator", "coach", "a1bis"},
    "/cohorts/{cohort_a}/attendance/{a2}": {"admin", "coordinator", "a2"},
    "/cohorts/{cohort_b}/attendance/{b1}": {"admin", "coordinator_b", "b1"},
}


def _url(page: str, world, events) -> str:
    return page.format(**{**world, **events})


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(login_as, world, events, role):
    client = login_as(role)
    for page, allowed in PAGES.items():
        url = _url(page, world, events)
        status = client.get(url).status_code
        expected = 200 if role in allowed else 403
        assert status == expected, f"{role} on {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_login(client, world, events):
    for page in PAGES:
        response = client.get(_url(page, world, events))
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_a_self_assessment_window_has_no_attendance(login_as, world, events, role):
    client = login_as(role)
    for suffix in ("attendance", "attendance/code", "check-in", "signature-sheet.pdf"):
        assert client.get(f"/events/{events['T0']}/{suffix}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_attestations_exist_only_for_catalyseurs_of_the_cohort(login_as, world, role):
    """Those who run the cohort learn that a person has no attestation (404); anyone else,
    even the person, gets the same answer as for any page they may not open."""
    client = login_as(role)
    for person in ("coach", "committee", "coordinator", "b1", "outsider"):
        url = f"/cohorts/{world['cohort_a']}/attestations/{world[person]}.pdf"
        status = client.get(url).status_code
        expected = 404 if role in {"admin", "coordinator"} or role == person else 403
        assert status == expected, f"{role} asking for {person}: {status}"


def test_unknown_objects_answer_404(login_as, world):
    client = login_as("admin")
    for url in (
        "/events/999999/attendance",
        "/events/999999/attendance/code",
        "/events/999999/check-in",
        "/events/999999/signature-sheet.pdf",
        "/cohorts/999999/attendance",
        f"/cohorts/999999/attestations/{world['a1']}.pdf",
        f"/cohorts/{world['cohort_a']}/attestations/999999.pdf",
        f"/cohorts/999999/attendance/{world['a1']}",
        f"/cohorts/{world['cohort_a']}/attendance/999999",
        f"/cohorts/{world['cohort_a']}/attendance/{world['coach']}",  # not a catalyseur
        f"/cohorts/{world['cohort_a']}/attendance/{world['b1']}",  # not in this cohort
    ):
        assert client.get(url).status_code == 404, url


def test_pages_follow_the_content_security_policy(login_as, world, events):
    client = login_as("coordinator")
    with freeze(paris(S1_DAY, "10:00")):
        for url in (
            f"/events/{events['S1']}/attendance",
            f"/events/{events['S1']}/attendance/code",
            f"/events/{events['S1']}/check-in",
            f"/cohorts/{world['cohort_a']}/attendance",
        ):
            html = client.get(url).get_data(as_text=True)
            assert "style=" not in html and "<style" not in html, url
            # Scripts only from the site's own files, never inline.
            for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
                assert re.search(r'src="/static/js/[\w.-]+\.js"', attributes), url
                assert body.strip() == "", url


# The marking page ------------------------------------------------------------------------


def _field(user_id: int, half: str, kind: str = "status", day: str = "20260401") -> str:
    return f"{kind}_{user_id}_{day}_{half}"


def test_marking_page_lists_expected_participants_by_territory(login_as, world, events, accents):
    page = login_as("coordinator").get(f"/events/{events['S1']}/attendance")
    assert page.status_code == 200
    text = page_text(page)
    assert "3 participant·es attendu·es." in text
    positions = [
        text.index(name)
        for name in (
            "Pays de Sèvre et Bocage",
            "Élise Château",
            "Étienne Lefèvre",
            "Vallée de l'Orne",
            "Françoise Nœl-Dupré",
        )
    ]
    assert positions == sorted(positions)
    for name in ("Coordination A", "Coach A", "Comité A", "Catalyseur B1"):
        assert name not in text
    html = page.get_data(as_text=True)
    assert f'name="{_field(world["a1"], "am")}"' in html
    assert f'name="{_field(world["a2"], "pm", "comment")}"' in html


def test_coordinator_saves_the_sheet(app, login_as, world, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = {
        _field(world["a1"], "am"): "present",
        _field(world["a1"], "pm"): "late",
        _field(world["a1"], "pm", "comment"): "Train en retard",
        _field(world["a1bis"], "am"): "",
        _field(world["a2"], "am"): "excused",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert "Émargement enregistré : 3 modifications." in page_text(client.get(url))
    with app.app_context():
        rows = db.session.scalars(select(Attendance)).all()
        assert {(a.user_id, a.half, a.status, a.comment) for a in rows} == {
            (world["a1"], "am", "present", ""),
            (world["a1"], "pm", "late", "Train en retard"),
            (world["a2"], "am", "excused", ""),
        }
        assert {a.recorded_by_id for a in rows} == {world["coordinator"]}
    # The page shows what was saved; saving it unchanged changes nothing.
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'value="late"[^>]*checked|checked[^>]*value="late"', html)
    assert 'value="Train en retard"' in html
    assert client.post(url, data=data).status_code == 302
    assert "sans modification" in page_text(client.get(url))


def test_all_present_fills_the_half_day_without_saving_it(app, login_as, world, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    with app.test_request_context():
        operations.record_attendances(
            db.session.get(Event, events["S1"]),
            {(world["a2"], APRIL_1, "am"): Mark("excused", "Conseil municipal")},
            recorded_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
    data = form_values(client.get(url), url)
    data[_field(world["a1bis"], "am")] = "absent"  # typed before pressing the button
    data[_field(world["a1"], "pm")] = "late"
    data[_field(world["a1"], "pm", "comment")] = "arrivée 14 h"
    data["all_present"] = "2026-04-01-am"
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "1 personne marquée présente (matin)" in page_text(response)
    sheet = form_values(response, url)
    assert sheet[_field(world["a1"], "am")] == "present"
    assert sheet[_field(world["a1bis"], "am")] == "absent"  # what was typed stays
    assert sheet[_field(world["a2"], "am")] == "excused"  # what was recorded stays
    assert sheet[_field(world["a1bis"], "pm")] == ""  # the other half-day is untouched
    assert sheet[_field(world["a1"], "pm")] == "late"
    assert sheet[_field(world["a1"], "pm", "comment")] == "arrivée 14 h"
    with app.app_context():  # nothing saved yet
        assert db.session.scalar(select(func.count(Attendance.id))) == 1
    # Saving it then writes the filled half-day, by the usual rules.
    saved = client.post(url, data=sheet)
    assert saved.status_code == 302, page_text(saved)[:3000]
    with app.app_context():
        rows = db.session.execute(select(Attendance.user_id, Attendance.half, Attendance.status))
        assert set(rows) == {
            (world["a1"], "am", "present"),
            (world["a1bis"], "am", "absent"),
            (world["a2"], "am", "excused"),
            (world["a1"], "pm", "late"),
        }


def test_all_present_respects_a_mark_recorded_meanwhile(app, login_as, world, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = form_values(client.get(url), url)
    with app.test_request_context():  # a check-in, late, after the sheet was opened
        operations.record_attendances(
            db.session.get(Event, events["S1"]),
            {(world["a1"], APRIL_1, "am"): Mark("late")},
            recorded_by=db.session.get(User, world["a1"]),
        )
        db.session.commit()
    filled = form_values(client.post(url, data={**data, "all_present": "2026-04-01-am"}), url)
    response = client.post(url, data=filled)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 1


def test_all_present_for_a_half_day_the_event_does_not_have(login_as, world, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = form_values(client.get(url), url)
    response = client.post(url, data={**data, "all_present": "2026-04-02-am"})
    assert response.status_code == 400
    assert "Ce rendez-vous n'a pas lieu sur cette demi-journée." in page_text(response)


def test_the_first_button_of_the_sheet_saves_it(login_as, events):
    """Enter in a comment submits with the form's first button: it must save, not fill."""
    html = login_as("coordinator").get(f"/events/{events['S1']}/attendance").get_data(as_text=True)
    form = html[html.index('class="attendance-sheet"') :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="all_present"' not in first


def test_a_coach_marks_the_follow_ups_they_run(app, login_as, world, events):
    with app.app_context():
        event = db.session.get(Event, events["SUIVI1-A1"])
        day = event.starts_at.date().strftime("%Y%m%d")
    response = login_as("coach").post(
        f"/events/{events['SUIVI1-A1']}/attendance",
        data={_field(world["a1"], "am", day=day): "present"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Attendance.status)) == "present"


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"admin", "coordinator"}))
def test_nobody_else_marks_presence(app, login_as, world, events, role):
    """A catalyseur cannot mark anyone's presence, their own or another's."""
    client = login_as(role)
    response = client.post(
        f"/events/{events['S1']}/attendance",
        data={_field(world["a2"], "am"): "present", _field(world["a1"], "am"): "present"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_marking_errors_answer_400_and_save_nothing(app, login_as, world, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    response = client.post(url, data={_field(world["a1"], "am"): "asleep"})
    assert response.status_code == 400
    assert "Le formulaire contient une erreur" in page_text(response)
    response = client.post(
        url,
        data={
            _field(world["a1"], "am"): "present",
            _field(world["a2"], "am"): "",
            _field(world["a2"], "am", "comment"): "malade",
        },
    )
    assert response.status_code == 400
    assert "Choisissez un statut pour ajouter un commentaire." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_fields_of_people_not_expected_are_ignored(app, login_as, world, events):
    response = login_as("coordinator").post(
        f"/events/{events['S1']}/attendance",
        data={_field(world["b1"], "am"): "present", _field(world["coach"], "am"): "present"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_cancelled_event_shows_no_sheet(app, login_as, world, events):
    with app.app_context():
        db.session.get(Event, events["S1"]).status = "cancelled"
        db.session.commit()
    client = login_as("coordinator")
    page = client.get(f"/events/{events['S1']}/attendance")
    assert "Ce rendez-vous est annulé" in page_text(page)
    assert '<form method="post" action="/events' not in page.get_data(as_text=True)
    code = client.get(f"/events/{events['S1']}/attendance/code")
    assert "annulé" in page_text(code)


# The code shown in the room ----------------------------------------------------------------


def test_code_page_shows_the_current_half_day_code_and_its_qr_code(app, login_as, events):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance/code"
    with freeze(paris(S1_DAY, "09:10")):
        before = client.get(url)  # a GET never writes: the page offers the button
        with app.app_context():
            assert db.session.scalars(select(CheckInCode)).all() == []
        assert "Afficher le code de cette demi-journée" in page_text(before)
        shown = client.post(url)  # the button of the sheet and of this page
        assert (shown.status_code, shown.headers["Location"]) == (302, url)
        page = client.get(url)
        client.post(url)  # pressed again: the same code
        again = client.get(url)
    assert page.status_code == 200
    with app.app_context():
        codes = db.session.scalars(select(CheckInCode)).all()
    assert len(codes) == 1
    code = codes[0]
    assert (code.day, code.half) == (APRIL_1, "am")
    html = page.get_data(as_text=True)
    assert '<p class="checkin-code"' in html and f">{code.code}</p>" in html
    assert re.search(r"<svg [^>]*class=\"qr-code\"", html)
    assert f"http://parcours.test/events/{events['S1']}/check-in?code={code.code}" in html
    assert "Valable jusqu'à 13:00" in page_text(page)
    assert again.get_data(as_text=True).count(code.code) == html.count(code.code)

    with freeze(paris(S1_DAY, "14:00")):
        client.post(url)
        afternoon = client.get(url)
    assert "Après-midi" in page_text(afternoon)
    with app.app_context():
        assert db.session.scalar(select(func.count(CheckInCode.id))) == 2


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("08:00", "Prochaine demi-journée : matin du mercredi 1er avril 2026, de 09:30 à 13:00."),
        ("18:00", "Ce rendez-vous est terminé."),
    ],
)
def test_code_page_outside_any_half_day(app, login_as, events, at, message):
    with freeze(paris(S1_DAY, at)):
        page = login_as("coordinator").get(f"/events/{events['S1']}/attendance/code")
    text = page_text(page)
    assert "Aucune demi-journée de ce rendez-vous n'est en cours." in text
    assert message in text
    with app.app_context():
        assert db.session.scalar(select(func.count(CheckInCode.id))) == 0


# Check-in ---------------------------------------------------------------------------------


def _morning_code(app, events) -> str:
    with app.test_request_context():
        from parcours.attendance.halfdays import half_days

        event = db.session.get(Event, events["S1"])
        code = operations.check_in_code(event, half_days(event)[0]).code
        db.session.commit()
        return code


def test_participant_checks_in_with_the_code(app, login_as, world, events):
    code = _morning_code(app, events)
    client = login_as("a1")
    url = f"/events/{events['S1']}/check-in"
    with freeze(paris(S1_DAY, "09:20")):
        form = client.get(f"{url}?code={code}")
        assert f'value="{code}"' in form.get_data(as_text=True)
        response = client.post(url, data={"code": code.lower()})
        assert response.status_code == 302
        page = client.get(url)
    text = page_text(page)
    assert "C'est noté : Présent·e" in text
    assert "Votre présence est enregistrée pour cette demi-journée (matin) : Présent·e." in text
    with app.app_context():
        record = db.session.scalar(select(Attendance))
        assert (record.user_id, record.half, record.status, record.self_checked_in) == (
            world["a1"],
            "am",
            "present",
            True,
        )


@pytest.mark.parametrize(
    ("role", "at", "typed", "message"),
    [
        ("a1", "09:20", "WRONG2", "Ce code n'est pas le bon."),
        ("a1", "08:59", None, "Ce code n'est valable que pendant sa demi-journée"),
        ("a1", "13:01", None, "Ce code n'est valable que pendant sa demi-journée"),
        ("a1", "09:20", "", "Ce champ est requis."),
        ("coordinator", "09:20", None, "Vous n'êtes pas attendu·e à ce rendez-vous."),
        ("coach", "09:20", None, "Vous n'êtes pas attendu·e à ce rendez-vous."),
        ("committee", "09:20", None, "Vous n'êtes pas attendu·e à ce rendez-vous."),
    ],
)
def test_check_in_errors_are_form_errors(app, login_as, events, role, at, typed, message):
    code = _morning_code(app, events)
    with freeze(paris(S1_DAY, at)):
        response = login_as(role).post(
            f"/events/{events['S1']}/check-in", data={"code": code if typed is None else typed}
        )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_check_in_page_tells_non_participants_they_do_not_sign(login_as, events):
    text = page_text(login_as("coach").get(f"/events/{events['S1']}/check-in"))
    assert "Seul·es les participant·es attendu·es" in text


# PDFs -------------------------------------------------------------------------------------


def _pdf_text(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(response.data))
    return reader, " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_signature_sheet_download(app, login_as, world, events, accents):
    with app.test_request_context():
        operations.record_attendances(
            db.session.get(Event, events["S1"]),
            {(world["a1"], APRIL_1, "am"): Mark("present")},
            recorded_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
    client = login_as("coordinator")
    response = client.get(f"/events/{events['S1']}/signature-sheet.pdf")
    reader, text = _pdf_text(response)
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=emargement-vierge-2026-04-01-session-1-panorama-des-"
        "partenariats-et-fragilites.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(reader.pages) == 1
    for name in ("Élise Château", "Étienne Lefèvre", "Françoise Nœl-Dupré", "Vallée de l'Orne"):
        assert name in text
    assert "Présent·e" not in text
    response = client.get(f"/events/{events['S1']}/signature-sheet.pdf?prefill=1")
    _reader, prefilled = _pdf_text(response)
    assert "Présent·e" in prefilled
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=emargement-prerempli-2026-04-01-session-1-panorama-des-"
        "partenariats-et-fragilites.pdf"
    )


def test_attestation_download(app, login_as, world, events, accents):
    with app.test_request_context():
        operations.record_attendances(
            db.session.get(Event, events["S1"]),
            {
                (world["a1"], APRIL_1, "am"): Mark("present"),
                (world["a1"], APRIL_1, "pm"): Mark("present"),
            },
            recorded_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
    for role in ("a1", "coordinator", "admin"):
        response = login_as(role).get(
            f"/cohorts/{world['cohort_a']}/attestations/{world['a1']}.pdf"
        )
        _reader, text = _pdf_text(response)
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=attestation-cohorte-a-elise-chateau.pdf"
        )
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Attestation de participation" in text
        assert "Élise Château" in text
        assert "7 h 30" in text


# Cohort figures ---------------------------------------------------------------------------


def test_figures_page_empty_state(login_as, world):
    text = page_text(login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/attendance"))
    assert "Aucune présence n'a encore été relevée" in text
    assert "Session 1 — Panorama" in text
    assert "Par participant·e" not in text


def test_figures_page_without_sessions(app, login_as, world):
    with app.app_context():
        for event in db.session.scalars(
            select(Event).where(Event.cohort_id == world["cohort_b"], Event.kind == "session")
        ):
            event.status = "cancelled"
        db.session.commit()
    text = page_text(login_as("coordinator_b").get(f"/cohorts/{world['cohort_b']}/attendance"))
    assert "Aucune session collective n'est prévue dans cette cohorte pour l'instant." in text


def _record_s1(app, world, events) -> None:
    with app.test_request_context():
        operations.record_attendances(
            db.session.get(Event, events["S1"]),
            {
                (world["a1"], APRIL_1, "am"): Mark("present"),
                (world["a1"], APRIL_1, "pm"): Mark("late"),
                (world["a1bis"], APRIL_1, "am"): Mark("absent"),
                (world["a2"], APRIL_1, "am"): Mark("excused"),
            },
            recorded_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()


def test_figures_per_session_territory_and_participant(app, login_as, world, events, accents):
    _record_s1(app, world, events)
    client = login_as("coordinator")
    with freeze(paris("2026-06-01", "12:00")):
        page = client.get(f"/cohorts/{world['cohort_a']}/attendance")
    text = page_text(page)
    assert "1 / 4 sessions émargées" in text
    assert "Matin 1 / 3 dont 0 en retard · 1 excusé·e · 1 absent·e" in text
    assert "Après-midi 1 / 3 dont 1 en retard" in text
    # Per territory: Pays de Sèvre et Bocage attended 2 of 4 person half-days, Vallée 0 of 2.
    assert "Pays de Sèvre et Bocage 2 1 / 1 50 %" in text
    assert "Vallée de l'Orne 1 0 / 1 0 %" in text
    # Per participant: present (incl. late), late, excused, absent, not recorded, rate.
    assert "Élise Château Pays de Sèvre et Bocage 2 1 0 0 0 100 %" in text
    assert "Étienne Lefèvre Pays de Sèvre et Bocage 0 0 0 1 1 0 %" in text
    assert "Françoise Nœl-Dupré Vallée de l'Orne 0 0 1 0 1 0 %" in text
    html = page.get_data(as_text=True)
    assert f"/cohorts/{world['cohort_a']}/attestations/{world['a1']}.pdf" in html
    assert f"/events/{events['S1']}/attendance" in html


def test_the_committee_reads_figures_without_links_to_act(app, login_as, world, events):
    _record_s1(app, world, events)
    page = login_as("committee").get(f"/cohorts/{world['cohort_a']}/attendance")
    text = page_text(page)
    assert "Vue en lecture seule pour le Comité d'orientation." in text
    assert "Catalyseur A1" in text
    html = page.get_data(as_text=True)
    assert "attestations/" not in html
    assert '/attendance"' not in html.replace(f'/cohorts/{world["cohort_a"]}/attendance"', "")


def test_a_coach_reads_the_figures_of_the_territories_they_follow(
    app, login_as, world, events, accents
):
    _record_s1(app, world, events)
    with freeze(paris("2026-06-01", "12:00")):
        page = login_as("coach").get(f"/cohorts/{world['cohort_a']}/attendance")
    text = page_text(page)
    assert "Vue en lecture seule : les catalyseurs des territoires que vous accompagnez." in text
    # Territory A1 only (the coach follows A1): 2 catalyseurs, not A2's.
    assert "Matin 1 / 2 dont 0 en retard · 0 excusé·e · 1 absent·e" in text
    assert "Pays de Sèvre et Bocage 2 1 / 1 50 %" in text
    assert "Élise Château Pays de Sèvre et Bocage 2 1 0 0 0 100 %" in text
    assert "Vallée de l'Orne" not in text and "Françoise Nœl-Dupré" not in text
    html = page.get_data(as_text=True)
    assert "attestations/" not in html  # reading, not acting
    assert f'href="/events/{events["S1"]}/attendance"' not in html
    assert f'href="/cohorts/{world["cohort_a"]}/attendance/{world["a1"]}"' in html
    assert f'href="/cohorts/{world["cohort_a"]}/my-territories"' in html


def test_a_coach_following_no_territory_sees_no_one(app, login_as, world, events):
    _record_s1(app, world, events)
    with app.app_context():
        db.session.get(Territory, world["territory_a1"]).coach_id = None
        db.session.commit()
    text = page_text(login_as("coach").get(f"/cohorts/{world['cohort_a']}/attendance"))
    assert "Vous n'accompagnez encore aucun territoire de cette cohorte." in text
    assert "Catalyseur A1" not in text


def test_a_catalyseur_reads_their_own_record(app, login_as, world, events):
    _record_s1(app, world, events)
    with app.test_request_context():
        s1 = db.session.get(Event, events["S1"])
        s1.items.append(
            AgendaItem(
                starts_at=paris(S1_DAY, "09:30"),
                ends_at=paris(S1_DAY, "12:30"),
                kind="plenary",
                title="Matinée",
            )
        )
        db.session.get(Attendance, _attendance_id(world["a1"], "pm")).comment = "train"
        db.session.commit()
    client = login_as("a1")
    with freeze(paris("2026-06-01", "12:00")):
        my_path = client.get(f"/cohorts/{world['cohort_a']}/my-path")
        record_url = f"/cohorts/{world['cohort_a']}/attendance/{world['a1']}"
        assert f'href="{record_url}"' in my_path.get_data(as_text=True)
        page = client.get(record_url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Mes présences" in text
    # S1: morning present (3 h of programme), afternoon late (4 h, its own hours).
    assert "Matin Présent·e 3 h" in text
    assert "Après-midi En retard 4 h « train »" in text
    assert "2 demi-journées de présence" in text and "7 h de participation comptées" in text
    # S2 (10 June) has not happened yet on 1 June: not listed as missed.
    assert "Session 2" not in text
    assert f"/cohorts/{world['cohort_a']}/attestations/{world['a1']}.pdf" in page.get_data(
        as_text=True
    )
    # The hours are the attestation's.
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        member = db.session.scalar(select(Membership).filter_by(user_id=world["a1"]))
        assert reports.attestation(cohort, member).total_hours == 7


def test_a_catalyseurs_record_before_any_meeting(login_as, world):
    with freeze(paris("2026-03-01", "12:00")):
        page = login_as("a2").get(f"/cohorts/{world['cohort_a']}/attendance/{world['a2']}")
    assert "Aucun rendez-vous n'a encore eu lieu" in page_text(page)


def test_the_coach_reads_a_record_without_the_attestation(app, login_as, world, events):
    _record_s1(app, world, events)
    with freeze(paris("2026-06-01", "12:00")):
        page = login_as("coach").get(f"/cohorts/{world['cohort_a']}/attendance/{world['a1bis']}")
    text = page_text(page)
    assert "Présences de Catalyseur A1 bis" in text
    assert "Matin Absent·e" in text
    assert "attestations/" not in page.get_data(as_text=True)


def _attendance_id(user_id: int, half: str) -> int:
    return db.session.scalar(
        select(Attendance.id).where(Attendance.user_id == user_id, Attendance.half == half)
    )


# Query counts -----------------------------------------------------------------------------


def _grow(app, world, events, start: int, count: int) -> None:
    """Add ``count`` accepted territories with a binôme each, all marked present at S1."""
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        for n in range(start, start + count):
            territory = cohort_ops.add_territory(
                cohort,
                name=f"Territoire {n:03}",
                region="R",
                department="D",
                kind="rural",
                carrier_structure="S",
                carrier_type="public",
                status="accepted",
                status_reason="",
            )
            for k in (1, 2):
                cohort_ops.add_catalyseur(
                    territory,
                    email=f"t{n}-{k}@example.org",
                    full_name=f"P {n} {k}",
                    organisation="",
                    invited_by=coordinator,
                )
        db.session.flush()
        s1 = db.session.get(Event, events["S1"])
        people = db.session.scalars(
            select(User.id).where(User.email.like("t%-%@example.org"))
        ).all()
        operations.record_attendances(
            s1,
            {
                (user_id, APRIL_1, half): Mark("present")
                for user_id in people
                for half in ("am", "pm")
            },
            recorded_by=coordinator,
        )
        db.session.commit()


def test_query_counts_do_not_grow_with_the_cohort(app, login_as, world, events, query_counter):
    client = login_as("coordinator")
    urls = [
        f"/events/{events['S1']}/attendance",
        f"/cohorts/{world['cohort_a']}/attendance",
    ]

    def measure() -> dict:
        counts = {}
        for url in urls:
            with query_counter:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = query_counter.count
        return counts

    _grow(app, world, events, 0, 2)
    small = measure()
    _grow(app, world, events, 2, 8)
    large = measure()
    assert "P 9 2" in page_text(client.get(urls[1]))
    assert large == small, (small, large)


def test_saving_at_the_same_moment_as_someone_else_is_not_a_server_error(
    app, login_as, world, events, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("unique"))

    monkeypatch.setattr(operations, "record_attendances", clash)
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    response = client.post(url, data={_field(world["a1"], "am"): "late"})
    # Answered with the sheet as typed, so that saving again is checked against the other save.
    assert response.status_code == 409
    assert "en même temps que vous" in page_text(response)
    assert form_values(response, action=url)[_field(world["a1"], "am")] == "late"


def test_many_wrong_codes_then_the_right_one_is_refused_until_the_window_ends(
    app, login_as, world, events
):
    code = _morning_code(app, events)
    client = login_as("a1")
    url = f"/events/{events['S1']}/check-in"
    with freeze(paris(S1_DAY, "09:20")):
        for n in range(5):
            assert client.post(url, data={"code": f"WRONG{n}"}).status_code == 400
        response = client.post(url, data={"code": code})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "600"
        assert "Trop de codes erronés. Réessayez dans 10 minutes." in page_text(response)
        assert f'value="{code}"' in response.get_data(as_text=True)  # kept as typed
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0
    with freeze(paris(S1_DAY, "09:30")):
        assert client.post(url, data={"code": code}).status_code == 302


def test_comment_fields_are_marked_invalid_only_when_they_are(login_as, world, events):
    """An attribute set to None used to render as aria-invalid="None", an invalid value."""
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    html = client.get(url).get_data(as_text=True)
    assert 'name="' + _field(world["a2"], "am", "comment") + '"' in html
    assert "aria-invalid" not in html

    response = client.post(
        url,
        data={
            _field(world["a2"], "am"): "excused",
            _field(world["a2"], "am", "comment"): "x" * (COMMENT_MAX_LENGTH + 1),
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    name = _field(world["a2"], "am", "comment")
    flagged = re.findall(r'<input[^>]*aria-invalid="([^"]*)"[^>]*>', html)
    assert flagged == ["true"]  # the one comment in error, and nothing else
    tag = re.search(r'<input[^>]*name="' + name + r'"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_marking_errors_are_listed_by_person_and_half_day(app, login_as, world, events, locale):
    from parcours.accounts.models import User
    from tests.forms import error_summary as summary

    with app.app_context():
        db.session.get(User, world["coordinator"]).locale = locale
        db.session.commit()
    response = login_as("coordinator").post(
        f"/events/{events['S1']}/attendance",
        data={
            _field(world["a1"], "am"): "asleep",
            _field(world["a2"], "am"): "present",
            _field(world["a2"], "am", "comment"): "x" * 600,
        },
    )
    assert response.status_code == 400
    links = dict(summary(response))
    status, comment = _field(world["a1"], "am"), _field(world["a2"], "am", "comment")
    assert set(links) == {f"{status}-0", comment}
    if locale == "fr":
        assert links[f"{status}-0"] == (
            "Présence de Catalyseur A1, Matin : N'est pas un choix valide."
        )
        assert links[comment].startswith("Commentaire pour Catalyseur A2, Matin : Le champ")
    else:
        assert links[f"{status}-0"] == "Attendance of Catalyseur A1, Morning: Not a valid choice."
        assert links[comment].startswith("Comment for Catalyseur A2, Morning: Field cannot")
