"""Every POST entry point, fuzzed: no input makes a 5xx, and a refusal writes nothing.

For each endpoint of the URL map that takes a POST, :data:`TARGETS` says who posts (a person
allowed to, so that the input reaches validation), against which objects (the ``world``'s, or
a few made for it by :class:`Scene`), at what moment (a campaign open, an event under way),
and on which page its form is shown. The fields come from the form classes the view builds
(``fuzzing.form_classes``) and from that page's form, whose values are the valid starting
point most examples change a few fields of. A new endpoint fails
``test_every_post_endpoint_is_fuzzed`` until it has a line here.

Properties, for every example (``fuzzing.Fuzzer``): the answer is below 500; a refused
submission (a 4xx, a form shown again with its errors, a redirect flashing an error) leaves
every table with the rows it had, except the attempt counters a refusal is meant to write.
Each example runs in a SAVEPOINT rolled back after it, with the client's cookies put back.
"""

import contextlib
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.routing import AnyConverter

from parcours import create_app
from parcours.accounts import operations as account_ops
from parcours.accounts import tokens
from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.attendance import operations as attendance_ops
from parcours.cohorts import csv_import
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.attestations import operations as attestation_ops
from parcours.evaluation.models import Consent, PackKind
from parcours.evaluation.packs import operations as pack_ops
from parcours.evaluation.surveys import operations as survey_ops
from parcours.outbox import mail
from parcours.suivi import attachments
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.journal import operations as journal_ops
from parcours.suivi.models import JournalVisibility
from parcours.suivi.records import operations as record_ops
from parcours.suivi.visits import operations as visit_ops
from tests.competences.factories import inside, open_campaign, submit_self
from tests.conftest import EMAILS, PASSWORD, _Shared, app_config
from tests.evaluation.factories import after, mark_attended, opened, prepared, session_event
from tests.proof import fuzzing
from tests.storage.samples import pdf, png
from tests.suivi.factories import add_items, add_record
from tests.suivi.journal.conftest import draft as entry_draft
from tests.suivi.visits.conftest import FIELDS as VISIT_FIELDS

EXAMPLES = 200

#: The PDF renderers ``cheap`` runs once per test: (module, function).
RENDERERS = [
    (pack_ops, "render"),
    (attestation_ops.document, "render"),
]

