"""Two people saving the same visit report: the second one gets both versions, loses nothing."""

from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.suivi.models import FieldVisitReport
from tests.conftest import page_text
from tests.forms import form_values


def _open_twice(login_as, url):
    first, second = login_as("coach"), login_as("coordinator")
    return (first, form_values(first.get(url))), (second, form_values(second.get(url)))


def test_a_save_over_a_newer_version_is_a_conflict_with_both_versions(app, login_as, make_report):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["what_works"] = "La cantine, et le marché du jeudi."
    first_form["stakeholders-3-kind"] = "academique"
    first_form["stakeholders-3-name"] = "Pr Martin"
    assert first.post(url, data=first_form).status_code == 302

    second_form["difficulties"] = "Les bus, et le parking."
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    # Both versions, field by field: what this user typed, then the stored one.
    assert (
        "Ce qui fonctionne - la cantine partagée - le marché La cantine, et le marché du jeudi."
        in text
    )
    assert "Ce qui est difficile Les bus, et le parking. Le transport en commun manque." in text
    assert "Conseil départemental Monde académique et de la formation · Pr Martin" in text
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert report.what_works == "La cantine, et le marché du jeudi."
        assert report.difficulties == "Le transport en commun manque."
        stored_version = report.version
    again = form_values(response)
    assert again["difficulties"].strip() == "Les bus, et le parking."
    assert again["version"] == str(stored_version)

    # Saving the conflict page applies it on purpose, over the version now shown.
    again["what_works"] = "La cantine, et le marché du jeudi."
    assert second.post(url, data=again).status_code == 302
    with app.app_context():
        report = db.session.get(FieldVisitReport, report_id)
        assert report.what_works == "La cantine, et le marché du jeudi."
        assert report.difficulties == "Les bus, et le parking."


def test_a_change_of_the_people_met_alone_is_a_new_version(app, login_as, make_report):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["stakeholders-0-name"] = "M. le Maire"
    assert first.post(url, data=first_form).status_code == 302
    second_form["places"] = "La grange seulement"
    assert second.post(url, data=second_form).status_code == 409


def test_a_save_without_its_version_is_a_conflict(app, login_as, make_report):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    client = login_as("coach")
    data = form_values(client.get(url))
    del data["version"]
    data["places"] = "Ailleurs"
    assert client.post(url, data=data).status_code == 409


def test_two_first_reports_of_one_visit_make_one_and_a_conflict(app, login_as, visits, make_report):
    url = f"/suivi/field-visits/{visits['A1']}/report"
    client = login_as("coach")
    typed = form_values(client.get(url))
    typed["observed"] = "Ma version de la visite."
    report_id = make_report()  # the coordinator saved first, while the coach was typing
    response = client.post(url, data=typed)
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    assert "Ma version de la visite." in text and "Un **atelier** très suivi." in text
    # The page is now an edit of the stored report: saving it again merges on purpose.
    edit_url = f"/suivi/visits/{report_id}/edit"
    again = form_values(response, edit_url)
    assert again["observed"].strip() == "Ma version de la visite."
    assert client.post(edit_url, data=again).status_code == 302
    with app.app_context():
        reports = db.session.scalars(
            select(FieldVisitReport).where(FieldVisitReport.event_id == visits["A1"])
        ).all()
        assert [(r.id, r.observed) for r in reports] == [(report_id, "Ma version de la visite.")]


def test_a_first_report_that_loses_the_race_at_flush_is_a_conflict(
    app, login_as, visits, make_report, monkeypatch
):
    from parcours.suivi.visits import queries

    url = f"/suivi/field-visits/{visits['A1']}/report"
    client = login_as("coach")
    typed = form_values(client.get(url))
    typed["observed"] = "Ma version de la visite."
    report_id = make_report()
    real = queries.report_of_event
    calls = []

    def not_yet(event_id):  # the other save commits between this check and the flush
        calls.append(event_id)
        return None if len(calls) == 1 else real(event_id)

    monkeypatch.setattr(queries, "report_of_event", not_yet)
    response = client.post(url, data=typed)
    assert response.status_code == 409
    assert "Ma version de la visite." in page_text(response)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(FieldVisitReport.id)).where(FieldVisitReport.event_id == visits["A1"])
        )
        assert count == 1
    assert report_id
