"""``flask demo``: create or reset the fictitious demo data and print the accounts."""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from parcours.accounts import operations as accounts
from parcours.accounts.models import DEMO_EMAIL_DOMAIN, User
from parcours.cohorts import operations as cohorts
from parcours.cohorts.models import Cohort, Role
from parcours.core import paths
from parcours.core.extensions import db
from parcours.core.kept import rewriting
from parcours.core.time import PARIS, now_utc
from parcours.curricula.loader import curriculum_files, load_file
from parcours.demo import (
    audit_log,
    competences,
    data,
    data_past,
    evaluation_packs,
    evaluation_past,
    evaluation_surveys,
    personal_data,
    suivi_records,
    suivi_visits,
)
from parcours.demo.anchor import demo_start_date
from parcours.demo.suivi_dynamics import build as add_suivi_dynamics
from parcours.demo.suivi_journal import add_journal_entries
from parcours.outbox import mail

CURRICULUM_SLUG = "co-construction-territoriale"
DEFAULT_PASSWORD = "parcours-demo-2026"  # noqa: S105 (printed demo password, by design)


def cohort_name(year: int) -> str:
    """Name the demo cohort after the year it starts."""
    return f"Co-construction territoriale — promotion {year}"


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def database_holds_real_data() -> bool:
    """Tell whether any account is not a demo account (an erased one names no one)."""
    return (
        db.session.scalar(
            select(User.id)
            .where(User.email.not_like(f"%@{DEMO_EMAIL_DOMAIN}"), User.erased_at.is_(None))
            .limit(1)
        )
        is not None
    )


def reset() -> None:
    """Empty every table (the caller checked that only demo data is there)."""
    with rewriting():  # submitted self-assessments are kept as written, outside a reset
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "alembic_version":
                db.session.execute(delete(table))


def build(password: str) -> tuple[Cohort, list[tuple[str, str, str]]]:
    """Create the demo data, in progress today; return the cohort and each account."""
    for path in curriculum_files(paths.CURRICULA):
        load_file(path)
    from parcours.curricula.models import Curriculum

    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.slug == CURRICULUM_SLUG))
    version = curriculum.versions[-1]
    start_date = demo_start_date(version.document, now_utc().astimezone(PARIS).date())
    accounts_list = []
    users = []

    def person(full_name, local, organisation, role_label, admin=False) -> User:
        user, _created = accounts.ensure_user(_email(local), full_name, organisation)
        user.is_admin = admin
        accounts.set_password(user, password)
        accounts_list.append((role_label, user.email, full_name))
        users.append(user)
        return user

    admin = person(*data.ADMIN, "administrateur", admin=True)
    coordinator = person(*data.COORDINATOR, "coordinatrice")
    coordinator.can_create_cohorts = True  # allowed by the administrator
    cohort = cohorts.create_cohort(
        version=version,
        name=cohort_name(start_date.year),
        start_date=start_date,
        created_by=coordinator,
    )
    coaches = []
    for full_name, local, organisation in data.COACHES:
        user = person(full_name, local, organisation, "accompagnateur·rice")
        cohorts.add_member(
            cohort,
            role=Role.COACH,
            email=user.email,
            full_name=full_name,
            organisation=organisation,
            invited_by=admin,
        )
        coaches.append(user)
    for full_name, local, organisation in data.COMMITTEE:
        user = person(full_name, local, organisation, "comité d'orientation")
        cohorts.add_member(
            cohort,
            role=Role.COMMITTEE,
            email=user.email,
            full_name=full_name,
            organisation=organisation,
            invited_by=admin,
        )
    for index, (name, region, dept, kind, structure, ctype, people) in enumerate(data.TERRITORIES):
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
        cohorts.assign_coach(territory, coaches[index % len(coaches)])
        for full_name, local in people:
            user = person(full_name, local, structure, f"catalyseur·rice — {name}")
            cohorts.add_catalyseur(
                territory,
                email=user.email,
                full_name=full_name,
                organisation=structure,
                invited_by=coordinator,
            )
    name, region, dept, kind, structure, ctype, reason = data.REFUSED
    cohorts.add_territory(
        cohort,
        name=name,
        region=region,
        department=dept,
        kind=kind,
        carrier_structure=structure,
        carrier_type=ctype,
        status="refused",
        status_reason=reason.format(year=start_date.year),
    )
    full_name, local, organisation = data.REMOVED_COMMITTEE_MEMBER
    user = person(full_name, local, organisation, "retirée du comité (retrait annulable)")
    leaving = cohorts.add_member(
        cohort,
        role=Role.COMMITTEE,
        email=user.email,
        full_name=full_name,
        organisation=organisation,
        invited_by=coordinator,
    )
    for user in users:  # the demo's people joined long ago: the cohort shows their own names
        cohorts.accept_memberships(user)
    db.session.refresh(leaving)
    cohorts.remove_member(leaving, coordinator)
    _invite_newcomers(cohort, coordinator)
    _describe_sessions(cohort)
    _evening_workshop(cohort, coordinator)
    _record_past_attendance(cohort, coordinator)
    suivi_visits.build_visit_reports(cohort)
    _attach_signed_sheets(cohort, coordinator)
    suivi_records.build(cohort)
    add_journal_entries(cohort)
    personal_data.build(cohort)  # Camille's own belle histoire, for « Mes données »
    add_suivi_dynamics(cohort)
    competences.build(cohort, coordinator)
    evaluation_surveys.build(cohort, coordinator)
    # After the surveys, so that the mid-way packs hold S1's synthesis.
    evaluation_packs.build(cohort, coordinator)
    # A promotion that has ended, for the final evaluation and the attestations to be seen.
    committee_emails = {_email(local) for _name, local, _organisation in data.COMMITTEE}
    past = evaluation_past.build(
        coordinator, [u for u in users if u.email in committee_emails], password
    )
    evaluation_packs.build_final(past, coordinator)
    personal_data.erase_on_request(admin)  # after the final pack: it notes the erasure
    # Last: the log repeats the dates of what the demo built (packs, downloads).
    audit_log.build(cohort, coordinator)
    # One of its catalyseurs stands for the rest (all share the password).
    full_name, local = data_past.TERRITORIES[0][-1][0]
    role = f"catalyseur·rice — promotion précédente ({past.start_date.year})"
    accounts_list.append((role, _email(local), full_name))
    return cohort, accounts_list


