"""A referential to Moodle's competency framework CSV and back: the format, the round trip,
and broken files refused line by line."""

import csv
import io
import json

import pytest

from parcours.curricula import moodle
from parcours.curricula.loader import content_hash, parse_file, parse_text
from parcours.curricula.merge import merge_into
from parcours.curricula.moodle_import import MoodleImportError, code_of, read_framework
from parcours.curricula.schema import CurriculumDocument, Referential
from tests.conftest import CURRICULUM, SISTER_CURRICULUM
from tests.curricula.moodle_files import (
    MOODLE_HEADER,
    competency,
    framework,
    small_rows,
    write,
)


@pytest.fixture(scope="module")
def shipped() -> CurriculumDocument:
    return parse_file(CURRICULUM)


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


# Export ------------------------------------------------------------------------------------


def test_the_export_is_moodles_framework_file(shipped):
    content = moodle.export_csv(shipped, "co-construction-territoriale")
    assert not content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in content
    rows = _rows(content)
    assert rows[0] == MOODLE_HEADER
    assert all(len(row) == 14 for row in rows)
    referential = shipped.referential
    assert len(rows) == 1 + 1 + len(referential.domains) + 34

    top = dict(zip(MOODLE_HEADER, rows[1], strict=True))
    assert top["Parent ID number"] == ""
    assert top["ID number"] == "co-construction-territoriale"
    assert top["Short name"] == referential.name
    assert top["Description format"] == "1"  # HTML
    assert top["Is framework"] == "1"
    assert top["Taxonomy"] == "domain,competency"
    assert top["Scale values"] == (
        "Pas encore,Cela commence à émerger,De plus en plus pratiqué,"
        "Tout à fait ancré — je peux le transmettre"
    )
    # Moodle's scale configuration: the scale first, then each value (from 1) with its flags.
    configuration = json.loads(top["Scale configuration"])
    assert set(configuration[0]) == {"scaleid"}
    assert configuration[1:] == [
        {"id": 1, "scaledefault": 0, "proficient": 0},
        {"id": 2, "scaledefault": 0, "proficient": 0},
        {"id": 3, "scaledefault": 1, "proficient": 1},
        {"id": 4, "scaledefault": 0, "proficient": 1},
    ]
    # The level descriptions, which Moodle's scales cannot hold, in the description.
    assert "<li>Pas encore : Je ne pratique pas encore cette compétence.</li>" in top["Description"]

    by_id = {row[1]: dict(zip(MOODLE_HEADER, row, strict=True)) for row in rows[2:]}
    for domain in referential.domains:
        row = by_id[domain.code]
        assert row["Parent ID number"] == "" and row["Short name"] == domain.name
        assert row["Is framework"] == "" and row["Scale values"] == ""
        for item in domain.competences:
            row = by_id[item.code]
            assert row["Parent ID number"] == domain.code
            assert row["Rule outcome (optional)"] == "0"
            assert row["Rule config (optional)"] == "null"
            assert row["Description format"] == "1"
            assert item.description.replace("'", "'") in row["Description"]
    assert sorted(int(row["Exported ID (optional)"]) for row in by_id.values()) == list(
        range(1, 43)
    )


def test_moodle_keeps_100_characters_of_a_name_so_longer_labels_go_whole_in_the_description(
    shipped,
):
    rows = _rows(moodle.export_csv(shipped, "x"))
    long_ones = [c for c in shipped.competences if len(c.label) > 100]
    assert len(long_ones) == 6
    by_id = {row[1]: row for row in rows[2:]}
    for item in shipped.competences:
        short_name, description = by_id[item.code][2], by_id[item.code][3]
        assert len(short_name) <= 100
        if item in long_ones:
            assert short_name.endswith("…")
            assert item.label.startswith(short_name[:-1])
            assert description.startswith(f"<p>{item.label}</p>")
        else:
            assert short_name == item.label
    d01 = by_id["D0.1"][2]
    assert d01 == (
        "Je sais identifier les fragilités prioritaires de mon territoire (grille des 16 "
        "fragilités…"
    )


def test_a_scale_label_with_a_comma_cannot_go_to_moodle(shipped):
    data = shipped.model_dump(mode="json")
    data["referential"]["levels"][1]["label"] = "Émergent, ponctuel"
    document = CurriculumDocument.model_validate(data)
    with pytest.raises(moodle.MoodleExportError, match="« Émergent, ponctuel » contient une"):
        moodle.export_csv(document, "x")


