"""The stage the route matrix plays on: the demo, the people of each role, their objects.

``build_stage`` builds the demo (both promotions) in the running test's transaction, adds
through the operations the few people and objects the roles need and the demo lacks, logs
everyone in, and resolves every URL parameter (``RESOLVERS``) to real ids. ``Stage.ask`` sends
one request inside a SAVEPOINT that is rolled back after the answer.
"""

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage

from parcours.accounts import operations as accounts
from parcours.accounts import tokens
from parcours.accounts.models import User
from parcours.agenda import operations as agenda
from parcours.agenda.models import Event, EventKind
from parcours.attendance.models import SignedSheet
from parcours.cohorts import operations as cohorts
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Role, Territory
from parcours.competences.models import Assessment, AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.evaluation.models import (
    CommitteePack,
    FinalAttestation,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.outbox.models import OutboxMessage
from parcours.suivi import attachments
from parcours.suivi.journal import operations as journal
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import (
    ActionItem,
    Attachment,
    FieldVisitReport,
    FollowUpRecord,
    JournalEntry,
    JournalVisibility,
)
from parcours.suivi.records import operations as records
from parcours.suivi.visits import operations as visits
from tests.conftest import PASSWORD, login
from tests.demo import CURRENT as CURRENT_COHORT
from tests.proof.matrix import CURRENT, PAST, Who

DEMO = "demo.parcours.example"
#: Who plays each role, by scene (see ``build_stage`` for the people the demo lacks).
PEOPLE = {
    CURRENT: {
        Who.CATALYSEUR: f"camille.martin@{DEMO}",  # Pays de Vierzon, with Hugo
        Who.BINOME: f"hugo.bernard@{DEMO}",
        Who.OTHER_CATALYSEUR: f"ines.haddad@{DEMO}",  # Vaulx-en-Velin, followed by Aïcha
        Who.COACH: f"paul.renard@{DEMO}",  # follows Pays de Vierzon
        Who.OTHER_COACH: f"aicha.diallo@{DEMO}",
    },
    PAST: {
        # The previous promotion's Pays de Redon: Gwenaëlle holds an attestation and a named
        # testimony, the objects the promotion in progress does not have yet.
        Who.CATALYSEUR: f"gwenaelle.lebihan@{DEMO}",
        Who.BINOME: f"erwan.quere@{DEMO}",
        Who.OTHER_CATALYSEUR: f"karim.boudjema@{DEMO}",
        Who.COACH: f"paul.renard@{DEMO}",  # made to follow Pays de Redon (``build_stage``)
        Who.OTHER_COACH: f"aicha.diallo@{DEMO}",
    },
}
SHARED_PEOPLE = {
    Who.COORDINATOR: f"coordination@{DEMO}",  # runs both promotions
    Who.OTHER_COORDINATOR: "autre.coordination@matrice.example",  # runs a third cohort only
    Who.COMMITTEE: f"bernard.lemoine@{DEMO}",  # sits on both promotions' Comité
    Who.OUTSIDER: "personne@matrice.example",
    Who.ADMIN: f"admin@{DEMO}",
}
TERRITORY = {CURRENT: "Pays de Vierzon", PAST: "Pays de Redon"}


# The scene: the objects of one promotion's territory ----------------------------------------


@dataclass
class Place:
    """The ORM objects a scene's resolvers read, in the app context of ``build_stage``."""

    name: str
    cohort: Cohort
    territory: Territory
    person: User  # the catalyseur SELF pages are about
    partner: User
    coordinator: User
    extra: dict[str, object] = field(default_factory=dict)  # what ``build_stage`` created


def _one(statement):
    return db.session.scalars(statement.limit(1)).first()


def _event(place: Place, kind: EventKind, *, territory: bool = False):
    query = select(Event.id).where(
        Event.cohort_id == place.cohort.id, Event.kind == kind, Event.cancelled_at.is_(None)
    )
    if territory:
        query = query.where(Event.territory_id == place.territory.id)
    return db.session.scalar(query.order_by(Event.starts_at.desc()).limit(1))


def _session_with_sheet(place: Place):
    return db.session.scalar(
        select(SignedSheet.event_id)
        .join(Event, Event.id == SignedSheet.event_id)
        .where(Event.cohort_id == place.cohort.id, SignedSheet.removed_at.is_(None))
        .order_by(Event.starts_at)
        .limit(1)
    )


def _membership(place: Place, user: User | None):
    if user is None:
        return None
    return db.session.scalar(
        select(Membership.id).where(
            Membership.cohort_id == place.cohort.id, Membership.user_id == user.id
        )
    )


def _entry(place: Place, visibility: JournalVisibility, author: User):
    return db.session.scalar(
        select(JournalEntry.id)
        .where(
            JournalEntry.territory_id == place.territory.id,
            JournalEntry.visibility == visibility,
            JournalEntry.author_id == author.id,
            JournalEntry.deleted_at.is_(None),
        )
        .order_by(JournalEntry.id)
        .limit(1)
    )


def _record(place: Place):
    # The territory's living record with an attachment and action items (Paul's last one).
    return db.session.scalar(
        select(FollowUpRecord.id)
        .join(Attachment, Attachment.record_id == FollowUpRecord.id)
        .where(
            FollowUpRecord.territory_id == place.territory.id,
            FollowUpRecord.deleted_at.is_(None),
        )
        .limit(1)
    )


def _sheet(place: Place, *, removed: bool):
    removal = SignedSheet.removed_at.is_not(None) if removed else SignedSheet.removed_at.is_(None)
    return db.session.scalar(
        select(SignedSheet.id)
        .where(SignedSheet.event_id == _session_with_sheet(place), removal)
        .limit(1)
    )


def _item(place: Place, record_id):
    return db.session.scalar(
        select(ActionItem.id)
        .where(ActionItem.record_id == record_id, ActionItem.owner_id == place.person.id)
        .limit(1)
    )


def _attachment(place: Place, column, owner_id):
    return db.session.scalar(select(Attachment.id).where(column == owner_id).limit(1))


#: One resolver per URL parameter: its values in a scene, by variant ("default" unless a check
#: names another). A resolver answers None where the scene has no such object (the previous
#: promotion keeps no carnet de bord): the checks do not use those.
RESOLVERS: dict[str, Callable[[Place], dict[str, object]]] = {
    "cohort_id": lambda p: {"default": p.cohort.id},
    "territory_id": lambda p: {"default": p.territory.id},
    "user_id": lambda p: {
        "default": p.person.id,
        "invitee": p.extra.get("invitee") and p.extra["invitee"].id,
    },
    "person_id": lambda p: {"default": p.person.id},
    "membership_id": lambda p: {
        "default": _membership(p, p.person),
        "invitee": _membership(p, p.extra.get("invitee")),
    },
    "event_id": lambda p: {
        "default": _session_with_sheet(p),
        "session": _session_with_sheet(p),
        "follow_up": _event(p, EventKind.FOLLOW_UP, territory=True),  # the last, ahead
        "committee": _event(p, EventKind.COMMITTEE),
        "field_visit": p.extra.get("free_visit"),
        "assessment": p.extra.get("unopened_assessment"),
        "cancelled_follow_up": p.extra.get("cancelled_follow_up"),
    },
    "sheet_id": lambda p: {
        "default": _sheet(p, removed=False),
        "removed": _sheet(p, removed=True),
    },
    "campaign_id": lambda p: {
        "default": p.extra["campaign"].id,
        "shared": p.extra.get("shared_campaign"),
        "unshared": p.extra.get("unshared_campaign"),
    },
    "assessment_id": lambda p: {
        "default": db.session.scalar(
            select(Assessment.id)
            .where(
                Assessment.campaign_id == p.extra["campaign"].id,
                Assessment.participant_id == p.partner.id,
                Assessment.viewpoint == Viewpoint.SELF.value,
            )
            .limit(1)
        )
    },
    "survey_id": lambda p: {
        # Closed, with its results (the export needs it closed); and one still open.
        "default": db.session.scalar(
            select(Survey.id)
            .where(Survey.cohort_id == p.cohort.id, Survey.closes_at < now_utc())
            .order_by(Survey.id)
            .limit(1)
        ),
        "open": db.session.scalar(
            select(Survey.id)
            .where(Survey.cohort_id == p.cohort.id, Survey.closes_at > now_utc())
            .limit(1)
        ),
    },
    "pack_id": lambda p: {
        "default": db.session.scalar(
            select(CommitteePack.id)
            .where(CommitteePack.cohort_id == p.cohort.id)
            .order_by(CommitteePack.id)
            .limit(1)
        )
    },
    "attestation_id": lambda p: {
        "default": db.session.scalar(
            select(FinalAttestation.id).where(
                FinalAttestation.cohort_id == p.cohort.id, FinalAttestation.user_id == p.person.id
            )
        )
    },
    "answer_id": lambda p: {
        "default": db.session.scalar(
            select(SurveyAnswer.id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(
                Survey.cohort_id == p.cohort.id,
                SurveyResponse.respondent_id == p.person.id,
                SurveyQuestion.kind == "testimony",
            )
            .limit(1)
        )
    },
    "removal_id": lambda p: {
        "default": db.session.scalar(
            select(MembershipRemoval.id).where(MembershipRemoval.cohort_id == p.cohort.id).limit(1)
        )
    },
    "message_id": lambda p: {
        "default": db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.cohort_id == p.cohort.id).limit(1)
        )
    },
    "entry_id": lambda p: {
        "default": _entry(p, JournalVisibility.COHORT, p.partner),
        "cohort": _entry(p, JournalVisibility.COHORT, p.partner),
        "coach": _entry(p, JournalVisibility.COACH, p.person),
        "binome": _entry(p, JournalVisibility.BINOME, p.person),
        "story": p.extra.get("story"),
        "deleted": p.extra.get("deleted_entry"),
    },
    "record_id": lambda p: {"default": _record(p), "deleted": p.extra.get("deleted_record")},
    "report_id": lambda p: {
        "default": db.session.scalar(
            select(FieldVisitReport.id)
            .where(
                FieldVisitReport.territory_id == p.territory.id,
                FieldVisitReport.deleted_at.is_(None),
            )
            .limit(1)
        ),
        "deleted": p.extra.get("deleted_report"),
    },
    "attachment_id": lambda p: {
        "default": _attachment(p, Attachment.record_id, _record(p)),
        "journal": _attachment(
            p, Attachment.journal_entry_id, _entry(p, JournalVisibility.COHORT, p.partner)
        ),
        "removed": p.extra.get("removed_attachment"),
        "photo": db.session.scalar(
            select(Attachment.id)
            .join(FieldVisitReport, FieldVisitReport.id == Attachment.visit_report_id)
            .where(FieldVisitReport.territory_id == p.territory.id)
            .limit(1)
        ),
    },
    "item_id": lambda p: {
        # The person's own items, on the default record and on the deleted one: the partner
        # owns neither.
        "default": _item(p, _record(p)),
        "of_deleted": _item(p, p.extra.get("deleted_record")),
    },
    "version_id": lambda p: {"default": p.cohort.curriculum_version_id},
    "token": lambda p: {
        "invitation": p.extra.get("invitation_token"),
        "reset": tokens.make_token(p.person, tokens.PASSWORD_RESET),
        "calendar": agenda.feed_for(p.person).token,
        "attestation": db.session.scalar(
            select(FinalAttestation.token).where(FinalAttestation.user_id == p.person.id).limit(1)
        ),
    },
    "code": lambda p: {"bilateral": "BILAT", "follow_up": "SUIVI1"},
    "filename": lambda p: {"default": "css/app.css"},
    # Choices among fixed values: the first the URL accepts (``test_route_matrix._choice``).
    "fmt": lambda p: {},
    "kind": lambda p: {},
    "variant": lambda p: {},
    "extension": lambda p: {},
}


