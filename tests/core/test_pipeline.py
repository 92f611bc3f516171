"""The request pipeline: login, loading (404), access (403), one commit, GET never writes.

The first test reads the real URL map; the others run probe views on an application of their
own, so that each step is checked on its own.
"""

from datetime import date

import pytest
from flask import Blueprint, abort, redirect
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.pipeline import ANYONE, LOGGED_IN, Rollback, handles, is_handled
from parcours.curricula.models import CurriculumVersion
from tests.conftest import login

#: The pages anyone may open without logging in. Adding one is a decision: add it here.
PUBLIC_ENDPOINTS = {
    "health.healthz",
    "accounts.login",
    "accounts.choose_language",
    "accounts.forgot_password",
    "accounts.accept_invitation",  # the link carries a one-time signed token
    "accounts.reset_password",  # idem
    "agenda.calendar_feed",  # the address carries the feed's secret token
    # The link printed on an attestation de fin de parcours (and its QR code): anyone it is
    # shown to checks it exists and is unchanged. The token is 256 random bits; the page shows
    # only the issue date, the programme and the SHA-256, and stores nothing.
    "evaluation.verify_attestation",
    # The privacy notice: what is kept, how long, and one's rights, before any account exists.
    "privacy.privacy_notice",
}


def test_every_endpoint_goes_through_the_pipeline(app):
    outside = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not is_handled(app.view_functions[rule.endpoint])
    )
    assert outside == [], "views that skip the pipeline: " + ", ".join(outside)
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and app.view_functions[rule.endpoint].access.anonymous
    }
    assert public == PUBLIC_ENDPOINTS