#: Cohort A is under way (it started on 2 March 2026): the carnet, records, the agenda.
DURING = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
#: S1 (1 April 2026, 09:30-17:00 in Paris) is under way: attendance is taken, codes shown.
DURING_S1 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
#: After cohort A's field visits (summer 2026): their reports are written.
AFTER_VISITS = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
#: After cohort A's END window closed: attestations de fin de parcours are issued.
AFTER_END = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
#: Inside the window of the identified final survey, opened on 20 November 2026.
FINAL_OPEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class Scene:
    """The objects an endpoint acts on, made when first asked for, through the operations.

    Each is built in a request context of its own and committed (the test's transaction
    still rolls it back), at the moment it would be made in a real cohort.
    """

    def __init__(self, app, world: dict) -> None:
        self.app = app
        self.world = world

    @contextlib.contextmanager
    def making(self, at: datetime = DURING):
        with freeze(at), self.app.test_request_context():
            mail.suppress_until_commit()
            yield
            db.session.commit()

    def user(self, key: str) -> User:
        return db.session.get(User, self.world[key])

    def membership(self, key: str, cohort: str = "cohort_a") -> Membership:
        return db.session.scalars(
            select(Membership).where(
                Membership.cohort_id == self.world[cohort],
                Membership.user_id == self.world[key],
            )
        ).one()

    def event_id(self, code: str, territory: str | None = None) -> int:
        with self.app.app_context():
            query = select(Event.id).where(
                Event.cohort_id == self.world["cohort_a"], Event.code == code
            )
            if territory is not None:
                query = query.where(Event.territory_id == self.world[territory])
            return db.session.scalars(query).one()

    def membership_id(self, key: str, cohort: str = "cohort_a") -> int:
        with self.app.app_context():
            return self.membership(key, cohort).id

    # Accounts ---------------------------------------------------------------------------

    @cached_property
    def invitation_token(self) -> str:
        with self.making():
            user, _created = account_ops.ensure_user("invitee@example.org", "Personne invitée")
            db.session.flush()
            return tokens.make_token(user, tokens.INVITATION)

    @cached_property
    def reset_token(self) -> str:
        with self.making():
            return tokens.make_token(self.user("a1"), tokens.PASSWORD_RESET)

    @cached_property
    def deactivated(self) -> int:
        with self.making():
            account_ops.deactivate_user(self.user("outsider"), by=self.user("admin"))
        return self.world["outsider"]

    # Cohorts ----------------------------------------------------------------------------

    @cached_property
    def removal_id(self) -> int:
        with self.making():
            return cohort_ops.remove_member(
                self.membership("a2"), removed_by=self.user("coordinator")
            ).id

    # Attendance -------------------------------------------------------------------------

    @cached_property
    def signed_sheet_id(self) -> int:
        with self.making(DURING_S1):
            event = db.session.get(Event, self.event_id("S1"))
            upload = FileStorage(BytesIO(pdf()), "feuille.pdf", content_type="application/pdf")
            sheets = attendance_ops.attach_signed_sheets(
                event, [upload], attached_by=self.user("coordinator")
            )
            db.session.flush()
            return sheets[0].id

    # Competences ------------------------------------------------------------------------

    @cached_property
    def t0(self) -> int:
        with self.making():
            moment = inside(self.world["cohort_a"], "T0")
        with self.making(moment):
            return open_campaign(self.world["cohort_a"], "T0", self.world["coordinator"]).id

    @cached_property
    def t0_time(self) -> datetime:
        with self.app.app_context():
            return inside(self.world["cohort_a"], "T0")

    @cached_property
    def a1_answer(self) -> int:
        from parcours.competences.models import AssessmentCampaign

        campaign_id = self.t0
        with self.making(self.t0_time):
            campaign = db.session.get(AssessmentCampaign, campaign_id)
            return submit_self(campaign, self.world["a1"]).id

    @cached_property
    def mid_time(self) -> datetime:
        with self.app.app_context():
            return inside(self.world["cohort_a"], "MID")

    @cached_property
    def mid(self) -> int:
        with self.making(self.mid_time):
            return open_campaign(self.world["cohort_a"], "MID", self.world["coordinator"]).id

    @cached_property
    def t0_event(self) -> int:
        from tests.competences.factories import moment_event

        with self.app.app_context():
            return moment_event(self.world["cohort_a"], "T0").id

    # Evaluation -------------------------------------------------------------------------

    @cached_property
    def s1_survey(self) -> int:
        """S1's « à chaud » survey, open, that a1 and a2 (who attended) may answer."""
        with self.app.app_context():
            moment = after(session_event(self.world["cohort_a"], "S1"))
        with self.making(moment):
            event = session_event(self.world["cohort_a"], "S1")
            mark_attended(event, [self.world["a1"], self.world["a2"]])
            return opened(prepared(self.world["cohort_a"], "A_CHAUD", event), moment).id

    @cached_property
    def s1_survey_time(self) -> datetime:
        with self.app.app_context():
            return after(session_event(self.world["cohort_a"], "S1"), 2)

    @cached_property
    def final_survey_prepared(self) -> int:
        with self.making():
            return prepared(self.world["cohort_a"], "EVAL_FINALE").id

    @cached_property
    def final_survey(self) -> int:
        from parcours.evaluation.models import Survey

        survey_id = self.final_survey_prepared
        with self.making(FINAL_OPEN):
            return opened(db.session.get(Survey, survey_id), FINAL_OPEN).id

    @cached_property
    def testimony_id(self) -> int:
        from parcours.evaluation.models import Survey

        survey_id = self.final_survey
        moment = FINAL_OPEN + timedelta(days=1)
        with self.making(moment):
            survey = db.session.get(Survey, survey_id)
            by_code = {q.code: q for q in survey.questions}
            response = survey_ops.answer_survey(
                survey,
                self.user("a1"),
                [
                    survey_ops.AnswerInput(
                        by_code["TEMOIGNAGE"].id, text="Un témoignage", consent=Consent.NAMED
                    )
                ],
                now=moment,
                territory_id=self.world["territory_a1"],
            )
            return next(a.id for a in response.answers if a.consent is not None)

    @cached_property
    def pack_id(self) -> int:
        with self.making():
            cohort = db.session.get(Cohort, self.world["cohort_a"])
            pack = pack_ops.generate_pack(
                cohort, PackKind.LAUNCH, by=self.user("coordinator"), now=DURING
            )
            return pack.id

    @cached_property
    def attestation_token(self) -> str:
        with self.making(AFTER_END):
            cohort = db.session.get(Cohort, self.world["cohort_a"])
            return attestation_ops.issue(
                cohort, self.membership("a1"), by=self.user("coordinator")
            ).token

    # Suivi ------------------------------------------------------------------------------

    @cached_property
    def entry_id(self) -> int:
        """A « belle histoire » of a1's, shared with the cohort, with a photo."""
        with self.making():
            entry = journal_ops.create_entry(
                db.session.get(Territory, self.world["territory_a1"]),
                entry_draft(visibility=JournalVisibility.COHORT),
                self.user("a1"),
            )
            attachments.attach(
                entry, [FileStorage(BytesIO(png()), "forum.png")], user=self.user("a1")
            )
            return entry.id

    @cached_property
    def attachment_id(self) -> int:
        from parcours.suivi.models import Attachment

        entry_id = self.entry_id
        with self.app.app_context():
            return db.session.scalars(
                select(Attachment.id).where(Attachment.journal_entry_id == entry_id)
            ).one()

    @cached_property
    def deleted_entry_id(self) -> int:
        from parcours.suivi.models import JournalEntry

        entry_id = self.entry_id
        with self.making():
            journal_ops.delete_entry(db.session.get(JournalEntry, entry_id), self.user("a1"))
        return entry_id

    @cached_property
    def record_id(self) -> int:
        with self.making():
            record = add_record(self.world["territory_a1"], self.world["coach"])
            add_items(
                record,
                self.world["coach"],
                [ActionRow(title="Relancer", owner_id=self.world["a1"])],
            )
            return record.id

    @cached_property
    def action_item_id(self) -> int:
        from parcours.suivi.models import FollowUpRecord

        record_id = self.record_id
        with self.app.app_context():
            return db.session.get(FollowUpRecord, record_id).action_items[0].id

    @cached_property
    def deleted_record_id(self) -> int:
        from parcours.suivi.models import FollowUpRecord

        record_id = self.record_id
        with self.making():
            record_ops.delete_record(db.session.get(FollowUpRecord, record_id), self.user("coach"))
        return record_id

    @cached_property
    def visit_event_id(self) -> int:
        with self.app.app_context():
            return db.session.scalars(
                select(Event.id).where(
                    Event.kind == "field_visit", Event.territory_id == self.world["territory_a1"]
                )
            ).one()

    @cached_property
    def visit_report_id(self) -> int:
        event_id = self.visit_event_id
        with self.making(AFTER_VISITS):
            event = db.session.get(Event, event_id)
            return visit_ops.create_report(event, VISIT_FIELDS, user=self.user("coordinator")).id

    @cached_property
    def deleted_visit_report_id(self) -> int:
        from parcours.suivi.models import FieldVisitReport

        report_id = self.visit_report_id
        with self.making(AFTER_VISITS):
            report = db.session.get(FieldVisitReport, report_id)
            visit_ops.delete_report(report, user=self.user("coordinator"))
        return report_id


