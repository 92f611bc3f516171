"""Erasure on request: the page says what will go, the operation does exactly that, once; the
cohort's figures and its frozen packs stay as they were; only administrators reach it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, func, select

from parcours.accounts.models import User
from parcours.audit.models import AuditAction, AuditEntry
from parcours.cohorts.models import Cohort, Membership
from parcours.competences.models import Assessment, AssessmentEvidence, AssessmentRating
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import (
    CommitteePack,
    FinalAttestation,
    PackErasure,
    SurveyAnswer,
)
from parcours.evaluation.packs.gather import gather as gather_pack
from parcours.evaluation.packs.operations import generate_pack
from parcours.outbox.models import OutboxMessage
from parcours.privacy import erasure, retention
from parcours.privacy.personal_data import gather
from parcours.suivi.models import JournalEntry
from tests.conftest import PASSWORD, ROLES, page_text
from tests.privacy.conftest import (
    ANONYMOUS_TEXT,
    ANSWERED_AT,
    PARTNER_TESTIMONY,
    PARTNER_TITLE,
    PRIVATE_TITLE,
    STORY_TEXT,
    STORY_TITLE,
    TESTIMONY,
)

#: What only a1 wrote or is: none of it may be left anywhere once a1 is erased.
A1_TRACES = (
    "a1@example.org",
    STORY_TITLE,
    PRIVATE_TITLE,
    TESTIMONY,
    "Le forum en est la preuve.",
    "forum.png",
)
LATER = ANSWERED_AT + timedelta(days=3)


def _url(full, key="a1") -> str:
    return f"/mes-donnees/personnes/{full.world[key]}/effacer"


def _confirm(admin, full, email="a1@example.org", reason="request_email"):
    return admin.post(_url(full), data={"reason": reason, "email": email})


def _text_columns():
    for table in db.metadata.sorted_tables:
        if table.name == "audit_entries":
            continue  # its details never hold a name, an address or a text (tests/audit)
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def _where_found(trace: str) -> list[str]:
    """Every table.column that still holds ``trace`` somewhere in a row."""
    found = []
    for table, column in _text_columns():
        value = func.cast(column, Text) if isinstance(column.type, JSON) else column
        hit = db.session.scalar(
            select(func.count()).select_from(table).where(value.contains(trace, autoescape=True))
        )
        if hit:
            found.append(f"{table.name}.{column.name}")
    return found


def _figures(cohort_id: int):
    cohort = db.session.get(Cohort, cohort_id)
    data = gather_pack(cohort, PackKind.FINAL, now=LATER)
    composition = [
        (t.id, t.status, len(t.catalyseurs), t.coach) for t in data.composition.territories
    ]
    return data.participation, data.competences, composition


def test_the_page_says_what_will_go_before_anything_goes(app, login_as, full):
    admin = login_as("admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(JournalEntry))
    page = admin.get(_url(full))
    assert page.status_code == 200
    text = page_text(page)
    assert "Effacer les données de Catalyseur A1" in text
    for row in (
        "Entrées du carnet de bord 2 leurs textes sont remplacés",
        "Présences 3 gardées pour les taux de présence",
        "Auto-évaluations et appréciations 1 les niveaux sont gardés",
        # The binôme's consensus draft a1 saved stays with a1bis: none of a1's own is left.
        "Brouillons d'auto-évaluation 0 rien à effacer",
        "Réponses aux questionnaires nominatifs 4 les nombres et les choix sont gardés",
        "Attestations de fin de parcours 1 supprimées",
        "Fichiers déposés (pièces jointes, photos) 1 supprimés",  # the photo, not its thumbnail
        "Comptes rendus de visite rédigés 0 rien à effacer",
    ):
        assert row in text, row
    assert "recopiez l'adresse e-mail" in text and "a1@example.org" in text
    with app.app_context():
        assert db.session.get(User, full.world["a1"]).erased_at is None
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_the_preview_counts_what_the_erasure_handles(app, full):
    with app.test_request_context():
        person = db.session.get(User, full.world["a1"])
        counted = {line.step.key: line.count for line in erasure.preview(person)}
        done = erasure.erase_person(person, by=None, reason="request_email")
        assert done == counted
        assert counted["journal_entries"] == 2 and counted["attendance"] == 3
        assert counted["emails"] == 4 and counted["files"] == 1


def test_erasing_a1_leaves_nothing_that_names_or_quotes_them(app, login_as, full):
    admin = login_as("admin")
    with app.app_context():
        theirs_before = {trace: _where_found(trace) for trace in (PARTNER_TITLE, PARTNER_TESTIMONY)}
        assert _where_found(STORY_TEXT)  # the test finds what is there
    response = _confirm(admin, full)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{full.world['a1']}")
    with app.test_request_context():
        for trace in A1_TRACES:
            assert _where_found(trace) == [], trace
        # Others' data is untouched, and so is a1's anonymous answer (nothing links it).
        for trace, where in theirs_before.items():
            assert _where_found(trace) == where, trace
        assert _where_found(ANONYMOUS_TEXT) == ["survey_answers.text"]
        person = db.session.get(User, full.world["a1"])
        assert person.full_name == "Personne effacée" and person.organisation == ""
        assert person.email.endswith("@parcours.invalid") and person.password_hash is None
        assert not person.active and person.erased_at is not None
        assert person.last_login_at is None and person.invitation_sent_at is None
        data = gather(person)
        entries = data.sections["journal_entries"]
        assert {e["title"] for e in entries} == {"contenu supprimé"}
        assert {e["what_we_did"] for e in entries} == {"contenu supprimé"}
        assert all(e["visibility"] != "cohort" for e in entries)
        assert data.sections["attestations"] == [] and data.sections["files"] == []
        assert data.sections["assessment_drafts"] == [] and data.sections["form_drafts"] == []
        assert all(m["body"] == "" for m in data.sections["emails"])
        [response_] = data.sections["survey_answers"]
        texts = {a["code"]: (a["number"], a["text"]) for a in response_["answers"]}
        assert texts["IMPACT_INNOVATION"] == (4, "")
        assert texts["TEMOIGNAGE"] == (None, "contenu supprimé")
        [assessment] = data.sections["assessments"]
        assert assessment["ratings"][0] == {
            "code": "D0.1",
            "level": 3,
            "comment": "",
            "evidence": [],
        }
        assert db.session.scalar(select(func.count()).select_from(AssessmentEvidence)) == 0


def test_the_cohort_figures_stay_the_same(app, full):
    with app.test_request_context(), freeze(LATER):
        before = _figures(full.world["cohort_a"])
        person = db.session.get(User, full.world["a1"])
        erasure.erase_person(person, by=None, reason="request_email")
        after = _figures(full.world["cohort_a"])
    assert after == before
    participation, competences, composition = after
    assert participation.sessions and competences and composition


def test_a_frozen_pack_is_kept_as_written_and_notes_the_erasure(app, login_as, full):
    with app.test_request_context(), freeze(LATER):
        cohort = db.session.get(Cohort, full.world["cohort_a"])
        coordinator = db.session.get(User, full.world["coordinator"])
        pack = generate_pack(cohort, PackKind.FINAL, by=coordinator, now=LATER)
        db.session.commit()
        pack_id, sha = pack.id, pack.sha256
    response = _confirm(login_as("admin"), full)
    assert response.status_code == 302
    with app.app_context():
        kept = db.session.get(CommitteePack, pack_id)
        assert kept.sha256 == sha
        [note] = db.session.scalars(select(PackErasure)).all()
        assert (note.pack_id, note.user_id) == (pack_id, full.world["a1"])
    packs = login_as("coordinator").get(f"/cohorts/{full.world['cohort_a']}/comite/dossiers")
    assert "1 personne effacée depuis" in page_text(packs)
    assert "ce dossier figé n'est pas réécrit" in page_text(packs)


def test_the_erasure_is_audited_without_a_name(app, login_as, full):
    _confirm(login_as("admin"), full, reason="request_post")
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.PERSON_ERASED)
        ).all()
        assert (entry.actor_id, entry.subject_id) == (full.world["admin"], full.world["a1"])
        assert entry.details["reason"] == "request_post"
        assert entry.details["journal_entries"] == 2
        assert "Catalyseur" not in str(entry.details) and "@" not in str(entry.details)


def test_the_erased_person_can_no_longer_log_in_nor_be_reactivated(app, login_as, full):
    session = login_as("a1")
    assert session.get("/mes-donnees").status_code == 200
    _confirm(login_as("admin"), full)
    assert session.get("/mes-donnees").status_code == 302  # their session ended
    refused = app.test_client().post(
        "/login", data={"email": "a1@example.org", "password": PASSWORD}
    )
    assert refused.status_code != 302
    admin = login_as("admin")
    page = admin.get(f"/admin/users/{full.world['a1']}")
    text = page_text(page)
    assert "personne effacée" in text and "Réactiver le compte" not in text
    assert "Effacer ses données" not in text
    with app.test_request_context():
        from parcours.accounts import operations as accounts

        person = db.session.get(User, full.world["a1"])
        with pytest.raises(accounts.AccountError):
            accounts.reactivate_user(person, by=db.session.get(User, full.world["admin"]))


def test_a_wrong_address_erases_nothing_and_keeps_the_choice(app, login_as, full):
    response = _confirm(login_as("admin"), full, email="a1bis@example.org", reason="request_post")
    assert response.status_code == 400
    text = page_text(response)
    assert "Cette adresse n'est pas celle de la personne" in text
    assert 'value="a1bis@example.org"' in response.get_data(as_text=True)
    assert '<option selected value="request_post">' in response.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(User, full.world["a1"])
        assert person.erased_at is None and person.full_name == "Catalyseur A1"
        assert db.session.scalar(select(func.count()).select_from(FinalAttestation)) == 1


def test_an_unknown_reason_is_refused(app, login_as, full):
    response = _confirm(login_as("admin"), full, reason="because")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, full.world["a1"]).erased_at is None


def test_a_second_erasure_is_refused(app, login_as, full):
    admin = login_as("admin")
    assert _confirm(admin, full).status_code == 302
    with app.app_context():
        email = db.session.get(User, full.world["a1"]).email
    again = _confirm(admin, full, email=email)
    assert again.status_code == 409
    assert "Cette personne a déjà été effacée." in page_text(again)


@pytest.mark.parametrize("key", ["admin"])
def test_an_administrator_is_not_erased_even_by_themselves(app, login_as, full, key):
    admin = login_as("admin")
    page = admin.get(_url(full, key))
    assert page.status_code == 200
    assert "Vous ne pouvez pas effacer votre propre compte." in page_text(page)
    assert 'name="email"' not in page.get_data(as_text=True)
    with app.test_request_context():
        person = db.session.get(User, full.world[key])
        assert erasure.refusal(person, None).startswith("Un compte d'administration")
        with pytest.raises(erasure.ErasureError):
            erasure.erase_person(person, by=None, reason="retention")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_nobody_but_an_administrator_reaches_it(app, login_as, full, role):
    client = login_as(role)
    assert client.get(_url(full)).status_code == 403
    assert client.post(_url(full), data={"email": "a1@example.org"}).status_code in (400, 403)
    with app.app_context():
        assert db.session.get(User, full.world["a1"]).erased_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, full):
    assert client.get(_url(full)).status_code == 302
    assert "/login" in client.get(_url(full)).headers["Location"]


def test_an_unknown_person_is_404(login_as, full):
    assert login_as("admin").get("/mes-donnees/personnes/999999/effacer").status_code == 404


def test_the_person_page_links_to_the_erasure(login_as, full):
    page = login_as("admin").get(f"/admin/users/{full.world['a1']}")
    assert f'href="{_url(full)}"' in page.get_data(as_text=True)


def test_the_retention_purge_erases_whoever_left_long_enough_ago(app, full):
    with app.test_request_context():
        cohort_a = db.session.get(Cohort, full.world["cohort_a"])
        cohort_b = db.session.get(Cohort, full.world["cohort_b"])
        years = app.config["PARCOURS_RETENTION_COHORT_YEARS"]
        a_ends = datetime.combine(cohort_a.end_date, datetime.min.time(), UTC)
        b_ends = datetime.combine(cohort_b.end_date, datetime.min.time(), UTC)
        only_a = set(
            db.session.scalars(
                select(Membership.user_id).where(Membership.cohort_id == cohort_a.id)
            )
        ) - set(
            db.session.scalars(
                select(Membership.user_id).where(Membership.cohort_id == cohort_b.id)
            )
        )
        # The platform's staff stay: an administrator erases them on request, not the purge.
        staff = set(db.session.scalars(select(User.id).where(User.can_create_cohorts)))
        assert full.world["coordinator"] in only_a & staff
        only_a -= staff
        just_before = a_ends.replace(year=a_ends.year + years) - timedelta(days=1)
        due = {d.category.key: d.count for d in retention.due(just_before)}
        assert due["cohort"] == 0
        after_a = a_ends.replace(year=a_ends.year + years) + timedelta(days=2)
        assert after_a < b_ends.replace(year=b_ends.year + years)
        due = {d.category.key: d.count for d in retention.due(after_a)}
        assert due["cohort"] == len(only_a) > 0
        counts = retention.purge(after_a)
        assert counts["cohort"] == len(only_a)
        erased = set(db.session.scalars(select(User.id).where(User.erased_at.is_not(None))))
        assert erased == only_a
        assert full.world["admin"] not in erased and full.world["outsider"] not in erased
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.PERSON_ERASED)
        ).all()
        assert {e.subject_id for e in entries} == only_a
        assert {e.actor_id for e in entries} == {None}
        assert {e.details["reason"] for e in entries} == {"retention"}
        assert retention.due(after_a)[-1].count == 0  # once


def test_what_an_erasure_leaves_counts_in_the_survey_results(app, full):
    with app.test_request_context():
        numbers = select(func.count()).where(
            SurveyAnswer.number.is_not(None), SurveyAnswer.response_id.is_not(None)
        )
        before = db.session.scalar(numbers)
        erasure.erase_person(db.session.get(User, full.world["a1"]), by=None, reason="retention")
        assert db.session.scalar(numbers) == before
        ratings = select(func.count()).select_from(AssessmentRating)
        assert db.session.scalar(ratings) > 0
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
        to_a1 = select(func.count()).where(OutboxMessage.recipient == "a1@example.org")
        assert db.session.scalar(to_a1) == 0


def test_no_attestation_is_listed_or_issued_for_an_erased_person(app, full):
    from parcours.evaluation.attestations import operations as attestations
    from parcours.evaluation.attestations.queries import cohort_attestations
    from tests.evaluation.attestations.conftest import AFTER

    with app.test_request_context(), freeze(AFTER):
        cohort = db.session.get(Cohort, full.world["cohort_a"])
        before = {row.member.user_id for row in cohort_attestations(cohort)}
        assert full.world["a1"] in before
        erasure.erase_person(db.session.get(User, full.world["a1"]), by=None, reason="retention")
        assert {row.member.user_id for row in cohort_attestations(cohort)} == before - {
            full.world["a1"]
        }
        member = db.session.scalars(
            select(Membership).where(Membership.user_id == full.world["a1"])
        ).one()
        with pytest.raises(attestations.AttestationRefused):
            attestations.issue(cohort, member, by=None)
        issued = attestations.issue_all(cohort, by=None)
        assert full.world["a1"] not in {a.user_id for a in issued}
