"""The demo's past promotion: the same programme a year earlier, finished, with its results.

A committee member or the coordinator logging into the demo finds, next to the promotion in
progress, one that has ended: started about fourteen months ago (its dates from the
curriculum's offsets, none on a weekend), 12 accepted territories and their catalyseurs
(other invented people, ``data_past``), the same coordinator and Comité d'orientation. All
four collective sessions were held and attendance taken; the catalyseurs self-assessed at
T0, mid-way and at the end; most of them answered the end-of-programme evaluation
(identified, with testimonies published under their name, anonymously, or not at all); and
the coordinator issued everyone's attestation de fin de parcours on the closing day.

Everything goes through the operations under ``freeze()`` at the moment it would have
happened, from a fixed seed: the demo reads the same whatever day it is built.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from parcours.accounts import operations as accounts
from parcours.accounts.models import DEMO_EMAIL_DOMAIN, User
from parcours.agenda.models import Event
from parcours.agenda.queries import expected_participants
from parcours.attendance.halfdays import half_days
from parcours.attendance.operations import Mark, record_attendances
from parcours.cohorts import operations as cohorts
from parcours.cohorts.models import Cohort, Role, add_months
from parcours.competences import operations as competences
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze, now_utc
from parcours.curricula.models import Curriculum, CurriculumVersion
from parcours.curricula.schema import EventKind
from parcours.demo import data_past
from parcours.demo.anchor import milestones
from parcours.demo.competences import _answer, _moment, _progress
from parcours.evaluation.attestations import operations as attestations
from parcours.evaluation.models import Consent, SurveyAnswer, SurveyInvitation, SurveyResponse
from parcours.evaluation.surveys import operations as surveys

CURRICULUM_SLUG = "co-construction-territoriale"
#: How long ago the past promotion started.
MONTHS_AGO = 14
#: Who did not answer the final evaluation (the others did): a busy autumn, a job change.
SILENT = ("karim.boudjema", "hamid.sebti", "lucas.wendling")
#: Who missed the last self-assessment.
NO_END_ASSESSMENT = ("hamid.sebti",)
SEED = 2025


def build(coordinator: User, committee_users: list[User], password: str) -> Cohort:
    """Create the past promotion, finished, with its answers and attestations; return it."""
    rng = random.Random(SEED)  # noqa: S311  (invented data, the same on every build)
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.slug == CURRICULUM_SLUG))
    version = curriculum.versions[-1]
    document = version.document
    start = _start_date(document, _taken_years(curriculum.id))
    with freeze(_at(start - timedelta(days=45), time(10, 0))):
        cohort = cohorts.create_cohort(
            version=version,
            name=_cohort_name(start.year),
            start_date=start,
            created_by=coordinator,
        )
        for user in committee_users:
            cohorts.add_member(
                cohort,
                role=Role.COMMITTEE,
                email=user.email,
                full_name=user.full_name,
                organisation=user.organisation,
                invited_by=coordinator,
            )
        people = []
        for name, region, dept, kind, structure, ctype, catalyseurs in data_past.TERRITORIES:
            territory = cohorts.add_territory(
                cohort,
                name=name,
                region=region,
                department=dept,
                kind=kind,
                carrier_structure=structure,
                carrier_type=ctype,
                status="accepted",
                status_reason="",
            )
            for full_name, local in catalyseurs:
                user, _created = accounts.ensure_user(
                    f"{local}@{DEMO_EMAIL_DOMAIN}", full_name, structure
                )
                accounts.set_password(user, password)
                cohorts.add_catalyseur(
                    territory,
                    email=user.email,
                    full_name=full_name,
                    organisation=structure,
                    invited_by=coordinator,
                )
                people.append((territory, user))
        for user in [coordinator, *committee_users, *(user for _t, user in people)]:
            cohorts.accept_memberships(user)
    db.session.flush()
    _record_attendance(cohort, coordinator)
    _self_assessments(cohort, people, rng)
    _final_survey(cohort, coordinator, people, rng)
    closing = _event(cohort, "CLOTURE")
    with freeze(closing.ends_at + timedelta(hours=2)):
        attestations.issue_all(cohort, by=coordinator)
    db.session.flush()
    return cohort


def _cohort_name(year: int) -> str:
    # The demo's naming (cli.cohort_name), not imported: the command imports this module.
    return f"Co-construction territoriale — promotion {year}"


def _taken_years(curriculum_id: int) -> set[int]:
    """The start years of the promotions already there (the one in progress)."""
    return {
        day.year
        for day in db.session.scalars(
            select(Cohort.start_date)
            .join(CurriculumVersion, CurriculumVersion.id == Cohort.curriculum_version_id)
            .where(CurriculumVersion.curriculum_id == curriculum_id)
        )
    }


def _start_date(document, taken: set[int]) -> date:
    """About MONTHS_AGO before today, in a year no promotion started, nothing on a weekend."""
    today = now_utc().astimezone(PARIS).date()
    start = add_months(today, -MONTHS_AGO)
    while start.year in taken:  # « promotion 2025 » is a name one promotion holds
        start = date(start.year - 1, 12, 31)
    planned = milestones(document).planned_days
    while any((start + timedelta(days=day)).weekday() >= 5 for day in planned):
        start -= timedelta(days=1)
    return start


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=PARIS)


def _event(cohort: Cohort, code: str) -> Event:
    return db.session.scalars(
        select(Event).where(Event.cohort_id == cohort.id, Event.code == code).limit(1)
    ).one()


def _record_attendance(cohort: Cohort, coordinator: User) -> None:
    """Attendance at the four sessions, taken the evening of each: most present, a few
    excused, late or absent, in a fixed pattern."""
    sessions = db.session.scalars(
        select(Event)
        .where(Event.cohort_id == cohort.id, Event.kind == EventKind.SESSION)
        .order_by(Event.starts_at)
    ).all()
    for number, event in enumerate(sessions, start=1):
        marks = {}
        for index, person in enumerate(expected_participants(event)):
            for slot_index, slot in enumerate(half_days(event)):
                if (index + number) % 9 == 0:
                    status = "excused"
                elif (index * 3 + number) % 17 == 0:
                    status = "absent"
                elif (index + slot_index + number) % 7 == 0:
                    status = "late"
                else:
                    status = "present"
                marks[(person.user.id, slot.day, slot.half.value)] = Mark(status, "")
        with freeze(event.ends_at + timedelta(hours=3)):
            record_attendances(event, marks, recorded_by=coordinator)


def _open(event: Event) -> AssessmentCampaign:
    with freeze(event.starts_at):  # the scheduler, on the morning of its first day
        campaign, _opened = competences.open_campaign(event, by=None)
    return campaign


def _self_assessments(cohort: Cohort, people, rng: random.Random) -> None:
    """Each catalyseur's T0, mid-way and end self-assessments: a steady progression."""
    moments = {
        event.code: event
        for event in db.session.scalars(
            select(Event).where(Event.cohort_id == cohort.id, Event.kind == EventKind.ASSESSMENT)
        )
    }
    campaigns = [_open(moments[code]) for code in ("T0", "MID", "END")]
    items = competences.items(campaigns[0], Viewpoint.SELF)
    top = len(cohort.curriculum.referential.levels) - 1
    for index, (territory, user) in enumerate(people):
        levels = [min(top, max(0, round(rng.gauss(0.9, 0.6)))) for _ in items]
        local = user.email.split("@")[0]
        for step, campaign in enumerate(campaigns):
            if step == 2 and local in NO_END_ASSESSMENT:
                continue
            if step:
                levels = _progress(levels, items, rng, top, decline=False)
            with freeze(_moment(campaign, 1 + (index + step) % 12, rng)):
                answer = _answer(items, levels, rng, unknown=0.04, evidence=None)
                answer.share = index % 2 == 0
                draft = competences.save_draft(
                    campaign, Viewpoint.SELF, territory, user.id, answer, by=user
                )
                competences.submit(draft, by=user)


