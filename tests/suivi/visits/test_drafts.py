"""A visit report typed past the idle timeout is shown again after the login, then saved."""

from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.suivi.models import FieldVisitReport, FormDraft
from tests.conftest import PASSWORD, page_text
from tests.forms import form_values

IDLE = timedelta(minutes=120)  # PARCOURS_IDLE_TIMEOUT_MINUTES, as the test app has it
LONG_NOTE = "Nous avons vu la grange, puis le marché, puis l'école. " * 200


def _later(monkeypatch, delay: timedelta) -> None:
    """Let ``delay`` pass for the session cookie: the next request comes from nobody."""
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: real(self) + int(delay.total_seconds())
    )


def _expire_then_log_in_again(client, monkeypatch, url: str, data) -> None:
    _later(monkeypatch, IDLE + timedelta(minutes=5))
    response = client.post(url, data=data)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    assert "Votre session a expiré" in page_text(client.get(login_url))
    back = client.post(login_url, data={"email": "coach@example.org", "password": PASSWORD})
    assert back.headers["Location"] == url


def _drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(FormDraft.id)))


@pytest.mark.parametrize("existing", [False, True], ids=["new", "edit"])
def test_a_report_posted_after_the_timeout_comes_back_after_the_login(
    app, login_as, visits, make_report, monkeypatch, existing
):
    client = login_as("coach")
    if existing:
        report_id = make_report()
        url = f"/suivi/visits/{report_id}/edit"
    else:
        url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["observed"] = LONG_NOTE
    data["stakeholders-0-kind"] = "medias"
    data["stakeholders-0-organisation"] = "Le Petit Journal de Brocéliande"
    _expire_then_log_in_again(client, monkeypatch, url, data)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(FieldVisitReport.id)).where(
                    FieldVisitReport.observed == LONG_NOTE
                )
            )
            == 0
        ), "nothing saved for a visitor nobody knows"

    page = client.get(url)
    assert "affiché à nouveau : vérifiez-le, puis enregistrez" in page_text(page)
    again = form_values(page)
    assert again["observed"].strip() == LONG_NOTE.strip()
    assert again["stakeholders-0-organisation"] == "Le Petit Journal de Brocéliande"
    assert _drafts(app) == 1, "kept until it is saved"

    assert client.post(url, data=again).status_code == 302
    with app.app_context():
        report = db.session.scalar(
            select(FieldVisitReport).where(FieldVisitReport.event_id == visits["A1"])
        )
        assert report.observed == LONG_NOTE.strip()
        assert report.stakeholders[0].organisation == "Le Petit Journal de Brocéliande"
    assert _drafts(app) == 0, "the save discards the draft"


def test_someone_else_logging_in_does_not_get_the_draft(app, login_as, visits, monkeypatch):
    client = login_as("coach")
    url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["observed"] = LONG_NOTE
    _expire_then_log_in_again(client, monkeypatch, url, data)
    page = login_as("coordinator").get(url)
    assert LONG_NOTE[:40] not in page.get_data(as_text=True)