@pytest.mark.parametrize(
    ("levels", "proficient"), [(2, [2]), (3, [2, 3]), (4, [3, 4]), (5, [3, 4, 5])]
)
def test_the_upper_half_of_the_scale_is_proficient(levels, proficient):
    items = json.loads(moodle.scale_configuration(levels))[1:]
    assert [item["id"] for item in items if item["proficient"]] == proficient
    assert [item["id"] for item in items if item["scaledefault"]] == proficient[:1]


# Round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CURRICULUM, SISTER_CURRICULUM])
def test_export_then_import_gives_the_same_referential(path):
    document = parse_file(path)
    imported = read_framework(moodle.export_csv(document, document.programme.slug))
    assert imported.notes == []
    assert Referential.model_validate(imported.referential) == document.referential
    assert imported.referential == document.referential.model_dump(mode="json", exclude_none=True)


@pytest.mark.parametrize("path", [CURRICULUM, SISTER_CURRICULUM])
def test_merging_the_round_trip_into_its_file_gives_the_same_curriculum(path):
    text = path.read_text(encoding="utf-8")
    document = parse_file(path)
    imported = read_framework(moodle.export_csv(document, "x"))
    merged = merge_into(text, imported.referential)
    assert content_hash(parse_text(merged, "merged.toml")) == content_hash(document)
    # Everything outside the referential is the file's own text, comments included: the
    # heading comment above [referential], and the one above [maturity] onwards.
    before = text.split("\n[referential]\n")[0] + "\n[referential]\n"
    after = text[text.rindex("\n# ---", 0, text.index("\n# Maturité")) :]
    assert merged.startswith(before)
    assert merged.endswith(after)


def test_a_referential_from_elsewhere_replaces_the_files_own(shipped):
    imported = read_framework(write(small_rows()))
    merged = merge_into(SISTER_CURRICULUM.read_text(encoding="utf-8"), imported.referential)
    document = parse_text(merged, "new.toml")
    assert document.programme.slug == "modeles-socio-economiques"
    assert [d.code for d in document.referential.domains] == ["A", "B"]
    assert [c.code for c in document.competences] == ["A.1", "A.2", "B.1"]
    assert '[[referential.domains.competences]]\ncode = "A.1"\n' in merged


def test_a_section_in_pieces_is_written_anew_rather_than_guessed():
    # A referential table after other sections: TOML allows it, the splice does not guess.
    scattered = CURRICULUM.read_text(encoding="utf-8") + '\n[referential.extra]\nnote = "x"\n'
    merged = merge_into(scattered, read_framework(write(small_rows())).referential)
    assert "# ----" not in merged  # written anew: the comments are gone, the content is not
    document = parse_text(merged, "new.toml")
    assert [d.code for d in document.referential.domains] == ["A", "B"]
    assert [s.code for s in document.sessions] == ["S1", "S2", "S3", "S4"]


# Import ------------------------------------------------------------------------------------


def test_a_moodle_file_becomes_a_referential():
    imported = read_framework(write(small_rows()))
    assert imported.referential == {
        "name": "Référentiel d'essai",
        "levels": [
            {"value": 0, "label": "Non acquis"},
            {"value": 1, "label": "En cours"},
            {"value": 2, "label": "Acquis"},
        ],
        "domains": [
            {
                "code": "A",
                "name": "Animer",
                "competences": [
                    {
                        "code": "A.1",
                        "label": "Je sais animer une réunion.",
                        "description": "Avec un ordre du jour.",
                    },
                    {
                        "code": "A.2",
                        "label": "Je sais conclure.",
                        "description": "Par des décisions.",
                    },
                ],
            },
            {
                "code": "B",
                "name": "Bâtir",
                "competences": [
                    {
                        "code": "B.1",
                        "label": "Je sais bâtir un budget.",
                        "description": "Équilibré.",
                    }
                ],
            },
        ],
    }
    assert imported.competence_count == 3


