"""« Accompagnement uniquement » never reaches the binôme: no page, list, section or e-mail."""

from datetime import date

import pytest

from parcours.core.extensions import db
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import Visibility
from tests.conftest import page_text
from tests.suivi.factories import SHARED_TEXT, TEAM_SECRET, add_items, add_record


@pytest.fixture
def secret(app, world, meetings):
    """A1's record of its first follow-up: team-only notes and coach's notes, shared rest."""
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"], event_id=meetings["SUIVI1"])
        add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
        # And an unplanned call whose every block is team-only.
        add_record(
            world["territory_a1"],
            world["coach"],
            held_on=date(2026, 5, 15),
            agenda="Appel : " + TEAM_SECRET,
            agenda_visibility=Visibility.TEAM,
            decisions="Décision : " + TEAM_SECRET,
            decisions_visibility=Visibility.TEAM,
        )
        db.session.commit()
        return record.id


def _pages(world, meetings, record_id):
    return [
        f"/suivi/records/{record_id}",
        f"/territories/{world['territory_a1']}/suivi",
        f"/territories/{world['territory_a1']}",
        f"/events/{meetings['SUIVI1']}",
        f"/cohorts/{world['cohort_a']}/my-path",
    ]


@pytest.mark.parametrize("role", ["a1", "a1bis"])
def test_the_binome_reads_the_shared_part_and_nothing_else(as_role, world, meetings, secret, role):
    client = as_role(role)
    for url in _pages(world, meetings, secret):
        response = client.get(url)
        assert response.status_code == 200, url
        # Absent from the HTML itself, not hidden by a style.
        assert TEAM_SECRET not in response.get_data(as_text=True), url
    text = page_text(client.get(f"/suivi/records/{secret}"))
    assert SHARED_TEXT in text and "Décisions partagées : relancer la mairie" in text
    assert "Accompagnement uniquement" not in text
    assert "Notes de l'accompagnement" not in text
    # The call whose every part is team-only is listed by its date, with nothing of its text.
    listed = page_text(client.get(f"/territories/{world['territory_a1']}/suivi"))
    assert "Compte rendu du 15 mai 2026" in listed


def test_the_team_reads_every_part_each_marked_with_its_readers(as_role, world, meetings, secret):
    text = page_text(as_role("coordinator").get(f"/suivi/records/{secret}"))
    assert (
        "Notes Accompagnement uniquement Lu par l'accompagnateur·rice et la coordination, "
        f"jamais par le binôme. Notes : {TEAM_SECRET}" in text
    )
    assert "Notes de l'accompagnement Accompagnement uniquement" in text
    assert (
        "Ordre du jour Partagé avec le binôme Lu par le binôme, l'accompagnateur·rice et la "
        f"coordination. Ordre du jour : {SHARED_TEXT}" in text
    )
    listed = page_text(as_role("coach").get(f"/territories/{world['territory_a1']}/suivi"))
    assert f"Décision : {TEAM_SECRET}" in listed, "the team's summary is taken from every block"
    assert "Suivi du territoire Territoire A1" in listed  # no « de » to elide before a name


def test_the_territory_section_sums_up_the_suivi(as_role, world, secret):
    url = f"/territories/{world['territory_a1']}"
    binome = page_text(as_role("a1").get(url))
    assert "Suivi individuel 2 comptes rendus · le dernier, du 15 mai 2026" in binome
    assert "1 action en cours" in binome
    assert "Nouveau compte rendu" not in binome
    assert (
        "Prochain rendez-vous : Suivi individuel n° 2 , mercredi 22 juillet 2026, 09:30" in binome
    )
    team = page_text(as_role("coach").get(url))
    assert "Suivi individuel 2 comptes rendus · le dernier, du 15 mai 2026" in team
    assert "Nouveau compte rendu" in team


def test_no_e_mail_carries_team_text(app, as_role, world, meetings, outbox):
    """Every e-mail the record's life sends: the owner's, the digest, the next meeting's."""
    from tests.forms import form_values

    client = as_role("coach")
    url = f"/events/{meetings['SUIVI1']}/record"
    form = form_values(client.get(url), url)
    for key, value in {
        "notes": TEAM_SECRET,
        "notes_visibility": "team",
        "team_notes": TEAM_SECRET,
        "actions-0-title": "Relancer la mairie",
        "actions-0-owner": str(world["a1bis"]),
        "actions-0-due_on": "2026-06-01",
    }.items():
        form[key] = value
    response = client.post(url, data=form)
    assert response.status_code == 302, page_text(response)
    record_url = response.headers["Location"]
    client.post(
        f"{record_url}/next-meeting",
        data={
            "how": "create",
            "day": "2026-06-24",
            "start_time": "10:00",
            "end_time": "11:30",
            "mode": "video",
        },
    )
    from datetime import UTC, datetime

    from parcours import jobs
    from parcours.core.time import freeze

    with freeze(datetime(2026, 6, 8, 7, 0, tzinfo=UTC)):  # the Monday after: a1bis is late
        assert jobs.send_action_digest(app) == 1
    recipients = {m.to for m in outbox}
    assert {"a1bis@example.org", "a1@example.org"} <= recipients
    assert all(TEAM_SECRET not in m.body and TEAM_SECRET not in m.subject for m in outbox)


def test_the_comite_and_other_cohorts_see_no_record_anywhere(as_role, world, meetings, secret):
    for role in ("committee", "coordinator_b", "b1", "a2"):
        client = as_role(role)
        for url in _pages(world, meetings, secret)[:4]:
            response = client.get(url)
            assert response.status_code in (403, 404), (role, url)
            assert TEAM_SECRET not in response.get_data(as_text=True)
