"""The planning page: a kind of per-territory meeting placed for every territory at once."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda import planning
from parcours.agenda.ical import event_uid
from parcours.agenda.models import Event
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from tests.agenda.calendars import invitation, received
from tests.conftest import ROLES, page_text

PARIS = ZoneInfo("Europe/Paris")
#: Before cohort A's bilatérales (16 March 2026): every move is announced.
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
#: Twelve working days after the bilatérales' planned day, none a session's (S1: 1 April).
DAYS = [date(2026, 3, day) for day in (17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31)] + [
    date(2026, 4, 2)
]


@pytest.fixture
def twelve(app, world):
    """Give cohort A twelve accepted territories, each with its catalyseur(s)."""
    with app.test_request_context():
        mail.suppress_until_commit()  # invitations to Parcours are tested elsewhere
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        for n in range(3, 13):
            territory = cohort_ops.add_territory(
                cohort,
                name=f"Territoire A{n:02d}",
                region="Centre-Val de Loire",
                department="Cher",
                kind="rural",
                carrier_structure="Asso",
                carrier_type="associatif",
                status="accepted",
                status_reason="",
            )
            cohort_ops.add_catalyseur(
                territory,
                email=f"t{n}@example.org",
                full_name=f"Catalyseur A{n:02d}",
                organisation="",
                invited_by=coordinator,
            )
        db.session.commit()
    app.extensions.pop("parcours_mail_sent", None)
    return world


def _url(world, code="BILAT"):
    return f"/cohorts/{world['cohort_a']}/planning/{code}"


def _rows(app, world, code="BILAT"):
    """Return the stored meetings of ``code``, in the page's order, as plain values."""
    with app.app_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        rows = []
        for event in planning.meetings(cohort, code):
            start, end = event.starts_at.astimezone(PARIS), event.ends_at.astimezone(PARIS)
            rows.append(
                {
                    "id": event.id,
                    "version": event.version,
                    "territory": event.territory.name,
                    "day": start.date().isoformat(),
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                }
            )
        return rows


def _data(rows, changes=None, **extra):
    """Return the posted table: ``changes`` maps a row index to (day, start, end)."""
    data = dict(extra)
    for index, row in enumerate(rows):
        day, start, end = (changes or {}).get(index, (row["day"], row["start"], row["end"]))
        data.update(
            {
                f"rows-{index}-event_id": row["id"],
                f"rows-{index}-version": row["version"],
                f"rows-{index}-was": f"{row['day']} {row['start']} {row['end']}",
                f"rows-{index}-day": day,
                f"rows-{index}-start_time": start,
                f"rows-{index}-end_time": end,
            }
        )
    return data


def _spread(rows):
    return {i: (DAYS[i].isoformat(), "10:00", "11:30") for i in range(len(rows))}


def _starts(app, ids):
    with app.app_context():
        return {
            event.id: event.starts_at
            for event in db.session.scalars(select(Event).where(Event.id.in_(ids)))
        }


def test_the_page_lists_every_territory_meeting_of_the_kind(app, login_as, twelve):
    rows = _rows(app, twelve)
    assert len(rows) == 12
    text = page_text(login_as("coordinator").get(_url(twelve)))
    assert "Planifier : Bilatérale de lancement" in text
    for row in rows:
        assert row["territory"] in text
    assert "Coach A" in text  # the coach of A1, a kind a coach attends
    assert "Un rendez-vous par territoire, heure de Paris." in text and "Europe/Paris" not in text


