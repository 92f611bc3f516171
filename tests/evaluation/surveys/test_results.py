"""Results: counts, means, texts; drafts not counted; k ≥ 5 in anonymous surveys; testimonies."""

from parcours.core.extensions import db
from parcours.curricula.schema import QuestionKind, SurveyKind
from parcours.evaluation.models import (
    Consent,
    SurveyInvitation,
    SurveyResponse,
)
from parcours.evaluation.surveys import results
from parcours.evaluation.surveys.results import (
    Count,
    submitted_clause,
    survey_results,
)
from tests.evaluation.factories import opened, prepared
from tests.evaluation.surveys import helpers
from tests.evaluation.surveys.helpers import NOW, respond


def session_survey(world):
    return helpers.session_survey(world, [world["a1"], world["a1bis"], world["a2"]])


def test_an_anonymous_survey_with_five_responses_shows_counts_mean_and_sorted_texts(ctx, world):
    survey = session_survey(world)
    for point, fmt, gains, keep in (
        (4, ["oui"], ["methodes", "pairs"], "Les échanges"),
        (3, ["oui"], ["pairs"], ""),
        (3, ["en_partie"], ["pairs", "recul"], "Atelier"),
        (2, "DECLINED", [], "   "),
        (4, ["non"], ["temoignages"], "Café"),
    ):
        respond(
            survey,
            {"SATISFACTION": point, "FORMAT": fmt, "APPORTS": gains, "GARDER": keep},
        )
    result = survey_results([survey.id])[survey.id]
    assert (result.invited, result.responses, result.hidden) == (3, 5, False)
    assert result.kind == SurveyKind.SESSION and result.anonymous
    assert result.rate == 5 / 3
    by_code = {q.code: q for q in result.questions}
    satisfaction = by_code["SATISFACTION"]
    assert satisfaction.counts == (
        Count("1", "Pas du tout satisfait·e", 0),
        Count("2", "Plutôt pas satisfait·e", 1),
        Count("3", "Plutôt satisfait·e", 2),
        Count("4", "Très satisfait·e", 2),
    )
    assert satisfaction.mean == 16 / 5 and satisfaction.answers == 5
    # FORMAT has 4 answers and a decline: below 5 answers, hidden even in a survey of 5.
    fmt = by_code["FORMAT"]
    assert fmt.hidden and fmt.counts == () and fmt.answers == 0
    # APPORTS: 4 non-empty answers (one left blank) → hidden too.
    assert by_code["APPORTS"].hidden
    # GARDER: 3 texts, hidden.
    assert by_code["GARDER"].hidden and by_code["GARDER"].texts == ()
    assert by_code["CHANGER"].kind == QuestionKind.LONG_TEXT


def test_texts_are_sorted_by_content_and_multiple_choices_counted(ctx, world):
    survey = session_survey(world)
    for keep in ("Zèbre", "Atelier", "Le café", "Binômes", "Méthodes"):
        respond(survey, {"GARDER": keep, "APPORTS": ["pairs", "recul"], "FORMAT": ["oui"]})
    result = survey_results([survey.id])[survey.id]
    by_code = {q.code: q for q in result.questions}
    assert by_code["GARDER"].texts == ("Atelier", "Binômes", "Le café", "Méthodes", "Zèbre")
    assert by_code["GARDER"].counts == () and by_code["GARDER"].mean is None
    apports = {c.code: c.count for c in by_code["APPORTS"].counts}
    assert apports == {"methodes": 0, "pairs": 5, "temoignages": 0, "recul": 5}
    assert by_code["APPORTS"].answers == 5 and by_code["APPORTS"].mean is None
    assert [c.count for c in by_code["FORMAT"].counts] == [5, 0, 0]


def test_an_anonymous_survey_below_five_responses_is_hidden_whole(ctx, world):
    survey = session_survey(world)
    for _ in range(4):
        respond(survey, {"SATISFACTION": 4, "GARDER": "Tout"})
    result = survey_results([survey.id])[survey.id]
    assert result.hidden and result.responses == 4
    for question in result.questions:
        assert question.hidden
        assert (question.counts, question.mean, question.texts, question.answers) == (
            (),
            None,
            (),
            0,
        )


