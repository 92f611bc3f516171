"""Field-visit report pages: who opens each route, and what each does."""

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.suivi.models import FieldVisitReport, StakeholderMet, Tag
from parcours.suivi.visits.operations import Stakeholder
from tests.conftest import page_text
from tests.forms import form_values
from tests.suivi.visits.conftest import FIELDS, NOT_READERS, READ_ONLY, WRITERS

TYPED = {
    "visited_on": "2026-08-07",
    "places": "Tiers-lieu La Grange",
    "stakeholders-0-kind": "acteurs-economiques",
    "stakeholders-0-name": "Paul Meunier",
    "stakeholders-0-organisation": "Boulangerie coopérative",
    "stakeholders-1-kind": "medias",
    "stakeholders-1-name": "",
    "stakeholders-1-organisation": "Radio Brocéliande",
    "stakeholders-2-kind": "",
    "stakeholders-2-name": "",
    "stakeholders-2-organisation": "",
    "observed": "Une **grange** rénovée par les habitants.",
    "what_works": "Le café associatif.",
    "difficulties": "Les horaires des bus.",
    "thematics": ["T5", "T3"],
    "competences": ["D4.1"],
}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(FieldVisitReport.id)))


def _follow_up(app, world) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Event.id).where(
                Event.territory_id == world["territory_a1"], Event.kind == "follow_up"
            )
        )


# Writing a report from its visit ----------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, visits, make_report):
    report_id = make_report()
    for url in (
        f"/suivi/field-visits/{visits['A2']}/report",
        f"/suivi/visits/{report_id}",
        f"/suivi/visits/{report_id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in (f"/suivi/visits/{report_id}/delete", f"/suivi/visits/{report_id}/restore"):
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", NOT_READERS + READ_ONLY)
def test_only_the_team_opens_the_new_report_form(client_as, visits, role):
    url = f"/suivi/field-visits/{visits['A1']}/report"
    assert client_as(role).get(url).status_code == 403
    assert client_as(role).post(url, data=TYPED).status_code == 403


@pytest.mark.parametrize("role", WRITERS)
def test_the_team_writes_a_report_from_the_visit(app, client_as, world, visits, role):
    client = client_as(role)
    url = f"/suivi/field-visits/{visits['A1']}/report"
    page = client.get(url)
    assert page.status_code == 200
    values = form_values(page)
    with app.app_context():
        event = db.session.get(Event, visits["A1"])
        local_day = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).date()
    assert values["visited_on"] == local_day.isoformat(), "the visit's local date by default"
    response = client.post(url, data=TYPED)
    assert response.status_code == 302, page_text(response)[:800]
    with app.app_context():
        report = db.session.scalar(
            select(FieldVisitReport).where(FieldVisitReport.event_id == visits["A1"])
        )
        assert response.headers["Location"] == f"/suivi/visits/{report.id}"
        assert report.territory_id == world["territory_a1"]
        assert str(report.visited_on) == "2026-08-07"
        assert report.created_by_id == world[role]
        assert [(s.kind, s.name, s.organisation) for s in report.stakeholders] == [
            ("acteurs-economiques", "Paul Meunier", "Boulangerie coopérative"),
            ("medias", "", "Radio Brocéliande"),
        ]
        tags = db.session.scalars(select(Tag).where(Tag.visit_report_id == report.id)).all()
        cohort_version = report.territory.cohort.curriculum_version_id
        assert sorted((t.kind, t.code) for t in tags) == [
            ("competence", "D4.1"),
            ("thematic", "T3"),
            ("thematic", "T5"),
        ]
        assert {t.curriculum_version_id for t in tags} == {cohort_version}


def test_a_second_report_of_the_same_visit_is_not_written(app, client_as, visits, make_report):
    report_id = make_report()
    response = client_as("coach").get(f"/suivi/field-visits/{visits['A1']}/report")
    assert response.headers["Location"] == f"/suivi/visits/{report_id}"
    client_as("coach").post(f"/suivi/field-visits/{visits['A1']}/report", data=TYPED)
    assert _count(app) == 1


def test_only_field_visits_take_a_report(app, client_as, world):
    follow_up = _follow_up(app, world)
    client = client_as("coordinator")
    assert client.get(f"/suivi/field-visits/{follow_up}/report").status_code == 403
    assert client.get("/suivi/field-visits/999999/report").status_code == 404


def test_a_refused_form_keeps_what_was_typed(app, client_as, visits):
    client = client_as("coach")
    typed = {**TYPED, "visited_on": "31/02/2026", "stakeholders-2-name": "Sans type"}
    response = client.post(f"/suivi/field-visits/{visits['A1']}/report", data=typed)
    assert response.status_code == 400
    text = page_text(response)
    assert "Date non reconnue" in text
    assert "Choisissez le type de partie prenante." in text
    values = form_values(response)
    assert values["observed"].strip() == TYPED["observed"]
    assert values["stakeholders-0-name"] == "Paul Meunier"
    assert values.getlist("thematics") == ["T3", "T5"]
    assert values["stakeholders-2-name"] == "Sans type"
    assert _count(app) == 0


# Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_READERS)
def test_others_read_nothing_of_a_report(client_as, make_report, role):
    report_id = make_report()
    assert client_as(role).get(f"/suivi/visits/{report_id}").status_code == 403


@pytest.mark.parametrize("role", READ_ONLY + WRITERS)
def test_the_binome_and_the_team_read_the_whole_report(client_as, make_report, role):
    report_id = make_report()
    response = client_as(role).get(f"/suivi/visits/{report_id}")
    assert response.status_code == 200
    text = page_text(response)
    for expected in (
        "Tiers-lieu La Grange",
        "Pouvoirs publics",
        "Mme Le Maire — Commune de Plélan",
        "Conseil départemental",
        "Citoyens",
        "Jeanne — Collectif des habitants",
        "Tiers lieux & dialogue territorial",
        "D4.2",
        "Le transport en commun manque.",
    ):
        assert expected in text, expected
    html = response.get_data(as_text=True)
    assert "<strong>atelier</strong>" in html, "Markdown rendered"
    assert "<li>la cantine partagée</li>" in html
    # Stakeholders grouped by type: both « pouvoirs publics » under one heading.
    assert (
        text.index("Pouvoirs publics")
        < text.index("Conseil départemental")
        < text.index("Citoyens")
    )
    assert ("Modifier" in text) == (role in WRITERS)


def test_a_missing_report_is_404(client_as):
    assert client_as("coordinator").get("/suivi/visits/999999").status_code == 404


# Editing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_READERS + READ_ONLY)
def test_only_the_team_edits(client_as, make_report, role):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    assert client_as(role).get(url).status_code == 403
    assert client_as(role).post(url, data=TYPED).status_code == 403


@pytest.mark.parametrize("role", WRITERS)
def test_the_team_edits_a_report(app, client_as, make_report, role):
    report_id = make_report()
    client = client_as(role)
    url = f"/suivi/visits/{report_id}/edit"
    values = form_values(client.get(url))
    assert values["stakeholders-0-name"] == "Mme Le Maire"
    assert values["stakeholders-3-name"] == "", "blank rows after the filled ones"
    assert values.getlist("competences") == ["D4.2"]
    values["difficulties"] = "Les bus, toujours."
    values["stakeholders-1-name"] = ""
    values["stakeholders-1-organisation"] = ""
    values.setlist("competences", ["D4.2", "D1.2"])
    response = client.post(url, data=values)
    assert response.status_code == 302
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert report.difficulties == "Les bus, toujours."
        assert [s.name for s in report.stakeholders] == ["Mme Le Maire", ""]
        assert report.version == 2
        tags = db.session.scalars(select(Tag.code).where(Tag.visit_report_id == report_id))
        assert sorted(tags) == ["D1.2", "D4.2", "T5"]
        assert db.session.scalar(select(func.count(StakeholderMet.id))) == 2


def test_an_edit_keeps_the_types_and_tags_the_curriculum_no_longer_lists(
    app, client_as, make_report
):
    retired = replace(
        FIELDS,
        stakeholders=[Stakeholder("ancien-type", "Mme Le Maire", "Commune de Plélan")],
        thematics=["T5", "T-ancienne"],
        competences=["D4.2", "D9.9"],
    )
    report_id = make_report(fields=retired)
    client = client_as("coach")
    url = f"/suivi/visits/{report_id}/edit"
    values = form_values(client.get(url))
    assert values["stakeholders-0-kind"] == "ancien-type"
    assert sorted(values.getlist("thematics")) == ["T-ancienne", "T5"]
    values["difficulties"] = "Les bus, toujours."
    response = client.post(url, data=values)
    assert response.status_code == 302
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert [s.kind for s in report.stakeholders] == ["ancien-type"]
        tags = db.session.scalars(select(Tag.code).where(Tag.visit_report_id == report_id))
        assert sorted(tags) == ["D4.2", "D9.9", "T-ancienne", "T5"]


def test_a_save_that_changes_nothing_says_so(app, client_as, make_report):
    report_id = make_report()
    client = client_as("coach")
    url = f"/suivi/visits/{report_id}/edit"
    response = client.post(url, data=form_values(client.get(url)), follow_redirects=True)
    assert "Aucune modification." in page_text(response)
    with app.app_context():
        assert db.session.get(FieldVisitReport, report_id).version == 1