def test_saving_the_table_moves_twelve_meetings_with_one_notice_per_person(
    app, login_as, twelve, outbox
):
    client = login_as("coordinator")
    rows = _rows(app, twelve)
    with freeze(NOW):
        response = client.post(_url(twelve), data=_data(rows, _spread(rows)))
    assert response.status_code == 302, page_text(response)[:800]
    ids = [row["id"] for row in rows]
    starts = _starts(app, ids)
    for index, row in enumerate(rows):
        assert starts[row["id"]] == datetime.combine(DAYS[index], time(10), PARIS)
    # One e-mail per person, whatever the number of their meetings that moved.
    recipients = [message.to for message in outbox]
    assert len(recipients) == len(set(recipients))
    catalyseurs = {"a1@example.org", "a1bis@example.org", "a2@example.org"} | {
        f"t{n}@example.org" for n in range(3, 13)
    }
    assert set(recipients) == catalyseurs | {"coord@example.org", "coach@example.org"}
    with app.test_request_context():
        events = {
            event.id: event for event in db.session.scalars(select(Event).where(Event.id.in_(ids)))
        }
        uids = {event_uid(event, "parcours.test"): event for event in events.values()}
        uid_of = {row["territory"]: event_uid(events[row["id"]], "parcours.test") for row in rows}
        expected = {
            "coord@example.org": set(uids),  # bilatérales expect the coordinators
            "coach@example.org": {uid_of["Territoire A1"]},  # A1's coach, nothing else
            "a2@example.org": {uid_of["Territoire A2"]},
        }
        for message in outbox:
            method, calendar = invitation(received(app, message), filename="evenements.ics")
            assert method == "REQUEST"
            vevents = calendar.walk("VEVENT")
            found = {str(vevent["UID"]) for vevent in vevents}
            assert len(found) == len(vevents)
            if message.to in expected:
                assert found == expected[message.to]
            else:
                assert len(found) == 1
            for vevent in vevents:
                event = uids[str(vevent["UID"])]
                assert vevent.decoded("DTSTART") == event.starts_at.astimezone(PARIS)
                assert int(vevent["SEQUENCE"]) == event.sequence == 1
                assert event.territory.name in str(vevent["SUMMARY"])
    coordinator_mail = next(m for m in outbox if m.to == "coord@example.org")
    assert coordinator_mail.subject == "Changement de calendrier : 12 rendez-vous déplacés"
    assert coordinator_mail.body.count("Désormais :") == 12
    assert "lundi 16 mars 2026" in coordinator_mail.body  # where they were before


def test_an_unchanged_table_moves_nothing_and_tells_nobody(app, login_as, twelve, outbox):
    rows = _rows(app, twelve)
    with freeze(NOW):
        response = login_as("coordinator").post(_url(twelve), data=_data(rows))
    assert response.status_code == 302
    assert outbox == []
    assert _rows(app, twelve) == rows


def test_clashes_are_shown_before_saving_then_confirmed(app, login_as, twelve, outbox):
    client = login_as("coordinator")
    rows = _rows(app, twelve)
    changes = {
        0: ("2026-03-21", "10:00", "11:30"),  # a Saturday
        1: ("2026-04-01", "14:00", "15:00"),  # S1's day
        2: ("2026-03-18", "10:00", "11:30"),  # with row 3: the coordinators twice at once
        3: ("2026-03-18", "11:00", "12:00"),
        4: ("2026-12-15", "10:00", "11:30"),  # after the cohort's nine months
        5: ("2026-04-06", "10:00", "11:30"),  # Easter Monday
    }
    with freeze(NOW):
        response = client.post(_url(twelve), data=_data(rows, changes))
    assert response.status_code == 200
    text = page_text(response)
    assert "À vérifier avant d'enregistrer" in text
    assert "Tombe un week-end (samedi 21 mars 2026)" in text
    assert "Le même jour que « Session 1" in text
    assert f"Chevauche « Bilatérale de lancement — {rows[3]['territory']} »" in text
    assert "pour Coordination A" in text
    assert "En dehors des dates de la cohorte" in text
    assert "Tombe un jour férié (lundi 6 avril 2026)" in text
    assert _rows(app, twelve) == rows  # nothing saved
    assert outbox == []
    with freeze(NOW):
        response = client.post(_url(twelve), data=_data(rows, changes, confirm="y"))
    assert response.status_code == 302
    moved = _rows(app, twelve)
    assert [r["day"] for r in moved[:6]] == [day for day, _s, _e in changes.values()]