# Building the stage -----------------------------------------------------------------------------


@dataclass
class Answer:
    """What a request got back, and what it wrote before answering (for a refused one)."""

    status: int
    location: str
    wrote: list[str]
    error: str = ""  # the exception the request raised instead of answering


@dataclass
class Stage:
    """The demo, ready to be asked: its ids by scene, who plays each role, their sessions."""

    app: object
    connection: object
    values: dict[str, dict[str, dict[str, object]]]  # scene → parameter → variant → value
    people: dict[str, dict[Who, str]]
    cookies: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    requests: int = 0

    def ask(self, email: str | None, method: str, url: str, *, refused: bool) -> Answer:
        """Send one request as ``email`` (None: anonymous); undo whatever it wrote.

        For a request due to be refused, also ask the database how many rows it has written
        (inserted, updated or deleted, rolled back or not): it must not move.
        """
        client = self.app.test_client()
        for key, value, domain, path in self.cookies.get(email, []) if email else []:
            client.set_cookie(key, value, domain=domain, path=path)
        wrote: list[str] = []
        self.requests += 1
        savepoint = self.connection.begin_nested()
        try:
            before = self.rows_written() if refused else None
            try:
                with _writes(self.connection.engine, wrote):
                    response = client.open(url, method=method, data=_body(method))
            except Exception as error:  # a crash is one more mismatch, reported with the rest
                return Answer(500, "", wrote, f"{type(error).__name__}: {error}")
            response.close()
            if before is not None and (written := self.rows_written() - before):
                wrote.append(f"{written} rows written")
        finally:
            savepoint.rollback()
        return Answer(response.status_code, response.headers.get("Location", ""), wrote)

    def rows_written(self) -> int:
        """The rows this connection's transaction has written so far, by the database's count.

        Counting the rows of every table before and after would say the same of inserts and
        deletes, miss updates, and cost a query per table (minutes on PostgreSQL).
        """
        return self.connection.exec_driver_sql(_ROWS_WRITTEN[self.connection.dialect.name]).scalar()


