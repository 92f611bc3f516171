"""« Mes données »: everything Parcours holds about one person, gathered in a fixed number of
queries into a plain object, then rendered (JSON, HTML) without touching the database.

The gathering reads each domain's tables by the person's id (about one query per category,
whatever the amount of data). Left out on purpose, because they hold nothing about the person
or nothing that can be linked to them:

- secrets that are not data but keys: the password hash, the session token, the calendar
  feed's token, the device cookies (never stored) and the attestations' verification tokens;
- ``throttle_hits``: attempts are counted under a digest, not under a person;
- anonymous survey answers (``survey_responses`` without respondent): nothing links them to
  their author, by design; only the invitation (« a répondu ») is theirs;
- what a person did as part of running a cohort rather than about themselves (events they
  planned, survey questions they added, campaigns and surveys they opened, pack editorials,
  mailings, signed sheets): cohort content, kept with the cohort; the audit entries already
  list these actions;
- follow-up records, visit reports and journal entries written by others about their
  territory: they belong to their authors (and are read on the territory's pages).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda.models import CalendarFeed, Event
from parcours.attendance.models import Attendance
from parcours.audit.models import AuditAction, AuditEntry
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Territory
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentRating,
)
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.evaluation.models import (
    CommitteePack,
    FinalAttestation,
    PackDownload,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.outbox.models import OutboxMessage
from parcours.storage.models import StoredFile
from parcours.suivi.models import (
    ActionItem,
    DynamicsSnapshot,
    FieldVisitReport,
    FollowUpRecord,
    FormDraft,
    JournalEntry,
    Tag,
)

#: The sections of an export, in the order they are shown, with their titles.
SECTIONS = {
    "memberships": _l("Cohortes et rôles"),
    "removals": _l("Retraits d'une cohorte"),
    "coached_territories": _l("Territoires accompagnés"),
    "attendance": _l("Présences"),
    "assessments": _l("Auto-évaluations et appréciations envoyées"),
    "assessment_drafts": _l("Brouillons d'auto-évaluation"),
    "journal_entries": _l("Carnet de bord et belles histoires"),
    "follow_up_records": _l("Comptes rendus de suivi rédigés"),
    "field_visits": _l("Comptes rendus de visite rédigés"),
    "action_items": _l("Actions"),
    "dynamics": _l("Dynamiques territoriales relevées"),
    "form_drafts": _l("Textes en attente (formulaires non enregistrés)"),
    "files": _l("Fichiers déposés"),
    "survey_answers": _l("Réponses aux questionnaires nominatifs"),
    "survey_invitations": _l("Questionnaires reçus"),
    "attestations": _l("Attestations de fin de parcours"),
    "pack_downloads": _l("Dossiers du comité téléchargés"),
    "emails": _l("E-mails envoyés"),
    "audit": _l("Journal des actions"),
}


@dataclass(frozen=True)
class PersonalData:
    """What Parcours holds about one person, as plain values (dates stay dates)."""

    person_id: int
    generated_at: datetime
    account: dict
    sections: dict[str, list[dict]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "person_id": self.person_id,
            "generated_at": self.generated_at,
            "account": self.account,
            **self.sections,
        }


def gather(person: User) -> PersonalData:
    """Gather everything about ``person``: a fixed number of queries, whatever the amount."""
    uid = person.id
    feed = db.session.scalar(select(CalendarFeed.created_at).where(CalendarFeed.user_id == uid))
    account = {
        "id": person.id,
        "email": person.email,
        "full_name": person.full_name,
        "organisation": person.organisation,
        "locale": person.locale,
        "active": person.active,
        "is_admin": person.is_admin,
        "can_create_cohorts": person.can_create_cohorts,
        "has_password": person.has_password,
        "created_at": person.created_at,
        "last_login_at": person.last_login_at,
        "invitation_sent_at": person.invitation_sent_at,
        "calendar_feed_created_at": feed,
    }
    sections = {
        "memberships": _memberships(uid),
        "removals": _removals(uid),
        "coached_territories": _coached(uid),
        "attendance": _attendance(uid),
        "assessments": _assessments(uid),
        "assessment_drafts": _assessment_drafts(uid),
        "journal_entries": _journal(uid),
        "follow_up_records": _records(uid),
        "field_visits": _visits(uid),
        "action_items": _actions(uid),
        "dynamics": _dynamics(uid),
        "form_drafts": _form_drafts(uid),
        "files": _files(uid),
        "survey_answers": _survey_answers(uid),
        "survey_invitations": _survey_invitations(uid),
        "attestations": _attestations(uid),
        "pack_downloads": _pack_downloads(uid),
        "emails": _emails(person.email),
        "audit": _audit(uid),
    }
    return PersonalData(person_id=uid, generated_at=now_utc(), account=account, sections=sections)


def _rows(statement) -> list[dict]:
    """Run one query and give its rows as plain dicts, keyed by the selected columns' names."""
    return [dict(row._mapping) for row in db.session.execute(statement)]


