"""The progression's numbers: levels per domain and moment, the cohort's figures, progress.

Every figure comes from the **current** revision of each submitted answer (a reopened and
resubmitted answer counts once, as last submitted). A **level per domain** is the mean of the
levels given to its competences, « je ne sais pas » left out; a domain where every answer is
« je ne sais pas » has no level (None, shown « — »). The coach rates each domain directly: the
mean is then that one level.

Means are computed by the database (one ``GROUP BY`` per assessment and domain, competence
codes mapped to their domain by a ``CASE`` built from the cohort's referential), never by
loading every rating. The cohort's median and quartiles are taken in Python over the
per-participant domain means that query returns: at most a cohort's participants per moment
and domain.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import case, func, select

from parcours.cohorts.models import Cohort, Membership, Role
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentEvidence,
    AssessmentRating,
    Viewpoint,
)
from parcours.competences.queries import is_current
from parcours.core.extensions import db

#: (moment code, subject) → {domain code: mean level, or None}.
DomainLevels = dict[tuple[str, str], dict[str, float | None]]


@dataclass(frozen=True)
class Moment:
    """An assessment moment of the cohort's curriculum, in programme order."""

    code: str
    name: str


def moments(cohort: Cohort) -> tuple[Moment, ...]:
    """Return the cohort's assessment moments in programme order (T0, MID, END). No query."""
    planned = sorted(cohort.curriculum.assessment_moments, key=lambda m: m.offset_days)
    return tuple(Moment(m.code, m.name) for m in planned)


def min_answers() -> int:
    """Return the fewest answers a cohort figure may be computed from (configuration)."""
    return int(current_app.config["PARCOURS_COHORT_MIN_ANSWERS"])


def _domain_of(cohort: Cohort):
    """A SQL expression naming the domain of a rating: a competence's, or the domain itself."""
    mapping = {}
    for domain in cohort.curriculum.referential.domains:
        mapping[domain.code] = domain.code  # the coach's ratings are per domain
        for competence in domain.competences:
            mapping[competence.code] = domain.code
    return case(mapping, value=AssessmentRating.code, else_=None)


def domain_levels(
    cohort: Cohort, viewpoint: Viewpoint, subjects: Iterable[str] | None = None
) -> DomainLevels:
    """Return the level per domain of every current answer of ``viewpoint`` in ``cohort``.

    Keys are (moment code, subject) for each answer submitted; every domain of the
    referential is in each value, None where no level was given. ``subjects`` (« u12 »,
    « t3 ») narrows it to some people or territories. One query.
    """
    # The CASE sits in a subquery, so that the GROUP BY names its column: PostgreSQL would
    # not match two copies of an expression with bound values.
    rated = (
        select(
            AssessmentCampaign.moment_code.label("moment"),
            Assessment.subject.label("subject"),
            _domain_of(cohort).label("domain"),
            AssessmentRating.level.label("level"),
        )
        .join(Assessment, Assessment.id == AssessmentRating.assessment_id)
        .join(AssessmentCampaign, AssessmentCampaign.id == Assessment.campaign_id)
        .where(
            AssessmentCampaign.cohort_id == cohort.id,
            Assessment.viewpoint == Viewpoint(viewpoint).value,
            is_current(),
        )
    )
    if subjects is not None:
        rated = rated.where(Assessment.subject.in_(list(subjects)))
    rated = rated.subquery()
    query = select(
        rated.c.moment, rated.c.subject, rated.c.domain, func.avg(rated.c.level)
    ).group_by(rated.c.moment, rated.c.subject, rated.c.domain)
    codes = [d.code for d in cohort.curriculum.referential.domains]
    levels: DomainLevels = {}
    for moment, subject, code, mean in db.session.execute(query):
        row = levels.setdefault((moment, subject), dict.fromkeys(codes))
        if code is not None:
            row[code] = None if mean is None else float(mean)
    return levels


@dataclass(frozen=True)
class AnswerDetail:
    """A current submitted answer as a person's pages show it: levels, comments, evidence."""

    assessment_id: int
    moment: str
    subject: str
    shared_with_partner: bool
    comment: str
    levels: dict[str, int | None]
    comments: dict[str, str]
    evidence: dict[str, tuple[str, ...]]  # code → evidence titles


