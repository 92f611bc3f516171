"""The demo's carnets de bord: several binômes, every visibility, belles histoires for all."""

from collections import Counter

import pytest
from sqlalchemy import select

from parcours.accounts.models import DEMO_EMAIL_DOMAIN
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.suivi.actions.queries import local_today
from parcours.suivi.models import JournalEntry, Tag
from tests.conftest import login, page_text
from tests.demo import CURRENT_ID

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(CURRENT_ID)


def test_the_demo_has_entries_of_several_territories_across_the_months(app, demo):
    with app.app_context():
        cohort = db.session.get(Cohort, demo)
        entries = db.session.scalars(select(JournalEntry)).all()
        assert len({entry.territory_id for entry in entries}) >= 6
        assert Counter(entry.visibility for entry in entries).keys() == {
            "binome",
            "coach",
            "cohort",
        }
        assert len({(entry.written_on.year, entry.written_on.month) for entry in entries}) >= 3
        assert all(cohort.start_date <= e.written_on < local_today(cohort) for e in entries)
        for entry in entries:
            catalyseurs = {member.user_id for member in entry.territory.catalyseurs}
            assert entry.author_id in catalyseurs
        kinds = Counter(tag.kind for tag in db.session.scalars(select(Tag)))
        assert kinds["thematic"] > 5 and kinds["competence"] > 10


@pytest.mark.parametrize(
    "local",
    [
        "camille.martin",  # a catalyseur of a territory that shared stories
        "anne.lemonnier",  # a catalyseur whose territory shared nothing
        "paul.renard",  # each coach
        "aicha.diallo",
        "coordination",
        "admin",
    ],
)
def test_every_reader_finds_belles_histoires_on_first_login(app, demo, local):
    client = app.test_client()
    login(client, f"{local}@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    page = client.get(f"/cohorts/{demo}/belles-histoires")
    assert page.status_code == 200
    text = page_text(page)
    assert "Le petit-déjeuner des alliances" in text and "Pays de Vierzon" in text
    assert "Aucune belle histoire" not in text


def test_the_committee_reads_no_carnet(app, demo):
    with app.app_context():
        from parcours.cohorts.models import Membership, Role

        member = db.session.scalar(
            select(Membership).where(
                Membership.role == Role.COMMITTEE, Membership.accepted_at.is_not(None)
            )
        )
        email = member.user.email
    client = app.test_client()
    login(client, email, PASSWORD)
    assert client.get(f"/cohorts/{demo}/belles-histoires").status_code == 403
    assert "Carnet de bord" not in page_text(client.get(f"/cohorts/{demo}"))


def test_a_coach_reads_the_carnets_of_the_territories_they_follow(app, demo):
    client = app.test_client()
    login(client, f"paul.renard@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    page = client.get(f"/cohorts/{demo}/my-territories")
    html = page.get_data(as_text=True)
    assert "/suivi/journal" in html
    with app.app_context():
        vierzon = db.session.scalar(
            select(JournalEntry.territory_id).where(
                JournalEntry.title == "Premier tour des acteurs"
            )
        )
    carnet = page_text(client.get(f"/territories/{vierzon}/suivi/journal"))
    assert "Premier tour des acteurs" in carnet  # shared with the coach
    assert "Réunion tendue" not in carnet  # the binôme's own