# Deleting and restoring ---------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_READERS + READ_ONLY)
def test_only_the_team_deletes(app, client_as, make_report, role):
    report_id = make_report()
    assert client_as(role).post(f"/suivi/visits/{report_id}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(FieldVisitReport, report_id).deleted_at is None


def test_a_deleted_report_is_hidden_from_the_binome_and_restored_by_a_coordinator(
    app, client_as, world, make_report, caplog
):
    report_id = make_report()
    coach = client_as("coach")
    caplog.set_level("INFO", logger="parcours.suivi.visits.operations")
    response = coach.post(f"/suivi/visits/{report_id}/delete")
    assert response.headers["Location"] == f"/territories/{world['territory_a1']}"
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert report.deleted_at is not None and report.deleted_by_id == world["coach"]
    assert f"Visit report {report_id} deleted by user {world['coach']}" in caplog.text

    # Kept, hidden: the binôme no longer reads it, the team still does (and may not edit it).
    assert client_as("a1").get(f"/suivi/visits/{report_id}").status_code == 403
    assert "Visite du 6 août 2026" not in page_text(
        client_as("a1").get(f"/territories/{world['territory_a1']}")
    )
    page = coach.get(f"/suivi/visits/{report_id}")
    assert page.status_code == 200 and "Ce compte rendu est supprimé" in page_text(page)
    assert "Restaurer" not in page_text(page), "a coach does not restore"
    assert coach.get(f"/suivi/visits/{report_id}/edit").status_code == 403
    assert coach.post(f"/suivi/visits/{report_id}/restore").status_code == 403
    for role in ("a1", "committee", "coordinator_b", "outsider"):
        assert client_as(role).post(f"/suivi/visits/{report_id}/restore").status_code == 403

    coordinator = client_as("coordinator")
    assert "Restaurer" in page_text(coordinator.get(f"/suivi/visits/{report_id}"))
    assert coordinator.post(f"/suivi/visits/{report_id}/restore").status_code == 302
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert report.deleted_at is None and report.deleted_by_id is None
    assert f"Visit report {report_id} restored by user {world['coordinator']}" in caplog.text
    assert client_as("a1").get(f"/suivi/visits/{report_id}").status_code == 200


def test_a_report_not_deleted_is_not_restored(client_as, make_report):
    report_id = make_report()
    assert client_as("coordinator").post(f"/suivi/visits/{report_id}/restore").status_code == 403


# Where reports show: the territory's page, the visit's page ----------------------------------


@pytest.mark.parametrize("role", READ_ONLY + WRITERS)
def test_the_territory_page_lists_its_reports(client_as, world, make_report, role):
    report_id = make_report()
    make_report("A2")
    response = client_as(role).get(f"/territories/{world['territory_a1']}")
    html = response.get_data(as_text=True)
    assert f"/suivi/visits/{report_id}" in html
    text = page_text(response)
    assert "Comptes rendus de visite de terrain" in text and "Visite du 6 août 2026" in text
    assert "3 parties prenantes rencontrées" in text
    assert html.count("/suivi/visits/") == 1, "not territory A2's"


def test_visits_still_to_report_are_offered_to_the_team_only(client_as, world, visits):
    url = f"/suivi/field-visits/{visits['A1']}/report"
    coach_page = client_as("coach").get(f"/territories/{world['territory_a1']}")
    assert url in coach_page.get_data(as_text=True)
    assert "Visites à rapporter" in page_text(coach_page)
    binome_page = client_as("a1").get(f"/territories/{world['territory_a1']}")
    assert url not in binome_page.get_data(as_text=True)
    assert "Aucun compte rendu de visite pour l'instant." in page_text(binome_page)


def test_the_visit_page_offers_the_report_then_shows_it(client_as, visits, make_report):
    event_url = f"/events/{visits['A1']}"
    new_url = f"/suivi/field-visits/{visits['A1']}/report"
    assert new_url in client_as("coach").get(event_url).get_data(as_text=True)
    binome = client_as("a1").get(event_url).get_data(as_text=True)
    assert new_url not in binome and "Voir le compte rendu" not in binome
    report_id = make_report()
    for role in ("coach", "a1"):
        html = client_as(role).get(event_url).get_data(as_text=True)
        assert f"/suivi/visits/{report_id}" in html and "Voir le compte rendu" in html
        assert new_url not in html


def test_other_events_get_no_report_button(app, client_as, world):
    html = client_as("coach").get(f"/events/{_follow_up(app, world)}").get_data(as_text=True)
    assert "Compte rendu de visite" not in html


def test_a_cancelled_visit_takes_no_report(app, client_as, world, visits):
    from parcours.agenda.models import EventStatus

    with app.app_context():
        db.session.get(Event, visits["A1"]).status = EventStatus.CANCELLED
        db.session.commit()
    client = client_as("coach")
    assert client.get(f"/suivi/field-visits/{visits['A1']}/report").status_code == 403
    page = client.get(f"/territories/{world['territory_a1']}")
    assert f"/suivi/field-visits/{visits['A1']}/report" not in page.get_data(as_text=True)


def test_a_report_whose_visit_is_gone_is_still_listed(app, client_as, world, make_report):
    report_id = make_report()
    with app.app_context():
        db.session.get(FieldVisitReport, report_id).event_id = None
        db.session.commit()
    page = client_as("a1").get(f"/territories/{world['territory_a1']}")
    assert f"/suivi/visits/{report_id}" in page.get_data(as_text=True)
    assert client_as("a1").get(f"/suivi/visits/{report_id}").status_code == 200