def answer_details(
    cohort: Cohort, viewpoint: Viewpoint, subjects: Iterable[str]
) -> list[AnswerDetail]:
    """Return the current answers of ``subjects`` (one person's or territory's three moments at
    most), with their per-item levels, comments and evidence titles. Three queries."""
    subjects = list(subjects)
    answers = db.session.execute(
        select(Assessment, AssessmentCampaign.moment_code)
        .join(AssessmentCampaign, AssessmentCampaign.id == Assessment.campaign_id)
        .where(
            AssessmentCampaign.cohort_id == cohort.id,
            Assessment.viewpoint == Viewpoint(viewpoint).value,
            Assessment.subject.in_(subjects),
            is_current(),
        )
    ).all()
    ids = [assessment.id for assessment, _moment in answers]
    ratings = (
        db.session.execute(
            select(
                AssessmentRating.id,
                AssessmentRating.assessment_id,
                AssessmentRating.code,
                AssessmentRating.level,
                AssessmentRating.comment,
            )
            .where(AssessmentRating.assessment_id.in_(ids))
            .order_by(AssessmentRating.id)
        ).all()
        if ids
        else []
    )
    titles: dict[int, list[str]] = {}
    if ratings:
        for rating_id, title in db.session.execute(
            select(AssessmentEvidence.rating_id, AssessmentEvidence.title)
            .join(AssessmentRating, AssessmentRating.id == AssessmentEvidence.rating_id)
            .where(AssessmentRating.assessment_id.in_(ids))
            .order_by(AssessmentEvidence.id)
        ):
            titles.setdefault(rating_id, []).append(title)
    by_answer: dict[int, list] = {}
    for row in ratings:
        by_answer.setdefault(row.assessment_id, []).append(row)
    details = []
    for assessment, moment in answers:
        rows = by_answer.get(assessment.id, [])
        details.append(
            AnswerDetail(
                assessment_id=assessment.id,
                moment=moment,
                subject=assessment.subject,
                shared_with_partner=assessment.shared_with_partner,
                comment=assessment.comment,
                levels={r.code: r.level for r in rows},
                comments={r.code: r.comment for r in rows if r.comment},
                evidence={r.code: tuple(titles[r.id]) for r in rows if r.id in titles},
            )
        )
    return details


# -- The cohort's figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """The cohort's self-assessments for one domain and moment: shown only from ``min_answers``.

    ``count`` answers gave the domain a level; below the threshold, ``median`` and the
    quartiles are None and ``hidden`` is true (« trop peu de réponses »).
    """

    count: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None

    @property
    def hidden(self) -> bool:
        return self.median is None


def figure(values: list[float], threshold: int) -> Figure:
    """Return the median and quartiles of ``values``, or a hidden figure below ``threshold``.

    Quartiles are linearly interpolated between the values (the ``inclusive`` method of
    :func:`statistics.quantiles`, a spreadsheet's QUARTILE): for 1, 2, 3, 4, 5 they are 2 and 4.
    """
    count = len(values)
    if count < max(threshold, 1):
        return Figure(count)
    if count == 1:
        return Figure(count, values[0], values[0], values[0])
    q1, median, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return Figure(count, median, q1, q3)


@dataclass(frozen=True)
class CohortFigures:
    """The cohort's picture: per moment and domain, the figure of its self-assessments."""

    participants: int  # the denominator: the cohort's catalyseurs
    answers: dict[str, int]  # moment → self-assessments submitted
    figures: dict[str, dict[str, Figure]]  # moment → domain → figure
    threshold: int

    def medians(self, moment: str) -> dict[str, float | None]:
        return {code: f.median for code, f in self.figures.get(moment, {}).items()}


def cohort_figures(cohort: Cohort) -> CohortFigures:
    """Return the cohort's figures, per moment and domain, from its current self-assessments.

    Two queries: the per-participant domain means (:func:`domain_levels`) and the count of
    the cohort's catalyseurs. Median and quartiles are then taken over at most the cohort's
    participants per moment and domain.
    """
    threshold = min_answers()
    levels = domain_levels(cohort, Viewpoint.SELF)
    participants = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.CATALYSEUR,
            Membership.territory_id.is_not(None),
        )
    )
    codes = [d.code for d in cohort.curriculum.referential.domains]
    answers: dict[str, int] = {}
    figures: dict[str, dict[str, Figure]] = {}
    for moment in moments(cohort):
        rows = [row for (code, _subject), row in levels.items() if code == moment.code]
        answers[moment.code] = len(rows)
        figures[moment.code] = {
            domain: figure([r[domain] for r in rows if r[domain] is not None], threshold)
            for domain in codes
        }
    return CohortFigures(participants or 0, answers, figures, threshold)


# -- Progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """From the first moment answered to the last: the change of each domain's level.

    ``largest`` names the domains that progressed most (a change above 0); ``stagnant`` those
    whose level did not rise. Empty when fewer than two moments were answered.
    """

    first: str | None = None
    last: str | None = None
    changes: dict[str, float | None] = field(default_factory=dict)

    @property
    def known(self) -> dict[str, float]:
        return {code: change for code, change in self.changes.items() if change is not None}

    @property
    def largest(self) -> tuple[str, ...]:
        known = self.known
        best = max(known.values(), default=0)
        if best <= 0:
            return ()
        return tuple(code for code, change in known.items() if change == best)

    @property
    def stagnant(self) -> tuple[str, ...]:
        return tuple(code for code, change in self.known.items() if change <= 0)


def progress(order: Iterable[Moment], series: dict[str, dict[str, float | None]]) -> Progress:
    """Return the progress of ``series`` (moment → domain → level) from its first moment
    answered to its last (T0 → END when both exist), domain by domain."""
    answered = [m.code for m in order if m.code in series]
    if len(answered) < 2:
        return Progress()
    first, last = series[answered[0]], series[answered[-1]]
    changes = {
        code: None
        if first.get(code) is None or last.get(code) is None
        else last[code] - first[code]
        for code in first
    }
    return Progress(answered[0], answered[-1], changes)


def series_of(levels: DomainLevels, subject: str) -> dict[str, dict[str, float | None]]:
    """Return one subject's levels by moment."""
    return {moment: row for (moment, who), row in levels.items() if who == subject}
