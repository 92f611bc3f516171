"""A suivi form posted after the idle timeout keeps what was typed, for its author only."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.suivi import drafts
from parcours.suivi.models import FormDraft

LONG_NOTE = "Compte rendu très détaillé. " * 400  # far beyond what a cookie holds


def _post(app, form: dict):
    return app.test_request_context("/", method="POST", data=form)


def test_a_posted_form_with_a_valid_token_is_kept_for_the_person_it_names(app, world):
    with app.test_request_context():
        signed = drafts.token(world["coach"], "record:new:1")
    with _post(app, {drafts.TOKEN_FIELD: signed, "notes": LONG_NOTE, "csrf_token": "x"}):
        assert drafts.keep_posted() == "record:new:1"
        db.session.flush()
        restored = drafts.restore(world["coach"], "record:new:1")
        assert restored["notes"] == LONG_NOTE
        assert "csrf_token" not in restored and drafts.TOKEN_FIELD not in restored
        assert drafts.restore(world["a1"], "record:new:1") is None
        assert drafts.restore(world["coach"], "record:new:2") is None


def test_a_second_post_replaces_the_draft_and_multiple_values_survive(app, world):
    with app.test_request_context():
        signed = drafts.token(world["coach"], "record:3")
    # One application context around the requests: they share its database session.
    with app.app_context():
        for notes in ("premier jet", "second jet"):
            form = {drafts.TOKEN_FIELD: signed, "notes": notes, "participants": ["1", "2"]}
            with _post(app, form):
                drafts.keep_posted()
                db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 1
        restored = drafts.restore(world["coach"], "record:3")
        assert restored["notes"] == "second jet"
        assert restored.getlist("participants") == ["1", "2"]


def test_a_forged_or_missing_token_or_an_empty_form_keeps_nothing(app, world):
    with app.test_request_context():
        signed = drafts.token(world["coach"], "record:3")
    with app.app_context():
        for form in (
            {"notes": "sans jeton"},
            {drafts.TOKEN_FIELD: signed[:-2] + "xx", "notes": "jeton altéré"},
            {drafts.TOKEN_FIELD: signed},
        ):
            with _post(app, form):
                assert drafts.keep_posted() is None
        assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0


def test_a_token_older_than_a_day_keeps_nothing(app, world):
    start = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    with freeze(start), app.test_request_context():
        signed = drafts.token(world["coach"], "journal:9")
    late = start + drafts.MAX_AGE + timedelta(minutes=1)
    with freeze(late), _post(app, {drafts.TOKEN_FIELD: signed, "notes": "trop tard"}):
        assert drafts.keep_posted() is None


def test_discard_forgets_and_prune_deletes_day_old_drafts(app, world):
    start = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    with app.app_context():
        with freeze(start):
            for key in ("record:1", "record:2"):
                db.session.add(FormDraft(user_id=world["coach"], form_key=key, data={"n": ["x"]}))
            db.session.flush()
            drafts.discard(world["coach"], "record:1")
            assert drafts.restore(world["coach"], "record:1") is None
            assert drafts.restore(world["coach"], "record:2") is not None
            assert drafts.prune() == 0
        with freeze(start + drafts.MAX_AGE):
            assert drafts.restore(world["coach"], "record:2") is None, "too old to be shown"
            assert drafts.prune() == 1
