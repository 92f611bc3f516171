"""Who may use which page: every endpoint of the application, and the answer each role expects.

``test_route_matrix`` sends every endpoint's request as each role and compares the answer with
this table. The roles (``Who``) are relations to one place of the demo, a *scene*: a territory
with a binôme, its cohort, and the person a page is about (``SELF``). ``CURRENT`` is the
promotion in progress (Pays de Vierzon: Camille and Hugo); ``PAST`` the one that has ended
(Pays de Redon), for what only an ended promotion holds (final attestations, testimonies).
``stage.PEOPLE`` says who plays each role in each.

What the answers mean
---------------------
- **allowed**, for a GET or HEAD: a status below 400 that is not a redirect to the login page.
  For a POST (sent with an empty form, CSRF checks off as in every test): not refused, that is
  below 400 but not to the login page, or 400, 409 or 422 (the form or the operation turned
  down the empty body after the access check let it through). "The login page" is the
  pipeline's redirect for an anonymous visitor, ``/login?next=…``; logging out, which also
  lands there, without ``next``, is allowed.
- **refused**: 403, or 404 where the table says so (``hidden``: the object is not shown to that
  role at all); and nothing written before the answer: no INSERT, UPDATE or DELETE sent, and
  the database's own count of the rows its transaction wrote unchanged. The pipeline loads a
  URL's objects before it asks the permission, so a refusal is a 403 unless the object is not
  there at all (a removed attachment), or not under the URL's parent (the test's mixed URLs).
- **state**: a role the access check lets through but the page then turns down because of
  the object's state (``state``: a survey already answered, 409): exactly that status.
- **HEAD** is judged as the GET, pages that also take POST included: a view tells a display
  from a submission by ``request.method in SAFE_METHODS``, never by ``== "GET"``.
- **anonymous** on a page that is not ``PUBLIC``: 302 to the login page. ``PUBLIC`` pages
  (login, the privacy notice, health, static files, the links whose token is the credential)
  are allowed to every role, anonymous included.

Adding an endpoint is one line: ``"blueprint.view": RULE`` (or ``RULE.on(param="variant")``
when the page needs a particular object, or a tuple of checks when several objects tell apart
different rules). The variants are the resolvers' names in ``stage.RESOLVERS``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Who(StrEnum):
    """A role, as a relation to the scene's territory, cohort and person."""

    ANONYMOUS = "anonymous"
    CATALYSEUR = "catalyseur"  # of the territory; the person SELF pages are about
    BINOME = "binome"  # the territory's other catalyseur
    OTHER_CATALYSEUR = "other_catalyseur"  # of another territory of the cohort
    COACH = "coach"  # follows the territory
    OTHER_COACH = "other_coach"  # a coach of the cohort who does not follow it
    COORDINATOR = "coordinator"  # of the cohort
    OTHER_COORDINATOR = "other_coordinator"  # of another cohort only
    COMMITTEE = "committee"  # Comité d'orientation member of the cohort
    OUTSIDER = "outsider"  # logged in, member of no cohort
    ADMIN = "admin"  # platform administrator


EVERYONE = frozenset(Who)
LOGGED = EVERYONE - {Who.ANONYMOUS}
CURRENT, PAST = "current", "past"


@dataclass(frozen=True)
class Rule:
    """Who is allowed; everyone else is refused."""

    name: str
    allowed: frozenset[Who]
    why: str

    def on(
        self,
        *,
        scene: str = CURRENT,
        hidden: Iterable[Who] = (),
        state: Mapping[Who, int] | None = None,
        **variants: str,
    ) -> "Check":
        """This rule for the objects named by ``variants`` (parameter → resolver variant)."""
        return Check(self, variants, scene, frozenset(hidden), dict(state or {}))


@dataclass(frozen=True)
class Check:
    """One rule on one set of URL values."""

    rule: Rule
    variants: Mapping[str, str] = field(default_factory=dict)
    scene: str = CURRENT
    hidden: frozenset[Who] = frozenset()  # refused with 404 rather than 403
    #: Roles the access check lets through, whom the page then answers with this status
    #: because of the object's state (a survey they have already answered: 409).
    state: Mapping[Who, int] = field(default_factory=dict)

    def refusal(self, who: Who) -> int:
        return 404 if who in self.hidden else 403