def _memberships(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            Membership.role,
            Territory.name.label("territory"),
            Membership.invited_name,
            Membership.invited_organisation,
            Membership.created_at,
            Membership.accepted_at,
        )
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(Territory, Territory.id == Membership.territory_id)
        .where(Membership.user_id == uid)
        .order_by(Membership.created_at, Membership.id)
    )


def _removals(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            MembershipRemoval.role,
            Territory.name.label("territory"),
            MembershipRemoval.joined_at,
            MembershipRemoval.removed_at,
            MembershipRemoval.restored_at,
        )
        .join(Cohort, Cohort.id == MembershipRemoval.cohort_id)
        .outerjoin(Territory, Territory.id == MembershipRemoval.territory_id)
        .where(MembershipRemoval.user_id == uid)
        .order_by(MembershipRemoval.removed_at, MembershipRemoval.id)
    )


def _coached(uid: int) -> list[dict]:
    return _rows(
        select(Cohort.name.label("cohort"), Territory.name.label("territory"))
        .join(Cohort, Cohort.id == Territory.cohort_id)
        .where(Territory.coach_id == uid)
        .order_by(Cohort.name, Territory.name)
    )


def _attendance(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            Event.title.label("event"),
            Attendance.day,
            Attendance.half,
            Attendance.status,
            Attendance.comment,
            Attendance.self_checked_in,
            Attendance.recorded_at,
        )
        .join(Event, Event.id == Attendance.event_id)
        .join(Cohort, Cohort.id == Event.cohort_id)
        .where(Attendance.user_id == uid)
        .order_by(Attendance.day, Attendance.half, Attendance.id)
    )


def _assessments(uid: int) -> list[dict]:
    """Their own self-assessments, and the consensus or appréciation they sent or confirmed."""
    rows = db.session.execute(
        select(Assessment, Cohort.name, Territory.name, AssessmentCampaign.moment_code)
        .join(AssessmentCampaign, AssessmentCampaign.id == Assessment.campaign_id)
        .join(Cohort, Cohort.id == AssessmentCampaign.cohort_id)
        .join(Territory, Territory.id == Assessment.territory_id)
        .where(
            or_(
                Assessment.participant_id == uid,
                Assessment.submitted_by_id == uid,
                Assessment.confirmed_by_id == uid,
            )
        )
        .options(selectinload(Assessment.ratings).selectinload(AssessmentRating.evidence))
        .order_by(Assessment.submitted_at, Assessment.id)
    ).all()
    return [
        {
            "cohort": cohort,
            "moment": moment,
            "viewpoint": answer.viewpoint,
            "territory": territory,
            "revision": answer.revision,
            "submitted_at": answer.submitted_at,
            "comment": answer.comment,
            "shared_with_partner": answer.shared_with_partner,
            "ratings": [
                {
                    "code": rating.code,
                    "level": rating.level,
                    "comment": rating.comment,
                    "evidence": [
                        {"kind": proof.kind, "title": proof.title, "url": proof.url}
                        for proof in rating.evidence
                    ],
                }
                for rating in answer.ratings
            ],
        }
        for answer, cohort, territory, moment in rows
    ]


def _assessment_drafts(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            AssessmentCampaign.moment_code.label("moment"),
            AssessmentDraft.viewpoint,
            AssessmentDraft.created_at,
            AssessmentDraft.updated_at,
            AssessmentDraft.data,
        )
        .join(AssessmentCampaign, AssessmentCampaign.id == AssessmentDraft.campaign_id)
        .join(Cohort, Cohort.id == AssessmentCampaign.cohort_id)
        .where(or_(AssessmentDraft.participant_id == uid, AssessmentDraft.updated_by_id == uid))
        .order_by(AssessmentDraft.updated_at, AssessmentDraft.id)
    )