def test_an_identified_survey_counts_submitted_responses_only_and_never_hides(ctx, world):
    survey = opened(prepared(world["cohort_a"], "EVAL_FINALE"), NOW)
    respond(
        survey,
        {"IMPACT_INNOVATION": 3, "CHANGEMENTS": "Une alliance est née"},
        user_id=world["a1"],
        territory_id=world["territory_a1"],
    )
    respond(survey, {"IMPACT_INNOVATION": 1}, user_id=world["a2"], submitted=False)  # a draft
    result = survey_results([survey.id])[survey.id]
    assert (result.invited, result.responses, result.hidden) == (3, 1, False)
    by_code = {q.code: q for q in result.questions}
    innovation = by_code["IMPACT_INNOVATION"]
    assert not innovation.hidden and innovation.mean == 3.0
    assert [c.count for c in innovation.counts] == [0, 0, 1, 0]
    assert by_code["CHANGEMENTS"].texts == ("Une alliance est née",)
    assert by_code["IMPACT_INNOVATION"].theme == "Les 3 impacts des alliances sur votre territoire"
    assert db.session.query(SurveyResponse).filter(submitted_clause()).count() == 1


def test_testimonies_are_only_the_consented_ones_and_never_listed_as_texts(ctx, world, create_user):
    survey = opened(prepared(world["cohort_a"], "EVAL_FINALE"), NOW)
    respond(
        survey,
        {"TEMOIGNAGE": ("Un déclic à Bourges", Consent.NAMED)},
        user_id=world["a1"],
        territory_id=world["territory_a1"],
    )
    respond(
        survey,
        {"TEMOIGNAGE": ("Une alliance inattendue", Consent.ANONYMOUS)},
        user_id=world["a2"],
        territory_id=world["territory_a2"],
    )
    respond(survey, {"TEMOIGNAGE": ("Privé", Consent.REFUSED)}, user_id=world["a1bis"])
    withdrawn = respond(
        survey, {"TEMOIGNAGE": ("Retiré", Consent.NAMED)}, user_id=create_user()
    ).answers[0]
    withdrawn.consent_withdrawn_at = NOW
    respond(
        survey, {"TEMOIGNAGE": ("Brouillon", Consent.NAMED)}, user_id=create_user(), submitted=False
    )
    respond(survey, {"TEMOIGNAGE": ("  ", Consent.NAMED)}, user_id=create_user())
    db.session.flush()
    assert results.testimonies([survey.id]) == [
        results.Testimony(
            survey.id, "Un déclic à Bourges", Consent.NAMED, "Catalyseur A1", world["territory_a1"]
        ),
        results.Testimony(survey.id, "Une alliance inattendue", Consent.ANONYMOUS, None, None),
    ]
    question = next(
        q for q in survey_results([survey.id])[survey.id].questions if q.code == "TEMOIGNAGE"
    )
    assert question.texts == () and question.counts == ()
    assert results.testimonies([]) == []


def test_results_take_a_constant_number_of_queries(ctx, world, query_counter):
    def counted(ids):
        db.session.expire_all()
        with query_counter:
            found = survey_results(ids)
            results.testimonies(ids)
        return query_counter.count, found

    first = session_survey(world)
    respond(first, {"SATISFACTION": 2})
    small, _ = counted([first.id])
    final = opened(prepared(world["cohort_a"], "EVAL_FINALE"), NOW)
    for i in range(7):
        respond(first, {"SATISFACTION": 1 + i % 4, "GARDER": f"texte {i}"})
        respond(final, {"TEMOIGNAGE": (f"t {i}", Consent.NAMED)}, user_id=None)
    large, found = counted([final.id, first.id])
    assert small == large <= 4 + 1  # results in 3, testimonies in 1
    assert list(found) == [final.id, first.id]
    invitations = db.session.query(SurveyInvitation).filter_by(survey_id=first.id).count()
    assert found[first.id].invited == invitations == 3
    assert survey_results([]) == {} and survey_results([10_000]) == {}


def test_an_anonymous_survey_waits_for_its_closing_a_named_one_does_not(ctx, world):
    from datetime import timedelta

    survey = session_survey(world)
    for point in (4, 3, 4, 2, 3):
        respond(survey, {"SATISFACTION": point})
    inside = survey.opened_at + timedelta(days=1)
    waiting = survey_results([survey.id], now=inside)[survey.id]
    assert waiting.waiting and waiting.hidden and waiting.responses == 5
    assert all(q.hidden and not q.counts for q in waiting.questions)
    assert not survey_results([survey.id], now=survey.closes_at)[survey.id].waiting
    survey.closed_at = inside  # closed early by a coordinator
    assert not survey_results([survey.id], now=inside)[survey.id].waiting
    final = helpers.final_survey(world)  # named: read as the answers come
    assert not survey_results([final.id], now=final.opened_at)[final.id].waiting