def rule(name: str, why: str, *allowed: Who) -> Rule:
    return Rule(name, frozenset(allowed), why)


# The groups the rules are made of.
W = Who
COORDINATION_ = (W.COORDINATOR, W.ADMIN)
TEAM_ = (*COORDINATION_, W.COACH)
BINOME_ = (W.CATALYSEUR, W.BINOME)
CATALYSEURS_ = (*BINOME_, W.OTHER_CATALYSEUR)
COACHES_ = (W.COACH, W.OTHER_COACH)

PUBLIC = rule("PUBLIC", "open to anyone; a token in the URL, if any, is the credential", *EVERYONE)
LOGGED_IN = rule("LOGGED_IN", "any logged-in person; the page shows only their own", *LOGGED)
ADMIN_ONLY = rule("ADMIN_ONLY", "the platform's administration", W.ADMIN)
COHORT_CREATORS = rule(
    "COHORT_CREATORS",
    "administrators and those they allowed (the demo's coordinator)",
    *COORDINATION_,
)
COORDINATION = rule("COORDINATION", "the cohort's coordinators and administrators", *COORDINATION_)
OVERVIEW = rule(
    "OVERVIEW", "coordination and, read-only, the Comité d'orientation", *COORDINATION_, W.COMMITTEE
)
COHORT_MEMBERS = rule(
    "COHORT_MEMBERS",
    "every member of the cohort, whatever their role, and administrators",
    *COORDINATION_,
    W.COMMITTEE,
    *CATALYSEURS_,
    *COACHES_,
)
COHORT_CIRCLE = rule(
    "COHORT_CIRCLE",
    "what the cohort shares: its catalyseurs, coaches and coordination, not the Comité",
    *COORDINATION_,
    *CATALYSEURS_,
    *COACHES_,
)
CAMPAIGN_PEOPLE = rule(
    "CAMPAIGN_PEOPLE",
    "who answers or follows the self-assessments; not the Comité (person by person)",
    *COORDINATION_,
    *CATALYSEURS_,
    *COACHES_,
)
ATTENDANCE_FIGURES = rule(
    "ATTENDANCE_FIGURES",
    "overview readers, and coaches for their territories",
    *COORDINATION_,
    W.COMMITTEE,
    *COACHES_,
)
CATALYSEURS = rule("CATALYSEURS", "the cohort's catalyseurs, about themselves", *CATALYSEURS_)
COACHES = rule("COACHES", "the cohort's coaches, about the territories they follow", *COACHES_)
TERRITORY_PEOPLE = rule(
    "TERRITORY_PEOPLE",
    "the territory's team (coordination, its coach) and its binôme",
    *TEAM_,
    *BINOME_,
)
TERRITORY_TEAM = rule("TERRITORY_TEAM", "the territory's team: coordination and its coach", *TEAM_)
BINOME = rule("BINOME", "the territory's catalyseurs, nobody else", *BINOME_)
BINOME_AND_COACH = rule(
    "BINOME_AND_COACH", "« notre binôme et notre accompagnateur·rice »", *BINOME_, W.COACH
)
BINOME_AND_COORDINATION = rule(
    "BINOME_AND_COORDINATION",
    "a deleted cohort-wide entry: its binôme, or who runs the cohort",
    *BINOME_,
    *COORDINATION_,
)
TERRITORY_COACH = rule(
    "TERRITORY_COACH", "the coach who follows the territory, nobody else", W.COACH
)
PLANNERS = rule(
    "PLANNERS",
    "coordination, and the cohort's coaches for follow-ups and visits",
    *COORDINATION_,
    *COACHES_,
)
SIGNED_SHEETS = rule(
    "SIGNED_SHEETS",
    "a session's signed sheets: who takes attendance and the Comité",
    *COORDINATION_,
    W.COMMITTEE,
)
COMMITTEE_EVENT = rule(
    "COMMITTEE_EVENT", "a Comité meeting: the Comité and coordination", *COORDINATION_, W.COMMITTEE
)
NOBODY = rule("NOBODY", "gone, or hidden with what it belongs to: not even administrators")
SELF = rule("SELF", "the person it is about, nobody else", W.CATALYSEUR)
SELF_OR_COORDINATION = rule(
    "SELF_OR_COORDINATION",
    "the person it is about and those who run the cohort",
    W.CATALYSEUR,
    *COORDINATION_,
)
SELF_AND_TEAM = rule(
    "SELF_AND_TEAM", "the person, their territory's coach and coordination", W.CATALYSEUR, *TEAM_
)
SELF_TEAM_AND_PARTNER = rule(
    "SELF_TEAM_AND_PARTNER",
    "as SELF_AND_TEAM, and the binôme partner for what the person shared with them",
    W.CATALYSEUR,
    W.BINOME,
    *TEAM_,
)
OWNER_OR_TEAM = rule(
    "OWNER_OR_TEAM",
    "an action item: the person it is assigned to, or the territory's team",
    W.CATALYSEUR,
    *TEAM_,
)

