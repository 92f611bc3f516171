"""« Mes données »: the gathering (exact, fixed queries), the renderers, the downloads."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.audit.models import AuditAction, AuditEntry
from parcours.audit.operations import record
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.privacy.personal_data import SECTIONS, gather
from parcours.privacy.personal_data_render import to_html, to_json
from parcours.suivi.models import JournalVisibility
from tests.competences.factories import inside, open_campaign, submit_self
from tests.conftest import ROLES, page_text
from tests.evaluation.attestations.conftest import attend, event
from tests.privacy.conftest import (
    ACTION,
    ANONYMOUS_TEXT,
    ANSWERED_AT,
    PARTNER_TESTIMONY,
    PARTNER_TITLE,
    PRIVATE_TITLE,
    RECORD_NOTES,
    STORY_TEXT,
    STORY_TITLE,
    TESTIMONY,
    _entry,
)

APRIL_10 = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)


def _of(rows, *keys):
    return [tuple(row[key] for key in keys) for row in rows]


@pytest.fixture
def a1_data(full, ctx):
    return gather(db.session.get(User, full.world["a1"]))


def test_the_account_holds_no_secret(a1_data, full):
    account = a1_data.account
    assert account["email"] == "a1@example.org"
    assert account["full_name"] == "Catalyseur A1"
    assert account["has_password"] is True
    user = db.session.get(User, full.world["a1"])
    exported = to_json(a1_data).decode()
    assert user.password_hash not in exported and user.session_token not in exported
    assert "password_hash" not in exported and "session_token" not in exported


def test_every_section_holds_exactly_what_concerns_a1(a1_data):
    s = a1_data.sections
    assert list(s) == list(SECTIONS)
    assert _of(s["memberships"], "cohort", "role", "territory") == [
        ("Cohorte A", "catalyseur", "Territoire A1")
    ]
    assert s["removals"] == [] and s["coached_territories"] == []
    assert _of(s["attendance"], "day", "half", "status") == [
        (date(2026, 4, 1), "am", "present"),
        (date(2026, 4, 1), "pm", "present"),
        (date(2026, 6, 10), "am", "present"),
    ]
    [assessment] = s["assessments"]
    assert (assessment["moment"], assessment["viewpoint"], assessment["revision"]) == (
        "MID",
        "self",
        1,
    )
    first = assessment["ratings"][0]
    assert first == {
        "code": "D0.1",
        "level": 3,
        "comment": "Le forum en est la preuve.",
        "evidence": [{"kind": "journal", "title": STORY_TITLE, "url": ""}],
    }
    assert all(r["level"] is None for r in assessment["ratings"][1:])
    [draft] = s["assessment_drafts"]
    assert (draft["moment"], draft["viewpoint"]) == ("MID", "consensus")
    assert draft["data"]["ratings"]["D0.1"]["level"] == 2
    assert _of(s["journal_entries"], "title", "visibility", "shared_at", "tags") == [
        (STORY_TITLE, "cohort", APRIL_10, ["thematic:T1"]),
        (PRIVATE_TITLE, "binome", None, ["thematic:T1"]),
    ]
    assert s["journal_entries"][0]["what_we_did"] == STORY_TEXT
    assert s["follow_up_records"] == [] and s["field_visits"] == [] and s["dynamics"] == []
    assert _of(s["action_items"], "title", "owner", "written_by_me") == [(ACTION, True, False)]
    assert sorted(_of(s["files"], "filename", "content_type")) == [
        ("forum (miniature).jpg", "image/jpeg"),
        ("forum.png", "image/png"),
    ]
    [response] = s["survey_answers"]
    assert response["survey"] == "Évaluation de fin de parcours"
    assert response["submitted_at"] == ANSWERED_AT
    assert _of(response["answers"], "code", "number", "text", "consent") == [
        ("IMPACT_INNOVATION", 4, "", None),
        ("IMPACT_PERFORMANCE", 3, "", None),
        ("IMPACT_CONFIANCE", 5, "", None),
        ("TEMOIGNAGE", None, TESTIMONY, "named"),
    ]
    assert _of(s["survey_invitations"], "anonymous", "answered") == [(True, True), (False, True)]
    assert _of(s["attestations"], "cohort", "number") == [("Cohorte A", 1)]
    assert s["pack_downloads"] == [] and s["form_drafts"] == []
    assert sorted(m["subject"] for m in s["emails"]) == [
        "Auto-évaluation ouverte : Auto-évaluation à mi-parcours",
        "Une action pour vous : Relancer la communauté de communes",
        "À vous de répondre : Questionnaire à chaud — Session 1 — Panorama des partenariats et "
        "fragilités territoriales",
        "À vous de répondre : Évaluation de fin de parcours",
    ]
    assert all(m["body"].startswith("Bonjour Catalyseur A1,") for m in s["emails"])
    # Her invitation to the cohort (by the coordinator, as the world was built), then the entry
    # the fixture wrote about her.
    assert _of(s["audit"], "action", "as_actor", "as_subject", "at") == [
        ("membership.added", False, True, datetime(2026, 2, 2, 9, 0, tzinfo=UTC)),
        ("role.changed", False, True, ANSWERED_AT),
    ]


def test_nobody_elses_data_appears(a1_data):
    exported = to_json(a1_data).decode()
    for foreign in (
        PARTNER_TITLE,  # the binôme partner's own entry
        PARTNER_TESTIMONY,  # another catalyseur's testimony
        ANONYMOUS_TEXT,  # an anonymous answer names nobody, not even its author
        RECORD_NOTES,  # the coach's record (a1 owns one of its actions only)
        "Catalyseur A2",
        "a2@example.org",
        "Cohorte B",
    ):
        assert foreign not in exported


def test_the_coach_finds_the_record_they_wrote(full, ctx):
    data = gather(db.session.get(User, full.world["coach"]))
    assert _of(data.sections["follow_up_records"], "territory", "notes") == [
        ("Territoire A1", RECORD_NOTES)
    ]
    assert _of(data.sections["action_items"], "title", "owner", "written_by_me") == [
        (ACTION, False, True)
    ]
    assert _of(data.sections["coached_territories"], "territory") == [("Territoire A1",)]
    assert data.sections["journal_entries"] == []


def test_gathering_runs_the_same_queries_whatever_the_amount(full, ctx, query_counter):
    a1 = db.session.get(User, full.world["a1"])
    with query_counter:
        gather(a1)
    before = query_counter.count
    # More of everything: another self-assessment, entries, attendance, e-mails, audit entries.
    with freeze(inside(full.world["cohort_a"], "END")):
        submit_self(open_campaign(full.world["cohort_a"], "END", full.world["coordinator"]), a1.id)
    territory = db.session.get(Territory, full.world["territory_a1"])
    for n in range(3):
        _entry(territory, a1, f"Encore {n}", JournalVisibility.COHORT)
        record(AuditAction.ROLE_CHANGED, actor=full.world["coordinator"], subject=a1)
    attend(event(full.world["cohort_a"], "S3"), a1.id)
    db.session.flush()
    with query_counter:
        data = gather(a1)
    assert len(data.sections["assessments"]) == 2 and len(data.sections["journal_entries"]) == 5
    assert query_counter.count == before
    # Nothing at all: the eager loads of empty lists are skipped, never more.
    with query_counter:
        gather(db.session.get(User, full.world["outsider"]))
    assert query_counter.count <= before


def test_renderers_never_touch_the_database(a1_data, query_counter):
    with query_counter:
        content = to_json(a1_data)
        html = to_html(a1_data, person_name="Catalyseur A1")
    assert query_counter.count == 0
    parsed = json.loads(content)
    assert parsed["account"]["email"] == "a1@example.org"
    assert parsed["journal_entries"][0]["shared_at"] == "2026-04-10T08:00:00+00:00"
    text = html.decode()
    assert "<script" not in text and "<link" not in text
    assert STORY_TITLE in text and TESTIMONY in text and ANONYMOUS_TEXT not in text
    assert "Carnet de bord et belles histoires (2)" in text


# -- Pages and downloads --------------------------------------------------------------------


def _downloads(subject_id):
    return db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.PERSONAL_DATA_DOWNLOADED.value,
            AuditEntry.subject_id == subject_id,
        )
    ).all()


def test_the_account_page_links_to_my_data(login_as, world):
    page = login_as("a1").get("/account").get_data(as_text=True)
    assert 'href="/mes-donnees"' in page


@pytest.mark.parametrize("role", ROLES)
def test_everyone_logged_in_has_my_data(login_as, role):
    response = login_as(role).get("/mes-donnees")
    assert response.status_code == 200
    assert "Télécharger (JSON)" in page_text(response)


def test_anonymous_visitors_are_sent_to_login(client, world):
    assert client.get("/mes-donnees").status_code == 302
    response = client.post("/mes-donnees/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/mes-donnees/personnes/{world['a1']}/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("fmt", "mimetype"), [("json", "application/json"), ("html", "text/html; charset=utf-8")]
)
def test_a_person_downloads_their_data_and_it_is_audited(app, login_as, full, fmt, mimetype):
    response = login_as("a1").post(f"/mes-donnees/export.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype.split(";")[0]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=mes-donnees")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert TESTIMONY in response.get_data(as_text=True)
    with app.app_context():
        [entry] = _downloads(full.world["a1"])
        assert (entry.actor_id, entry.details) == (full.world["a1"], {"format": fmt})


def test_a_download_is_a_post(login_as, world):
    assert login_as("a1").get("/mes-donnees/export.json").status_code == 405


def test_an_administrator_downloads_a_persons_data(app, login_as, full):
    admin = login_as("admin")
    page = admin.get(f"/admin/users/{full.world['a1']}").get_data(as_text=True)
    assert f"/mes-donnees/personnes/{full.world['a1']}/export.html" in page
    response = admin.post(f"/mes-donnees/personnes/{full.world['a1']}/export.json")
    assert response.status_code == 200
    assert json.loads(response.data)["account"]["email"] == "a1@example.org"
    with app.app_context():
        [entry] = _downloads(full.world["a1"])
        assert entry.actor_id == full.world["admin"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_nobody_else_downloads_a_persons_data(app, login_as, world, role):
    target = world["a1"] if role != "a1" else world["a2"]
    response = login_as(role).post(f"/mes-donnees/personnes/{target}/export.json")
    assert response.status_code == 403
    with app.app_context():
        assert _downloads(target) == []


def test_an_unknown_person_is_a_404(login_as, world):
    assert login_as("admin").post("/mes-donnees/personnes/999999/export.json").status_code == 404