#: The role of a default target: the first of DEFAULT_ROLES allowed to post.
AUTO = "auto"


@dataclass(frozen=True)
class Target:
    """How to fuzz one endpoint: who posts, the URL's values, when, and where its form is."""

    role: str | None  # None: an anonymous visitor
    values: Callable[[Scene], dict]
    at: datetime | Callable[[Scene], datetime] = DURING
    #: The page showing the endpoint's form, when it is not the endpoint's own GET.
    page: Callable[[Scene, dict], str] | None = None
    #: Tables a refusal writes to on purpose: the attempts a throttle counts.
    refusal_writes: frozenset[str] = frozenset()
    csv_header: tuple[str, ...] = ()
    #: Work of an accepted post that nothing posted reaches, skipped: ``module:function``
    #: made to return the value given (the calendar e-mails to an event's people, say).
    quiet: dict[str, object] = field(default_factory=dict)


def _w(**keys: str) -> Callable[[Scene], dict]:
    """URL values taken from the world's ids: ``_w(cohort_id="cohort_a")``."""

    def values(scene: Scene) -> dict:
        return {name: scene.world[key] for name, key in keys.items()}

    return values


COUNTED = frozenset({"throttle_hits"})
#: The calendar e-mails of an event's expected people: built per person and event.
CALENDAR_MAILS = {"parcours.agenda.notifications:_to": 0}
#: The same, and the list of a member's upcoming events whose invitations they lose or get
#: back, which their removal page and its undo read (a few queries per event and person).
MEMBER_EVENTS = {**CALENDAR_MAILS, "parcours.agenda.operations:upcoming_events_of": []}
A = {"cohort_id": "cohort_a"}

