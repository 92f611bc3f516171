"""A survey's opening e-mail and its one reminder: who gets them, once, and what they say."""

from datetime import timedelta

from sqlalchemy import func, select, update

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.evaluation.models import SurveyInvitation, SurveyMailing
from parcours.evaluation.surveys import mailings
from parcours.evaluation.surveys import operations as ops
from parcours.outbox.models import OutboxMessage
from tests.evaluation.factories import after, mark_attended, opened, prepared, session_event
from tests.evaluation.surveys.helpers import FINAL_OPENED, final_survey


def _queued() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _s1_survey(world, people=("a1", "a2")):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world[key] for key in people])
    return opened(prepared(world["cohort_a"], "A_CHAUD", event), after(event))


def test_opening_e_mails_each_attendee_once_with_the_link_the_date_and_the_mode(ctx, world):
    survey = _s1_survey(world)
    messages = _queued()
    assert sorted(m.recipient for m in messages) == ["a1@example.org", "a2@example.org"]
    message = next(m for m in messages if m.recipient == "a1@example.org")
    assert message.subject == f"À vous de répondre : {survey.title}"
    assert message.body.startswith("Bonjour Catalyseur A1,")
    assert f"http://parcours.test/questionnaires/{survey.id}" in message.body
    assert "« Session 1 — Panorama des partenariats et fragilités territoriales »" in message.body
    assert "mercredi 1er avril 2026" in message.body  # the session, in Paris
    # Opened at 18:00 in Paris for 10 days: the time is Paris's (UTC+2), not UTC's 16:00.
    assert "jusqu'au samedi 11 avril 2026 18:00 (heure de Paris)" in message.body
    assert "Ce questionnaire est anonyme" in message.body
    assert message.dedup_key == f"survey:{survey.id}:opening:{world['a1']}"
    mailing = db.session.scalars(select(SurveyMailing)).one()
    assert (mailing.kind, mailing.recipients) == ("opening", 2)


def test_the_final_surveys_e_mail_says_it_is_not_anonymous(ctx, world):
    survey = final_survey(world)
    [message, *_others] = _queued()
    assert "Le questionnaire « Évaluation de fin de parcours » de la cohorte « Cohorte A »" in (
        message.body
    )
    assert (
        "Ce questionnaire n'est pas anonyme : vos réponses sont enregistrées avec votre nom."
        in (message.body)
    )
    assert "anonyme :" not in message.body.replace("n'est pas anonyme :", "")
    closes = survey.closes_at
    assert closes == FINAL_OPENED + timedelta(days=21)
    assert "jusqu'au vendredi 11 décembre 2026 11:00 (heure de Paris)" in message.body  # UTC+1


def test_an_opening_is_announced_once(ctx, world):
    survey = _s1_survey(world)
    invitations = db.session.scalars(select(SurveyInvitation)).all()
    assert mailings.send_opening(survey, invitations) is None
    # Whoever sends the same mailing again (a claim lost half-way) queues nobody twice.
    people = db.session.scalars(select(User).where(User.id == world["a1"])).all()
    assert mailings._send(survey, people, mailings.SurveyMailingKind.OPENING) == 0
    assert len(_queued()) == 2


def test_a_coordinator_opening_early_mails_the_invited_too(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a2"]])
    opened(prepared(world["cohort_a"], "A_CHAUD", event), event.starts_at, world["coordinator"])
    assert [m.recipient for m in _queued()] == ["a2@example.org"]


def test_the_reminder_goes_once_to_those_who_have_not_answered(ctx, world):
    survey = _s1_survey(world, ("a1", "a1bis", "a2"))
    db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.user_id == world["a1bis"])
        .values(answered=True)
    )
    before = len(_queued())
    assert mailings.send_reminder(survey, now=survey.remind_at - timedelta(minutes=1)) is None
    assert mailings.send_reminder(survey, now=survey.remind_at) == 2
    assert mailings.send_reminder(survey, now=survey.remind_at + timedelta(hours=1)) is None
    reminders = _queued()[before:]
    assert sorted(m.recipient for m in reminders) == ["a1@example.org", "a2@example.org"]
    message = reminders[0]
    assert message.subject == (
        f"Rappel : questionnaire « {survey.title} » ouvert jusqu'au samedi 11 avril 2026 18:00"
    )
    assert "Vous n'avez pas encore répondu au questionnaire à chaud" in message.body
    assert "C'est le seul rappel que vous recevrez" in message.body
    assert f"http://parcours.test/questionnaires/{survey.id}" in message.body
    assert "Ce questionnaire est anonyme" in message.body
    assert message.dedup_key == f"survey:{survey.id}:reminder:{world['a1']}"


def test_no_reminder_once_closed_or_when_the_template_has_none(ctx, world):
    survey = _s1_survey(world)
    assert mailings.send_reminder(survey, now=survey.closes_at) is None
    survey.closed_at = survey.remind_at - timedelta(hours=1)
    assert mailings.send_reminder(survey, now=survey.remind_at) is None
    survey.closed_at, survey.remind_at = None, None
    assert mailings.send_reminder(survey, now=survey.closes_at - timedelta(days=1)) is None
    assert (
        db.session.scalar(
            select(func.count(SurveyMailing.id)).where(SurveyMailing.kind == "reminder")
        )
        == 0
    )


def test_e_mails_follow_the_recipients_language(ctx, world):
    db.session.execute(update(User).where(User.id == world["a2"]).values(locale="en"))
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a2"]])
    survey = prepared(world["cohort_a"], "A_CHAUD", event)
    ops.open_survey(survey, now=after(event))
    [message] = _queued()
    # Dates in English whatever the message catalogue holds yet.
    assert "Saturday, April 11, 2026" in message.body or "Saturday 11 April 2026" in message.body