def test_html_descriptions_lose_their_markup_and_keep_their_text():
    rows = small_rows()
    rows[2]["Description"] = (
        '<p dir="ltr" style="text-align:left">Avec un <strong>ordre</strong>&nbsp;du jour\n'
        "et des r&ocirc;les &amp; un minuteur.<br>Puis un compte rendu.</p>"
        "<script>alert(1)</script><!-- note --><ul><li>Préparer</li><li>Animer</li></ul>"
    )
    rows[3]["Description"] = "Par des décisions.\nÉcrites."
    rows[3]["Description format"] = "2"  # plain text: as it is
    rows[5]["Description"] = "Équilibré <b>ou presque</b>"
    rows[5]["Description format"] = "0"  # Moodle's own format: HTML too
    domains = read_framework(write(rows)).referential["domains"]
    assert domains[0]["competences"][0]["description"] == (
        "Avec un ordre\u00a0du jour et des rôles & un minuteur.\nPuis un compte rendu.\n"
        "Préparer\nAnimer"
    )
    assert domains[0]["competences"][1]["description"] == "Par des décisions.\nÉcrites."
    assert domains[1]["competences"][0]["description"] == "Équilibré ou presque"


def test_older_moodle_headers_a_bom_semicolons_and_windows_1252_are_read():
    older = [
        "Parent id number",
        "Id number",
        "Shortname",
        "Description",
        "Description format",
        "Scale values",
        "Scale configuration",
        "Rule type (optional)",
        "Rule outcome (optional)",
        "Rule config (optional)",
        "Cross referenced competency id numbers",
        "Exported id (optional)",
        "Is framework",
        "Taxonomy",
    ]
    expected = read_framework(write(small_rows())).referential
    renamed = [
        {older[MOODLE_HEADER.index(key)]: value for key, value in row.items()}
        for row in small_rows()
    ]
    assert read_framework(write(renamed, header=older)).referential == expected
    assert read_framework(write(small_rows(), bom=True)).referential == expected
    assert read_framework(write(small_rows(), delimiter=";")).referential == expected
    cp1252 = write(small_rows()).decode("utf-8").encode("cp1252")
    assert read_framework(cp1252).referential == expected


def test_a_moodle_in_another_language_is_read_by_position_as_moodle_does():
    french = [f"Colonne {n}" for n in range(14)]
    positional = write(
        [{french[MOODLE_HEADER.index(k)]: v for k, v in row.items()} for row in small_rows()],
        header=french,
    )
    assert read_framework(positional).referential == read_framework(write(small_rows())).referential


def test_a_competence_may_come_before_its_domain_as_in_moodles_exports():
    rows = small_rows()
    rows = [rows[0], rows[2], rows[1], rows[5], rows[3], rows[4]]
    referential = read_framework(write(rows)).referential
    assert [d["code"] for d in referential["domains"]] == ["A", "B"]
    assert [c["code"] for c in referential["domains"][0]["competences"]] == ["A.1", "A.2"]


def test_level_descriptions_are_read_from_the_frameworks_description():
    rows = small_rows()
    rows[0]["Scale values"] = "Acquis,Acquis : en partie,Maîtrisé"
    rows[0]["Description"] = (
        "<p>Niveaux :</p><ul><li>Acquis : je sais faire.</li>"
        "<li>Acquis : en partie : avec de l'aide.</li><li>Maîtrisé</li></ul>"
    )
    levels = read_framework(write(rows)).referential["levels"]
    assert levels == [
        {"value": 0, "label": "Acquis", "description": "je sais faire."},
        {"value": 1, "label": "Acquis : en partie", "description": "avec de l'aide."},
        {"value": 2, "label": "Maîtrisé"},
    ]


def test_id_numbers_become_codes_and_the_import_says_so():
    rows = small_rows()
    rows[1]["ID number"] = "Élément A"
    for row in rows[2:4]:
        row["Parent ID number"] = "Élément A"
    imported = read_framework(write(rows))
    assert imported.referential["domains"][0]["code"] == "Element-A"
    assert imported.notes == ["ligne 3 : l'identifiant « Élément A » devient le code « Element-A »"]


@pytest.mark.parametrize(
    ("idnumber", "code"),
    [
        ("D0.1", "D0.1"),
        ("comp_1-b", "comp_1-b"),
        ("  Compétence 2 ", "Competence-2"),
        ("-x", "x"),
        ("«»", None),
        ("a" * 33, None),
        ("日本", None),
    ],
)
def test_code_of(idnumber, code):
    assert code_of(idnumber) == code