def test_row_errors_keep_what_was_typed_and_save_nothing(app, login_as, twelve, outbox):
    rows = _rows(app, twelve)
    changes = {
        0: ("2026-03-17", "10:00", "11:30"),
        1: ("2026-03-18", "11:00", "10:00"),  # ends before it starts
        2: ("", "10:00", "11:30"),  # no date
    }
    with freeze(NOW):
        response = login_as("coordinator").post(_url(twelve), data=_data(rows, changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="2026-03-17"' in html  # the valid row keeps what was typed
    assert 'value="2026-03-18"' in html
    problem = html.split(f'id="row-{rows[1]["id"]}-problem"', 1)[1].split("</td>", 1)[0]
    assert "La fin doit être après le début." in problem
    missing = html.split(f'id="row-{rows[2]["id"]}-problem"', 1)[1].split("</td>", 1)[0]
    assert "field-error" in missing and "Date" in missing
    assert _rows(app, twelve) == rows
    assert outbox == []


def test_a_row_with_attendance_recorded_is_refused_on_its_row(app, login_as, twelve, outbox):
    rows = _rows(app, twelve)
    with app.app_context():
        db.session.get(Event, rows[0]["id"]).dates_frozen = True
        db.session.commit()
    rows = _rows(app, twelve)
    with freeze(NOW):
        response = login_as("coordinator").post(_url(twelve), data=_data(rows, _spread(rows)))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    problem = html.split(f'id="row-{rows[0]["id"]}-problem"', 1)[1].split("</td>", 1)[0]
    assert "Des présences sont déjà relevées" in problem
    # The summary at the top names the refused row and links to it.
    alert = html.split("Certaines lignes ne peuvent pas être enregistrées", 1)[1].split("</ul>")[0]
    assert f'href="#row-{rows[0]["id"]}"' in alert and "Des présences sont déjà relevées" in alert
    assert _rows(app, twelve) == rows
    assert outbox == []


def test_an_unreadable_date_says_so_and_keeps_what_was_typed(app, login_as, twelve, outbox):
    rows = _rows(app, twelve)
    changes = {0: ("xx", "10:00", "11:30"), 1: ("31/02/2027", "10:00", "11:30")}
    with freeze(NOW):
        response = login_as("coordinator").post(_url(twelve), data=_data(rows, changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    text = page_text(response)
    for line in (1, 2):
        assert f"Planning, ligne {line} (Date) : Date non reconnue" in text
    assert "Ce champ est requis" not in text and "Rows" not in text
    assert 'value="xx"' in html and 'value="31/02/2027"' in html
    assert _rows(app, twelve) == rows
    assert outbox == []


def _edit_meanwhile(app, event_id, day):
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at = datetime.combine(day, time(15), PARIS)
        event.ends_at = datetime.combine(day, time(16), PARIS)
        db.session.commit()


def test_a_row_edited_meanwhile_is_a_409_for_that_row(app, login_as, twelve, outbox):
    client = login_as("coordinator")
    rows = _rows(app, twelve)
    _edit_meanwhile(app, rows[1]["id"], date(2026, 3, 19))
    changes = {0: ("2026-03-17", "10:00", "11:30"), 1: ("2026-03-18", "10:00", "11:30")}
    with freeze(NOW):
        response = client.post(_url(twelve), data=_data(rows, changes))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    problem = html.split(f'id="row-{rows[1]["id"]}-problem"', 1)[1].split("</td>", 1)[0]
    assert "Modifié entre-temps" in problem and "jeudi 19 mars 2026" in problem
    first = html.split(f'id="row-{rows[0]["id"]}-problem"', 1)[1].split("</td>", 1)[0]
    assert "Modifié entre-temps" not in first
    assert 'value="2026-03-18"' in html  # what was typed stays
    assert _rows(app, twelve)[0] == rows[0]  # nothing saved, not even the fresh row
    assert outbox == []
    # The page now carries the stored version: saving it again applies it, on purpose.
    rebased = _rows(app, twelve)
    with freeze(NOW):
        response = client.post(_url(twelve), data=_data(rebased, changes))
    assert response.status_code == 302
    assert [r["day"] for r in _rows(app, twelve)[:2]] == ["2026-03-17", "2026-03-18"]


def test_an_untouched_row_edited_meanwhile_keeps_the_other_change(app, login_as, twelve):
    client = login_as("coordinator")
    rows = _rows(app, twelve)
    _edit_meanwhile(app, rows[1]["id"], date(2026, 3, 19))
    with freeze(NOW):
        response = client.post(
            _url(twelve), data=_data(rows, {0: ("2026-03-17", "10:00", "11:30")})
        )
    assert response.status_code == 302
    now = _rows(app, twelve)
    assert now[0]["day"] == "2026-03-17"
    assert (now[1]["day"], now[1]["start"]) == ("2026-03-19", "15:00")


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_plan_the_bilaterales(app, login_as, world, role):
    client = login_as(role)
    allowed = role in ("admin", "coordinator")
    assert client.get(_url(world)).status_code == (200 if allowed else 403)
    rows = _rows(app, world)
    with freeze(NOW):
        response = client.post(_url(world), data=_data(rows, _spread(rows)))
    assert response.status_code == (302 if allowed else 403)
    assert (_rows(app, world) != rows) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_follow_ups_are_planned_by_coordinators_admins_and_coaches(app, login_as, world, role):
    allowed = role in ("admin", "coordinator", "coach")
    assert login_as(role).get(_url(world, "SUIVI2")).status_code == (200 if allowed else 403)


def test_anonymous_visitors_go_to_login(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("code", ["S1", "COMITE1", "T0", "NOPE"])
def test_only_per_territory_meetings_have_a_planning_page(login_as, world, code):
    assert login_as("coordinator").get(_url(world, code)).status_code == 404


def test_the_planning_pages_are_linked_for_those_who_plan(login_as, world):
    coordinator = login_as("coordinator")
    for page in (f"/cohorts/{world['cohort_a']}", f"/cohorts/{world['cohort_a']}/calendar"):
        html = coordinator.get(page).get_data(as_text=True)
        for code in ("BILAT", "SUIVI1", "SUIVI2", "VISITE", "SUIVI3"):
            assert f'href="{_url(world, code)}"' in html
    committee = login_as("committee").get(f"/cohorts/{world['cohort_a']}").get_data(as_text=True)
    assert "/planning/" not in committee
    coach = login_as("coach")
    for page in (
        f"/cohorts/{world['cohort_a']}/calendar",
        f"/cohorts/{world['cohort_a']}/my-territories",
    ):
        html = coach.get(page).get_data(as_text=True)
        for code in ("SUIVI1", "SUIVI2", "VISITE", "SUIVI3"):
            assert f'href="{_url(world, code)}"' in html
        assert _url(world, "BILAT") not in html  # the coordinators' own meetings


def test_a_coach_plans_the_follow_ups_of_the_territories_they_follow_only(
    app, login_as, world, outbox
):
    coach = login_as("coach")
    everyone = _rows(app, world, "SUIVI1")
    mine = [row for row in everyone if row["territory"] == "Territoire A1"]
    page = coach.get(_url(world, "SUIVI1"))
    text = page_text(page)
    assert "Territoire A1" in text and "Territoire A2" not in text
    # Every link of the page is one the coach may follow (no dashboard for them).
    assert f'href="/cohorts/{world["cohort_a"]}/my-territories"' in page.get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}"' not in page.get_data(as_text=True)
    with freeze(NOW):
        response = coach.post(_url(world, "SUIVI1"), data=_data(everyone, _spread(everyone)))
    assert response.status_code == 409  # A2's row is not theirs to plan
    assert _rows(app, world, "SUIVI1") == everyone
    with freeze(NOW):
        response = coach.post(_url(world, "SUIVI1"), data=_data(mine, _spread(mine)))
    assert response.status_code == 302
    assert _rows(app, world, "SUIVI1")[0]["day"] == DAYS[0].isoformat()
    assert {m.to for m in outbox} == {"coach@example.org", "a1@example.org", "a1bis@example.org"}


def test_an_attachment_parses_with_one_vevent_per_moved_meeting(app, login_as, twelve, outbox):
    """The raw file, as a calendar application reads it."""
    rows = _rows(app, twelve)
    with freeze(NOW):
        login_as("coordinator").post(
            _url(twelve),
            data=_data(
                rows, {0: ("2026-03-17", "10:00", "11:30"), 1: ("2026-03-18", "10:00", "11:30")}
            ),
        )
    message = next(m for m in outbox if m.to == "coord@example.org")
    calendar = Calendar.from_ical(message.attachment)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert len(calendar.walk("VEVENT")) == 2
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_an_english_speaker_gets_the_batch_notice_in_english(app, login_as, twelve, outbox):
    with app.app_context():
        db.session.get(User, twelve["a2"]).locale = "en"
        db.session.commit()
    rows = _rows(app, twelve)
    a2 = next(i for i, row in enumerate(rows) if row["territory"] == "Territoire A2")
    planned = date.fromisoformat(rows[a2]["day"])
    moved = next(day for day in DAYS if day != planned)
    with freeze(NOW):
        response = login_as("coordinator").post(
            _url(twelve),
            # Confirmed: the day may hold another territory's meeting (clashes are tested above).
            data=_data(rows, {a2: (moved.isoformat(), "10:00", "11:30")}, confirm="y"),
        )
    assert response.status_code == 302
    message = next(m for m in outbox if m.to == "a2@example.org")
    assert message.subject == "Calendar change: 1 meeting moved"
    assert f"Before: {planned:%A, %B} {planned.day}, 2026" in message.body
    assert f"Now: {moved:%A, %B} {moved.day}, 2026" in message.body


def test_a_meeting_moved_within_the_past_is_moved_without_a_notice(app, login_as, world, outbox):
    rows = _rows(app, world)
    changes = {
        0: ("2026-03-18", "10:00", "11:30"),  # from 16 to 18 March: both over
        1: ("2026-03-25", "10:00", "11:30"),  # from 16 to 25 March: ahead
    }
    with freeze(datetime(2026, 3, 20, 9, 0, tzinfo=UTC)):
        response = login_as("coordinator").post(_url(world), data=_data(rows, changes))
    assert response.status_code == 302
    assert [r["day"] for r in _rows(app, world)] == ["2026-03-18", "2026-03-25"]
    coordinator = next(m for m in outbox if m.to == "coord@example.org")
    assert coordinator.body.count("Désormais :") == 1
    assert rows[1]["territory"] in coordinator.body
    assert rows[0]["territory"] not in coordinator.body
    assert [row["territory"] for row in rows] == ["Territoire A1", "Territoire A2"]
    recipients = {m.to for m in outbox}
    assert "a2@example.org" in recipients
    assert not {"a1@example.org", "a1bis@example.org", "coach@example.org"} & recipients


def test_a_meeting_programme_moves_with_it(app, login_as, world):
    from parcours.agenda.models import AgendaItem

    rows = _rows(app, world)
    with app.app_context():
        event = db.session.get(Event, rows[0]["id"])
        event.items.append(
            AgendaItem(
                starts_at=event.starts_at,
                ends_at=event.starts_at + (event.ends_at - event.starts_at) / 2,
                kind="plenary",
                title="Tour de table",
            )
        )
        db.session.commit()
    rows = _rows(app, world)
    with freeze(NOW):
        response = login_as("coordinator").post(
            _url(world), data=_data(rows, {0: ("2026-03-17", "14:00", "15:30")})
        )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(Event, rows[0]["id"])
        (item,) = event.items
        assert item.starts_at == event.starts_at == datetime(2026, 3, 17, 14, 0, tzinfo=PARIS)
        assert item.ends_at == datetime(2026, 3, 17, 14, 45, tzinfo=PARIS)
    # A new end that would cut the programme is refused on its row.
    rows = _rows(app, world)
    with freeze(NOW):
        response = login_as("coordinator").post(
            _url(world), data=_data(rows, {0: ("2026-03-17", "14:30", "15:00")})
        )
    assert response.status_code == 400
    assert "Le déroulé de ce rendez-vous sortirait de ses nouveaux horaires" in page_text(response)
