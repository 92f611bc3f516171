"""What the progression's pages and the bilan show, built from the queries: charts and tables.

A radar plots the level per domain (the mean of its competences' levels, « je ne sais pas »
left out) of each moment answered, one polygon per moment; its data table says the same in
numbers, « — » where a domain has no level (the polygon then touches the centre).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from parcours.cohorts.models import Cohort, Membership
from parcours.competences import permissions as can
from parcours.competences.models import Viewpoint, subject_of
from parcours.competences.progression import queries
from parcours.reports import charts

NO_LEVEL = "—"


@dataclass(frozen=True)
class Radar:
    """A chart ready for a page: its SVG and its data table (header row first)."""

    chart: charts.RadarChart
    table: list[list[str]]

    @property
    def svg(self) -> Markup:
        return Markup(charts.to_svg(charts.draw(self.chart, show_title=False)))  # noqa: S704

    @property
    def description(self) -> str:
        return charts.text_alternative(self.chart)


def _scale(cohort: Cohort) -> tuple[int, tuple[str, ...]]:
    levels = cohort.curriculum.referential.levels
    return len(levels) - 1, tuple(level.label for level in levels)


def radar(
    cohort: Cohort, title: str, series: dict[str, dict[str, float | None]], *, labels=None
) -> Radar:
    """Return the radar of ``series`` (moment or label → domain → level), moments in order."""
    scale_max, scale_labels = _scale(cohort)
    domains = cohort.curriculum.referential.domains
    keys = [m.code for m in queries.moments(cohort) if m.code in series]
    names = labels or {m.code: m.name for m in queries.moments(cohort)}
    chart = charts.RadarChart(
        title=title,
        axes=tuple(f"{d.code} · {d.name}" for d in domains),
        series=tuple(
            charts.Series(names[key], tuple(series[key][d.code] or 0 for d in domains))
            for key in keys
        ),
        scale_max=scale_max,
        scale_labels=scale_labels,
        axis_heading=_("Domaine"),
    )
    table = charts.data_table(chart)
    for row_index, d in enumerate(domains, start=1):
        for column, key in enumerate(keys, start=1):
            if series[key][d.code] is None and len(table) > row_index:
                table[row_index][column] = NO_LEVEL
    return Radar(chart, table)


def level_text(cohort: Cohort, level: float | None) -> str:
    """Return a level for a table: « 1,5 », « 2 (Pratique) », or « — »."""
    if level is None:
        return NO_LEVEL
    _max, scale_labels = _scale(cohort)
    text = charts.format_value(level)
    if float(level).is_integer():
        return _("%(value)s (%(level)s)", value=text, level=scale_labels[int(level)])
    return text


@dataclass(frozen=True)
class CompetenceRow:
    domain: str
    code: str
    label: str
    cells: tuple[str, ...]  # one per moment
    comments: tuple[tuple[str, str], ...]  # (moment name, comment)
    evidence: tuple[tuple[str, str], ...]  # (moment name, evidence title)


def competence_table(
    cohort: Cohort, details: list[queries.AnswerDetail]
) -> tuple[tuple[queries.Moment, ...], list[CompetenceRow]]:
    """Return the moments answered and a row per competence: its level at each of them."""
    by_moment = {d.moment: d for d in details}
    shown = tuple(m for m in queries.moments(cohort) if m.code in by_moment)
    _max, scale_labels = _scale(cohort)
    rows = []
    for domain in cohort.curriculum.referential.domains:
        for competence in domain.competences:
            cells, comments, evidence = [], [], []
            for moment in shown:
                detail = by_moment[moment.code]
                if competence.code not in detail.levels:
                    cells.append(NO_LEVEL)
                    continue
                level = detail.levels[competence.code]
                cells.append(
                    _("je ne sais pas")
                    if level is None
                    else _("%(value)s (%(level)s)", value=level, level=scale_labels[level])
                )
                if competence.code in detail.comments:
                    comments.append((moment.name, detail.comments[competence.code]))
                evidence += [(moment.name, t) for t in detail.evidence.get(competence.code, ())]
            rows.append(
                CompetenceRow(
                    domain.code,
                    competence.code,
                    competence.label,
                    tuple(cells),
                    tuple(comments),
                    tuple(evidence),
                )
            )
    return shown, rows


@dataclass(frozen=True)
class PositionRow:
    """« Se compter »: one domain at one moment, the person's level beside the cohort's."""

    moment: queries.Moment
    domain: str
    name: str
    own: str
    figure: queries.Figure
    median: str
    spread: str  # « 1,5 – 2,5 », or empty when hidden


def position(
    cohort: Cohort,
    own: dict[str, dict[str, float | None]],
    figures: queries.CohortFigures,
) -> list[PositionRow]:
    """Return, per moment the person answered and per domain, their level and the cohort's."""
    rows = []
    for moment in queries.moments(cohort):
        if moment.code not in own:
            continue
        for domain in cohort.curriculum.referential.domains:
            fig = figures.figures[moment.code][domain.code]
            rows.append(
                PositionRow(
                    moment,
                    domain.code,
                    domain.name,
                    level_text(cohort, own[moment.code][domain.code]),
                    fig,
                    _("trop peu de réponses") if fig.hidden else level_text(cohort, fig.median),
                    ""
                    if fig.hidden
                    else f"{level_text(cohort, fig.q1)} – {level_text(cohort, fig.q3)}",
                )
            )
    return rows


def progress_lines(cohort: Cohort, progress: queries.Progress) -> dict[str, list[str]]:
    """Return the domains that progressed most and those that stagnated, named, with the change."""
    names = {d.code: f"{d.code} · {d.name}" for d in cohort.curriculum.referential.domains}

    def line(code: str) -> str:
        change = progress.changes[code]
        sign = "+" if change > 0 else ""
        return f"{names[code]} ({sign}{charts.format_value(change)})"

    return {
        "largest": [line(code) for code in progress.largest],
        "stagnant": [line(code) for code in progress.stagnant],
    }


def person_data(cohort: Cohort, participant: Membership, viewer) -> dict:
    """Gather one catalyseur's progression as ``viewer`` may read it (shared answers only, for
    a binôme partner)."""
    subject = subject_of(
        Viewpoint.SELF, territory_id=participant.territory_id, participant_id=participant.user_id
    )
    territory = participant.territory
    details = [
        d
        for d in queries.answer_details(cohort, Viewpoint.SELF, [subject])
        if can.can_read_self(viewer, territory, participant.user_id, d.shared_with_partner)
    ]
    readable = {d.moment for d in details}
    levels = queries.domain_levels(cohort, Viewpoint.SELF, [subject])
    series = {m: row for m, row in queries.series_of(levels, subject).items() if m in readable}
    figures = (
        queries.cohort_figures(cohort) if can.can_read_cohort_figures(viewer, cohort) else None
    )
    moments, rows = competence_table(cohort, details)
    progress = queries.progress(queries.moments(cohort), series)
    return {
        "person": participant.user,
        "territory": territory,
        "series": series,
        "radar": radar(cohort, _("Auto-évaluation par domaine"), series),
        "moments": moments,
        "rows": rows,
        "comments": [(d.moment, d.comment) for d in details if d.comment],
        "figures": figures,
        "position": position(cohort, series, figures) if figures else [],
        "progress": progress,
        "progress_lines": progress_lines(cohort, progress),
    }