def test_rules_and_cross_references_are_left_out_with_a_note():
    rows = small_rows()
    rows[2]["Rule type (optional)"] = "core_competency\\competency_rule_all"
    rows[3]["Cross-referenced competency ID numbers"] = "B.1"
    rows[1]["Description"] = "<p>Un domaine décrit.</p>"
    notes = read_framework(write(rows)).notes
    assert notes == [
        "Règles de complétion et compétences liées non reprises (lignes 4, 5).",
        "ligne 3 : la description du domaine « Animer » n'est pas reprise (un domaine n'a "
        "qu'un code et un nom)",
    ]


# Broken files: every problem, with its line ------------------------------------------------


def _problems(content: bytes) -> list[str]:
    with pytest.raises(MoodleImportError) as caught:
        read_framework(content)
    return caught.value.problems


def test_missing_columns_are_named():
    header = [name for name in MOODLE_HEADER if name not in ("Scale values", "Is framework")]
    assert _problems(write(small_rows(), header=header)) == [
        "ligne 1 : colonnes manquantes : Scale values, Is framework"
    ]


def test_an_unknown_header_says_what_moodle_writes():
    (problem,) = _problems(write(small_rows(), header=["a", "b", "c"]))
    assert problem.startswith("ligne 1 : en-tête non reconnu ; un fichier de référentiel")
    assert ",".join(MOODLE_HEADER) in problem


def test_a_duplicate_id_number_names_both_lines():
    rows = small_rows()
    rows[3]["ID number"] = "A.1"
    assert _problems(write(rows)) == [
        "ligne 5 : l'identifiant « A.1 » est déjà celui de la ligne 4"
    ]


def test_two_id_numbers_that_give_the_same_code_are_refused():
    rows = small_rows()
    rows[2]["ID number"] = "A 1"
    rows[3]["ID number"] = "A-1"
    assert _problems(write(rows)) == [
        "ligne 5 : l'identifiant « A-1 » donne le code « A-1 », déjà celui de la ligne 4"
    ]


def test_a_competence_without_its_parent_is_refused():
    rows = small_rows()
    rows[5]["Parent ID number"] = "C"
    assert _problems(write(rows)) == [
        "ligne 7 : le parent « C » (« Parent ID number ») n'est pas dans le fichier",
        "ligne 6 : le domaine « B » n'a aucune compétence (aucune ligne n'a « B » pour "
        "« Parent ID number »)",
    ]


def test_a_third_level_is_refused():
    rows = [*small_rows(), competency("A.1", "A.1.a", "Trop profond")]
    (problem,) = _problems(write(rows))
    assert problem.startswith(
        "ligne 8 : « A.1.a » est au troisième niveau (son parent « A.1 », ligne 4,"
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (2, "Short name", "ligne 4 : « Short name » est vide"),
        (1, "Short name", "ligne 3 : « Short name » est vide"),
        (0, "Short name", "ligne 2 : « Short name » (le nom du référentiel) est vide"),
        (3, "ID number", "ligne 5 : « ID number » est vide"),
    ],
)
def test_an_empty_name_or_id_number_is_refused(row, column, message):
    rows = small_rows()
    rows[row][column] = "   "
    assert message in _problems(write(rows))


@pytest.mark.parametrize(
    ("values", "configuration", "message"),
    [
        ("", None, "« Scale values » est vide : le référentiel n'a pas d'échelle"),
        (
            "Acquis",
            '[{"scaleid":"1"},{"id":1,"scaledefault":1,"proficient":1}]',
            "« Scale values » compte 1 niveaux ; une échelle en a de 2 à 10",
        ),
        ("Non acquis,,Acquis", None, "un niveau de « Scale values » est vide"),
        ("Acquis,Acquis", None, "deux niveaux de « Scale values » ont le même nom"),
        (None, "pas du json", "« Scale configuration » n'est pas du JSON valide"),
        (None, '{"scaleid": 1}', "« Scale configuration » doit être une liste JSON commençant par"),
        (
            None,
            '[{"scaleid":"3"},{"id":4,"scaledefault":1,"proficient":1}]',
            "« Scale configuration » nomme un niveau 4 qui n'est pas dans l'échelle (1 à 3)",
        ),
        (
            None,
            '[{"scaleid":"3"},{"id":1,"scaledefault":0,"proficient":1}]',
            "« Scale configuration » doit désigner un niveau par défaut et au moins un niveau",
        ),
        (  # a digit to Unicode that no integer is made of: a message, never a 500
            None,
            '[{"scaleid":"3"},{"id":"²","scaledefault":1,"proficient":1}]',
            "« Scale configuration » nomme un niveau \"\\u00b2\" qui n'est pas dans l'échelle",
        ),
    ],
)
def test_a_bad_scale_is_refused(values, configuration, message):
    rows = small_rows()
    if values is not None:
        rows[0]["Scale values"] = values
    if configuration is not None:
        rows[0]["Scale configuration"] = configuration
    (problem,) = _problems(write(rows))
    assert problem.startswith(f"ligne 2 : {message}")


