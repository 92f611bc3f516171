"""Gather a Comité d'orientation pack from the database into a plain :class:`PackData`.

Each part reads its domain through that domain's own queries where they exist (the cohort's
overview, attendance at the collective sessions, the competences' cohort figures and domain
levels, the dynamics' summary), and otherwise one grouped query for the whole cohort: the
number of queries does not grow with the territories, sessions or answers.

What a pack covers follows its meeting: **launch** holds the composition, the calendar, what
was done so far and the first self-assessment moment (the T0 baseline); **mid-way** adds the
second moment (the first progression) and the surveys; **final** has every moment. The
territories' dynamics are read up to the matching moment (launch, mid-way, end).
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.attendance.queries import cohort_attendance
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.cohorts.queries import cohort_overview
from parcours.competences.models import Viewpoint, subject_of
from parcours.competences.progression import queries as progression
from parcours.core.extensions import db
from parcours.curricula.schema import PackKind, QuestionKind
from parcours.evaluation.models import MIN_ANONYMOUS_ANSWERS, PackEditorial, Survey
from parcours.evaluation.packs.data import (
    CalendarEvent,
    Choice,
    Competences,
    Composition,
    Domain,
    DomainFigure,
    DynamicsFrame,
    Editorial,
    MomentAnswers,
    OptionCount,
    PackData,
    Participation,
    QuestionSynthesis,
    SessionAttendance,
    SurveySynthesis,
    TerritoryActivity,
    TerritoryDynamics,
    TerritoryInfo,
    TerritoryLevels,
    TerritoryPage,
    Testimony,
)
from parcours.evaluation.surveys import results
from parcours.suivi.dynamics.queries import MOMENTS as DYNAMICS_MOMENTS
from parcours.suivi.dynamics.queries import summarise
from parcours.suivi.models import DynamicsSnapshot, FieldVisitReport, FollowUpRecord, JournalEntry

__all__ = ["PackData", "gather"]

logger = logging.getLogger(__name__)

#: How many of the curriculum's moments (self-assessment, dynamics) each pack covers.
_MOMENTS_COVERED = {PackKind.LAUNCH: 1, PackKind.MIDWAY: 2, PackKind.FINAL: None}


def gather(
    cohort: Cohort, kind: PackKind, *, now: datetime, editorial: PackEditorial | None = None
) -> PackData:
    """Read everything the ``kind`` pack of ``cohort`` prints, as it stands at ``now``."""
    kind = PackKind(kind)
    curriculum = cohort.curriculum
    overview = cohort_overview(cohort)
    composition = Composition(
        target=cohort.target_territories,
        territories=tuple(
            TerritoryInfo(
                id=row.id,
                name=row.name,
                region=row.region,
                department=row.department,
                kind=row.kind,
                carrier_structure=row.carrier_structure,
                carrier_type=row.carrier_type,
                status=row.status,
                status_reason=row.status_reason,
                coach=row.coach.full_name if row.coach else "",
                catalyseurs=tuple(member.user.full_name for member in row.catalyseurs),
            )
            for row in overview.territories
        ),
    )
    accepted = [row for row in overview.territories if row.status == TerritoryStatus.ACCEPTED]
    zone = ZoneInfo(cohort.timezone)
    competences, levels = _competences(cohort, kind, accepted)
    surveys, testimonies = _surveys(cohort, kind, now)
    pages = tuple(TerritoryPage(territory_id=row.id, levels=levels.get(row.id)) for row in accepted)
    return PackData(
        kind=kind,
        cohort_id=cohort.id,
        cohort=cohort.name,
        programme=curriculum.programme.name,
        referential=curriculum.referential.name,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        generated_at=now,
        as_of=now.astimezone(zone).date(),
        composition=composition,
        calendar=_calendar(cohort, now),
        participation=_participation(cohort, now, [row.id for row in accepted]),
        competences=competences,
        dynamics_frame=DynamicsFrame(
            maturity=tuple(level.label for level in curriculum.maturity.levels),
            forms=tuple(Choice(c.code, c.label) for c in curriculum.dynamics.forms),
            fragilities=tuple(Choice(c.code, c.label) for c in curriculum.dynamics.fragilities),
            partnerships=tuple(Choice(c.code, c.label) for c in curriculum.dynamics.partnerships),
        ),
        dynamics=_dynamics(cohort, kind, [row.id for row in accepted]),
        surveys=surveys,
        testimonies=testimonies,
        editorial=Editorial(
            highlights=editorial.highlights if editorial else "",
            concerns=editorial.concerns if editorial else "",
            recommendations=editorial.recommendations if editorial else "",
        ),
        territory_pages=pages,
        min_anonymous=MIN_ANONYMOUS_ANSWERS,
    )


# -- Calendar ----------------------------------------------------------------------------------


def _calendar(cohort: Cohort, now: datetime) -> tuple[CalendarEvent, ...]:
    """The cohort's collective events (not a territory's own meetings), in order. One query."""
    zone = ZoneInfo(cohort.timezone)
    events = db.session.execute(
        select(Event.kind, Event.code, Event.title, Event.starts_at, Event.ends_at, Event.status)
        .where(Event.cohort_id == cohort.id, Event.territory_id.is_(None))
        .order_by(Event.starts_at, Event.id)
    )
    return tuple(
        CalendarEvent(
            kind=row.kind,
            code=row.code,
            title=row.title,
            starts_on=row.starts_at.astimezone(zone).date(),
            ends_on=row.ends_at.astimezone(zone).date(),
            cancelled=row.status == EventStatus.CANCELLED,
            past=row.ends_at <= now,
        )
        for row in events
    )


# -- Participation -----------------------------------------------------------------------------

_HELD_KINDS = {
    EventKind.BILATERAL: "bilaterals",
    EventKind.FOLLOW_UP: "follow_ups",
    EventKind.FIELD_VISIT: "field_visits",
}


def _grouped_counts(column, *where) -> dict[int, int]:
    """Count rows per territory: ``column`` is the territory id of the table counted."""
    rows = db.session.execute(select(column, func.count()).where(*where).group_by(column))
    return dict(rows.all())


def _participation(cohort: Cohort, now: datetime, accepted_ids: list[int]) -> Participation:
    """Attendance per session and territory (the attendance domain's figures), the meetings
    held and what the suivi recorded, per territory."""
    attendance = cohort_attendance(cohort)
    sessions = []
    for figures in attendance.sessions:
        taken = [slot for slot in figures.slots if slot.taken]
        expected = figures.slots[0].expected if figures.slots else 0
        sessions.append(
            SessionAttendance(
                code=figures.event.code,
                title=figures.event.title,
                starts_on=figures.event.starts_at.astimezone(ZoneInfo(cohort.timezone)).date(),
                taken=figures.taken,
                half_days=len(taken),
                expected=expected,
                attended=sum(slot.attended for slot in taken),
                possible=sum(slot.expected for slot in taken),
            )
        )
    held_rows = db.session.execute(
        select(Event.territory_id, Event.kind, func.count())
        .where(
            Event.cohort_id == cohort.id,
            Event.territory_id.is_not(None),
            Event.kind.in_(list(_HELD_KINDS)),
            Event.status == EventStatus.PLANNED,
            Event.ends_at <= now,
        )
        .group_by(Event.territory_id, Event.kind)
    )
    held: dict[int, dict[str, int]] = {}
    for territory_id, event_kind, count in held_rows:
        held.setdefault(territory_id, {})[_HELD_KINDS[EventKind(event_kind)]] = count
    in_cohort = Territory.cohort_id == cohort.id
    records = _grouped_counts(
        FollowUpRecord.territory_id,
        FollowUpRecord.territory_id == Territory.id,
        in_cohort,
        FollowUpRecord.deleted_at.is_(None),
    )
    reports = _grouped_counts(
        FieldVisitReport.territory_id,
        FieldVisitReport.territory_id == Territory.id,
        in_cohort,
        FieldVisitReport.deleted_at.is_(None),
    )
    entries = _grouped_counts(
        JournalEntry.territory_id,
        JournalEntry.territory_id == Territory.id,
        in_cohort,
        JournalEntry.deleted_at.is_(None),
    )
    by_territory = {figures.territory.id: figures for figures in attendance.territories}
    territories = []
    for territory_id in accepted_ids:
        figures = by_territory.get(territory_id)
        meetings = held.get(territory_id, {})
        territories.append(
            TerritoryActivity(
                territory_id=territory_id,
                participants=figures.participants if figures else 0,
                attended=figures.attended if figures else 0,
                possible=figures.possible if figures else 0,
                sessions_represented=figures.sessions_represented if figures else 0,
                sessions_taken=figures.sessions_taken if figures else 0,
                bilaterals=meetings.get("bilaterals", 0),
                follow_ups=meetings.get("follow_ups", 0),
                field_visits=meetings.get("field_visits", 0),
                records=records.get(territory_id, 0),
                visit_reports=reports.get(territory_id, 0),
                journal_entries=entries.get(territory_id, 0),
            )
        )
    return Participation(sessions=tuple(sessions), territories=tuple(territories))


# -- Competences -------------------------------------------------------------------------------


def _covered(sequence, kind: PackKind):
    count = _MOMENTS_COVERED[kind]
    return tuple(sequence) if count is None else tuple(sequence)[:count]


def _competences(cohort: Cohort, kind: PackKind, accepted) -> tuple[Competences, dict]:
    """The cohort's figures per moment and domain (the competences' own rule: medians above
    the threshold) and each territory's levels. Four queries."""
    referential = cohort.curriculum.referential
    codes = [domain.code for domain in referential.domains]
    order = _covered(progression.moments(cohort), kind)
    figures = progression.cohort_figures(cohort)
    charted = {
        m.code: figures.medians(m.code)
        for m in order
        if figures.answers[m.code] and all(not f.hidden for f in figures.figures[m.code].values())
    }
    change = progression.progress(order, charted)
    competences = Competences(
        scale=tuple(level.label for level in referential.levels),
        domains=tuple(Domain(d.code, d.name) for d in referential.domains),
        participants=figures.participants,
        threshold=figures.threshold,
        moments=tuple(MomentAnswers(m.code, m.name, figures.answers[m.code]) for m in order),
        figures=tuple(
            DomainFigure(m.code, code, f.count, f.median, f.q1, f.q3)
            for m in order
            for code, f in figures.figures[m.code].items()
        ),
        charted=tuple(m.code for m in order if m.code in charted),
        progress_first=change.first,
        progress_last=change.last,
        changes=tuple((code, change.changes.get(code)) for code in codes if change.first),
        largest=change.largest,
        stagnant=change.stagnant,
    )
    covered = {m.code for m in order}
    consensus = progression.domain_levels(cohort, Viewpoint.CONSENSUS)
    levels = {}
    for row in accepted:
        if row.is_binome:
            source, people = Viewpoint.CONSENSUS, len(row.catalyseurs)
            subject = subject_of(source, territory_id=row.id, participant_id=None)
            series = progression.series_of(consensus, subject)
        else:
            # A lone catalyseur's levels are that person's own answer, which the committee
            # never reads (competences/permissions.py); the page says so.
            continue
        levels[row.id] = TerritoryLevels(
            source=source.value,
            people=people,
            levels=tuple(
                (m.code, tuple(series[m.code][code] for code in codes))
                for m in order
                if m.code in series and m.code in covered
            ),
        )
    return competences, levels


