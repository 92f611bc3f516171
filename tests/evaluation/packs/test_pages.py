"""The coordinator's pack page and the editorial: who opens them, what they show, conflicts."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import PackDownload, PackEditorial
from parcours.evaluation.packs.sections import packs_section
from tests.conftest import ROLES, page_text
from tests.evaluation.packs.helpers import GENERATED_AT, stored_pack

MANAGERS = {"cohort_a": {"admin", "coordinator"}, "cohort_b": {"admin", "coordinator_b"}}


def _url(world, cohort="cohort_a"):
    return f"/cohorts/{world[cohort]}/comite/dossiers"


def _editorial_data(kind="midway", version="0", **parts):
    data = {f"{kind}-version": version}
    for part in ("highlights", "concerns", "recommendations"):
        data[f"{kind}-{part}"] = parts.get(part, "")
    return data


def _stored(app) -> tuple[str, int]:
    """Read the one editorial in a context of its own (not the clients' requests')."""
    with app.test_request_context():
        editorial = db.session.scalars(select(PackEditorial)).one()
        return editorial.highlights, editorial.updated_by_id


@pytest.fixture
def packs(app, world):
    """Two launch versions and one mid-way version of cohort A, one download of the first."""
    with app.test_request_context():
        first = stored_pack(world["cohort_a"], "launch", 1, by_id=world["coordinator"])
        stored_pack(world["cohort_a"], "launch", 2, by_id=world["coordinator"])
        stored_pack(world["cohort_a"], "midway", 1, by_id=world["admin"])
        db.session.add(
            PackDownload(
                pack_id=first.id,
                user_id=world["committee"],
                variant="full",
                downloaded_at=GENERATED_AT,
            )
        )
        db.session.commit()
        return first.id


@pytest.mark.parametrize("cohort", ["cohort_a", "cohort_b"])
@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_run_the_cohort_open_its_pack_page(login_as, world, role, cohort):
    response = login_as(role).get(_url(world, cohort))
    assert response.status_code == (200 if role in MANAGERS[cohort] else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_run_the_cohort_save_an_editorial(login_as, world, role, ctx):
    response = login_as(role).post(
        f"{_url(world)}/midway/editorial", data=_editorial_data(highlights="Fait")
    )
    allowed = role in MANAGERS["cohort_a"]
    assert response.status_code == (302 if allowed else 403)
    saved = db.session.scalars(select(PackEditorial.highlights)).all()
    assert saved == (["Fait"] if allowed else [])


def test_anonymous_visitors_are_sent_to_login(client, world, packs):
    for response in (
        client.get(_url(world)),
        client.post(f"{_url(world)}/midway/editorial", data=_editorial_data()),
        client.post(f"{_url(world)}/midway/generer"),
    ):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_page_lists_each_meeting_with_its_form_and_versions(login_as, world, packs):
    with freeze(GENERATED_AT):
        response = login_as("coordinator").get(_url(world))
    text = page_text(response)
    for label in ("Dossier de lancement", "Dossier de mi-parcours", "Dossier de bilan"):
        assert label in text
    for label in ("Faits marquants", "Points d'attention", "Recommandations"):
        assert label in text
    assert "Générer la version 3" in text  # launch has two versions
    assert "Générer la version 2" in text and "Générer la version 1" in text
    # Generated at 15:30 UTC, 16:30 in Paris; by whom; its data's date.
    assert "16:30" in text and "Coordination A" in text and "données au 06/03/2026" in text
    # The final meeting is ahead: a pack generated now says its data's day.
    assert "ne s'est pas encore réuni" in text
    # The log: the committee member downloaded launch v1 in full.
    assert "Comité A" in text and "complet" in text
    html = response.get_data(as_text=True)
    assert f"/comite/dossiers/{packs}/donnees.xlsx" in html
    assert f"/comite/dossiers/{packs}/donnees.csv" in html


def test_the_page_without_any_pack(login_as, world):
    text = page_text(login_as("coordinator").get(_url(world)))
    assert text.count("Aucune version générée.") == 3
    assert "Aucun dossier n'a encore été téléchargé." in text


def test_an_editorial_is_saved_then_updated_from_its_version(login_as, world, ctx):
    coordinator = login_as("coordinator")
    with freeze(GENERATED_AT):
        response = coordinator.post(
            f"{_url(world)}/midway/editorial",
            data=_editorial_data(highlights="  Onze territoires engagés  ", concerns="Le temps"),
        )
    assert response.status_code == 302 and response.headers["Location"].endswith("#midway")
    editorial = db.session.scalars(select(PackEditorial)).one()
    assert (editorial.kind, editorial.highlights, editorial.concerns) == (
        "midway",
        "Onze territoires engagés",
        "Le temps",
    )
    assert editorial.updated_by_id == world["coordinator"] and editorial.version == 1
    response = coordinator.post(
        f"{_url(world)}/midway/editorial",
        data=_editorial_data(version="1", highlights="Douze", recommendations="Essaimer"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    editorial = db.session.scalars(select(PackEditorial)).one()
    assert (editorial.highlights, editorial.concerns, editorial.recommendations) == (
        "Douze",
        "",
        "Essaimer",
    )
    assert editorial.version == 2
    text = page_text(coordinator.get(_url(world)))
    assert "Douze" in text and "Enregistré le" in text


def test_a_stale_editorial_is_a_conflict_that_keeps_what_was_typed(app, login_as, world):
    coordinator, admin = login_as("coordinator"), login_as("admin")
    assert (
        admin.post(
            f"{_url(world)}/midway/editorial", data=_editorial_data(highlights="Version admin")
        ).status_code
        == 302
    )
    # The coordinator's page showed no editorial yet (version 0).
    response = coordinator.post(
        f"{_url(world)}/midway/editorial", data=_editorial_data(highlights="Ma version")
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification" in text
    assert "Version admin" in text and "Ma version" in text
    html = response.get_data(as_text=True)
    assert 'name="midway-version" type="hidden" value="1"' in html
    assert _stored(app) == ("Version admin", world["admin"])
    # Saving again, from the stored version, is deliberate.
    response = coordinator.post(
        f"{_url(world)}/midway/editorial",
        data=_editorial_data(version="1", highlights="Ma version"),
    )
    assert response.status_code == 302
    assert _stored(app) == ("Ma version", world["coordinator"])


def test_a_too_long_editorial_is_refused_with_what_was_typed(login_as, world, ctx):
    typed = "x" * 10_001
    response = login_as("coordinator").post(
        f"{_url(world)}/launch/editorial", data=_editorial_data("launch", concerns=typed)
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "10000 caractères au plus." in text or "10 000 caractères au plus." in text
    assert typed in text
    assert db.session.scalars(select(PackEditorial)).all() == []


def test_an_unknown_kind_or_cohort_is_not_found(login_as, world, curriculum_version):
    coordinator = login_as("coordinator")
    assert coordinator.get("/cohorts/999999/comite/dossiers").status_code == 404
    assert coordinator.post(f"{_url(world)}/other/editorial").status_code == 404
    assert coordinator.post(f"{_url(world)}/other/generer").status_code == 404


def test_the_dashboard_links_the_packs_for_coordinators_and_the_committee(
    app, login_as, world, packs
):
    overview = f"/cohorts/{world['cohort_a']}"
    coordinator = page_text(login_as("coordinator").get(overview))
    assert "Dossiers du comité d'orientation" in coordinator
    assert "version 2 du 6 mars 2026" in coordinator
    committee = login_as("committee").get(overview).get_data(as_text=True)
    assert f'/cohorts/{world["cohort_a"]}/comite"' in committee
    assert '/comite/dossiers"' not in committee
    # Others never see the dashboard; the block would have nothing for them either.
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        for role in ("coach", "a1", "coordinator_b"):
            viewer = db.session.get(User, world[role])
            assert packs_section("overview", cohort=cohort, viewer=viewer) is None
        coordinator_user = db.session.get(User, world["coordinator"])
        assert packs_section("my_path", cohort=cohort, viewer=coordinator_user) is None


@pytest.mark.parametrize(
    ("locale", "launch", "final"),
    [
        ("fr", "Dossier de lancement — version 2 du 6 mars 2026", "Dossier de bilan — pas encore"),
        ("en", "Launch pack — version 2 of March 6, 2026", "Final pack — not generated yet"),
    ],
)
def test_the_dashboard_names_each_packs_latest_version_in_the_readers_language(
    app, login_as, world, packs, locale, launch, final
):
    """« Launch pack : version 2 » wrote the French space before a colon in English."""
    with app.test_request_context():
        db.session.get(User, world["coordinator"]).locale = locale
        db.session.commit()
    text = page_text(login_as("coordinator").get(f"/cohorts/{world['cohort_a']}"))
    assert launch in text and final in text
    assert " :" not in text.split(launch)[0][-30:]


def test_the_page_reads_the_database_in_a_fixed_number_of_queries(
    app, login_as, world, packs, query_counter
):
    coordinator = login_as("coordinator")
    with query_counter:
        coordinator.get(_url(world))
    few = query_counter.count
    with app.test_request_context():
        for number in range(3, 8):
            pack = stored_pack(world["cohort_a"], "launch", number, by_id=world["admin"])
            for _ in range(3):
                db.session.add(
                    PackDownload(pack_id=pack.id, user_id=world["admin"], variant="pseudonymised")
                )
        stored_pack(world["cohort_a"], "final", 1, by_id=world["coordinator"])
        db.session.commit()
    coordinator.post(f"{_url(world)}/midway/editorial", data=_editorial_data(highlights="A"))
    coordinator.post(f"{_url(world)}/launch/editorial", data=_editorial_data("launch"))
    with query_counter:
        response = coordinator.get(_url(world))
    assert response.status_code == 200
    assert query_counter.count == few
