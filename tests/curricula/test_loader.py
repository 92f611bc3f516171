"""Curriculum files: the shipped ones are valid, broken ones are refused clearly."""

import tomllib

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.core.paths import ROOT
from parcours.curricula.loader import CurriculumError, load_file, parse_file
from parcours.curricula.models import Curriculum, CurriculumVersion
from tests.conftest import CURRICULUM, SISTER_CURRICULUM


def test_shipped_curricula_are_valid_and_different():
    files = sorted((ROOT / "curricula").glob("*.toml"))
    assert [f.name for f in files] == [
        "co-construction-territoriale.toml",
        "modeles-socio-economiques.toml",
    ]
    main, sister = parse_file(CURRICULUM), parse_file(SISTER_CURRICULUM)
    assert main.programme.slug != sister.programme.slug
    assert {c.code for c in main.competences}.isdisjoint({c.code for c in sister.competences})


def test_co_construction_curriculum_follows_the_domain():
    document = parse_file(CURRICULUM)
    assert document.programme.duration_months == 9
    assert len(document.thematics) == 8
    assert [s.code for s in document.sessions] == ["S1", "S2", "S3", "S4"]
    domains = document.referential.domains
    assert [d.code for d in domains] == [f"D{n}" for n in range(8)]
    assert all(3 <= len(d.competences) <= 6 for d in domains)
    assert [level.label for level in document.referential.levels] == [
        "Pas encore",
        "Cela commence à émerger",
        "De plus en plus pratiqué",
        "Tout à fait ancré — je peux le transmettre",
    ]
    assert len(document.maturity.levels) == 4
    committees = [e for e in document.events if e.kind == "committee"]
    assert len(committees) == 3
    assert {m.code for m in document.assessment_moments} == {"T0", "MID", "END"}
    per_territory = {e.kind for e in document.events if e.per_territory}
    assert per_territory == {"bilateral", "follow_up", "field_visit"}


