"""The database's version: every committed write changes it, as the transaction's last word."""

import re

from sqlalchemy import delete, select, text, update

from parcours.accounts import throttle
from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core import changes
from parcours.core.changes import DataVersion
from parcours.core.extensions import db
from parcours.jobs.claims import claim_slot, finish_slot
from tests.conftest import EMAILS


def _token() -> str | None:
    return db.session.scalar(select(DataVersion.token))


def _s1(world) -> Event:
    return db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )


def test_a_commit_that_wrote_changes_the_token_and_one_that_read_does_not(ctx, world):
    before = _token()
    assert before is not None and len(before) == 32

    _s1(world).title = "Lancement"
    db.session.commit()
    after = _token()
    assert after != before

    assert db.session.get(User, world["admin"]).email  # a read, then a commit
    db.session.commit()
    assert _token() == after


def test_a_bulk_update_and_a_delete_change_the_token(ctx, world):
    before = _token()
    db.session.execute(update(Event).where(Event.code == "S1").values(title="En masse"))
    db.session.commit()
    middle = _token()
    assert middle != before

    db.session.execute(delete(Event).where(Event.code == "S4"))
    db.session.commit()
    assert _token() not in (before, middle)


def test_a_rollback_keeps_the_token_with_the_data_it_names(ctx, world):
    before = _token()
    _s1(world).title = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    assert _token() == before
    assert _s1(world).title != "Jamais enregistré"


def test_writes_in_text_on_the_connection_and_in_a_begin_block_change_the_token(ctx, world):
    tokens = [_token()]
    db.session.execute(text("UPDATE events SET title = 'En texte' WHERE code = 'S1'"))
    db.session.commit()
    tokens.append(_token())
    db.session.connection().execute(update(Event).where(Event.code == "S2").values(title="Co"))
    db.session.commit()
    tokens.append(_token())
    db.session.connection().exec_driver_sql("DELETE FROM events WHERE code = 'S4'")
    db.session.commit()
    tokens.append(_token())
    with db.session.session_factory() as session, session.begin():
        session.execute(update(Event).where(Event.code == "S3").values(title="Bloc"))
    tokens.append(_token())
    assert len(set(tokens)) == len(tokens) == 5


def test_a_savepoint_does_not_change_the_token_its_transaction_does_at_commit(ctx, world):
    before = _token()
    with db.session.begin_nested():
        _s1(world).title = "Dans un savepoint"
    assert _token() == before  # released, not committed: the token has not moved yet
    db.session.commit()
    assert _token() != before


def test_a_write_rolled_back_to_its_savepoint_still_counts_what_the_transaction_kept(ctx, world):
    before = _token()
    _s1(world).title = "Gardé"
    db.session.flush()
    nested = db.session.begin_nested()
    _s1(world).description = "Annulé"
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert _token() != before
    assert _s1(world).title == "Gardé"


def test_the_new_token_is_the_last_statement_before_the_commit(ctx, world, statement_log):
    _s1(world).title = "Dernier mot"
    with statement_log:
        db.session.commit()
    written = [statement.split(None, 3)[:3] for statement in statement_log.statements]
    assert written[0][:2] == ["UPDATE", "events"]
    assert written[-1] == ["INSERT", "INTO", "data_version"]


def test_the_row_comes_back_when_the_table_was_emptied(ctx, world):
    db.session.execute(delete(DataVersion))
    db.session.commit()
    # Deleting the row was itself a write: the upsert wrote it again.
    assert db.session.scalars(select(DataVersion.id)).all() == [changes.ROW]


def test_a_session_of_its_own_changes_the_token_too(ctx, world):
    before = _token()
    with db.session.session_factory() as session:
        session.execute(update(Event).where(Event.code == "S2").values(title="Ailleurs"))
        session.commit()
    db.session.expire_all()
    assert _token() != before


def test_a_request_reads_the_token_with_the_logged_in_user_in_one_statement(
    login_as, world, statement_log
):
    client = login_as("coordinator")
    with statement_log:
        assert client.get("/account").status_code == 200
    first, *others = statement_log.statements
    assert "FROM users" in first and "data_version" in first
    assert not any("data_version" in statement for statement in others)


def test_the_bookkeeping_tables_are_the_scheduler_claims_the_audit_log_and_the_attempts():
    assert changes.bookkeeping_tables() == {"job_runs", "audit_entries", "throttle_hits"}


def test_writes_to_bookkeeping_alone_keep_the_token_and_with_anything_else_change_it(ctx, world):
    before = _token()
    assert claim_slot("reminders", "2026-12-04T12:00")
    finish_slot("reminders", "2026-12-04T12:00")
    audit.record(AuditAction.REPORT_DOWNLOADED, actor=world["committee"], cohort=world["cohort_a"])
    throttle.take((throttle.LOGIN_ACCOUNT, EMAILS["a1"]))
    db.session.commit()
    assert _token() == before  # a scheduler slot, a download, a failed login: no page moved

    assert claim_slot("reminders", "2026-12-04T12:15")
    _s1(world).title = "Lancement, avec un créneau"
    db.session.commit()
    assert _token() != before  # the same transaction wrote what pages show


def test_a_write_in_text_to_a_bookkeeping_table_still_changes_the_token(ctx, world):
    # Its table is not read from a text(): the version moves rather than guess.
    before = _token()
    db.session.execute(text("DELETE FROM job_runs"))
    db.session.commit()
    assert _token() != before


def test_a_failed_login_keeps_the_pages_every_worker_kept(client, world):
    with client.application.app_context():
        before = _token()
    response = client.post("/login", data={"email": EMAILS["a1"], "password": "pas le bon"})
    assert response.status_code == 401
    with client.application.app_context():
        assert _token() == before


#: Every page kept by the page cache, opened by each role that may see it.
_KEPT_PAGES = {
    "home.index": [(role, "/") for role in ("admin", "coordinator", "coach", "a1", "committee")],
    "agenda.my_agenda": [(role, "/agenda") for role in ("admin", "coordinator", "coach", "a1")],
    "cohorts.overview": [
        (role, "/cohorts/{cohort_a}") for role in ("admin", "coordinator", "committee")
    ],
    "cohorts.my_path": [("a1", "/cohorts/{cohort_a}/my-path")],
    "cohorts.my_territories": [("coach", "/cohorts/{cohort_a}/my-territories")],
    "suivi.belles_histoires": [
        (role, "/cohorts/{cohort_a}/belles-histoires") for role in ("coordinator", "a1")
    ],
    "evaluation.committee": [
        (role, "/cohorts/{cohort_a}/comite") for role in ("coordinator", "committee")
    ],
}


def test_no_kept_page_reads_a_bookkeeping_table(app, world, login_as, query_counter):
    kept = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(getattr(app.view_functions[rule.endpoint], "access", None), "cache_page", False)
    }
    assert kept == set(_KEPT_PAGES), "a page kept by the cache must be opened here"
    tables = re.compile(r"\b(" + "|".join(sorted(changes.bookkeeping_tables())) + r")\b")
    for endpoint, visits in _KEPT_PAGES.items():
        for role, address in visits:
            client = login_as(role)
            with query_counter:
                response = client.get(address.format(**world))
            assert response.status_code == 200, (endpoint, role)
            read = [statement for statement in query_counter.statements if tables.search(statement)]
            assert not read, f"{endpoint} as {role} reads {read}: its page would not be kept right"
