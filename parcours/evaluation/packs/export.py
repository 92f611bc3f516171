"""« Données du rapport »: a pack's figures as tables, read from its frozen snapshot.

Each sheet is one table of the full PDF, with the same rows and the same totals (a test checks
them against the PDF): the coordinator can trace every number of a pack to a cell here. Sheets
are plain (name, header, rows) for ``core/spreadsheets.py`` to write as CSV or XLSX.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from parcours.cohorts.models import CARRIER_TYPES, STATUS_LABELS, TERRITORY_KINDS, TerritoryStatus
from parcours.evaluation.packs.data import PackData


@dataclass(frozen=True)
class Sheet:
    name: str
    header: list[str]
    rows: list[list]


def sheets(snapshot: dict) -> list[Sheet]:
    """Return the pack's figures, one sheet per table of the report."""
    data = PackData.from_snapshot(snapshot)
    return [
        _territories(data),
        _sessions(data),
        _activity(data),
        _competences(data),
        _dynamics(data),
        _surveys(data),
    ]


def _total_label() -> str:
    return _("Total")


def _territories(data: PackData) -> Sheet:
    composition = data.composition
    rows = [
        [
            t.name,
            t.region,
            t.department,
            str(TERRITORY_KINDS.get(t.kind, t.kind)),
            t.carrier_structure,
            str(CARRIER_TYPES.get(t.carrier_type, t.carrier_type)),
            str(STATUS_LABELS[TerritoryStatus(t.status)]),
            t.status_reason,
            len(t.catalyseurs),
            _("oui") if t.is_binome else _("non"),
        ]
        for t in composition.territories
    ]
    rows.append(
        [
            _total_label(),
            "",
            "",
            "",
            "",
            "",
            ngettext(
                "%(num)d accepté sur %(asked)d",
                "%(num)d acceptés sur %(asked)d",
                len(composition.accepted),
                asked=composition.asked,
            ),
            "",
            composition.participants,
            composition.binomes,
        ]
    )
    header = [
        _("Territoire"),
        _("Région"),
        _("Département"),
        _("Profil"),
        _("Structure porteuse"),
        _("Type de structure"),
        _("Statut"),
        _("Motif"),
        _("Catalyseur·rices"),
        _("Binôme"),
    ]
    return Sheet(_("Territoires"), header, rows)


def _sessions(data: PackData) -> Sheet:
    participation = data.participation
    rows = [
        [s.code, s.title, s.starts_on.isoformat(), s.half_days, s.expected, s.attended, s.possible]
        for s in participation.sessions
    ]
    rows.append(
        [
            _total_label(),
            "",
            "",
            sum(s.half_days for s in participation.sessions),
            "",
            participation.attended,
            participation.possible,
        ]
    )
    header = [
        _("Session"),
        _("Titre"),
        _("Date"),
        _("Demi-journées relevées"),
        _("Participant·es attendu·es"),
        _("Présences"),
        _("Présences possibles"),
    ]
    return Sheet(_("Présence par session"), header, rows)


_ACTIVITY = (
    "participants",
    "attended",
    "possible",
    "sessions_represented",
    "sessions_taken",
    "bilaterals",
    "follow_ups",
    "field_visits",
    "records",
    "visit_reports",
    "journal_entries",
)


def _activity(data: PackData) -> Sheet:
    participation = data.participation
    rows = [
        [data.territory(a.territory_id).name, *(getattr(a, name) for name in _ACTIVITY)]
        for a in participation.territories
    ]
    rows.append([_total_label(), *(participation.total(name) for name in _ACTIVITY)])
    header = [
        _("Territoire"),
        _("Catalyseur·rices"),
        _("Présences"),
        _("Présences possibles"),
        _("Sessions représentées"),
        _("Sessions relevées"),
        _("Bilatérales tenues"),
        _("Suivis tenus"),
        _("Visites tenues"),
        _("Comptes rendus de suivi"),
        _("Comptes rendus de visite"),
        _("Entrées du carnet de bord"),
    ]
    return Sheet(_("Participation par territoire"), header, rows)


def _competences(data: PackData) -> Sheet:
    competences = data.competences
    names = {m.code: m.name for m in competences.moments}
    domains = {d.code: d.name for d in competences.domains}
    rows = [
        [
            names[f.moment],
            f.domain,
            domains[f.domain],
            f.count,
            f.median if f.median is not None else "",
            f.q1 if f.q1 is not None else "",
            f.q3 if f.q3 is not None else "",
        ]
        for f in competences.figures
    ]
    rows += [[names[m.code], "", _("Réponses"), m.answers, "", "", ""] for m in competences.moments]
    header = [
        _("Temps"),
        _("Code"),
        _("Domaine"),
        _("Réponses"),
        _("Médiane"),
        _("1er quartile"),
        _("3e quartile"),
    ]
    return Sheet(_("Compétences"), header, rows)


def _dynamics(data: PackData) -> Sheet:
    rows = [
        [
            data.territory(territory_id).name,
            "" if d.launch_maturity is None else d.launch_maturity,
            "" if d.maturity is None else d.maturity,
            " ; ".join(d.forms),
            " ; ".join(d.fragilities),
            " ; ".join(d.partnerships),
        ]
        for territory_id, d in data.dynamics
    ]
    recorded = [d for _t, d in data.dynamics if d.recorded]
    rows.append(
        [
            _total_label(),
            sum(1 for d in recorded if d.launch_maturity is not None),
            len(recorded),
            "",
            "",
            "",
        ]
    )
    header = [
        _("Territoire"),
        _("Maturité au lancement"),
        _("Maturité aujourd'hui"),
        _("Formes pratiquées"),
        _("Fragilités traitées"),
        _("Types de partenariats"),
    ]
    return Sheet(_("Dynamiques territoriales"), header, rows)


def _surveys(data: PackData) -> Sheet:
    rows = []
    for survey in data.surveys or ():
        rows.append([survey.title, "", _("Réponses"), survey.responses, survey.invited])
        for question in survey.questions:
            for option in question.options:
                rows.append([survey.title, question.text, option.label, option.count, ""])
            rows.append([survey.title, question.text, _("Réponses"), question.answered, ""])
    header = [_("Questionnaire"), _("Question"), _("Réponse"), _("Nombre"), _("Invité·es")]
    return Sheet(_("Questionnaires"), header, rows)
