"""The carnet de bord on « Mon parcours », a territory, « Mes territoires », the dashboard."""

from datetime import date, timedelta

from tests.conftest import page_text


def _three_entries(write_entry):
    write_entry(visibility="binome", title="Entre nous deux", written_on=date(2026, 4, 1))
    write_entry(visibility="coach", title="Avec notre coach", written_on=date(2026, 4, 8))
    write_entry(visibility="cohort", title="Notre belle histoire", written_on=date(2026, 4, 15))


def test_my_path_shows_the_binomes_latest_entries_and_a_new_entry_button(
    login_as, world, write_entry
):
    _three_entries(write_entry)
    write_entry(visibility="binome", title="La plus ancienne", written_on=date(2026, 3, 10))
    page = login_as("a1bis").get(f"/cohorts/{world['cohort_a']}/my-path")
    text = page_text(page)
    section = text.split("Carnet de bord", 1)[1]
    for title in ("Notre belle histoire", "Avec notre coach", "Entre nous deux"):
        assert title in section
    assert "La plus ancienne" not in section, "the latest three only"
    assert section.index("Notre belle histoire") < section.index("Entre nous deux")
    html = page.get_data(as_text=True)
    assert f'href="/territories/{world["territory_a1"]}/suivi/journal/new"' in html
    assert f'href="/territories/{world["territory_a1"]}/suivi/journal"' in html
    assert f'href="/cohorts/{world["cohort_a"]}/belles-histoires"' in html


def test_another_territorys_my_path_shows_its_own_carnet_only(login_as, world, write_entry):
    _three_entries(write_entry)
    text = page_text(login_as("a2").get(f"/cohorts/{world['cohort_a']}/my-path"))
    assert "Carnet de bord" in text and "Notre belle histoire" not in text
    assert "quelques lignes suffisent pour commencer" in text


def test_the_territory_page_shows_each_reader_the_entries_they_read(login_as, world, write_entry):
    _three_entries(write_entry)
    url = f"/territories/{world['territory_a1']}"
    coach = page_text(login_as("coach").get(url))
    assert "Avec notre coach" in coach and "Notre belle histoire" in coach
    assert "Entre nous deux" not in coach and "Nouvelle entrée" not in coach
    coordinator = page_text(login_as("coordinator").get(url))
    assert "Notre belle histoire" in coordinator
    assert "Avec notre coach" not in coordinator and "Entre nous deux" not in coordinator
    assert "Entre nous deux" in page_text(login_as("a1").get(url))


def test_a_coach_finds_belles_histoires_and_the_carnets_they_follow(login_as, world):
    page = login_as("coach").get(f"/cohorts/{world['cohort_a']}/my-territories")
    html = page.get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}/belles-histoires"' in html
    assert f'href="/territories/{world["territory_a1"]}/suivi/journal"' in html
    assert f'href="/territories/{world["territory_a2"]}/suivi/journal"' not in html


def test_the_dashboard_links_belles_histoires_for_the_coordination_not_the_committee(
    login_as, world
):
    url = f"/cohorts/{world['cohort_a']}"
    link = f'href="/cohorts/{world["cohort_a"]}/belles-histoires"'
    assert link in login_as("coordinator").get(url).get_data(as_text=True)
    committee = login_as("committee").get(url)
    assert committee.status_code == 200
    assert link not in committee.get_data(as_text=True)
    assert "Carnet de bord" not in page_text(committee)


def _fill(write_entry, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        territory, author = (("territory_a1", "a1"), ("territory_a2", "a2"))[n % 2]
        write_entry(
            territory=territory,
            author=author,
            visibility=("binome", "coach", "cohort")[n % 3] if n % 2 == 0 else "cohort",
            title=f"Entrée {n}",
            written_on=date(2026, 3, 5) + timedelta(days=n),
            thematics=("T1", "T2"),
            competences=("D1.1", "D2.2", "D7.1"),
        )


def test_the_pages_keep_the_same_number_of_queries_as_entries_grow(
    login_as, world, write_entry, query_counter
):
    pages = {
        "a1": [
            f"/territories/{world['territory_a1']}/suivi/journal",
            f"/territories/{world['territory_a1']}/suivi/journal?competence=D1.1",
            f"/cohorts/{world['cohort_a']}/belles-histoires",
            f"/cohorts/{world['cohort_a']}/belles-histoires?thematic=T1&competence=D2.2",
            f"/cohorts/{world['cohort_a']}/my-path",
        ],
        "coach": [
            f"/territories/{world['territory_a1']}/suivi/journal",
            f"/territories/{world['territory_a1']}",
            f"/cohorts/{world['cohort_a']}/belles-histoires",
        ],
    }
    clients = {role: login_as(role) for role in pages}

    def counts() -> dict[str, int]:
        found = {}
        for role, urls in pages.items():
            for url in urls:
                clients[role].get(url)  # warm: the curriculum is parsed once per process
                with query_counter as counter:
                    assert clients[role].get(url).status_code == 200
                found[f"{role} {url}"] = counter.count
        return found

    _fill(write_entry, 3)  # every reader reads at least one entry of every list
    once = counts()
    _fill(write_entry, 27, start=3)  # 10×
    assert counts() == once