def test_a_competence_on_a_scale_of_its_own_is_refused():
    rows = small_rows()
    rows[2]["Scale values"] = "Non,Oui"
    assert _problems(write(rows)) == [
        "ligne 4 : cette compétence a une échelle à elle (« Scale values ») ; un référentiel "
        "n'en a qu'une, celle de la ligne 2"
    ]
    rows[2]["Scale values"] = "Non acquis, En cours, Acquis"  # the framework's: fine
    read_framework(write(rows))


def test_the_framework_row_is_needed_once():
    rows = small_rows()
    assert _problems(write(rows[1:])) == [
        "Aucune ligne ne décrit le référentiel lui-même (« Is framework » = 1)."
    ]
    assert _problems(write([*rows, framework(**{"ID number": "AUTRE"})])) == [
        "ligne 8 : un deuxième référentiel (« Is framework » = 1) ; la ligne 2 en décrit déjà un"
    ]


def test_a_file_without_domains_is_refused():
    assert _problems(write([framework()])) == [
        "Le fichier ne contient aucun domaine (compétence sans parent)."
    ]


def test_the_curriculums_own_rules_name_the_line():
    rows = small_rows()
    rows[3]["Short name"] = "Je sais " + "très " * 70 + "bien conclure."
    rows[5]["Description"] = ""
    rows[4]["Short name"] = "B" * 301
    assert _problems(write(rows)) == [
        "ligne 5 : Short name : String should have at most 300 characters",
        "ligne 6 : Short name : String should have at most 300 characters",
        "ligne 7 : Description : String should have at least 1 character",
    ]


def test_an_impossible_code_is_refused():
    rows = small_rows()
    rows[5]["ID number"] = "«»"
    problems = _problems(write(rows))
    assert problems[0].startswith("ligne 7 : l'identifiant « «» » ne donne pas de code : 1 à 32")


def test_a_row_that_runs_over_several_lines_is_named_by_its_first():
    rows = small_rows()
    rows[2]["Description"] = "<p>Une\ndescription\nsur trois lignes.</p>"
    content = write(rows)
    # The next row starts on line 7 of the file, and lacks a column.
    broken = content.replace(b"\nA,A.2,", b"\nA,", 1)
    assert _problems(broken) == [
        "ligne 7 : 13 colonnes au lieu des 14 de l'en-tête (guillemets mal fermés ?)"
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "Le fichier est vide."),
        (b"  \n\n", "Le fichier est vide."),
    ],
)
def test_an_empty_file_is_refused(content, problem):
    assert _problems(content) == [problem]


def test_a_bad_description_format_and_control_characters_are_refused():
    rows = small_rows()
    rows[2]["Description format"] = "7"
    rows[3]["Short name"] = "Je sais\x00 conclure."
    assert _problems(write(rows)) == [
        "ligne 5 : caractère de contrôle invisible",
    ]
    rows[3]["Short name"] = "Je sais conclure."
    assert _problems(write(rows)) == [
        "ligne 4 : « Description format » vaut « 7 » : 0 (Moodle), 1 (HTML), 2 (texte brut) "
        "ou 4 (Markdown) attendu"
    ]
    rows[2]["Description format"] = "²"  # a digit to Unicode, not a number to int()
    assert _problems(write(rows)) == [
        "ligne 4 : « Description format » vaut « ² » : 0 (Moodle), 1 (HTML), 2 (texte brut) "
        "ou 4 (Markdown) attendu"
    ]


def test_every_problem_is_listed_at_once():
    rows = small_rows()
    rows[2]["ID number"] = "A.2"
    rows[5]["Parent ID number"] = "Z"
    rows[4]["Short name"] = ""
    assert len(_problems(write(rows))) == 4
