"""Erasure on request (RGPD article 17): what goes of a person, said before, done once.

One plan, :data:`STEPS`, read by the confirmation page (:func:`preview`: how many rows of each
kind, what happens to them) and by the operation (:func:`erase_person`), so that the page says
exactly what the operation does.

What stays, and why: the cohort's figures and its frozen documents must not change when a
person leaves. So rows that feed a figure (a membership in a territory, a presence, a level
given to a competence, a number or a choice in a survey, the maturity of a dynamic) are kept,
attached to an account that names no one any more; every free text the person wrote is
replaced by « contenu supprimé »; what serves nobody else (drafts, files, the calendar feed,
e-mails, attestations) is deleted. A frozen committee pack is not rewritten: a row of
``pack_erasures`` records the erasure against it. Audit entries stay until their own
retention (they are the trace of the erasure too); they name the anonymised account only.

Anonymous survey answers are not touched: nothing links them to anyone. Texts written by
others (a coach's record that names the person in « autres participants ») are theirs and
stay: the erasure cannot know them apart from any other word.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, delete, func, or_, select, update

from parcours.accounts.models import User
from parcours.accounts.operations import end_sessions
from parcours.agenda.models import CalendarFeed
from parcours.attendance.models import Attendance, SignedSheet
from parcours.audit.models import AuditAction
from parcours.audit.operations import record
from parcours.cohorts.models import Membership, MembershipRemoval
from parcours.competences.models import (
    Assessment,
    AssessmentDraft,
    AssessmentEvidence,
    AssessmentRating,
    Viewpoint,
)
from parcours.core.extensions import db
from parcours.core.kept import rewriting
from parcours.core.time import now_utc
from parcours.evaluation.models import (
    CommitteePack,
    FinalAttestation,
    PackErasure,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from parcours.outbox.mail import NOWHERE_DOMAIN
from parcours.outbox.models import MessageStatus, OutboxMessage
from parcours.storage.models import StoredFile
from parcours.suivi.models import (
    ActionItem,
    Attachment,
    DynamicsSnapshot,
    FieldVisitReport,
    FollowUpRecord,
    FormDraft,
    JournalEntry,
    JournalVisibility,
    StakeholderMet,
)

logger = logging.getLogger(__name__)

#: What replaces a free text: stored data, in the language the texts were written in.
ERASED_TEXT = "contenu supprimé"
ERASED_NAME = "Personne effacée"
#: A reserved domain (RFC 2606): no e-mail can ever reach an erased account, nor is queued.
ERASED_EMAIL = "personne-effacee-{id}@" + NOWHERE_DOMAIN


#: Why a person is erased: a request (the administrator says how it came), or the retention.
REASONS = {
    "request_email": _l("Demande reçue par e-mail"),
    "request_post": _l("Demande reçue par courrier"),
    "request_in_person": _l("Demande faite en personne"),
    "retention": _l("Fin de la durée de conservation"),
}
#: The reasons an administrator chooses from (the purge gives the last one).
REQUEST_REASONS = ("request_email", "request_post", "request_in_person")


class ErasureError(ValueError):
    """The erasure was refused (the message says why, translated)."""


@dataclass(frozen=True)
class Step:
    """One kind of data the erasure handles: how to count it, what happens to it, and how."""

    key: str
    label: str
    fate: str
    #: The rows concerned, for a person's id: a SELECT of one count.
    count: Callable[[int], object]
    apply: Callable[[int], None]


@dataclass(frozen=True)
class Line:
    step: Step
    count: int


def _blanked(column) -> ColumnElement:
    """The text of ``column`` once erased: an empty text stays empty, any other goes."""
    return case((column == "", ""), else_=ERASED_TEXT)


def _update(model, where, **values) -> None:
    # Someone editing one of these rows at the same moment must meet a conflict, not
    # silently write the erased text back: the optimistic version moves on too.
    if "version" in model.__table__.c:
        values["version"] = model.version + 1
    db.session.execute(
        update(model).where(where).values(**values).execution_options(synchronize_session=False)
    )


def _blank(model, where, *columns: str) -> None:
    """Replace the texts of ``columns`` by « contenu supprimé » in the rows ``where`` selects."""
    _update(model, where, **{name: _blanked(getattr(model, name)) for name in columns})


def _count(model, where) -> object:
    return select(func.count()).select_from(model).where(where)


# The steps, one per kind of data --------------------------------------------------------------


def _apply_memberships(uid: int) -> None:
    _update(
        Membership, Membership.user_id == uid, invited_name=ERASED_NAME, invited_organisation=""
    )
    _update(
        MembershipRemoval,
        MembershipRemoval.user_id == uid,
        invited_name=ERASED_NAME,
        invited_organisation="",
    )


def _apply_attendance(uid: int) -> None:
    _update(Attendance, Attendance.user_id == uid, comment="")


def _assessments_of(uid: int):
    return or_(Assessment.participant_id == uid, Assessment.submitted_by_id == uid)


def _apply_assessments(uid: int) -> None:
    answers = select(Assessment.id).where(_assessments_of(uid))
    ratings = select(AssessmentRating.id).where(AssessmentRating.assessment_id.in_(answers))
    # A partner's answer may cite what the person wrote: it keeps the citation (its figure),
    # not the copy of the title, which is the person's text.
    cited = or_(
        AssessmentEvidence.journal_entry_id.in_(
            select(JournalEntry.id).where(JournalEntry.author_id == uid)
        ),
        AssessmentEvidence.visit_report_id.in_(
            select(FieldVisitReport.id).where(FieldVisitReport.created_by_id == uid)
        ),
    )
    with rewriting():  # submitted assessments are kept as written, except for this
        db.session.execute(
            delete(AssessmentEvidence).where(AssessmentEvidence.rating_id.in_(ratings))
        )
        _update(AssessmentEvidence, cited, title=ERASED_TEXT)
        _update(AssessmentRating, AssessmentRating.assessment_id.in_(answers), comment="")
        _blank(Assessment, Assessment.id.in_(answers), "comment")


def _drafts_of(uid: int):
    # Their own self-assessment, and an appréciation they were writing alone. A binôme's
    # consensus is the partner's work too: it stays with them (see _apply_drafts).
    return or_(
        AssessmentDraft.participant_id == uid,
        (AssessmentDraft.updated_by_id == uid)
        & (AssessmentDraft.viewpoint != Viewpoint.CONSENSUS.value),
    )


def _apply_drafts(uid: int) -> None:
    db.session.execute(delete(AssessmentDraft).where(_drafts_of(uid)))
    shared = AssessmentDraft.viewpoint == Viewpoint.CONSENSUS.value
    _update(AssessmentDraft, shared & (AssessmentDraft.updated_by_id == uid), updated_by_id=None)
    # A confirmation is the person's word: the partner's draft waits for a new one.
    _update(
        AssessmentDraft, shared & (AssessmentDraft.confirmed_by_id == uid), confirmed_by_id=None
    )


def _apply_journal(uid: int) -> None:
    now = now_utc()
    mine = JournalEntry.author_id == uid
    _update(
        JournalEntry,
        mine & (JournalEntry.visibility == JournalVisibility.COHORT),
        visibility=JournalVisibility.COACH.value,
        consent_withdrawn_at=now,
    )
    _blank(JournalEntry, mine, "title", "what_we_did", "what_we_learned", "what_we_try_next")


def _apply_records(uid: int) -> None:
    _blank(
        FollowUpRecord,
        FollowUpRecord.created_by_id == uid,
        "other_participants",
        "agenda",
        "notes",
        "decisions",
        "team_notes",
    )


def _apply_visits(uid: int) -> None:
    mine = select(FieldVisitReport.id).where(FieldVisitReport.created_by_id == uid)
    # The people met are named by the erased person: their names go with the report's
    # texts; what kind of actor each was stays, for the counts of actors met.
    _blank(StakeholderMet, StakeholderMet.report_id.in_(mine), "name", "organisation")
    _blank(
        FieldVisitReport,
        FieldVisitReport.created_by_id == uid,
        "places",
        "observed",
        "what_works",
        "difficulties",
    )


def _apply_actions(uid: int) -> None:
    _update(ActionItem, ActionItem.created_by_id == uid, title=ERASED_TEXT)


def _apply_dynamics(uid: int) -> None:
    _update(DynamicsSnapshot, DynamicsSnapshot.recorded_by_id == uid, comment="")


def _files_of(uid: int):
    # A signed attendance sheet is the cohort's proof of presence, whoever scanned it.
    scans = select(SignedSheet.file_id)
    return (StoredFile.uploaded_by_id == uid) & StoredFile.id.not_in(scans)


def _count_files(uid: int):
    # A photo's thumbnail is a file of its own, deleted with it, but not one more file the
    # person uploaded: the page counts what they would recognise.
    thumbnails = select(StoredFile.thumbnail_id).where(StoredFile.thumbnail_id.is_not(None))
    return _count(StoredFile, _files_of(uid) & StoredFile.id.not_in(thumbnails))


def _apply_files(uid: int) -> None:
    files = select(StoredFile.id).where(_files_of(uid))
    db.session.execute(delete(Attachment).where(Attachment.file_id.in_(files)))
    # Thumbnails first: a file's thumbnail is a file of its own.
    _update(StoredFile, StoredFile.thumbnail_id.in_(files), thumbnail_id=None)
    doomed = db.session.scalars(files).all()
    db.session.execute(delete(StoredFile).where(StoredFile.id.in_(doomed)))


def _identified_answers(uid: int):
    identified = (
        select(SurveyResponse.id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.respondent_id == uid, Survey.anonymous.is_(False))
    )
    return SurveyAnswer.response_id.in_(identified)


def _apply_survey_answers(uid: int) -> None:
    answers = _identified_answers(uid)
    _update(
        SurveyAnswer,
        answers & SurveyAnswer.consent_withdrawn_at.is_(None),
        consent_withdrawn_at=now_utc(),
    )
    _blank(SurveyAnswer, answers, "text")


def _apply_attestations(uid: int) -> None:
    with rewriting():  # an attestation is kept as written, except for this
        db.session.execute(delete(FinalAttestation).where(FinalAttestation.user_id == uid))


def _emails_where(uid: int):
    address = select(User.email).where(User.id == uid).scalar_subquery()
    return OutboxMessage.recipient == address


def _apply_emails(uid: int) -> None:
    where = _emails_where(uid)
    # Not sent yet: it would go to an address the person asked us to forget.
    db.session.execute(
        delete(OutboxMessage).where(where, OutboxMessage.status == MessageStatus.PENDING)
    )
    _update(
        OutboxMessage,
        where,
        recipient="",
        body="",
        attachment=None,
        attachment_name=None,
        attachment_type=None,
        last_error="",
    )


def _cohorts_of(uid: int):
    return (
        select(Membership.cohort_id)
        .where(Membership.user_id == uid)
        .union(select(MembershipRemoval.cohort_id).where(MembershipRemoval.user_id == uid))
    )


def _packs_of(uid: int):
    return CommitteePack.cohort_id.in_(_cohorts_of(uid))


def _apply_packs(uid: int) -> None:
    now = now_utc()
    already = select(PackErasure.pack_id).where(PackErasure.user_id == uid)
    for pack_id in db.session.scalars(
        select(CommitteePack.id).where(_packs_of(uid), CommitteePack.id.not_in(already))
    ):
        db.session.add(PackErasure(pack_id=pack_id, user_id=uid, erased_at=now))


def _nothing(_uid: int) -> None:
    """Kept as they are (the step is listed so that the page says so)."""


STEPS: tuple[Step, ...] = (
    Step(
        "memberships",
        _l("Cohortes et rôles"),
        _l(
            "gardés sans nom ni organisation, pour que les effectifs des territoires et de la "
            "cohorte restent justes"
        ),
        lambda uid: _count(Membership, Membership.user_id == uid),
        _apply_memberships,
    ),
    Step(
        "attendance",
        _l("Présences"),
        _l("gardées pour les taux de présence ; leurs commentaires sont supprimés"),
        lambda uid: _count(Attendance, Attendance.user_id == uid),
        _apply_attendance,
    ),
    Step(
        "assessments",
        _l("Auto-évaluations et appréciations"),
        _l(
            "les niveaux sont gardés pour les moyennes et la progression de la cohorte ; "
            "les commentaires sont supprimés et les preuves citées retirées"
        ),
        lambda uid: _count(Assessment, _assessments_of(uid)),
        _apply_assessments,
    ),
    Step(
        "assessment_drafts",
        _l("Brouillons d'auto-évaluation"),
        _l("supprimés ; un consensus du binôme en cours reste au partenaire"),
        lambda uid: _count(AssessmentDraft, _drafts_of(uid)),
        _apply_drafts,
    ),
    Step(
        "journal_entries",
        _l("Entrées du carnet de bord"),
        _l(
            "leurs textes sont remplacés par « contenu supprimé » ; une belle histoire n'est "
            "plus partagée avec la cohorte"
        ),
        lambda uid: _count(JournalEntry, JournalEntry.author_id == uid),
        _apply_journal,
    ),
    Step(
        "follow_up_records",
        _l("Comptes rendus de suivi rédigés"),
        _l("leurs textes sont remplacés par « contenu supprimé » ; la date et le mode restent"),
        lambda uid: _count(FollowUpRecord, FollowUpRecord.created_by_id == uid),
        _apply_records,
    ),
    Step(
        "field_visits",
        _l("Comptes rendus de visite rédigés"),
        _l(
            "leurs textes et les noms des personnes rencontrées sont remplacés par « contenu "
            "supprimé » ; le type d'acteur rencontré reste"
        ),
        lambda uid: _count(FieldVisitReport, FieldVisitReport.created_by_id == uid),
        _apply_visits,
    ),
    Step(
        "action_items",
        _l("Actions rédigées"),
        _l("leur intitulé est remplacé par « contenu supprimé » ; l'échéance et l'état restent"),
        lambda uid: _count(ActionItem, ActionItem.created_by_id == uid),
        _apply_actions,
    ),
    Step(
        "dynamics",
        _l("Dynamiques territoriales relevées"),
        _l("les niveaux sont gardés pour les tableaux de bord ; les commentaires sont supprimés"),
        lambda uid: _count(DynamicsSnapshot, DynamicsSnapshot.recorded_by_id == uid),
        _apply_dynamics,
    ),
    Step(
        "form_drafts",
        _l("Textes en attente (formulaires non enregistrés)"),
        _l("supprimés"),
        lambda uid: _count(FormDraft, FormDraft.user_id == uid),
        lambda uid: db.session.execute(delete(FormDraft).where(FormDraft.user_id == uid)),
    ),
    Step(
        "files",
        _l("Fichiers déposés (pièces jointes, photos)"),
        _l("supprimés ; les feuilles d'émargement signées restent, preuves de la cohorte"),
        _count_files,
        _apply_files,
    ),
    Step(
        "survey_answers",
        _l("Réponses aux questionnaires nominatifs"),
        _l(
            "les nombres et les choix sont gardés pour les résultats ; les textes sont "
            "remplacés par « contenu supprimé » et aucun témoignage n'est plus publié"
        ),
        lambda uid: _count(SurveyAnswer, _identified_answers(uid)),
        _apply_survey_answers,
    ),
    Step(
        "attestations",
        _l("Attestations de fin de parcours"),
        _l("supprimées : leur lien de vérification ne répondra plus"),
        lambda uid: _count(FinalAttestation, FinalAttestation.user_id == uid),
        _apply_attestations,
    ),
    Step(
        "emails",
        _l("E-mails envoyés ou en attente"),
        _l(
            "ceux en attente sont supprimés ; des autres ne restent que l'objet et la date, "
            "sans destinataire ni texte"
        ),
        lambda uid: _count(OutboxMessage, _emails_where(uid)),
        _apply_emails,
    ),
    Step(
        "packs",
        _l("Dossiers du Comité d'orientation déjà générés"),
        _l(
            "ils ne sont pas réécrits : l'effacement y est noté, avec sa date, là où ils sont "
            "proposés au téléchargement"
        ),
        lambda uid: _count(CommitteePack, _packs_of(uid)),
        _apply_packs,
    ),
    Step(
        "removals",
        _l("Retraits d'une cohorte"),
        _l("gardés sans nom, pour l'historique des effectifs"),
        lambda uid: _count(MembershipRemoval, MembershipRemoval.user_id == uid),
        _nothing,  # anonymised with the memberships
    ),
)


def refusal(person: User, by: User | None) -> str | None:
    """Say why ``by`` may not erase ``person`` now, or None when the erasure may go ahead."""
    if person.is_erased:
        return str(_l("Cette personne a déjà été effacée."))
    if by is not None and person.id == by.id:
        return str(_l("Vous ne pouvez pas effacer votre propre compte."))
    if person.is_admin:
        return str(
            _l(
                "Un compte d'administration ne peut pas être effacé : l'exploitant du site "
                "doit d'abord lui retirer ce rôle."
            )
        )
    return None


def preview(person: User) -> list[Line]:
    """Count, kind by kind, what the erasure of ``person`` would handle. Changes nothing."""
    return [Line(step, db.session.scalar(step.count(person.id)) or 0) for step in STEPS]


def erase_person(person: User, *, by: User | None, reason: str) -> dict[str, int]:
    """Erase ``person`` for good (see the module's text); return the counts, kind by kind.

    ``by`` is the administrator who received the request, or None for the retention purge.
    Never commits; refuses (:class:`ErasureError`) what :func:`refusal` refuses.
    """
    if reason not in REASONS:
        raise ErasureError(str(_l("Choisissez comment la demande est arrivée.")))
    problem = refusal(person, by)
    if problem:
        raise ErasureError(problem)
    uid = person.id
    counts = {line.step.key: line.count for line in preview(person)}
    # Each step finds the person's rows by the e-mail or the id: the account goes last.
    for step in STEPS:
        step.apply(uid)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == uid))
    person.full_name = ERASED_NAME
    person.email = ERASED_EMAIL.format(id=uid)
    person.organisation = ""
    person.password_hash = None
    moment = now_utc()
    # Counted where they took part until now, unless deactivated already: nowhere then.
    person.counted_until = moment if person.active else None
    person.active = False
    person.can_create_cohorts = False
    # When they last came and were invited says something of them; the audit log keeps the
    # trace of the logins until its own retention.
    person.last_login_at = person.invitation_sent_at = None
    person.erased_at = moment
    end_sessions(person)
    record(
        AuditAction.PERSON_ERASED,
        actor=by,
        subject=person,
        target=person,
        object_type="user",
        details={"reason": reason, **counts},
    )
    db.session.flush()
    # What the bulk statements changed is not in the objects the session holds.
    db.session.expire_all()
    logger.info("User %s erased by %s", uid, by.id if by is not None else "the retention purge")
    return counts
