"""Write, change, delete and restore field-visit reports. Never commits: the request does."""

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.models import FieldVisitReport, StakeholderMet, Tag, TagKind

logger = logging.getLogger(__name__)

#: The report's own text fields, as the form and the model name them.
TEXT_FIELDS = ("places", "observed", "what_works", "difficulties")


class ReportExists(Exception):
    """The visit got its report from someone else while this one was being written."""


@dataclass(frozen=True)
class Stakeholder:
    """A person met: the curriculum code of their type, their name, their organisation."""

    kind: str
    name: str
    organisation: str


@dataclass(frozen=True)
class VisitFields:
    """What a report says, as typed in its form."""

    visited_on: date
    places: str = ""
    observed: str = ""
    what_works: str = ""
    difficulties: str = ""
    stakeholders: list[Stakeholder] = field(default_factory=list)
    thematics: list[str] = field(default_factory=list)
    competences: list[str] = field(default_factory=list)


def create_report(event: Event, fields: VisitFields, *, user: User) -> FieldVisitReport:
    """Write the report of a field visit; raise ReportExists if the visit has one already."""
    moment = now_utc()
    report = FieldVisitReport(
        territory_id=event.territory_id,
        event_id=event.id,
        visited_on=fields.visited_on,
        created_by_id=user.id,
        created_at=moment,
        updated_by_id=user.id,
        updated_at=moment,
        **{name: getattr(fields, name) for name in TEXT_FIELDS},
    )
    report.territory = event.territory
    report.stakeholders = [_stakeholder(person) for person in fields.stakeholders]
    db.session.add(report)
    try:
        # A savepoint: a report saved meanwhile for the same visit (unique event_id) undoes
        # this one only, and the page can still read the one that won.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise ReportExists from error
    _sync_tags(report, fields)
    db.session.flush()
    logger.info("Visit report %s written for event %s by user %s", report.id, event.id, user.id)
    return report


def update_report(report: FieldVisitReport, fields: VisitFields, *, user: User) -> bool:
    """Apply what changed to a report; return whether anything did.

    A change of its people or tags alone raises the report's version too, so that a form
    opened before it is a conflict (core.conflicts) rather than an overwrite.
    """
    # One UPDATE, one version: loading the tags and people must not flush half the changes.
    with db.session.no_autoflush:
        changed = _sync_tags(report, fields)
        if report.visited_on != fields.visited_on:
            report.visited_on = fields.visited_on
            changed = True
        for name in TEXT_FIELDS:
            if getattr(report, name) != getattr(fields, name):
                setattr(report, name, getattr(fields, name))
                changed = True
        if [_as_stakeholder(person) for person in report.stakeholders] != fields.stakeholders:
            report.stakeholders = [_stakeholder(person) for person in fields.stakeholders]
            changed = True
    if changed:
        touch(report, user)
        db.session.flush()
        logger.info("Visit report %s changed by user %s", report.id, user.id)
    return changed


def touch(report: FieldVisitReport, user: User) -> None:
    """Record who changed the report and when; its row is written, so its version goes up."""
    report.updated_at = now_utc()
    report.updated_by_id = user.id
    flag_modified(report, "updated_at")  # even at the same instant (a frozen clock)


def delete_report(report: FieldVisitReport, *, user: User) -> None:
    """Hide a report: kept, with who deleted it and when, for a coordinator to restore."""
    report.deleted_at = now_utc()
    report.deleted_by_id = user.id
    db.session.flush()
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=user,
        cohort=report.territory.cohort_id,
        target=report,
    )
    logger.info("Visit report %s deleted by user %s", report.id, user.id)


def restore_report(report: FieldVisitReport, *, user: User) -> None:
    """Show a deleted report again, as it was."""
    report.deleted_at = None
    report.deleted_by_id = None
    touch(report, user)
    db.session.flush()
    audit.record(
        AuditAction.RECORD_RESTORED,
        actor=user,
        cohort=report.territory.cohort_id,
        target=report,
    )
    logger.info("Visit report %s restored by user %s", report.id, user.id)


def _stakeholder(person: Stakeholder) -> StakeholderMet:
    return StakeholderMet(kind=person.kind, name=person.name, organisation=person.organisation)


def _as_stakeholder(row: StakeholderMet) -> Stakeholder:
    return Stakeholder(kind=row.kind, name=row.name, organisation=row.organisation)


def _sync_tags(report: FieldVisitReport, fields: VisitFields) -> bool:
    """Make the report's tags the thematics and competences chosen; return whether they moved.

    Tags carry the cohort's curriculum version: a competence is known by its code *in that
    version*, which is what a self-assessment will look for.
    """
    wanted = {(TagKind.THEMATIC.value, code) for code in fields.thematics} | {
        (TagKind.COMPETENCE.value, code) for code in fields.competences
    }
    stored = (
        {}
        if report.id is None
        else {
            (tag.kind, tag.code): tag
            for tag in db.session.scalars(select(Tag).where(Tag.visit_report_id == report.id))
        }
    )
    if set(stored) == wanted:
        return False
    for key, tag in stored.items():
        if key not in wanted:
            db.session.delete(tag)
    version_id = report.territory.cohort.curriculum_version_id
    for kind, code in sorted(wanted - set(stored)):
        db.session.add(
            Tag(visit_report_id=report.id, kind=kind, code=code, curriculum_version_id=version_id)
        )
    return True