TARGETS: dict[str, Target] = {
    # Accounts
    "accounts.accept_invitation": Target(None, lambda s: {"token": s.invitation_token}),
    "accounts.account": Target("a1", _w()),
    "accounts.change_password": Target(
        "a1", _w(), page=lambda s, v: "/account", refusal_writes=COUNTED
    ),
    "accounts.choose_language": Target(None, _w(), page=lambda s, v: "/login"),
    "accounts.forgot_password": Target(None, _w(), refusal_writes=COUNTED),
    "accounts.login": Target(None, _w(), refusal_writes=COUNTED | {"audit_entries"}),
    "accounts.logout": Target("a1", _w(), page=lambda s, v: "/account"),
    "accounts.reset_password": Target(None, lambda s: {"token": s.reset_token}),
    # Administration
    "admin.audit_export": Target("admin", _w(), page=lambda s, v: "/admin/journal"),
    "admin.cohort_creation": Target(
        "admin", _w(user_id="coordinator_b"), page=lambda s, v: f"/admin/users/{v['user_id']}"
    ),
    "admin.deactivate": Target("admin", _w(user_id="outsider")),
    "admin.import_moodle": Target("admin", _w()),
    "admin.reactivate": Target("admin", lambda s: {"user_id": s.deactivated}),
    "admin.resend_invitation": Target(
        "admin", lambda s: {"user_id": s.world["a1"], "membership_id": s.membership_id("a1")}
    ),
    # Agenda
    "agenda.cancel_event": Target(
        "coordinator", lambda s: {"event_id": s.event_id("S2")}, quiet=CALENDAR_MAILS
    ),
    "agenda.edit_event": Target("coordinator", lambda s: {"event_id": s.event_id("S2")}),
    "agenda.new_event": Target("coordinator", _w(**A)),
    "agenda.new_territory_event": Target("coach", _w(territory_id="territory_a1")),
    "agenda.plan_meetings": Target(
        "coordinator", lambda s: {"cohort_id": s.world["cohort_a"], "code": "SUIVI1"}
    ),
    "agenda.regenerate_feed": Target("a1", _w(), page=lambda s, v: "/agenda"),
    # Attendance
    "attendance.attach_signed_sheet": Target(
        "coordinator",
        lambda s: {"event_id": s.event_id("S1")},
        at=DURING_S1,
        page=lambda s, v: f"/events/{v['event_id']}/attendance",
    ),
    "attendance.check_in": Target(
        "a1", lambda s: {"event_id": s.event_id("S1")}, at=DURING_S1, refusal_writes=COUNTED
    ),
    "attendance.mark": Target(
        "coordinator", lambda s: {"event_id": s.event_id("S1")}, at=DURING_S1
    ),
    "attendance.remove_signed_sheet": Target(
        "coordinator",
        lambda s: {"event_id": s.event_id("S1"), "sheet_id": s.signed_sheet_id},
        at=DURING_S1,
    ),
    "attendance.show_code": Target(
        "coordinator",
        lambda s: {"event_id": s.event_id("S1")},
        at=DURING_S1,
        page=lambda s, v: f"/events/{v['event_id']}/attendance/code",
    ),
    # Cohorts
    "cohorts.add_catalyseur": Target(
        "coordinator",
        _w(territory_id="territory_a2"),
        page=lambda s, v: f"/territories/{v['territory_id']}",
    ),
    "cohorts.assign_coach": Target(
        "coordinator",
        _w(territory_id="territory_a2"),
        page=lambda s, v: f"/territories/{v['territory_id']}",
    ),
    "cohorts.assign_coach_by_email": Target(
        "coordinator",
        _w(territory_id="territory_a2"),
        page=lambda s, v: f"/territories/{v['territory_id']}",
    ),
    "cohorts.cohort_audit_export": Target(
        "coordinator", _w(**A), page=lambda s, v: f"/cohorts/{v['cohort_id']}/journal"
    ),
    "cohorts.confirm_import": Target("coordinator", _w(**A), csv_header=tuple(csv_import.HEADER)),
    "cohorts.edit_cohort": Target("coordinator", _w(**A)),
    "cohorts.edit_member": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "membership_id": s.membership_id("coach")},
    ),
    "cohorts.edit_territory": Target("coordinator", _w(territory_id="territory_a2")),
    "cohorts.import_territories": Target(
        "coordinator", _w(**A), csv_header=tuple(csv_import.HEADER)
    ),
    "cohorts.members": Target("coordinator", _w(**A)),
    "cohorts.new_cohort": Target("coordinator", _w()),
    "cohorts.new_territory": Target("coordinator", _w(**A)),
    "cohorts.remove_member": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "membership_id": s.membership_id("a2")},
        quiet=MEMBER_EVENTS,
    ),
    "cohorts.resend_invitation": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "membership_id": s.membership_id("coach")},
    ),
    "cohorts.resend_territory_invitation": Target(
        "coordinator",
        lambda s: {"territory_id": s.world["territory_a1"], "membership_id": s.membership_id("a1")},
    ),
    "cohorts.restore_member": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "removal_id": s.removal_id},
        quiet=MEMBER_EVENTS,
    ),
    # Competences
    "competences.appraisal_save": Target(
        "coach",
        lambda s: {"campaign_id": s.mid, "territory_id": s.world["territory_a1"]},
        at=lambda s: s.mid_time,
        page=lambda s, v: (
            f"/auto-evaluations/{v['campaign_id']}/territoires/{v['territory_id']}/appreciation"
        ),
    ),
    "competences.close_campaign": Target(
        "coordinator",
        lambda s: {"campaign_id": s.t0},
        at=lambda s: s.t0_time,
        page=lambda s, v: f"/auto-evaluations/{v['campaign_id']}",
    ),
    "competences.consensus_confirm": Target(
        "a1",
        lambda s: {"campaign_id": s.mid, "territory_id": s.world["territory_a1"]},
        at=lambda s: s.mid_time,
    ),
    "competences.consensus_save": Target(
        "a1",
        lambda s: {"campaign_id": s.mid, "territory_id": s.world["territory_a1"]},
        at=lambda s: s.mid_time,
        page=lambda s, v: (
            f"/auto-evaluations/{v['campaign_id']}/territoires/{v['territory_id']}/consensus"
        ),
    ),
    "competences.extend_campaign": Target(
        "coordinator",
        lambda s: {"campaign_id": s.t0},
        at=lambda s: s.t0_time,
        page=lambda s, v: f"/auto-evaluations/{v['campaign_id']}",
    ),
    "competences.open_campaign": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "event_id": s.t0_event},
        at=lambda s: s.t0_time,
    ),
    "competences.remind_campaign": Target(
        "coordinator", lambda s: {"campaign_id": s.t0}, at=lambda s: s.t0_time
    ),
    "competences.reopen_answer": Target(
        "coordinator",
        lambda s: {"campaign_id": s.t0, "assessment_id": s.a1_answer},
        at=lambda s: s.t0_time,
    ),
    "competences.self_assessment": Target(
        "a2", lambda s: {"campaign_id": s.t0}, at=lambda s: s.t0_time
    ),
    "competences.self_assessment_autosave": Target(
        "a2",
        lambda s: {"campaign_id": s.t0},
        at=lambda s: s.t0_time,
        page=lambda s, v: f"/auto-evaluations/{v['campaign_id']}/moi",
    ),
    # Evaluation
    "evaluation.add_question": Target(
        "coordinator",
        lambda s: {"survey_id": s.final_survey_prepared},
        page=lambda s, v: f"/questionnaires/{v['survey_id']}/gestion",
    ),
    "evaluation.answer_survey": Target(
        "a1", lambda s: {"survey_id": s.s1_survey}, at=lambda s: s.s1_survey_time
    ),
    "evaluation.close_survey": Target(
        "coordinator", lambda s: {"survey_id": s.final_survey}, at=FINAL_OPEN + timedelta(days=2)
    ),
    "evaluation.download_pack": Target(
        "coordinator", lambda s: {"pack_id": s.pack_id, "variant": "full"}
    ),
    "evaluation.generate_pack": Target(
        "coordinator", lambda s: {"cohort_id": s.world["cohort_a"], "kind": "launch"}
    ),
    "evaluation.issue_all_attestations": Target("coordinator", _w(**A), at=AFTER_END),
    "evaluation.issue_attestation": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "user_id": s.world["a2"]},
        at=AFTER_END,
    ),
    "evaluation.open_survey": Target(
        "coordinator", lambda s: {"survey_id": s.final_survey_prepared}, at=FINAL_OPEN
    ),
    "evaluation.prepare_survey": Target(
        "coordinator", _w(**A), page=lambda s, v: f"/cohorts/{v['cohort_id']}/questionnaires"
    ),
    "evaluation.save_editorial": Target(
        "coordinator",
        lambda s: {"cohort_id": s.world["cohort_a"], "kind": "launch"},
        page=lambda s, v: f"/cohorts/{v['cohort_id']}/comite/dossiers",
    ),
    "evaluation.verify_attestation": Target(
        None, lambda s: {"token": s.attestation_token}, at=AFTER_END
    ),
    # Privacy (the exports are fuzzed by default_target: the URL says all it needs)
    "privacy.withdraw_story": Target("a1", lambda s: {"entry_id": s.entry_id}),
    "privacy.withdraw_testimony": Target(
        "a1", lambda s: {"answer_id": s.testimony_id}, at=FINAL_OPEN + timedelta(days=2)
    ),
    # Suivi
    "suivi.delete_journal_entry": Target("a1", lambda s: {"entry_id": s.entry_id}),
    "suivi.delete_record": Target("coach", lambda s: {"record_id": s.record_id}),
    "suivi.delete_visit_report": Target(
        "coordinator",
        lambda s: {"report_id": s.visit_report_id},
        at=AFTER_VISITS,
        page=lambda s, v: f"/suivi/visits/{v['report_id']}",
    ),
    "suivi.edit_journal_entry": Target("a1", lambda s: {"entry_id": s.entry_id}),
    "suivi.edit_record": Target("coach", lambda s: {"record_id": s.record_id}),
    "suivi.edit_visit_report": Target(
        "coordinator", lambda s: {"report_id": s.visit_report_id}, at=AFTER_VISITS
    ),
    "suivi.new_event_record": Target(
        "coach", lambda s: {"event_id": s.event_id("SUIVI1", "territory_a1")}
    ),
    "suivi.new_journal_entry": Target("a1", _w(territory_id="territory_a1")),
    "suivi.new_record": Target("coach", _w(territory_id="territory_a1")),
    "suivi.new_visit_report": Target(
        "coordinator", lambda s: {"event_id": s.visit_event_id}, at=AFTER_VISITS
    ),
    "suivi.next_meeting": Target(
        "coach",
        lambda s: {"record_id": s.record_id},
        page=lambda s, v: f"/suivi/records/{v['record_id']}",
    ),
    "suivi.record_dynamics": Target("coach", _w(territory_id="territory_a1")),
    "suivi.remove_attachment": Target("a1", lambda s: {"attachment_id": s.attachment_id}),
    "suivi.restore_journal_entry": Target("a1", lambda s: {"entry_id": s.deleted_entry_id}),
    "suivi.restore_record": Target("coordinator", lambda s: {"record_id": s.deleted_record_id}),
    "suivi.restore_visit_report": Target(
        "coordinator", lambda s: {"report_id": s.deleted_visit_report_id}, at=AFTER_VISITS
    ),
    "suivi.tick_action_item": Target("a1", lambda s: {"item_id": s.action_item_id}),
    "suivi.untick_action_item": Target("a1", lambda s: {"item_id": s.action_item_id}),
}


