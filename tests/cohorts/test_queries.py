"""Pages keep a constant number of SQL queries as a cohort grows (no N+1)."""

from datetime import date

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts import operations
from parcours.cohorts.models import Cohort, Role
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail


def _grow(app, world, start: int, count: int) -> None:
    """Add ``count`` accepted territories, each with a binôme and the coach, to cohort A."""
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        coach = db.session.get(User, world["coach"])
        for n in range(start, start + count):
            territory = operations.add_territory(
                cohort,
                name=f"Territoire {n:03}",
                region="R",
                department="D",
                kind="rural",
                carrier_structure="S",
                carrier_type="public",
                status="accepted",
                status_reason="",
            )
            operations.assign_coach(territory, coach)
            for k in (1, 2):
                operations.add_catalyseur(
                    territory,
                    email=f"t{n}-{k}@example.org",
                    full_name=f"P {n} {k}",
                    organisation="",
                    invited_by=coordinator,
                )
        for n in range(start, start + count):
            operations.add_member(
                cohort,
                role=Role.COMMITTEE,
                email=f"c{n}@example.org",
                full_name=f"C {n}",
                organisation="",
                invited_by=coordinator,
            )
        operations.create_cohort(
            version=cohort.curriculum_version,
            name=f"Autre {start}",
            start_date=date(2027, 1, 4),
            created_by=coordinator,
        )
        db.session.commit()


def _count(client, query_counter, url) -> int:
    with query_counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return query_counter.count


#: The issue's budget for a main page.
MAX_QUERIES = 10
#: While a campaign is open, a start page also reads where the viewer's answers stand (the
#: assessment moments are one query in any case): one statement for every block together.
MAX_QUERIES_IN_A_CAMPAIGN = MAX_QUERIES + 1
#: « Mon parcours » also lists the surveys the catalyseur is invited to (évaluation): one query.
SURVEYS_ON_MY_PATH = 1


def _budget(url: str, budget: int) -> int:
    return budget + SURVEYS_ON_MY_PATH if url.endswith("/my-path") else budget


def test_page_query_counts_do_not_grow_with_the_cohort(app, login_as, world, query_counter):
    cohort = world["cohort_a"]
    # The main page of each role (and a few others), as the benchmark measures them.
    pages = {
        "admin": ["/", "/agenda", f"/cohorts/{cohort}"],
        "coordinator": [
            "/",
            "/agenda",
            f"/cohorts/{cohort}",
            f"/cohorts/{cohort}/members",
            f"/territories/{world['territory_a1']}",
        ],
        "coach": ["/", f"/cohorts/{cohort}/my-territories"],
        "a1": ["/", f"/cohorts/{cohort}/my-path", "/agenda"],
        "committee": ["/", f"/cohorts/{cohort}"],
    }
    clients = {role: login_as(role) for role in pages}
    for role, urls in pages.items():
        if "/agenda" in urls:
            clients[role].get("/agenda")  # the feed token is created on the first visit

    def measure():
        return {
            (role, url): _count(clients[role], query_counter, url)
            for role, urls in pages.items()
            for url in urls
        }

    _grow(app, world, 0, 3)
    small = measure()
    _grow(app, world, 100, 12)
    large = measure()
    assert large == small
    over = {page: count for page, count in large.items() if count > _budget(page[1], MAX_QUERIES)}
    assert not over, over


def test_pages_never_load_the_curriculum_data(login_as, world, query_counter):
    """The curriculum is parsed once per process: pages read the version row, not its JSON."""
    client = login_as("coordinator")
    with query_counter:
        for url in ("/", f"/cohorts/{world['cohort_a']}", f"/territories/{world['territory_a1']}"):
            assert client.get(url).status_code == 200
    statements = query_counter.statements
    assert any("curriculum_versions" in statement for statement in statements)
    assert not [s for s in statements if "curriculum_versions.data" in s]