_ROWS_WRITTEN = {
    "sqlite": "SELECT total_changes()",
    # This transaction's own counts, its rolled-back savepoints included.
    "postgresql": (
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
    ),
}


def _body(method: str) -> dict | None:
    return {} if method == "POST" else None


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.I)


@contextmanager
def _writes(engine, found: list[str]) -> Iterator[None]:
    def note(_connection, _cursor, statement, *_args):
        if _WRITE.match(statement):
            found.append(" ".join(statement.split())[:80])

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", note)


def build_stage(app) -> Stage:
    """Build the demo and what the roles need, log everyone in; return the stage."""
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        current = db.session.scalar(CURRENT_COHORT)
        past = db.session.scalar(select(Cohort).where(Cohort.id != current.id))
        users = {u.email: u for u in db.session.scalars(select(User))}
        coordinator = users[SHARED_PEOPLE[Who.COORDINATOR]]
        places = {}
        for name, cohort in ((CURRENT, current), (PAST, past)):
            territory = db.session.scalar(
                select(Territory).where(
                    Territory.cohort_id == cohort.id, Territory.name == TERRITORY[name]
                )
            )
            places[name] = Place(
                name=name,
                cohort=cohort,
                territory=territory,
                person=users[PEOPLE[name][Who.CATALYSEUR]],
                partner=users[PEOPLE[name][Who.BINOME]],
                coordinator=coordinator,
            )
        _add_what_the_roles_need(places, users)
        db.session.commit()
        values = {
            name: {param: resolve(place) for param, resolve in RESOLVERS.items()}
            for name, place in places.items()
        }
        connection = db.session.connection()
        db.session.commit()
    people = {name: {**PEOPLE[name], **SHARED_PEOPLE} for name in (CURRENT, PAST)}
    stage = Stage(app, connection, values, people)
    for email in {email for scene in people.values() for email in scene.values()}:
        client = app.test_client()
        response = login(client, email)
        names = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
        stage.cookies[email] = [
            (name, cookie.value, cookie.domain, cookie.path)
            for name in names
            if (cookie := client.get_cookie(name)) is not None
        ]
    return stage