#: For an endpoint TARGETS does not list: the world's object each URL value names, and who
#: may post, tried in this order (the first one not refused 403 posts).
DEFAULT_VALUES = {
    "cohort_id": "cohort_a",
    "territory_id": "territory_a1",
    "user_id": "a1",
    "person_id": "a1",
}
DEFAULT_ROLES = ("admin", "coordinator", "coach", "a1", None)


def default_target(rule) -> Target | None:
    """Return how to fuzz ``rule`` from its URL alone, or None when a value is unknown."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif name in DEFAULT_VALUES:
            values[name] = DEFAULT_VALUES[name]
        else:
            return None

    def world_values(scene: Scene) -> dict:
        return {key: scene.world.get(value, value) for key, value in values.items()}

    return Target(AUTO, world_values)


def _rules():
    # The URL map is read from an application of its own: the parameters exist before the
    # session's application (a fixture) does.
    application = create_app(app_config("sqlite://"))
    return {r.endpoint: r for r in application.url_map.iter_rules() if "POST" in r.methods}


RULES = _rules()


def test_every_post_endpoint_is_fuzzed(app):
    endpoints = fuzzing.post_endpoints(app)
    assert set(endpoints) == set(RULES)
    unknown = [e for e in endpoints if e not in TARGETS and default_target(RULES[e]) is None]
    assert unknown == [], "their URL names objects the default cannot find: add them to TARGETS"
    assert sorted(set(TARGETS) - set(endpoints)) == [], "no such endpoint any more"


@pytest.fixture
def csrf(app, monkeypatch):
    """Check CSRF tokens, as in production: the fuzzed posts carry a valid one."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def cheap(app, monkeypatch):
    """Keep what an accepted example does, but not its costs that no input changes.

    E-mails stay queued in the outbox (its rows, rolled back) instead of being rendered and
    delivered at each commit; a PDF is rendered once per test and its bytes reused: the
    fuzz is about what a request carries, and these outputs do not depend on it.
    """
    monkeypatch.setitem(app.config, "PARCOURS_MAIL_INLINE_LIMIT", 0)
    for module, name in RENDERERS:
        monkeypatch.setattr(module, name, _rendered_once(getattr(module, name)))


