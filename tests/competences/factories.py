"""Campaigns and answers of the test world, made through the operations, for tests to start from.

Cohort A's moments (curriculum « co-construction territoriale », start 2 March 2026): T0 opens
about 23 March for three weeks, MID about 1 July, END about 29 October. ``inside(code)`` gives a
moment in the middle of a window, for ``freeze``.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import Assessment, AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.curricula.schema import EventKind


def moment_event(cohort_id: int, code: str) -> Event:
    return db.session.scalar(
        select(Event).where(
            Event.cohort_id == cohort_id, Event.kind == EventKind.ASSESSMENT, Event.code == code
        )
    )


def inside(cohort_id: int, code: str) -> datetime:
    """A moment two days into the window of ``code``: the campaign may be answered."""
    return moment_event(cohort_id, code).starts_at + timedelta(days=2, hours=9)


def open_campaign(cohort_id: int, code: str, by_id: int | None = None) -> AssessmentCampaign:
    """Open the campaign of ``code`` (call it with the time frozen inside its window)."""
    by = db.session.get(User, by_id) if by_id is not None else None
    campaign, _opened = ops.open_campaign(moment_event(cohort_id, code), by=by)
    return campaign


def levels_answer(campaign: AssessmentCampaign, viewpoint: Viewpoint, level_of) -> ans.AnswerInput:
    """An answer giving each item ``level_of(index, item)`` (None: « je ne sais pas »)."""
    ratings = {}
    for index, item in enumerate(ops.items(campaign, viewpoint)):
        level = level_of(index, item)
        ratings[item.code] = ans.RatingInput(level=level, unknown=level is None)
    return ans.AnswerInput(ratings=ratings)


def submit_self(
    campaign: AssessmentCampaign, user_id: int, level_of=lambda index, item: 2, *, share=False
) -> Assessment:
    """Submit ``user_id``'s self-assessment in ``campaign``; flushed."""
    user = db.session.get(User, user_id)
    territory_id = next(
        m.territory_id
        for m in db.session.scalars(
            select(Territory).where(Territory.cohort_id == campaign.cohort_id)
        ).all()
        for m in m.catalyseurs
        if m.user_id == user_id
    )
    territory = db.session.get(Territory, territory_id)
    answer = levels_answer(campaign, Viewpoint.SELF, level_of)
    answer.share = share
    draft = ops.save_draft(campaign, Viewpoint.SELF, territory, user_id, answer, by=user)
    return ops.submit(draft, by=user)


def submit_territory(
    campaign: AssessmentCampaign,
    viewpoint: Viewpoint,
    territory_id: int,
    by_ids: tuple[int, ...],
    level_of=lambda index, item: 2,
) -> Assessment | None:
    """Submit a consensus (confirmed by both ``by_ids``) or a coach appréciation; flushed."""
    territory = db.session.get(Territory, territory_id)
    first = db.session.get(User, by_ids[0])
    answer = levels_answer(campaign, viewpoint, level_of)
    draft = ops.save_draft(campaign, viewpoint, territory, None, answer, by=first)
    if viewpoint is Viewpoint.COACH:
        return ops.submit(draft, by=first)
    ops.confirm_consensus(draft, by=first)
    return ops.confirm_consensus(draft, by=db.session.get(User, by_ids[1]))