def _write(tmp_path, text, name="broken.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _variant(tmp_path, change) -> "Path":  # noqa: F821
    """Write a copy of the real curriculum with ``change`` applied to its data."""
    import tomli_w

    data = tomllib.loads(CURRICULUM.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = _write(tmp_path, '[programme]\nslug = "x"\nname = \n')
    with pytest.raises(CurriculumError) as error:
        parse_file(path)
    message = str(error.value)
    assert str(path) in message
    assert "line 3" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["programme"].pop("name"), "programme.name"),
        (lambda d: d["programme"].update(durée=3), "programme.durée"),
        (lambda d: d["sessions"][1].update(thematics=["T99"]), "unknown thematics ['T99']"),
        (
            lambda d: d["referential"]["domains"][2]["competences"][0].update(code="D0.1"),
            "duplicate competence code 'D0.1'",
        ),
        (lambda d: d["referential"]["levels"].pop(1), "level values must be 0, 1, 2"),
        (lambda d: d["sessions"][0].update(offset_days=400), "after the end of a 9-month"),
        (lambda d: d["sessions"][0].update(offset_days="trente"), "sessions[1].offset_days"),
    ],
)
def test_invalid_content_names_the_key_at_fault(tmp_path, change, expected):
    path = _variant(tmp_path, change)
    with pytest.raises(CurriculumError) as error:
        parse_file(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_loading_is_idempotent_and_a_change_makes_a_new_version(ctx, tmp_path):
    first = load_file(CURRICULUM)
    again = load_file(CURRICULUM)
    assert first.created and not again.created
    assert again.version.id == first.version.id

    def rename_s1(data):
        data["sessions"][0]["title"] = "Session 1 — nouveau titre"

    changed = load_file(_variant(tmp_path, rename_s1))
    assert changed.created
    assert changed.version.number == 2
    assert db.session.scalar(select(func.count(Curriculum.id))) == 1
    assert db.session.scalar(select(func.count(CurriculumVersion.id))) == 2
    # The first version keeps its content: a cohort on it still reads the old title.
    assert first.version.document.sessions[0].title != "Session 1 — nouveau titre"


def test_a_version_is_validated_once_per_process_and_read_without_its_data(
    app, ctx, tmp_path, monkeypatch
):
    from parcours.curricula import models

    first_id = load_file(CURRICULUM).version.id

    def rename_s1(data):
        data["sessions"][0]["title"] = "Session 1 — titre en cache"

    second_id = load_file(_variant(tmp_path, rename_s1)).version.id
    db.session.commit()
    monkeypatch.setattr(models, "_DOCUMENTS", {})
    validations = []
    original = models.CurriculumDocument.model_validate

    def counting(data):
        validations.append(data["programme"]["slug"])
        return original(data)

    monkeypatch.setattr(models.CurriculumDocument, "model_validate", counting)
    documents = []
    for request in range(3):
        db.session.expire_all()  # as a new request would: nothing kept in the session
        versions = [db.session.get(CurriculumVersion, i) for i in (first_id, second_id)]
        documents.append([v.document for v in versions])
        if request:  # the JSON content is loaded only while the cache is empty
            assert not any("data" in v.__dict__ for v in versions)
    assert len(validations) == 2  # once per content, not once per request
    assert documents[0][0] is documents[2][0]
    assert documents[0][0].sessions[0].title != "Session 1 — titre en cache"
    assert documents[2][1].sessions[0].title == "Session 1 — titre en cache"


def test_no_planned_event_falls_on_a_weekend_for_a_monday_start():
    document = parse_file(CURRICULUM)
    for item in [*document.sessions, *document.events, *document.assessment_moments]:
        assert item.offset_days % 7 < 5, f"{item.code} falls on a weekend"


def _item(data: dict, code: str) -> dict:
    return next(i for i in [*data["events"], *data["assessment_moments"]] if i["code"] == code)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The timing shipped before: the final comité met while the final self-assessment
        # was still open, and the mid-way one inside the mid-way window.
        (
            lambda d: (
                _item(d, "END").update(offset_days=255, window_days=21),
                _item(d, "COMITE3").update(offset_days=262),
            ),
            "le comité « Comité d'orientation — bilan » (COMITE3, jour 262) se réunit avant la "
            "clôture de l'auto-évaluation « Auto-évaluation finale » (END, ouverte jusqu'au "
            "jour 275)",
        ),
        (
            lambda d: (
                _item(d, "MID").update(offset_days=130),
                _item(d, "COMITE2").update(offset_days=135),
            ),
            "« Comité d'orientation — mi-parcours » (COMITE2, jour 135) se réunit avant la "
            "clôture de l'auto-évaluation « Auto-évaluation à mi-parcours »",
        ),
        (
            lambda d: _item(d, "MID").update(feeds="S2"),
            "« Auto-évaluation à mi-parcours » (MID) alimente 'S2', qui n'est pas un comité",
        ),
        (
            lambda d: _item(d, "COMITE1").update(window_days=5),
            "window_days and slot_minutes only apply to per-territory events",
        ),
        (
            lambda d: _item(d, "SUIVI1").update(slot_minutes=600),
            "slot_minutes (600) is longer than the hours between start_time and end_time",
        ),
        (
            lambda d: _item(d, "SUIVI1").update(duration_days=2),
            "a per-territory event lasts one day",
        ),
        (
            lambda d: _item(d, "SUIVI3").update(offset_days=270, window_days=30),
            "the window of 'SUIVI3' ends after the end of a 9-month programme",
        ),
        (lambda d: d["calendar"].update(country="XX"), "unknown country 'XX'"),
        (lambda d: d["calendar"].update(subdivision="99"), "unknown subdivision '99'"),
    ],
    ids=[
        "final comité before its window closes",
        "mid-way comité inside its window",
        "feeds a session",
        "window on a cohort-wide event",
        "slot longer than its hours",
        "per-territory over two days",
        "window after the programme",
        "unknown country",
        "unknown region",
    ],
)
def test_timing_that_defeats_the_evaluation_is_refused(tmp_path, change, expected):
    path = _variant(tmp_path, change)
    with pytest.raises(CurriculumError) as error:
        parse_file(path)
    assert expected in str(error.value)


def test_every_shipped_comite_fed_by_an_assessment_meets_after_it_closes():
    for path in (CURRICULUM, SISTER_CURRICULUM):
        document = parse_file(path)
        committees = {e.code: e for e in document.events if e.kind == "committee"}
        fed = [m for m in document.assessment_moments if m.feeds]
        assert fed, path  # each programme says which comité examines which answers
        for moment in fed:
            assert committees[moment.feeds].offset_days >= moment.closes_on_day