#: Every endpoint of ``app.url_map``: its rule, or its checks (one per set of objects).
MATRIX: dict[str, Rule | Check | tuple[Check, ...]] = {
    # accounts -----------------------------------------------------------------------------
    "accounts.accept_invitation": PUBLIC.on(token="invitation"),
    "accounts.account": LOGGED_IN,
    "accounts.change_password": LOGGED_IN,
    "accounts.choose_language": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": LOGGED_IN,
    "accounts.my_logins": LOGGED_IN,
    "accounts.reset_password": PUBLIC.on(token="reset"),
    # admin --------------------------------------------------------------------------------
    "admin.audit_export": ADMIN_ONLY,
    "admin.audit_log": ADMIN_ONLY,
    "admin.cohort_creation": ADMIN_ONLY,
    "admin.curricula": ADMIN_ONLY,
    "admin.curriculum_moodle_csv": ADMIN_ONLY,
    "admin.deactivate": ADMIN_ONLY,
    "admin.import_moodle": ADMIN_ONLY,
    "admin.reactivate": ADMIN_ONLY,
    "admin.resend_invitation": ADMIN_ONLY.on(user_id="invitee", membership_id="invitee"),
    "admin.user": ADMIN_ONLY,
    "admin.users": ADMIN_ONLY,
    # agenda -------------------------------------------------------------------------------
    "agenda.calendar_feed": PUBLIC.on(token="calendar"),
    "agenda.cancel_event": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "agenda.cohort_calendar": COHORT_MEMBERS,
    "agenda.edit_event": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "agenda.event": (
        COHORT_MEMBERS.on(event_id="session"),
        TERRITORY_PEOPLE.on(event_id="follow_up"),
        COMMITTEE_EVENT.on(event_id="committee"),
    ),
    "agenda.event_file": (
        COHORT_MEMBERS.on(event_id="session"),
        TERRITORY_PEOPLE.on(event_id="follow_up"),
        COMMITTEE_EVENT.on(event_id="committee"),
    ),
    "agenda.my_agenda": LOGGED_IN,
    "agenda.new_event": COORDINATION,
    "agenda.new_territory_event": TERRITORY_TEAM,
    "agenda.plan_meetings": (
        COORDINATION.on(code="bilateral"),
        PLANNERS.on(code="follow_up"),
    ),
    "agenda.regenerate_feed": LOGGED_IN,
    # attendance ---------------------------------------------------------------------------
    "attendance.attach_signed_sheet": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "attendance.attestation": SELF_OR_COORDINATION,
    "attendance.check_in": COHORT_MEMBERS.on(event_id="session"),
    "attendance.code": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "attendance.cohort_figures": ATTENDANCE_FIGURES,
    "attendance.mark": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "attendance.participant_record": SELF_AND_TEAM,
    "attendance.remove_signed_sheet": COORDINATION.on(event_id="session"),
    "attendance.show_code": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    "attendance.signature_sheet": (
        COORDINATION.on(event_id="session"),
        TERRITORY_TEAM.on(event_id="follow_up"),
    ),
    # A withdrawn sheet stays in the history, read by the same people.
    "attendance.signed_sheet": (
        SIGNED_SHEETS.on(event_id="session"),
        SIGNED_SHEETS.on(event_id="session", sheet_id="removed"),
    ),
    # cohorts ------------------------------------------------------------------------------
    "cohorts.add_catalyseur": COORDINATION,
    "cohorts.assign_coach": COORDINATION,
    "cohorts.assign_coach_by_email": COORDINATION,
    "cohorts.cohort_audit_export": COORDINATION,
    "cohorts.cohort_audit_log": COORDINATION,
    "cohorts.confirm_import": COORDINATION,
    "cohorts.edit_cohort": COORDINATION,
    "cohorts.edit_member": COORDINATION.on(membership_id="invitee"),
    "cohorts.edit_territory": COORDINATION,
    "cohorts.import_template": COORDINATION,
    "cohorts.import_territories": COORDINATION,
    "cohorts.members": COORDINATION,
    "cohorts.my_path": CATALYSEURS,
    "cohorts.my_territories": COACHES,
    "cohorts.new_cohort": COHORT_CREATORS,
    "cohorts.new_territory": COORDINATION,
    "cohorts.outbox_log": COORDINATION,
    "cohorts.outbox_message": COORDINATION,
    "cohorts.overview": OVERVIEW,
    "cohorts.remove_member": COORDINATION.on(membership_id="invitee"),
    "cohorts.resend_invitation": COORDINATION.on(membership_id="invitee"),
    "cohorts.resend_territory_invitation": COORDINATION,
    "cohorts.restore_member": COORDINATION,
    "cohorts.territory": TERRITORY_PEOPLE,
    # competences --------------------------------------------------------------------------
    "competences.appraisal": TERRITORY_PEOPLE,
    "competences.appraisal_save": TERRITORY_COACH,
    "competences.campaign": CAMPAIGN_PEOPLE,
    "competences.campaign_export": COORDINATION,
    "competences.campaigns": CAMPAIGN_PEOPLE,
    "competences.close_campaign": COORDINATION,
    "competences.cohort_export": COORDINATION,
    "competences.cohort_progression": COHORT_MEMBERS,
    "competences.consensus": TERRITORY_PEOPLE,
    "competences.consensus_confirm": BINOME,
    "competences.consensus_save": BINOME,
    "competences.extend_campaign": COORDINATION,
    "competences.my_bilan": CATALYSEURS,
    "competences.my_progression": CATALYSEURS,
    "competences.open_campaign": COORDINATION.on(event_id="assessment"),
    # Camille shared her mid-way answers with Hugo, not her first ones (checked by the test).
    "competences.participant_bilan": SELF_TEAM_AND_PARTNER,
    "competences.participant_progression": SELF_TEAM_AND_PARTNER,
    "competences.referential": COHORT_MEMBERS,
    "competences.referential_csv": COHORT_MEMBERS,
    "competences.remind_campaign": COORDINATION,
    "competences.reopen_answer": COORDINATION,
    "competences.self_assessment": CATALYSEURS,
    "competences.self_assessment_autosave": CATALYSEURS,
    "competences.self_assessment_view": (
        SELF_TEAM_AND_PARTNER.on(campaign_id="shared"),
        SELF_AND_TEAM.on(campaign_id="unshared"),
    ),
    "competences.territory_progression": TERRITORY_PEOPLE,
    # evaluation ---------------------------------------------------------------------------
    "evaluation.add_question": COORDINATION,
    # The open survey waits for Camille's answer; Hugo and Inès have given theirs.
    "evaluation.answer_survey": CATALYSEURS.on(
        survey_id="open", state={W.BINOME: 409, W.OTHER_CATALYSEUR: 409}
    ),
    "evaluation.close_survey": COORDINATION,
    "evaluation.committee": OVERVIEW,
    "evaluation.committee_packs": COORDINATION,
    "evaluation.download_final_attestation": SELF_OR_COORDINATION.on(scene=PAST),
    "evaluation.download_pack": OVERVIEW,
    "evaluation.final_attestations": COORDINATION,
    "evaluation.generate_pack": COORDINATION,
    "evaluation.issue_all_attestations": COORDINATION,
    "evaluation.issue_attestation": COORDINATION,
    "evaluation.my_final_attestation": (CATALYSEURS.on(), CATALYSEURS.on(scene=PAST)),
    "evaluation.open_survey": COORDINATION,
    "evaluation.pack_data": COORDINATION,
    "evaluation.prepare_survey": COORDINATION,
    "evaluation.save_editorial": COORDINATION,
    "evaluation.survey": COORDINATION,
    "evaluation.survey_export": COORDINATION,
    "evaluation.survey_results": OVERVIEW,
    "evaluation.surveys": OVERVIEW,
    "evaluation.verify_attestation": PUBLIC.on(scene=PAST, token="attestation"),
    # the rest of the application --------------------------------------------------------
    "health.healthz": PUBLIC,
    "home.index": LOGGED_IN,
    "privacy.download_my_data": LOGGED_IN,
    "privacy.download_person_data": ADMIN_ONLY,
    "privacy.erase": ADMIN_ONLY,
    "privacy.my_data": LOGGED_IN,
    "privacy.privacy_notice": PUBLIC,
    "privacy.withdraw_story": SELF.on(entry_id="story"),
    "privacy.withdraw_testimony": SELF.on(scene=PAST),
    "static": PUBLIC,
    # suivi --------------------------------------------------------------------------------
    # A removed attachment's address answers 404, whoever asks.
    "suivi.attachment": (
        TERRITORY_PEOPLE.on(),
        COHORT_CIRCLE.on(attachment_id="journal"),
        NOBODY.on(attachment_id="removed", hidden=LOGGED),
    ),
    "suivi.attachment_thumbnail": (
        TERRITORY_PEOPLE.on(attachment_id="photo"),
        NOBODY.on(attachment_id="removed", hidden=LOGGED),
    ),
    "suivi.belles_histoires": COHORT_CIRCLE,
    "suivi.delete_journal_entry": BINOME,
    "suivi.delete_record": TERRITORY_TEAM,
    "suivi.delete_visit_report": TERRITORY_TEAM,
    "suivi.edit_journal_entry": BINOME,
    "suivi.edit_record": TERRITORY_TEAM,
    "suivi.edit_visit_report": TERRITORY_TEAM,
    "suivi.journal": TERRITORY_PEOPLE,
    "suivi.journal_entry": (
        COHORT_CIRCLE.on(entry_id="cohort"),
        BINOME_AND_COACH.on(entry_id="coach"),
        BINOME.on(entry_id="binome"),
        BINOME_AND_COORDINATION.on(entry_id="deleted"),
    ),
    "suivi.list_dynamics": TERRITORY_PEOPLE,
    "suivi.new_event_record": (
        TERRITORY_TEAM.on(event_id="follow_up"),
        NOBODY.on(event_id="cancelled_follow_up"),
    ),
    "suivi.new_journal_entry": BINOME,
    "suivi.new_record": TERRITORY_TEAM,
    "suivi.new_visit_report": TERRITORY_TEAM.on(event_id="field_visit"),
    "suivi.next_meeting": TERRITORY_TEAM,
    "suivi.record": (TERRITORY_PEOPLE.on(), TERRITORY_TEAM.on(record_id="deleted")),
    "suivi.record_dynamics": TERRITORY_TEAM,
    "suivi.remove_attachment": (
        TERRITORY_TEAM.on(),
        BINOME.on(attachment_id="journal"),
        NOBODY.on(attachment_id="removed", hidden=LOGGED),
    ),
    "suivi.restore_journal_entry": BINOME_AND_COORDINATION.on(entry_id="deleted"),
    "suivi.restore_record": COORDINATION.on(record_id="deleted"),
    "suivi.restore_visit_report": COORDINATION.on(report_id="deleted"),
    "suivi.show_cohort_suivi": COORDINATION,
    "suivi.territory_suivi": TERRITORY_PEOPLE,
    "suivi.tick_action_item": (OWNER_OR_TEAM.on(), NOBODY.on(item_id="of_deleted")),
    "suivi.untick_action_item": (OWNER_OR_TEAM.on(), NOBODY.on(item_id="of_deleted")),
    "suivi.visit_report": (TERRITORY_PEOPLE.on(), TERRITORY_TEAM.on(report_id="deleted")),
}


def checks(endpoint: str) -> tuple[Check, ...]:
    """Return the checks the table declares for ``endpoint``."""
    entry = MATRIX[endpoint]
    if isinstance(entry, Rule):
        return (entry.on(),)
    if isinstance(entry, Check):
        return (entry,)
    return entry