def _invite_newcomers(cohort: Cohort, coordinator: User) -> None:
    """Invite people who have not answered yet: one link still valid, one expired."""
    for full_name, local, organisation, role, days_ago in data.INVITEES:
        member = cohorts.add_member(
            cohort,
            role=Role(role),
            email=_email(local),
            full_name=full_name,
            organisation=organisation,
            invited_by=coordinator,
        )
        # Dated back as if sent then: the state is read from the link's age.
        sent = now_utc() - timedelta(days=days_ago)
        member.created_at = member.user.created_at = member.user.invitation_sent_at = sent


def _describe_sessions(cohort) -> None:
    """Give the collective sessions a venue, speakers and, for S1, a timed programme."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from parcours.agenda.models import AgendaItem, Event

    zone = ZoneInfo(cohort.timezone)
    sessions = db.session.scalars(
        select(Event).where(Event.cohort_id == cohort.id, Event.kind == "session")
    )
    for event in sessions:
        event.venue_name, event.venue_address, event.access_notes = data.SESSION_VENUES[event.code]
        event.speakers = data.S1_SPEAKERS if event.code == "S1" else ""
        event.thematics = list(cohort.curriculum.sessions[int(event.code[1:]) - 1].thematics)
        programme = {"S1": data.S1_PROGRAMME, "S3": data.S3_PROGRAMME}.get(event.code)
        if programme:
            day = event.starts_at.astimezone(zone).date()
            for start, end, kind, title, speaker in programme:
                event.items.append(
                    AgendaItem(
                        starts_at=datetime.combine(day, time.fromisoformat(start), tzinfo=zone),
                        ends_at=datetime.combine(day, time.fromisoformat(end), tzinfo=zone),
                        kind=kind,
                        title=title,
                        speaker=speaker,
                    )
                )
    db.session.flush()


def _evening_workshop(cohort, coordinator) -> None:
    """Add an evening workshop (« soir » on its sheet) three weeks after S1, on a Tuesday."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from parcours.agenda.models import Event

    zone = ZoneInfo(cohort.timezone)
    s1 = db.session.scalar(select(Event).where(Event.cohort_id == cohort.id, Event.code == "S1"))
    day = s1.starts_at.astimezone(zone).date() + timedelta(weeks=3)
    day += timedelta(days=(1 - day.weekday()) % 7)  # the next Tuesday
    title, description, venue = data.EVENING_WORKSHOP
    db.session.add(
        Event(
            cohort_id=cohort.id,
            kind="other",
            code="SOIR1",
            title=title,
            description=description,
            venue_name=venue,
            starts_at=datetime.combine(day, time(18, 30), tzinfo=zone),
            ends_at=datetime.combine(day, time(21, 0), tzinfo=zone),
            created_by_id=coordinator.id,
        )
    )
    db.session.flush()


def _record_past_attendance(cohort, coordinator) -> None:
    """Mark attendance at the sessions already held: most present, a few excused or late."""
    from parcours.agenda.models import Event
    from parcours.agenda.queries import expected_participants
    from parcours.attendance.halfdays import half_days
    from parcours.attendance.operations import Mark, record_attendances

    past = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind.in_(("session", "other")),
            Event.ends_at < now_utc(),
        )
        .order_by(Event.starts_at)
    )
    for number, event in enumerate(past, start=1):
        marks = {}
        for index, person in enumerate(expected_participants(event)):
            for slot in half_days(event):
                # A fixed pattern (not row ids, which PostgreSQL never reuses), so that the
                # demo is the same every time it is built.
                if (index + number) % 11 == 0:
                    status = "excused"
                elif (index + slot.day.day) % 13 == 0:
                    status = "late"
                else:
                    status = "present"
                marks[(person.user.id, slot.day, slot.half.value)] = Mark(status, "")
        record_attendances(event, marks, recorded_by=coordinator)