def test_shipped_curricula_carry_the_lists_of_the_territorial_dynamics():
    document = parse_file(CURRICULUM)
    assert [f.label for f in document.dynamics.forms] == [
        "Animation du territoire",
        "Expérimentation collective",
        "Accompagnement des organisations",
    ]
    assert len(document.dynamics.fragility_groups) == 4
    assert len(document.dynamics.fragilities) == 16
    assert {p.label for p in document.dynamics.partnerships} == {
        "Mécénat",
        "Pratiques responsables",
        "Coopération économique",
        "Innovation sociétale",
    }
    assert len(document.stakeholders) == 6
    sister = parse_file(SISTER_CURRICULUM)
    assert {f.code for f in sister.dynamics.forms} != {f.code for f in document.dynamics.forms}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["dynamics"]["forms"].append(dict(d["dynamics"]["forms"][0])), "form code"),
        (
            lambda d: d["dynamics"]["fragility_groups"][1]["fragilities"].append(
                dict(d["dynamics"]["fragility_groups"][0]["fragilities"][0])
            ),
            "duplicate fragility code",
        ),
        (lambda d: d["stakeholders"].append(dict(d["stakeholders"][0])), "stakeholder code"),
        (lambda d: d["dynamics"].update(partnerships=[]), "partnerships"),
        (lambda d: d.pop("stakeholders"), "stakeholders"),
    ],
)
def test_dynamics_lists_are_validated_like_the_rest(tmp_path, change, expected):
    with pytest.raises(CurriculumError, match=expected):
        parse_file(_variant(tmp_path, change))


def test_shipped_curricula_carry_the_surveys_and_the_packs_the_evaluation_needs():
    for path in (CURRICULUM, SISTER_CURRICULUM):
        document = parse_file(path)
        kinds = {survey.kind for survey in document.surveys}
        assert kinds == {"session", "final"}
        final = next(s for s in document.surveys if s.kind == "final")
        codes = {q.code for q in final.questions}
        # The 3 impacts, maturity before and after, and a testimony with its consent.
        assert {"IMPACT_INNOVATION", "IMPACT_PERFORMANCE", "IMPACT_CONFIANCE"} <= codes
        assert {"MATURITE_AVANT", "MATURITE_APRES", "TEMOIGNAGE"} <= codes
        assert not final.anonymous
        hot = next(s for s in document.surveys if s.kind == "session")
        assert hot.anonymous and any(q.per_agenda_item for q in hot.questions)
    packs = [e.pack for e in parse_file(CURRICULUM).events if e.pack]
    assert packs == ["launch", "midway", "final"]


def _survey(data: dict, code: str) -> dict:
    return next(s for s in data["surveys"] if s["code"] == code)


def _question(data: dict, survey: str, code: str) -> dict:
    return next(q for q in _survey(data, survey)["questions"] if q["code"] == code)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: _question(d, "A_CHAUD", "SATISFACTION").update(labels=["Seul"]),
            "a scale needs at least 2 labels",
        ),
        (
            lambda d: _question(d, "A_CHAUD", "GARDER").update(labels=["a", "b"]),
            "only a scale has labels",
        ),
        (
            lambda d: _question(d, "A_CHAUD", "FORMAT").update(
                choices=[_question(d, "A_CHAUD", "FORMAT")["choices"][0]]
            ),
            "a choice needs at least 2 choices",
        ),
        (
            lambda d: _question(d, "A_CHAUD", "GARDER").update(per_agenda_item=True),
            "per_agenda_item applies to a scale only",
        ),
        (
            lambda d: _survey(d, "EVAL_FINALE").update(anonymous=True),
            "an anonymous survey cannot hold a testimony",
        ),
        (lambda d: _survey(d, "EVAL_FINALE").pop("offset_days"), "a final survey needs"),
        (lambda d: _survey(d, "A_CHAUD").update(offset_days=3), "opens when each session ends"),
        (lambda d: _survey(d, "A_CHAUD").update(remind_after_days=10), "before the close"),
        (lambda d: _survey(d, "EVAL_FINALE").update(offset_days=400), "after the end of a"),
        (lambda d: d["surveys"].append(dict(d["surveys"][0])), "duplicate survey code"),
        (
            lambda d: _item(d, "BILAT").update(pack="midway"),
            "only a comité",
        ),
        (lambda d: _item(d, "COMITE1").update(pack="midway"), "duplicate committee pack"),
        (lambda d: _item(d, "COMITE1").update(pack="demain"), "pack"),
    ],
)
def test_survey_templates_and_packs_are_validated_like_the_rest(tmp_path, change, expected):
    with pytest.raises(CurriculumError, match=expected):
        parse_file(_variant(tmp_path, change))