def _add_what_the_roles_need(places: dict[str, Place], users: dict[str, User]) -> None:
    """Add, through the operations, the people and objects the demo does not hold."""
    current, past = places[CURRENT], places[PAST]
    coordinator = current.coordinator
    version = current.cohort.curriculum_version
    # A coordinator of a third cohort only, and a person in no cohort.
    other, _ = accounts.ensure_user(SHARED_PEOPLE[Who.OTHER_COORDINATOR], "Autre coordination")
    accounts.set_password(other, PASSWORD)
    cohorts.create_cohort(
        version=version, name="Cohorte d'à côté", start_date=date(2030, 1, 7), created_by=other
    )
    outsider, _ = accounts.ensure_user(SHARED_PEOPLE[Who.OUTSIDER], "Personne")
    accounts.set_password(outsider, PASSWORD)
    # The previous promotion had no coaches: Paul follows Pays de Redon, Aïcha nothing there.
    for role in (Who.COACH, Who.OTHER_COACH):
        coach = users[PEOPLE[PAST][role]]
        cohorts.add_member(
            past.cohort,
            role=Role.COACH,
            email=coach.email,
            full_name=coach.full_name,
            organisation=coach.organisation,
            invited_by=coordinator,
        )
        cohorts.accept_memberships(coach)
    cohorts.assign_coach(past.territory, users[PEOPLE[PAST][Who.COACH]])
    # An invitation not yet answered (the demo's committee invitee): its link and an e-mail
    # about it in the cohort's outbox.
    invitee = _one(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == current.cohort.id, Membership.accepted_at.is_(None))
        .order_by(User.invitation_sent_at.desc())
    )
    current.extra["invitee"] = invitee
    cohorts.resend_invitation(
        db.session.get(Membership, _membership(current, invitee)), invited_by=coordinator
    )
    current.extra["invitation_token"] = tokens.make_token(invitee, tokens.INVITATION)
    # Each promotion's latest campaign (mid-way in progress, the end one past); in progress,
    # the end one not opened yet.
    for place in places.values():
        place.extra["campaign"] = _one(
            select(AssessmentCampaign)
            .where(AssessmentCampaign.cohort_id == place.cohort.id)
            .order_by(AssessmentCampaign.id.desc())
        )
    # The person's answers the partner reads: shared at mid-way, not at the start (the table's
    # SELF_TEAM_AND_PARTNER and SELF_AND_TEAM rest on it).
    sharing = {
        shared: db.session.scalar(
            select(Assessment.campaign_id)
            .where(
                Assessment.participant_id == current.person.id,
                Assessment.viewpoint == Viewpoint.SELF.value,
                Assessment.shared_with_partner.is_(shared),
            )
            .order_by(Assessment.campaign_id)
            .limit(1)
        )
        for shared in (True, False)
    }
    assert None not in sharing.values(), f"the demo's sharing changed: {sharing}"
    current.extra["shared_campaign"], current.extra["unshared_campaign"] = (
        sharing[True],
        sharing[False],
    )
    opened = select(AssessmentCampaign.event_id)
    current.extra["unopened_assessment"] = db.session.scalar(
        select(Event.id).where(
            Event.cohort_id == current.cohort.id,
            Event.kind == EventKind.ASSESSMENT,
            Event.id.not_in(opened),
        )
    )
    # Deleted things, restorable: an entry shared with the cohort, a record, a visit report.
    territory, person, partner, coach = (
        current.territory,
        current.person,
        current.partner,
        users[PEOPLE[CURRENT][Who.COACH]],
    )
    today = now_utc().date()
    entry = journal.create_entry(
        territory,
        EntryDraft(today, "Brouillon retiré", "Rien", "Rien", "Rien", JournalVisibility.COHORT),
        partner,
    )
    journal.delete_entry(entry, partner)
    current.extra["deleted_entry"] = entry.id
    current.extra["story"] = db.session.scalar(
        select(JournalEntry.id).where(
            JournalEntry.author_id == person.id,
            JournalEntry.shared_at.is_not(None),
            JournalEntry.deleted_at.is_(None),
        )
    )
    record = _one(
        select(FollowUpRecord)
        .join(ActionItem, ActionItem.record_id == FollowUpRecord.id)
        .where(
            FollowUpRecord.territory_id == territory.id,
            FollowUpRecord.id != _record(current),
            ActionItem.owner_id == person.id,
        )
        .order_by(FollowUpRecord.id)
    )
    records.delete_record(record, coordinator)
    current.extra["deleted_record"] = record.id
    day = today - timedelta(days=3)
    visit = _meeting(current, EventKind.FIELD_VISIT, "Visite retirée", day, coach)
    report = visits.create_report(visit, visits.VisitFields(visited_on=day), user=coach)
    visits.delete_report(report, user=coach)
    current.extra["deleted_report"] = report.id
    # A follow-up cancelled (no record is written for it) and an attachment removed.
    follow_up = _meeting(current, EventKind.FOLLOW_UP, "Suivi annulé", day, coach)
    agenda.cancel_event(follow_up, cancelled_by=coordinator)
    current.extra["cancelled_follow_up"] = follow_up.id
    upload = FileStorage(io.BytesIO(_PDF), filename="retiree.pdf")
    (attachment,) = attachments.attach(
        db.session.get(FollowUpRecord, _record(current)), [upload], user=coach
    )
    attachments.remove(attachment, coach)
    current.extra["removed_attachment"] = attachment.id
    current.extra["free_visit"] = db.session.scalar(
        select(Event.id)
        .outerjoin(FieldVisitReport, FieldVisitReport.event_id == Event.id)
        .where(
            Event.territory_id == territory.id,
            Event.kind == EventKind.FIELD_VISIT,
            FieldVisitReport.id.is_(None),
        )
        .limit(1)
    )


def _meeting(place: Place, kind: EventKind, title: str, day: date, coach: User) -> Event:
    """Add a meeting of the territory, as the demo adds its extra visits."""
    meeting = Event(
        cohort_id=place.cohort.id,
        territory_id=place.territory.id,
        kind=kind,
        title=title,
        starts_at=datetime.combine(day, clock(9, 30), tzinfo=UTC),
        ends_at=datetime.combine(day, clock(12, 0), tzinfo=UTC),
        created_by_id=coach.id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


#: The smallest PDF the uploads accept.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
