"""Results: counts, means, texts; drafts not counted; k ≥ 5 in anonymous surveys; testimonies."""

from datetime import UTC, datetime

from parcours.core.extensions import db
from parcours.curricula.schema import QuestionKind, SurveyKind
from parcours.evaluation.models import (
    Consent,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from parcours.evaluation.surveys import results
from parcours.evaluation.surveys.results import (
    Count,
    submitted_clause,
    survey_results,
)
from tests.evaluation.factories import after, mark_attended, opened, prepared, session_event

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def respond(survey, answers: dict, *, user_id=None, territory_id=None, submitted=True):
    """Write one response with ``answers`` by question code; flushed.

    A value is a scale point (int), a list of choice codes, a text, "DECLINED", or
    (text, consent) for a testimony.
    """
    response = SurveyResponse(
        survey_id=survey.id,
        respondent_id=user_id,
        territory_id=territory_id,
        submitted_at=NOW if (submitted and not survey.anonymous) else None,
    )
    db.session.add(response)
    db.session.flush()
    by_code = {q.code: q for q in survey.questions}
    for code, value in answers.items():
        answer = SurveyAnswer(response_id=response.id, question_id=by_code[code].id)
        if value == "DECLINED":
            answer.declined = True
        elif isinstance(value, int):
            answer.number = value
        elif isinstance(value, list):
            answer.choices = value
        elif isinstance(value, tuple):
            answer.text, answer.consent = value[0], value[1].value
        else:
            answer.text = value
        db.session.add(answer)
    db.session.flush()
    return response


def session_survey(world, people=None):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, people or [world["a1"], world["a1bis"], world["a2"]])
    return opened(prepared(world["cohort_a"], "A_CHAUD", event), after(event))


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