# -- Dynamics ----------------------------------------------------------------------------------


def _dynamics(
    cohort: Cohort, kind: PackKind, accepted_ids: list[int]
) -> tuple[tuple[int, TerritoryDynamics], ...]:
    """Each accepted territory's dynamics, read by the suivi's own summary over the moments the
    pack covers. One query for the cohort."""
    moments = {m.value for m in _covered(DYNAMICS_MOMENTS, kind)}
    snapshots = db.session.scalars(
        select(DynamicsSnapshot)
        .join(Territory, Territory.id == DynamicsSnapshot.territory_id)
        .where(Territory.cohort_id == cohort.id, DynamicsSnapshot.moment.in_(sorted(moments)))
    ).all()
    by_territory: dict[int, list] = {}
    for snapshot in snapshots:
        by_territory.setdefault(snapshot.territory_id, []).append(snapshot)
    curriculum = cohort.curriculum
    result = []
    for territory_id in accepted_ids:
        summary = summarise(by_territory.get(territory_id, []), curriculum)
        latest = summary.latest
        launch = next((r for r in summary.counting if r.moment == DYNAMICS_MOMENTS[0]), None)
        result.append(
            (
                territory_id,
                TerritoryDynamics(
                    launch_maturity=launch.maturity if launch else None,
                    maturity=latest.maturity if latest else None,
                    moment=latest.moment.value if latest else None,
                    forms=tuple(item.code for item in latest.forms) if latest else (),
                    fragilities=tuple(item.code for item in latest.fragilities) if latest else (),
                    partnerships=tuple(item.code for item in latest.partnerships) if latest else (),
                ),
            )
        )
    return tuple(result)