def test_territory_lists_hold_each_territory_with_its_people_and_coach(app, world):
    from parcours.cohorts import queries
    from parcours.cohorts.models import Territory

    _grow(app, world, 0, 2)
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coach = db.session.get(User, world["coach"])
        a2 = db.session.get(Territory, world["territory_a2"])
        a2.status, a2.status_reason = "refused", "Calendrier"
        db.session.flush()

        def shown(territories):
            return [
                (
                    t.id,
                    t.name,
                    t.region,
                    str(t.kind_label),
                    str(t.status_label),
                    t.status_reason,
                    str(t.carrier_type_label),
                    t.is_binome,
                    [(m.id, m.user.full_name, m.user.email) for m in t.catalyseurs],
                    t.coach.full_name if t.coach else None,
                )
                for t in territories
            ]

        models = db.session.scalars(
            select(Territory).where(Territory.cohort_id == cohort.id).order_by(Territory.name)
        ).all()
        overview = queries.cohort_overview(cohort)
        assert shown(overview.territories) == shown(models)
        assert (overview.participants, overview.binomes, overview.accepted) == (7, 3, 3)
        assert shown(queries.peer_territories(cohort)) == shown(
            [t for t in models if t.status == "accepted"]
        )
        assert shown(queries.coached_territories(cohort, coach)) == shown(
            [t for t in models if t.coach_id == coach.id]
        )
        db.session.rollback()


def _campaign_opened(app, world):
    """Open cohort A's T0 campaign with a1's answer and their binôme's consensus; return a
    moment inside it (the demo's state on first login)."""
    from parcours.competences.models import Viewpoint
    from tests.competences import factories as competences

    cohort = world["cohort_a"]
    with app.app_context():
        moment = competences.inside(cohort, "T0")
    with freeze(moment), app.app_context():
        campaign = competences.open_campaign(cohort, "T0", world["coordinator"])
        competences.submit_self(campaign, world["a1"])
        competences.submit_territory(
            campaign, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
        )
        db.session.commit()
    return moment


def test_main_pages_stay_within_budget_while_a_campaign_is_open(
    app, login_as, world, query_counter
):
    """A campaign adds blocks to every role's start page (the answer to write, the consensus,
    the appréciations, the follow-up): they share their queries and keep within the budget."""
    cohort = world["cohort_a"]
    pages = {
        "coordinator": [f"/cohorts/{cohort}"],
        "coach": [f"/cohorts/{cohort}/my-territories"],
        "a1": [f"/cohorts/{cohort}/my-path"],
        "a2": [f"/cohorts/{cohort}/my-path"],
        "committee": [f"/cohorts/{cohort}"],
    }
    with freeze(_campaign_opened(app, world)):
        clients = {role: login_as(role) for role in pages}
        counts = {
            (role, url): _count(clients[role], query_counter, url)
            for role, urls in pages.items()
            for url in urls
        }
    over = {
        page: count
        for page, count in counts.items()
        if count > _budget(page[1], MAX_QUERIES_IN_A_CAMPAIGN)
    }
    assert not over, counts


def test_a_territory_without_catalyseurs_loads_for_its_page(app, world, ctx):
    from parcours.cohorts import queries

    cohort = db.session.get(Cohort, world["cohort_a"])
    territory = operations.add_territory(
        cohort,
        name="Territoire sollicité",
        region="",
        department="",
        kind="rural",
        carrier_structure="",
        carrier_type="associatif",
        status="solicited",
        status_reason="",
    )
    db.session.flush()
    db.session.expunge_all()
    found = queries.territory_for_page(territory.id)
    assert found is not None and found.catalyseurs == [] and found.cohort.id == cohort.id


#: What each role's main page reads at most while a campaign is open (the demo's state):
#: tighter than the budget, so that a block that adds a query is a choice, not an accident.
MAIN_PAGE_CEILINGS = {
    ("admin", "overview"): 7,
    ("coordinator", "overview"): 7,
    ("committee", "overview"): 6,
    # Before any pack exists, the space also names the committee's next meeting.
    ("committee", "comite"): 6,
    # With the campaign open, the appréciations to record read where the answers stand.
    ("coach", "my-territories"): 10,
    ("a1", "my-path"): 10,
}


def test_main_pages_stay_under_their_ceilings_while_the_cohort_grows(
    app, login_as, world, query_counter
):
    cohort = world["cohort_a"]
    urls = {
        "overview": f"/cohorts/{cohort}",
        "comite": f"/cohorts/{cohort}/comite",
        "my-territories": f"/cohorts/{cohort}/my-territories",
        "my-path": f"/cohorts/{cohort}/my-path",
    }
    with freeze(_campaign_opened(app, world)):
        clients = {role: login_as(role) for role, _page in MAIN_PAGE_CEILINGS}

        def measure():
            return {
                (role, page): _count(clients[role], query_counter, urls[page])
                for role, page in MAIN_PAGE_CEILINGS
            }

        _grow(app, world, 0, 2)
        small = measure()
        _grow(app, world, 100, 10)
        large = measure()
    assert large == small
    over = {page: count for page, count in large.items() if count > MAIN_PAGE_CEILINGS[page]}
    assert not over, large
