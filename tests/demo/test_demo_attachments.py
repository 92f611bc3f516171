"""The demo shows a file on one follow-up record and one « belle histoire »."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import DEMO_EMAIL_DOMAIN
from parcours.core.extensions import db
from parcours.suivi.models import Attachment, FollowUpRecord
from tests.conftest import login, page_text

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output


def test_a_record_and_an_entry_carry_a_pdf_their_readers_download(app, demo):
    with app.app_context():
        rows = db.session.scalars(
            select(Attachment).where(
                (Attachment.record_id.is_not(None)) | (Attachment.journal_entry_id.is_not(None))
            )
        ).all()
        record = next(a for a in rows if a.record_id is not None)
        entry = next(a for a in rows if a.journal_entry_id is not None)
        assert record.file.content_type == entry.file.content_type == "application/pdf"
        territory = db.session.get(FollowUpRecord, record.record_id).territory
        catalyseur = territory.catalyseurs[0].user.email
        pages = {
            f"/suivi/records/{record.record_id}": record.id,
            f"/suivi/journal/{entry.journal_entry_id}": entry.id,
        }
    client = app.test_client()
    login(client, catalyseur, PASSWORD)
    page = client.get(f"/suivi/records/{record.record_id}")
    assert "support-forum.pdf" in page_text(page)
    assert client.get(f"/suivi/attachments/{record.id}").data.startswith(b"%PDF")
    coordination = app.test_client()
    login(coordination, f"coordination@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    for url, attachment_id in pages.items():
        assert f'href="/suivi/attachments/{attachment_id}"' in coordination.get(url).get_data(
            as_text=True
        )