def _journal(uid: int) -> list[dict]:
    """The entries they wrote (deleted ones too: still held), with their tags. Two queries."""
    rows = db.session.execute(
        select(JournalEntry, Territory.name)
        .join(Territory, Territory.id == JournalEntry.territory_id)
        .where(JournalEntry.author_id == uid)
        .order_by(JournalEntry.written_on, JournalEntry.id)
    ).all()
    tags = defaultdict(list)
    authored = select(JournalEntry.id).where(JournalEntry.author_id == uid)
    for entry_id, kind, code in db.session.execute(
        select(Tag.journal_entry_id, Tag.kind, Tag.code)
        .where(Tag.journal_entry_id.in_(authored))
        .order_by(Tag.id)
    ):
        tags[entry_id].append(f"{kind}:{code}")
    return [
        {
            "territory": territory,
            "written_on": entry.written_on,
            "title": entry.title,
            "what_we_did": entry.what_we_did,
            "what_we_learned": entry.what_we_learned,
            "what_we_try_next": entry.what_we_try_next,
            "visibility": entry.visibility,
            "shared_at": entry.shared_at,
            "consent_withdrawn_at": entry.consent_withdrawn_at,
            "tags": tags[entry.id],
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
            "deleted_at": entry.deleted_at,
        }
        for entry, territory in rows
    ]


def _records(uid: int) -> list[dict]:
    return _rows(
        select(
            Territory.name.label("territory"),
            FollowUpRecord.held_on,
            FollowUpRecord.mode,
            FollowUpRecord.other_participants,
            FollowUpRecord.agenda,
            FollowUpRecord.agenda_visibility,
            FollowUpRecord.notes,
            FollowUpRecord.notes_visibility,
            FollowUpRecord.decisions,
            FollowUpRecord.decisions_visibility,
            FollowUpRecord.team_notes,
            FollowUpRecord.created_at,
            FollowUpRecord.updated_at,
            FollowUpRecord.deleted_at,
        )
        .join(Territory, Territory.id == FollowUpRecord.territory_id)
        .where(FollowUpRecord.created_by_id == uid)
        .order_by(FollowUpRecord.held_on, FollowUpRecord.id)
    )


def _visits(uid: int) -> list[dict]:
    rows = db.session.execute(
        select(FieldVisitReport, Territory.name)
        .join(Territory, Territory.id == FieldVisitReport.territory_id)
        .where(FieldVisitReport.created_by_id == uid)
        .options(selectinload(FieldVisitReport.stakeholders))
        .order_by(FieldVisitReport.visited_on, FieldVisitReport.id)
    ).all()
    return [
        {
            "territory": territory,
            "visited_on": report.visited_on,
            "places": report.places,
            "observed": report.observed,
            "what_works": report.what_works,
            "difficulties": report.difficulties,
            "stakeholders": [
                {"kind": s.kind, "name": s.name, "organisation": s.organisation}
                for s in report.stakeholders
            ],
            "created_at": report.created_at,
            "updated_at": report.updated_at,
            "deleted_at": report.deleted_at,
        }
        for report, territory in rows
    ]