def _attach_signed_sheets(cohort, coordinator) -> None:
    """Attach the signed sheets of the sessions held: S1's as the app's own PDF (a photo,
    blurred, was removed first), S2's as two photographed pages; later ones have none yet."""
    from zoneinfo import ZoneInfo

    from werkzeug.datastructures import FileStorage

    from parcours.agenda.models import Event
    from parcours.agenda.queries import expected_participants
    from parcours.attendance import operations, pdf, reports
    from parcours.demo.scans import signed_sheet_photo

    held = db.session.scalars(
        select(Event)
        .where(Event.cohort_id == cohort.id, Event.kind == "session", Event.ends_at < now_utc())
        .order_by(Event.starts_at)
    ).all()
    zone = ZoneInfo(cohort.timezone)
    for number, event in enumerate(held[:2], start=1):
        names = [person.name for person in expected_participants(event)]
        day = event.starts_at.astimezone(zone).strftime("%d/%m/%Y")
        if number == 1:
            first_photo = signed_sheet_photo(event.title, day, names, seed=0)
            scans = [
                (f"{event.code} photo floue.png", first_photo),
                (
                    f"{event.code} feuille d'émargement signée.pdf",
                    pdf.render_signature_sheet(reports.signature_sheet(event, prefill=True)),
                ),
            ]
        else:
            half = len(names) // 2
            scans = [
                (
                    f"{event.code} émargement page {page}.png",
                    signed_sheet_photo(
                        event.title, f"{day} — page {page}", part, seed=number * 10 + page
                    ),
                )
                for page, part in ((1, names[:half]), (2, names[half:]))
            ]
        # Scanned the evening of the session, as a coordinator would.
        evening = event.ends_at + timedelta(hours=2)
        for name, content in scans:
            upload = FileStorage(stream=io.BytesIO(content), filename=name)
            (sheet,) = operations.attach_signed_sheets(event, [upload], attached_by=coordinator)
            sheet.attached_at = sheet.file.uploaded_at = evening
            if sheet.file.thumbnail is not None:
                sheet.file.thumbnail.uploaded_at = evening
            if name.endswith("photo floue.png"):
                operations.remove_signed_sheet(sheet, removed_by=coordinator)
                sheet.removed_at = evening + timedelta(minutes=5)
    db.session.flush()


@contextmanager
def _quiet_operations() -> Iterator[None]:
    """Keep the operations' INFO lines (over a hundred) out of the demo's account list."""
    parcours_logger = logging.getLogger("parcours")
    level = parcours_logger.level
    parcours_logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        parcours_logger.setLevel(level)


def _progress(cohort: Cohort) -> str:
    """Say where the cohort stands today: when it started, and its next collective session."""
    from parcours.agenda.models import Event

    upcoming = db.session.scalar(
        select(Event)
        .where(Event.cohort_id == cohort.id, Event.kind == "session", Event.starts_at > now_utc())
        .order_by(Event.starts_at)
        .limit(1)
    )
    started = f"Démarrée le {cohort.start_date:%d/%m/%Y}"
    if upcoming is None:
        return started + "."
    day = upcoming.starts_at.astimezone(PARIS)
    return f"{started} ; prochaine session : {upcoming.code} le {day:%d/%m/%Y}."


@click.command("demo")
@click.option(
    "--password",
    default=DEFAULT_PASSWORD,
    show_default=True,
    help="Mot de passe de tous les comptes de démonstration.",
)
@click.option(
    "--force", is_flag=True, help="Effacer aussi une base qui contient de vraies données."
)
@with_appcontext
def demo_command(password: str, force: bool) -> None:
    """Create (or reset) the fictitious demo cohort and print how to log in."""
    from parcours.accounts.passwords import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    if database_holds_real_data() and not force:
        raise click.ClickException(
            "Cette base contient des comptes qui ne sont pas des comptes de démonstration. "
            "Rien n'a été modifié. Utilisez --force pour tout effacer quand même."
        )
    reset()
    # Invitation e-mails to invented people would only clutter the console.
    mail.suppress_until_commit()
    with _quiet_operations():
        cohort, accounts_list = build(password)
        db.session.commit()
    click.echo(f"Données de démonstration créées : « {cohort.name} » (fictive).")
    click.echo(_progress(cohort))
    click.echo(f"Mot de passe de tous les comptes : {password}\n")
    width = max(len(role) for role, _e, _n in accounts_list)
    for role, email, full_name in accounts_list:
        click.echo(f"  {role:<{width}}  {email:<45} {full_name}")
    click.echo("\nOuvrez http://127.0.0.1:5000 et connectez-vous avec l'un de ces comptes.")