# -- Surveys -----------------------------------------------------------------------------------


def _surveys(cohort: Cohort, kind: PackKind, now: datetime):
    """The syntheses of the surveys opened by ``now`` and their consented testimonies, by the
    surveys' own results (their k ≥ 5 rule included). None in a launch pack: no survey has run
    yet. Four queries."""
    if kind == PackKind.LAUNCH:
        return None, ()
    ids = db.session.scalars(
        select(Survey.id)
        .outerjoin(Event, Event.id == Survey.event_id)
        .where(
            Survey.cohort_id == cohort.id,
            Survey.opened_at.is_not(None),
            Survey.opened_at <= now,
            results.readable_clause(now),
        )
        .order_by(Survey.kind.desc(), Event.starts_at, Survey.id)
    ).all()
    if not ids:
        return (), ()
    found = results.survey_results(ids, now=now)
    syntheses = tuple(
        SurveySynthesis(
            id=result.survey_id,
            title=result.title,
            kind=result.kind.value,
            anonymous=result.anonymous,
            invited=result.invited,
            responses=result.responses,
            hidden=result.hidden,
            questions=tuple(
                QuestionSynthesis(
                    code=q.code,
                    text=q.text,
                    kind=q.kind.value,
                    theme=q.theme,
                    answered=q.answers,
                    declined=q.declined,
                    options=tuple(OptionCount(c.label, c.count) for c in q.counts),
                    texts=q.texts,
                    mean=q.mean,
                    hidden=q.hidden,
                )
                for q in result.questions
                if q.kind != QuestionKind.TESTIMONY
            ),
        )
        for result in (found[i] for i in ids if i in found)
    )
    testimonies = tuple(
        Testimony(
            text=t.text,
            consent=t.consent.value,
            author=t.author or "",
            territory_id=t.territory_id,
        )
        for t in results.testimonies(ids)
    )
    return syntheses, testimonies