def test_every_url_value_is_loaded_or_used_by_the_view(app):
    """An id in a URL is loaded by the pipeline (404 when absent), never by the view itself."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = app.view_functions[rule.endpoint].access
        for argument in rule.arguments - set(access.reads):
            if isinstance(rule._converters[argument], AnyConverter):
                continue  # a choice among fixed values (export.<csv|xlsx>), not an object
            # Left to the view: a token (the credential itself, checked by the view), and the
            # person an attestation or an attendance record is for (looked up after the access
            # check, see their views).
            assert (rule.endpoint, argument) in {
                ("accounts.accept_invitation", "token"),
                ("accounts.reset_password", "token"),
                ("attendance.attestation", "user_id"),
                ("attendance.participant_record", "user_id"),
                ("evaluation.issue_attestation", "user_id"),
            }, f"{rule.endpoint}: <{argument}> is not loaded by the pipeline"


def _new_user(email: str) -> None:
    db.session.add(User(email=email, full_name="Sonde"))
    db.session.flush()


def _count(application, email: str) -> int:
    with application.app_context():
        return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def _probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__)

    def is_admin(user) -> bool:
        return user.is_admin

    def cohort_named(cohort_id: int, name: str):
        cohort = db.session.get(Cohort, cohort_id)
        return cohort if cohort is not None and cohort.name == name else None

    def sees_cohort(user, cohort) -> bool:
        return cohort.name != "Secrète"

    @bp.get("/probe/open")
    @handles(allow=ANYONE)
    def open_page():
        return "open"

    @bp.get("/probe/mine")
    @handles(allow=LOGGED_IN)
    def mine():
        return "mine"

    @bp.get("/probe/admin")
    @handles(allow=is_admin)
    def admin_only():
        return "admin"

    @bp.get("/probe/cohorts/<int:cohort_id>/<name>")
    @handles(load={"cohort": cohort_named}, allow=sees_cohort)
    def cohort_page(cohort):
        return f"cohort {cohort.name}"

    @bp.get("/probe/get-writes")
    @handles(allow=ANYONE)
    def get_writes():
        _new_user("get@example.org")
        return "wrote"

    @bp.post("/probe/<int:status>/<email>")
    @handles(allow=ANYONE)
    def post_writes(status: int, email: str):
        _new_user(email)
        if status == 500:
            raise RuntimeError("the operation failed half-way")
        if status == 404:
            abort(404)
        if status == 409:
            raise Rollback(redirect("/probe/open"))
        return "done", status

    @bp.post("/probe/counted/<email>")
    @handles(allow=ANYONE, commit_failures=True)
    def counted(email: str):
        _new_user(email)
        return "refused, but counted", 401

    return bp


@pytest.fixture
def probe(app, make_app, create_user):
    application = make_app()
    application.register_blueprint(_probe_blueprint())
    create_user("admin@example.org", admin=True)
    create_user("ana@example.org")
    return application


@pytest.fixture
def probe_cohorts(probe, curriculum_version):
    version_id = curriculum_version()
    with probe.test_request_context():
        creator = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        version = db.session.get(CurriculumVersion, version_id)
        ids = {}
        for name in ("Ouverte", "Secrète"):
            cohort = cohort_ops.create_cohort(
                version=version, name=name, start_date=date(2026, 3, 2), created_by=creator
            )
            ids[name] = cohort.id
        db.session.commit()
    return ids


def test_anonymous_visitors_are_sent_to_login_unless_the_page_is_open(probe):
    client = probe.test_client()
    assert client.get("/probe/open").status_code == 200
    for path in ("/probe/mine", "/probe/admin"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_the_rule_decides_between_200_and_403(probe):
    ana = probe.test_client()
    login(ana, "ana@example.org")
    assert ana.get("/probe/mine").status_code == 200
    assert ana.get("/probe/admin").status_code == 403
    admin = probe.test_client()
    login(admin, "admin@example.org")
    assert admin.get("/probe/admin").get_data(as_text=True) == "admin"


def test_loaders_answer_404_before_the_rule_and_hand_objects_to_it(probe, probe_cohorts):
    ana = probe.test_client()
    login(ana, "ana@example.org")
    ouverte, secrete = probe_cohorts["Ouverte"], probe_cohorts["Secrète"]
    assert ana.get(f"/probe/cohorts/{ouverte}/Ouverte").get_data(as_text=True) == ("cohort Ouverte")
    assert ana.get(f"/probe/cohorts/{ouverte}/Autre").status_code == 404  # loader said None
    assert ana.get("/probe/cohorts/999999/Ouverte").status_code == 404
    assert ana.get(f"/probe/cohorts/{secrete}/Secrète").status_code == 403  # loaded, refused


def test_a_successful_post_commits_once(probe):
    client = probe.test_client()
    assert client.post("/probe/200/ok@example.org").status_code == 200
    assert client.post("/probe/302/moved@example.org").status_code == 302
    assert _count(probe, "ok@example.org") == 1
    assert _count(probe, "moved@example.org") == 1


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_failed_post_leaves_nothing_behind(probe, status):
    client = probe.test_client()
    assert client.post(f"/probe/{status}/failed@example.org").status_code == status
    assert _count(probe, "failed@example.org") == 0


def test_an_error_in_the_middle_of_an_operation_rolls_everything_back(probe):
    probe.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page is served
    client = probe.test_client()
    assert client.post("/probe/500/half@example.org").status_code == 500
    assert _count(probe, "half@example.org") == 0


def test_a_view_may_roll_back_and_still_answer(probe):
    response = probe.test_client().post("/probe/409/conflict@example.org")
    assert (response.status_code, response.headers["Location"]) == (302, "/probe/open")
    assert _count(probe, "conflict@example.org") == 0


def test_a_failure_that_must_be_counted_is_kept(probe):
    assert probe.test_client().post("/probe/counted/try@example.org").status_code == 401
    assert _count(probe, "try@example.org") == 1


def test_a_get_that_writes_is_a_bug_that_fails_in_tests_and_is_rolled_back(probe, caplog):
    with caplog.at_level("ERROR", logger="parcours.core.errors"):
        assert probe.test_client().get("/probe/get-writes").status_code == 500
    assert "GET /probe/get-writes wrote to the database" in caplog.text
    assert _count(probe, "get@example.org") == 0


def test_in_production_a_get_that_writes_is_logged_and_rolled_back(probe, caplog):
    probe.testing = False
    with caplog.at_level("ERROR", logger="parcours.core.pipeline"):
        assert probe.test_client().get("/probe/get-writes").status_code == 200
    assert _count(probe, "get@example.org") == 0
    assert "GET /probe/get-writes wrote to the database" in caplog.text


def _reading_probe() -> Blueprint:
    from parcours.audit import operations as audit
    from parcours.audit.models import AuditAction

    bp = Blueprint("reading_probe", __name__)

    @bp.get("/probe/download/<int:status>")
    @handles(allow=ANYONE)
    def download(status: int):
        audit.record(AuditAction.EXPORTED, object_type="probe", details={"format": "csv"})
        return "file", status

    @bp.get("/probe/download-and-write")
    @handles(allow=ANYONE)
    def download_and_write():
        audit.record(AuditAction.EXPORTED, object_type="probe")
        _new_user("sneaky@example.org")
        return "file"

    return bp


def _probe_entries(application) -> int:
    from parcours.audit.models import AuditEntry

    with application.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.object_type == "probe")
        )


def test_a_get_may_log_that_it_was_read_and_nothing_else(probe, caplog):
    probe.register_blueprint(_reading_probe())
    client = probe.test_client()
    assert client.get("/probe/download/200").status_code == 200
    assert _probe_entries(probe) == 1
    assert client.get("/probe/download/400").status_code == 400  # a refused download: no trace
    assert _probe_entries(probe) == 1
    with caplog.at_level("ERROR", logger="parcours.core.errors"):
        assert client.get("/probe/download-and-write").status_code == 500
    assert "GET /probe/download-and-write wrote to the database" in caplog.text
    assert (_probe_entries(probe), _count(probe, "sneaky@example.org")) == (1, 0)