def _final_survey(cohort: Cohort, coordinator: User, people, rng: random.Random) -> None:
    """The end-of-programme evaluation, opened on its day and answered by most catalyseurs."""
    template = surveys.template_of(cohort.curriculum, "EVAL_FINALE")
    opening = _at(cohort.start_date + timedelta(days=template.offset_days), time(9, 0))
    with freeze(opening):
        survey = surveys.prepare_survey(cohort, template)
        surveys.open_survey(survey, now=opening, by=coordinator)
    questions = {question.code: question for question in survey.questions}
    invitations = {
        invitation.user_id: invitation
        for invitation in db.session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
        )
    }
    testimonies = iter(data_past.TESTIMONIES)
    for index, (territory, user) in enumerate(people):
        if user.email.split("@")[0] in SILENT:
            continue
        submitted = opening + timedelta(days=1 + index % 15, hours=rng.choice((0, 2, 5, 8)))
        response = SurveyResponse(
            survey_id=survey.id,
            respondent_id=user.id,
            territory_id=territory.id,
            submitted_at=submitted,
        )
        before = rng.choice((1, 1, 2, 2, 3))
        numbers = {
            "IMPACT_INNOVATION": rng.choice((2, 3, 3, 4)),
            "IMPACT_PERFORMANCE": rng.choice((2, 2, 3, 4)),
            "IMPACT_CONFIANCE": rng.choice((3, 3, 4, 4)),
            "MATURITE_AVANT": before,
            "MATURITE_APRES": min(4, before + rng.choice((0, 1, 1, 2))),
        }
        for code, number in numbers.items():
            if code == "MATURITE_AVANT" and index % 8 == 5:  # « je ne souhaite pas répondre »
                response.answers.append(SurveyAnswer(question=questions[code], declined=True))
                continue
            response.answers.append(SurveyAnswer(question=questions[code], number=number))
        response.answers.append(
            SurveyAnswer(
                question=questions["CHANGEMENTS"],
                text=data_past.CHANGES[index % len(data_past.CHANGES)],
            )
        )
        deployment = data_past.DEPLOYMENT[index % len(data_past.DEPLOYMENT)]
        if deployment:
            response.answers.append(
                SurveyAnswer(question=questions["DEPLOIEMENT"], text=deployment)
            )
        response.answers.append(
            SurveyAnswer(
                question=questions["RECOMMANDER"],
                choices=[data_past.RECOMMEND[index % len(data_past.RECOMMEND)]],
            )
        )
        if index % 2 == 0 and (testimony := next(testimonies, None)) is not None:
            text, consent = testimony
            response.answers.append(
                SurveyAnswer(question=questions["TEMOIGNAGE"], text=text, consent=Consent(consent))
            )
        db.session.add(response)
        invitations[user.id].answered = True
    db.session.flush()
