"""Demo follow-up records: what coaches wrote after the meetings already held (all fictitious).

Four territories get a record of each follow-up and bilatérale already past, with shared and
team-only parts and action items owned by their catalyseurs and their coach: the early ones
done, the last ones open, some of them late. One territory also has an unplanned phone call,
and another a record typed twice whose copy the coach deleted, which the coordination can
restore. Each territory's last record names its next follow-up. The other territories get a
short record of each meeting held and a phone call three weeks ago, except three of them
(``QUIET``) whose meetings of the last two months went unrecorded: whatever day the demo is
built, they are the three territories the suivi page flags « sans suivi ».
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi import attachments
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import FollowUpRecord, MeetingMode, Visibility
from parcours.suivi.records import operations, queries

#: How many territories of the demo cohort get records.
TERRITORIES = 4
#: The territories, among the others, whose recent meetings have no record.
QUIET = (1, 3, 5)

SHARED, TEAM = Visibility.SHARED, Visibility.TEAM


@dataclass(frozen=True)
class Item:
    """An action item: what, whose (``first``/``second`` catalyseur, or ``coach``), due when
    (days after the meeting), done or not."""

    title: str
    owner: str
    due_after: int
    done: bool = False


@dataclass(frozen=True)
class Meeting:
    agenda: str
    agenda_visibility: Visibility
    notes: str
    notes_visibility: Visibility
    decisions: str
    decisions_visibility: Visibility
    team_notes: str
    items: tuple[Item, ...]


MEETINGS = {
    "BILAT": Meeting(
        agenda=(
            "- Présentation du parcours et de son calendrier\n"
            "- Les attentes du binôme\n"
            "- Les projets en cours sur {territory}"
        ),
        agenda_visibility=SHARED,
        notes=(
            "L'équipe anime depuis deux ans un collectif d'acteurs autour de l'emploi des "
            "jeunes. Elle attend du parcours des **méthodes d'animation** et des échanges avec "
            "des territoires comparables.\n\n"
            "Points forts : une bonne connaissance des associations locales, un tiers-lieu "
            "ouvert au printemps."
        ),
        notes_visibility=SHARED,
        decisions=(
            "- Cartographier les acteurs du territoire avant la session 1\n"
            "- Partager la grille des 16 fragilités avec l'équipe de la structure porteuse"
        ),
        decisions_visibility=SHARED,
        team_notes=(
            "Équipe très motivée. Le portage politique reste fragile depuis le changement "
            "d'adjoint·e : à suivre sans mettre le binôme en difficulté."
        ),
        items=(
            Item("Cartographier les acteurs du territoire (grille fournie)", "first", 21, True),
            Item("Envoyer la grille des 16 fragilités et un exemple rempli", "coach", 7, True),
        ),
    ),
    "SUIVI1": Meeting(
        agenda=(
            "- Retour sur la session 1\n"
            "- Diagnostic partagé : où en est la cartographie ?\n"
            "- Priorités d'action pour les mois à venir"
        ),
        agenda_visibility=SHARED,
        notes=(
            "La cartographie est bien avancée, mais la collectivité n'a pas encore confirmé sa "
            "place au comité local. Tension entre la structure porteuse et la mairie sur le "
            "pilotage du futur forum."
        ),
        notes_visibility=TEAM,
        decisions=(
            "- Organiser un premier **forum des acteurs** au prochain trimestre\n"
            "- Solliciter deux entreprises du club local pour co-animer un atelier"
        ),
        decisions_visibility=SHARED,
        team_notes=(
            "Proposer un temps à trois avec l'élue au prochain suivi si la tension persiste. "
            "Le binôme doute de sa légitimité face aux entreprises : le rassurer."
        ),
        items=(
            Item("Réserver une salle pour le forum des acteurs", "first", 30),
            Item("Contacter le club d'entreprises pour l'atelier", "second", 45),
            Item("Transmettre trois exemples de forums réussis", "coach", 14, True),
        ),
    ),
    "SUIVI2": Meeting(
        agenda=(
            "- Retour sur les décisions du suivi précédent\n"
            "- Auto-évaluation à mi-parcours : premiers constats\n"
            "- Préparation de la visite de terrain"
        ),
        agenda_visibility=SHARED,
        notes=(
            "Deux entreprises ont répondu favorablement ; le forum est fixé. Le binôme se sent "
            "plus à l'aise pour animer des réunions entre acteurs de mondes différents."
        ),
        notes_visibility=SHARED,
        decisions=(
            "- Préparer le programme de la visite de terrain avec les partenaires\n"
            "- Inviter l'élue au forum comme grand témoin"
        ),
        decisions_visibility=TEAM,
        team_notes=(
            "Progrès net sur la posture de tiers de confiance. Le financement du poste n'est "
            "assuré que jusqu'à la fin de l'année : en parler à la coordination."
        ),
        items=(
            Item("Préparer le programme de la visite de terrain", "first", 20),
            Item("Relire le programme du forum", "coach", 10),
            Item("Inviter l'élue au forum comme grand témoin", "second", 25),
        ),
    ),
}

PHONE_CALL = Meeting(
    agenda="Appel à la demande de la catalyseure, entre deux suivis.",
    agenda_visibility=SHARED,
    notes=(
        "La structure porteuse perd une subvention régionale l'an prochain. La catalyseure "
        "cherche d'autres appuis pour maintenir l'animation du collectif."
    ),
    notes_visibility=SHARED,
    decisions="- Préparer un dossier pour la fondation partenaire du parcours",
    decisions_visibility=SHARED,
    team_notes="Signaler la situation à la coordination : risque d'abandon en fin de parcours.",
    items=(
        Item("Préparer le dossier pour la fondation partenaire", "first", 30),
        Item("Envoyer les contacts de la fondation", "coach", 5, True),
    ),
)


BRIEF = Meeting(
    agenda="- Où en est le projet sur {territory}\n- Les prochaines rencontres",
    agenda_visibility=SHARED,
    notes="Échange rapide, le binôme avance à son rythme.",
    notes_visibility=SHARED,
    decisions="Faire le point à la prochaine session collective.",
    decisions_visibility=SHARED,
    team_notes="Binôme autonome, pas d'alerte à remonter à la coordination.",
    items=(),
)

CHECK_IN = Meeting(
    agenda="Point téléphonique entre deux rendez-vous",
    agenda_visibility=SHARED,
    notes="Le binôme prépare sa prochaine rencontre d'acteurs ; pas de difficulté signalée.",
    notes_visibility=SHARED,
    decisions="",
    decisions_visibility=SHARED,
    team_notes="Appel de routine ; à relancer si la rencontre d'acteurs n'a pas lieu.",
    items=(),
)


def build(cohort: Cohort) -> None:
    """Write the demo's follow-up records for the meetings of ``cohort`` already held."""
    now = now_utc()
    zone = ZoneInfo(cohort.timezone)
    accepted = db.session.scalars(
        select(Territory)
        .where(Territory.cohort_id == cohort.id, Territory.status == TerritoryStatus.ACCEPTED)
        .order_by(Territory.id)
    ).all()
    territories, others = accepted[:TERRITORIES], accepted[TERRITORIES:]
    # The quiet ones' meetings of the last weeks went unrecorded, whatever day the demo is
    # built: they are the ones flagged « sans suivi ».
    quiet_since = now - timedelta(days=current_app.config["PARCOURS_SUIVI_STALE_DAYS"] + 15)
    for index, territory in enumerate(others):
        people = _people(territory)
        quiet = index in QUIET
        for event in _held(territory, quiet_since if quiet else now):
            day = event.starts_at.astimezone(zone).date()
            mode = MeetingMode.ONSITE if event.code == "BILAT" else MeetingMode.VIDEO
            _write(territory, BRIEF, people, day, mode, event=event)
        if not quiet:
            _write(
                territory,
                CHECK_IN,
                people,
                (now - timedelta(days=21)).astimezone(zone).date(),
                MeetingMode.PHONE,
            )
    for index, territory in enumerate(territories):
        coach = territory.coach
        people = _people(territory)
        last = None
        for event in _held(territory, now):
            day = event.starts_at.astimezone(zone).date()
            mode = MeetingMode.ONSITE if event.code == "BILAT" else MeetingMode.VIDEO
            last = _write(territory, MEETINGS[event.code], people, day, mode, event=event)
        if index == 1 and last is not None:
            call = min(last.held_on + timedelta(days=12), now.astimezone(zone).date())
            _write(territory, PHONE_CALL, people, call, MeetingMode.PHONE)
        if index == 2 and last is not None:
            twice = _write(
                territory, MEETINGS[last.event.code], people, last.held_on, MeetingMode.VIDEO
            )
            operations.delete_record(twice, coach)
        if index == 0 and last is not None:
            _attach_handout(last, coach)
        if last is not None:
            upcoming = queries.upcoming_follow_ups(territory, now)
            if upcoming:
                operations.link_next_meeting(last, upcoming[0], coach)


