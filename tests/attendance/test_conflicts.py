"""Two people on the same attendance sheet: each writes only what they changed.

Each scenario opens the sheet in two browsers (or a sheet and a participant's check-in), saves
with the first, then saves the older page with the second, as the issue tells it.
"""

import re

from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.attendance import operations
from parcours.attendance.halfdays import half_days
from parcours.attendance.models import Attendance
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.attendance.conftest import S1_DAY, paris
from tests.conftest import page_text
from tests.forms import form_values


def _field(user_id: int, half: str, kind: str = "status") -> str:
    return f"{kind}_{user_id}_20260401_{half}"


def _sheet(client, events):
    """Open S1's sheet; return its URL and what saving it untouched would post."""
    url = f"/events/{events['S1']}/attendance"
    page = client.get(url)
    assert page.status_code == 200
    return url, form_values(page, action=url)


def _marks(app) -> dict:
    with app.app_context():
        return {
            (a.user_id, a.half): (a.status, a.comment, a.self_checked_in)
            for a in db.session.scalars(select(Attendance))
        }


def _checked(html: str, name: str) -> str:
    """Return the value of the checked radio button ``name``."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise AssertionError(f"nothing checked for {name}")


def test_two_sheets_opened_together_keep_both_marks(app, login_as, world, events):
    first, second = login_as("coordinator"), login_as("admin")
    url, first_form = _sheet(first, events)
    _, second_form = _sheet(second, events)
    first_form[_field(world["a1"], "am")] = "present"
    assert first.post(url, data=first_form).status_code == 302
    # The second page still shows a1's morning « Non renseigné »: saving it must not erase.
    second_form[_field(world["a2"], "am")] = "present"
    response = second.post(url, data=second_form)
    assert response.status_code == 302
    assert "1 modification." in page_text(second.get(url))
    assert _marks(app) == {
        (world["a1"], "am"): ("present", "", False),
        (world["a2"], "am"): ("present", "", False),
    }


def _morning_code(app, events) -> str:
    with app.test_request_context():
        event = db.session.get(Event, events["S1"])
        code = operations.check_in_code(event, half_days(event)[0]).code
        db.session.commit()
        return code


def test_a_self_check_in_after_the_sheet_was_opened_survives_its_save(app, login_as, world, events):
    code = _morning_code(app, events)
    coordinator, participant = login_as("coordinator"), login_as("a1")
    with freeze(paris(S1_DAY, "09:20")):
        url, form = _sheet(coordinator, events)
        check_in = participant.post(f"/events/{events['S1']}/check-in", data={"code": code})
        assert check_in.status_code == 302
        form[_field(world["a2"], "am")] = "late"
        assert coordinator.post(url, data=form).status_code == 302
    assert _marks(app) == {
        (world["a1"], "am"): ("present", "", True),
        (world["a2"], "am"): ("late", "", False),
    }


def test_the_same_mark_changed_meanwhile_is_a_conflict_and_nothing_is_written(
    app, login_as, world, events
):
    first, second = login_as("coordinator"), login_as("admin")
    url, first_form = _sheet(first, events)
    _, second_form = _sheet(second, events)
    first_form[_field(world["a1"], "am")] = "present"
    with freeze(paris(S1_DAY, "18:05")):
        assert first.post(url, data=first_form).status_code == 302
    second_form[_field(world["a1"], "am")] = "excused"
    second_form[_field(world["a1"], "am", "comment")] = "Prévenu la veille"
    second_form[_field(world["a2"], "am")] = "late"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Une présence a été modifiée par quelqu'un d'autre" in text
    assert "Votre saisie : Excusé·e — « Prévenu la veille »" in text
    assert "Enregistré entre-temps : Présent·e (par Coordination A, le 1er avr. 18:05)" in text
    assert _marks(app) == {(world["a1"], "am"): ("present", "", False)}  # a2 not written
    # The page keeps everything that was typed.
    html = response.get_data(as_text=True)
    assert _checked(html, _field(world["a1"], "am")) == "excused"
    assert _checked(html, _field(world["a2"], "am")) == "late"
    assert 'value="Prévenu la veille"' in html


def test_a_conflict_is_resolved_by_saving_the_page_again(app, login_as, world, events):
    first, second = login_as("coordinator"), login_as("admin")
    url, first_form = _sheet(first, events)
    _, second_form = _sheet(second, events)
    first_form[_field(world["a1"], "am")] = "present"
    first_form[_field(world["a1bis"], "pm")] = "absent"
    assert first.post(url, data=first_form).status_code == 302
    second_form[_field(world["a1"], "am")] = "excused"
    second_form[_field(world["a2"], "am")] = "late"
    conflict = second.post(url, data=second_form)
    assert conflict.status_code == 409
    # Saved again as shown: the user's choice wins where they chose, and the mark they never
    # touched (a1bis, set by the first coordinator meanwhile) is shown and kept.
    again = form_values(conflict, action=url)
    assert again[_field(world["a1bis"], "pm")] == "absent"
    assert second.post(url, data=again).status_code == 302
    assert _marks(app) == {
        (world["a1"], "am"): ("excused", "", False),
        (world["a1bis"], "pm"): ("absent", "", False),
        (world["a2"], "am"): ("late", "", False),
    }


def test_a_conflict_with_a_self_check_in_names_it(app, login_as, world, events):
    code = _morning_code(app, events)
    coordinator, participant = login_as("coordinator"), login_as("a1")
    with freeze(paris(S1_DAY, "09:40")):
        url, form = _sheet(coordinator, events)
        assert participant.post(f"/events/{events['S1']}/check-in", data={"code": code})
        form[_field(world["a1"], "am")] = "absent"
        response = coordinator.post(url, data=form)
    assert response.status_code == 409
    assert (
        "Enregistré entre-temps : Présent·e (avec le code de présence, le 1er avr. 09:40)"
        in page_text(response)
    )
    assert _marks(app) == {(world["a1"], "am"): ("present", "", True)}


def test_a_mark_removed_meanwhile_is_a_conflict_too(app, login_as, world, events):
    first, second = login_as("coordinator"), login_as("admin")
    url, form = _sheet(first, events)
    form[_field(world["a1"], "am")] = "present"
    assert first.post(url, data=form).status_code == 302
    _, first_form = _sheet(first, events)
    _, second_form = _sheet(second, events)
    first_form[_field(world["a1"], "am")] = ""
    assert first.post(url, data=first_form).status_code == 302
    assert _marks(app) == {}
    second_form[_field(world["a1"], "am")] = "late"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    assert "Enregistré entre-temps : Non renseigné (la présence a été effacée)" in page_text(
        response
    )
    assert _marks(app) == {}


def test_a_save_that_loses_the_race_at_flush_shows_the_sheet_again(
    app, login_as, world, events, monkeypatch
):
    """Another save commits between this one's reading and its UPDATE: the attendance row's
    version no longer matches, and the sheet comes back as typed, not a 500."""
    from sqlalchemy import text

    first = login_as("coordinator")
    url, form = _sheet(first, events)
    form[_field(world["a1"], "am")] = "present"
    assert first.post(url, data=form).status_code == 302
    url, form = _sheet(first, events)
    form[_field(world["a1"], "am")] = "late"
    record = operations.record_attendances

    def racing(event, marks, recorded_by):
        # The other save, as this transaction would see it at its UPDATE.
        db.session.execute(text("UPDATE attendances SET version = version + 1"))
        return record(event, marks, recorded_by=recorded_by)

    monkeypatch.setattr(operations, "record_attendances", racing)
    response = first.post(url, data=form)
    assert response.status_code == 409
    assert "en même temps que vous" in page_text(response)
    assert form_values(response, action=url)[_field(world["a1"], "am")] == "late"
