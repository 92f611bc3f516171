"""An entry typed past the idle timeout is not lost: shown again after login, then saved."""

from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.suivi.models import FormDraft, JournalEntry
from tests.conftest import login, page_text
from tests.forms import form_values

LONG_STORY = "Nous avons enfin réuni la mairie, deux PME et le centre social. " * 80


def _expire(app, client, url: str, form) -> None:
    """Post ``form`` as if the session had expired: a client nobody is logged in on."""
    response = client.post(url, data=form)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_entry_posted_after_the_timeout_comes_back_after_login(app, login_as, world):
    url = f"/territories/{world['territory_a1']}/suivi/journal/new"
    form = form_values(login_as("a1").get(url))
    form["what_we_did"] = LONG_STORY
    form.setlist("competences", ["D1.2"])
    expired = app.test_client()
    _expire(app, expired, url, form)
    with app.app_context():
        assert db.session.scalar(select(func.count(JournalEntry.id))) == 0
        assert db.session.scalar(select(func.count(FormDraft.id))) == 1
    # Someone else logging in finds nothing of it.
    assert LONG_STORY not in form_values(login_as("a1bis").get(url))["what_we_did"]
    login(expired, "a1@example.org")
    page = expired.get(url)
    assert "affiché à nouveau" in page_text(page)
    restored = form_values(page)
    assert restored["what_we_did"].strip() == LONG_STORY.strip()
    assert restored.getlist("competences") == ["D1.2"]
    assert expired.post(url, data=restored).status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(JournalEntry))
        assert entry.what_we_did == LONG_STORY.strip() and entry.author_id == world["a1"]
        assert db.session.scalar(select(func.count(FormDraft.id))) == 0, "saved: forgotten"


def test_an_edit_posted_after_the_timeout_comes_back_with_its_version(
    app, login_as, world, write_entry
):
    entry_id = write_entry(title="Forum")
    url = f"/suivi/journal/{entry_id}/edit"
    form = form_values(login_as("a1bis").get(url))
    form["what_we_learned"] = LONG_STORY
    expired = app.test_client()
    _expire(app, expired, url, form)
    login(expired, "a1bis@example.org")
    restored = form_values(expired.get(url))
    assert restored["what_we_learned"].strip() == LONG_STORY.strip()
    assert restored["version"] == "1"
    assert expired.post(url, data=restored).status_code == 302
    with app.app_context():
        entry = db.session.get(JournalEntry, entry_id)
        assert entry.what_we_learned == LONG_STORY.strip() and entry.version == 2
        assert db.session.scalar(select(func.count(FormDraft.id))) == 0