def _actions(uid: int) -> list[dict]:
    rows = db.session.execute(
        select(
            Territory.name.label("territory"),
            ActionItem.title,
            (ActionItem.owner_id == uid).label("owner"),
            (ActionItem.created_by_id == uid).label("written_by_me"),
            ActionItem.due_on,
            ActionItem.done_at,
            ActionItem.created_at,
        )
        .join(Territory, Territory.id == ActionItem.territory_id)
        .where(or_(ActionItem.owner_id == uid, ActionItem.created_by_id == uid))
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    return [
        {**row._mapping, "owner": bool(row.owner), "written_by_me": bool(row.written_by_me)}
        for row in rows
    ]


def _dynamics(uid: int) -> list[dict]:
    return _rows(
        select(
            Territory.name.label("territory"),
            DynamicsSnapshot.moment,
            DynamicsSnapshot.recorded_on,
            DynamicsSnapshot.maturity,
            DynamicsSnapshot.forms,
            DynamicsSnapshot.fragilities,
            DynamicsSnapshot.partnerships,
            DynamicsSnapshot.comment,
        )
        .join(Territory, Territory.id == DynamicsSnapshot.territory_id)
        .where(DynamicsSnapshot.recorded_by_id == uid)
        .order_by(DynamicsSnapshot.recorded_at, DynamicsSnapshot.id)
    )


def _form_drafts(uid: int) -> list[dict]:
    return _rows(
        select(FormDraft.form_key, FormDraft.saved_at, FormDraft.data)
        .where(FormDraft.user_id == uid)
        .order_by(FormDraft.saved_at, FormDraft.id)
    )


def _files(uid: int) -> list[dict]:
    """The files they uploaded (attachments, photos, scans): what they are, not their bytes."""
    return _rows(
        select(
            StoredFile.filename,
            StoredFile.content_type,
            StoredFile.size,
            StoredFile.sha256,
            StoredFile.uploaded_at,
        )
        .where(StoredFile.uploaded_by_id == uid)
        .order_by(StoredFile.uploaded_at, StoredFile.id)
    )


def _survey_answers(uid: int) -> list[dict]:
    """Their responses to identified surveys, answer by answer. One query.

    Anonymous surveys are left out by the query itself: their responses name nobody.
    """
    rows = db.session.execute(
        select(
            SurveyResponse.id.label("response_id"),
            Survey.title,
            SurveyResponse.submitted_at,
            SurveyQuestion.code,
            SurveyQuestion.text.label("question"),
            SurveyAnswer.declined,
            SurveyAnswer.number,
            SurveyAnswer.choices,
            SurveyAnswer.text,
            SurveyAnswer.consent,
            SurveyAnswer.consent_withdrawn_at,
        )
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .outerjoin(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyResponse.respondent_id == uid, Survey.anonymous.is_(False))
        .order_by(SurveyResponse.id, SurveyQuestion.position)
    )
    responses: dict[int, dict] = {}
    for row in rows:
        response = responses.setdefault(
            row.response_id,
            {"survey": row.title, "submitted_at": row.submitted_at, "answers": []},
        )
        if row.code is None:
            continue
        response["answers"].append(
            {
                "code": row.code,
                "question": row.question,
                "declined": row.declined,
                "number": row.number,
                "choices": list(row.choices or []),
                "text": row.text,
                "consent": row.consent,
                "consent_withdrawn_at": row.consent_withdrawn_at,
            }
        )
    return list(responses.values())


def _survey_invitations(uid: int) -> list[dict]:
    return _rows(
        select(Survey.title.label("survey"), Survey.anonymous, SurveyInvitation.answered)
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .where(SurveyInvitation.user_id == uid)
        .order_by(Survey.created_at, Survey.id)
    )


def _attestations(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            FinalAttestation.number,
            FinalAttestation.issued_at,
            FinalAttestation.sha256,
        )
        .join(Cohort, Cohort.id == FinalAttestation.cohort_id)
        .where(FinalAttestation.user_id == uid)
        .order_by(FinalAttestation.issued_at, FinalAttestation.id)
    )


def _pack_downloads(uid: int) -> list[dict]:
    return _rows(
        select(
            Cohort.name.label("cohort"),
            CommitteePack.kind,
            CommitteePack.number,
            PackDownload.variant,
            PackDownload.downloaded_at,
        )
        .join(CommitteePack, CommitteePack.id == PackDownload.pack_id)
        .join(Cohort, Cohort.id == CommitteePack.cohort_id)
        .where(PackDownload.user_id == uid)
        .order_by(PackDownload.downloaded_at, PackDownload.id)
    )


def _emails(address: str) -> list[dict]:
    return _rows(
        select(
            OutboxMessage.subject,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
            OutboxMessage.status,
            OutboxMessage.body,
            OutboxMessage.attachment_name,
        )
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )


def _audit(uid: int) -> list[dict]:
    rows = db.session.scalars(
        select(AuditEntry)
        .where(or_(AuditEntry.actor_id == uid, AuditEntry.subject_id == uid))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "at": entry.at,
            "action": entry.action,
            "as_actor": entry.actor_id == uid,
            "as_subject": entry.subject_id == uid,
            "cohort_id": entry.cohort_id,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "address": entry.address,
            "details": dict(entry.details or {}),
        }
        for entry in rows
    ]


def audit_label(action: str):
    """The label of an audit action, for the readable page."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action