def _rendered_once(render: Callable) -> Callable:
    made = {}

    def once(*args, **kwargs):
        key = kwargs.get("pseudonymised")
        if key not in made:
            made[key] = render(*args, **kwargs)
        return made[key]

    return once


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _form(app, endpoint: str, client, url: str, target: Target, scene: Scene, values: dict):
    fields = []
    for form_class in sorted(fuzzing.form_classes(app.view_functions[endpoint]), key=repr):
        fields.extend(fuzzing.fields_of(form_class))
    methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    page = target.page(scene, values) if target.page else (url if "GET" in methods else None)
    return fuzzing.Form(
        fields=list({spec.name: spec for spec in fields}.values()),
        baseline=fuzzing.baseline(client, page, url),
        csv_header=target.csv_header,
        csrf_token=fuzzing.csrf_token(client, "/login" if target.role is None else "/account"),
    )


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_no_input_breaks_the_endpoint(app, world, csrf, cheap, monkeypatch, endpoint):
    target = TARGETS.get(endpoint) or default_target(RULES[endpoint])
    for path, value in target.quiet.items():
        module, name = path.split(":")
        monkeypatch.setattr(importlib.import_module(module), name, lambda *a, _v=value, **k: _v)
    scene = Scene(app, world)
    values = target.values(scene)
    moment = target.at(scene) if callable(target.at) else target.at
    client = app.test_client()
    with freeze(moment):
        url = _url(app, endpoint, values)
        role = _allowed_role(app, url) if target.role is AUTO else target.role
        if role is not None:
            _login_with_csrf(client, EMAILS[role])
        form = _form(app, endpoint, client, url, target, scene, values)
        fuzz = fuzzing.Fuzzer(
            app, client, url, _Shared.connection, refusal_writes=target.refusal_writes
        )

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(submission=fuzzing.submissions(form))
        def check(submission):
            fuzz(submission)

        started = time.perf_counter()
        check()
    assert fuzz.examples >= EXAMPLES
    assert 403 not in fuzz.statuses, "the person posting must be allowed to"
    print(
        endpoint,
        f"{time.perf_counter() - started:.1f}s",
        fuzz.examples,
        dict(fuzz.statuses),
        "fields:",
        len(form.names()),
    )


def _allowed_role(app, url: str) -> str | None:
    """Return the first of DEFAULT_ROLES whose post to ``url`` is not refused 403."""
    for role in DEFAULT_ROLES:
        client = app.test_client()
        if role is not None:
            _login_with_csrf(client, EMAILS[role])
        token = fuzzing.csrf_token(client, "/login" if role is None else "/account")
        savepoint = _Shared.connection.begin_nested()
        try:
            status = client.post(url, data={"csrf_token": token}).status_code
        finally:
            savepoint.rollback()
        if status not in (401, 403) and not (role is None and status == 302):
            return role
    raise AssertionError(f"nobody may post to {url}: add it to TARGETS")


def _login_with_csrf(client, email: str) -> None:
    token = fuzzing.csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