def _people(territory: Territory) -> dict:
    return {
        "first": territory.catalyseurs[0].user,
        "second": territory.catalyseurs[-1].user,
        "coach": territory.coach,
    }


def _held(territory: Territory, now: datetime) -> list[Event]:
    """Return the territory's bilatérale and follow-ups already held, in order."""
    return db.session.scalars(
        select(Event)
        .where(
            Event.territory_id == territory.id,
            Event.code.in_(MEETINGS),
            Event.status == EventStatus.PLANNED,
            Event.ends_at < now,
        )
        .order_by(Event.starts_at)
    ).all()


def _write(territory, meeting: Meeting, people, day: date, mode, event=None) -> FollowUpRecord:
    """Write one record as its coach would have, the evening of the meeting."""
    today = now_utc().date()
    name = territory.name
    draft = operations.RecordDraft(
        held_on=day,
        mode=mode,
        participant_ids=sorted({person.id for person in people.values()}),
        agenda=meeting.agenda.format(territory=name),
        agenda_visibility=meeting.agenda_visibility,
        notes=meeting.notes,
        notes_visibility=meeting.notes_visibility,
        decisions=meeting.decisions,
        decisions_visibility=meeting.decisions_visibility,
        team_notes=meeting.team_notes,
        actions=[
            ActionRow(
                item.title,
                people[item.owner].id,
                day + timedelta(days=item.due_after),
                done=item.done and day + timedelta(days=item.due_after) <= today,
            )
            for item in meeting.items
        ],
    )
    record = operations.create_record(territory, draft, author=people["coach"], event=event)
    written = datetime.combine(day, time(18, 0), tzinfo=ZoneInfo(territory.cohort.timezone))
    record.created_at = record.updated_at = written
    for item in record.action_items:
        item.created_at = written
        if item.done_at is not None:  # ticked when it fell due
            item.done_at = datetime.combine(item.due_on, time(17, 0), tzinfo=written.tzinfo)
    db.session.flush()
    return record


def fictitious_pdf(title: str, lines: list[str]) -> bytes:
    """Return a one-page PDF that says it is a fictitious demo document."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, title)
    page.setFont("Helvetica", 11)
    for n, line in enumerate([*lines, "", "Document fictif de démonstration."]):
        page.drawString(72, 730 - 18 * n, line)
    page.save()
    return buffer.getvalue()


def _attach_handout(record: FollowUpRecord, coach) -> None:
    """Give one record the handout shown at the meeting, added the evening it was written."""
    content = fictitious_pdf(
        "Forum des acteurs — support de présentation",
        ["1. Où en est le diagnostic partagé", "2. Les trois alliances à nouer", "3. Calendrier"],
    )
    upload = FileStorage(
        stream=io.BytesIO(content), filename="support-forum.pdf", content_type="application/pdf"
    )
    for attachment in attachments.attach(record, [upload], user=coach):
        attachment.added_at = attachment.file.uploaded_at = record.created_at
