"""The demo's field-visit reports: two visits already made, with the people met and a photo.

Every place, person and organisation is invented. The curriculum's own field visit (VISITE)
is still ahead when the demo is built, so each report belongs to an extra visit its coach
scheduled a few weeks ago.
"""

import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from parcours.agenda.models import Event, EventKind
from parcours.agenda.slots import is_working_day
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.reports import pdf
from parcours.suivi import attachments
from parcours.suivi.actions.operations import ActionRow, sync_items
from parcours.suivi.visits import operations
from parcours.suivi.visits.operations import Stakeholder, VisitFields


@dataclass(frozen=True)
class DemoVisit:
    territory: str
    weeks_ago: int
    title: str
    venue: str
    fields: dict
    #: (what, who: "catalyseur" or "coach", due so many days after the visit)
    actions: tuple[tuple[str, str, int], ...] = ()
    with_photo: bool = False


VISITS = [
    DemoVisit(
        territory="Pays de Vierzon",
        weeks_ago=5,
        title="Visite de terrain — La Fabrique du Canal (fictive)",
        venue="La Fabrique du Canal, quai du Bassin, Vierzon (lieu fictif)",
        with_photo=True,
        actions=(
            ("Présenter le lieu au club d'entreprises et proposer un parrainage", "catalyseur", 21),
            ("Envoyer au binôme deux exemples de modèles économiques de tiers-lieux", "coach", 60),
        ),
        fields={
            "places": (
                "La Fabrique du Canal — tiers-lieu dans une ancienne halle (fictif)\n"
                "Atelier de réparation de vélos du quartier des Forges (fictif)"
            ),
            "observed": (
                "Une halle rénovée par un **chantier participatif** : une quarantaine "
                "d'habitants, deux entreprises du bâtiment et le lycée professionnel.\n\n"
                "- un café associatif ouvert quatre jours par semaine ;\n"
                "- un atelier de réparation tenu par des bénévoles retraités ;\n"
                "- une salle prêtée aux associations le soir."
            ),
            "what_works": (
                "Le binôme est reconnu comme **tiers de confiance** : la mairie et le club "
                "d'entreprises se parlent désormais à la même table.\n\n"
                "Le petit-déjeuner mensuel des partenaires réunit toujours 15 à 20 personnes."
            ),
            "difficulties": (
                "Le modèle économique du lieu repose sur une seule subvention, renouvelée "
                "chaque année.\n\n"
                "Les entreprises viennent aux événements mais s'engagent peu dans la durée."
            ),
            "stakeholders": [
                Stakeholder("pouvoirs-publics", "Martine Caillaud", "Ville de Vierzon (fictif)"),
                Stakeholder(
                    "pouvoirs-publics", "", "Communauté de communes Vierzon-Sologne (fictif)"
                ),
                Stakeholder(
                    "acteurs-economiques", "Gilles Perrot", "Menuiserie Perrot & fils (fictive)"
                ),
                Stakeholder(
                    "interet-general", "Nadège Fournier", "Association Vélo-Forges (fictive)"
                ),
                Stakeholder("academique", "", "Lycée professionnel des Forges (fictif)"),
                Stakeholder("citoyens", "Roger et Lucette", "Bénévoles de l'atelier"),
            ],
            "thematics": ["T5", "T7"],
            "competences": ["D4.1", "D4.2", "D5.1"],
        },
    ),
    DemoVisit(
        territory="Métropole de Lyon — Vaulx-en-Velin",
        weeks_ago=3,
        title="Visite de terrain — quartier du Mas du Taureau (fictive)",
        venue="Maison des alliances, Vaulx-en-Velin (lieu fictif)",
        actions=(("Mettre Inès en relation avec le réseau d'entreprises du Rhône", "coach", 30),),
        fields={
            "places": (
                "Maison des alliances (fictive)\nJardin partagé des Grandes Terres (fictif)"
            ),
            "observed": (
                "Une matinée d'**« entreprises ouvertes »** : six entreprises du quartier "
                "ont accueilli des collégiens et des demandeurs d'emploi.\n\n"
                "L'après-midi, rencontre au jardin partagé avec le conseil citoyen."
            ),
            "what_works": (
                "- la mise en relation directe entre entreprises et associations d'insertion ;\n"
                "- le jardin partagé, devenu lieu de rencontre entre générations."
            ),
            "difficulties": (
                "Inès porte seule le projet : le temps manque pour relancer les partenaires "
                "entre deux rencontres.\n\n"
                "La radio locale relaie, mais la presse régionale ne vient pas."
            ),
            "stakeholders": [
                Stakeholder(
                    "acteurs-economiques", "Samir Belkacem", "Transports Rhône-Est (fictif)"
                ),
                Stakeholder("acteurs-economiques", "", "Boulangerie du Mas (fictive)"),
                Stakeholder(
                    "interet-general", "Aurélie Guichard", "Mission locale de l'Est (fictive)"
                ),
                Stakeholder("medias", "", "Radio Canal Est (fictive)"),
                Stakeholder("citoyens", "Fatou Diop", "Conseil citoyen du Mas (fictif)"),
            ],
            "thematics": ["T2", "T6"],
            "competences": ["D1.2", "D2.1"],
        },
    ),
]


def build_visit_reports(cohort: Cohort) -> None:
    """Add two past field visits with their reports, written by each territory's coach."""
    zone = ZoneInfo(cohort.timezone)
    territories = {
        t.name: t
        for t in db.session.scalars(select(Territory).where(Territory.cohort_id == cohort.id))
    }
    today = now_utc().astimezone(zone).date()
    for visit in VISITS:
        territory = territories[visit.territory]
        day = today - timedelta(weeks=visit.weeks_ago)
        while not is_working_day(day, cohort.curriculum.calendar):
            day -= timedelta(days=1)
        event = Event(
            cohort_id=cohort.id,
            territory_id=territory.id,
            kind=EventKind.FIELD_VISIT,
            title=visit.title,
            venue_name=visit.venue,
            starts_at=datetime.combine(day, time(9, 30), tzinfo=zone),
            ends_at=datetime.combine(day, time(16, 30), tzinfo=zone),
            created_by_id=territory.coach_id,
        )
        db.session.add(event)
        db.session.flush()
        report = operations.create_report(
            event, VisitFields(visited_on=day, **visit.fields), user=territory.coach
        )
        written = datetime.combine(day, time(18, 0), tzinfo=zone)
        owners = {"catalyseur": territory.catalyseurs[0].user_id, "coach": territory.coach_id}
        sync_items(
            report,
            [
                ActionRow(title=title, owner_id=owners[who], due_on=day + timedelta(days=days))
                for title, who, days in visit.actions
            ],
            territory=territory,
            user=territory.coach,
        )
        if visit.with_photo:
            upload = FileStorage(
                stream=io.BytesIO(sketch()),
                filename="fabrique-du-canal-facade.jpg",
                content_type="image/jpeg",
            )
            for attachment in attachments.attach(report, [upload], user=territory.coach):
                attachment.added_at = written
                attachment.file.uploaded_at = attachment.file.thumbnail.uploaded_at = written
        # Written the evening of the visit, not when the demo was built.
        report.created_at = report.updated_at = written
        for item in report.action_items:
            item.created_at = written


def sketch() -> bytes:
    """Draw the « photo » of the visit: a tiers-lieu in an old hall, clearly a drawing."""
    width, height = 960, 600
    image = Image.new("RGB", (width, height), (176, 214, 240))
    draw = ImageDraw.Draw(image)
    fonts = Path(pdf.__file__).parent / "fonts"
    title = ImageFont.truetype(str(fonts / "DejaVuSans-Bold.ttf"), 28)
    small = ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), 22)
    for band in range(0, 372, 6):  # the sky, lighter towards the horizon
        shade = 176 + band // 5
        draw.rectangle((0, band, width, band + 6), fill=(shade, min(214 + band // 8, 250), 240))
    draw.ellipse((790, 50, 880, 140), fill=(255, 214, 90))
    draw.polygon(
        [(0, 360), (220, 250), (470, 350), (720, 240), (960, 340), (960, 600), (0, 600)],
        fill=(120, 170, 95),
    )
    draw.rectangle((0, 470, width, 600), fill=(150, 150, 150))  # the quay
    draw.rectangle((0, 545, width, 600), fill=(70, 120, 170))  # the canal
    # The old hall, its roof, its big doors and the sign.
    draw.rectangle((190, 250, 770, 470), fill=(190, 95, 70), outline=(90, 40, 30), width=4)
    draw.polygon([(170, 255), (480, 150), (790, 255)], fill=(90, 90, 100))
    for left in (230, 390, 550):
        draw.rectangle(
            (left, 330, left + 130, 470), fill=(240, 225, 190), outline=(90, 40, 30), width=3
        )
        draw.line((left + 65, 330, left + 65, 470), fill=(90, 40, 30), width=2)
    draw.rectangle((270, 268, 690, 318), fill=(250, 250, 240), outline=(40, 40, 40), width=2)
    draw.text((480, 293), "LA FABRIQUE DU CANAL", font=title, fill=(40, 40, 40), anchor="mm")
    # People in front: a few stick figures, and a bicycle.
    for x, colour in ((120, (200, 60, 60)), (150, (60, 90, 200)), (830, (60, 150, 80))):
        draw.ellipse((x - 10, 400, x + 10, 420), fill=(240, 200, 160))
        draw.rectangle((x - 9, 421, x + 9, 455), fill=colour)
        draw.line((x - 6, 455, x - 8, 478), fill=(50, 50, 50), width=4)
        draw.line((x + 6, 455, x + 8, 478), fill=(50, 50, 50), width=4)
    for cx in (860, 910):
        draw.ellipse((cx - 20, 450, cx + 20, 490), outline=(30, 30, 30), width=4)
    draw.line((860, 470, 885, 445, 910, 470), fill=(30, 30, 30), width=4)
    draw.rectangle((0, 0, width, 40), fill=(255, 255, 255))
    draw.text(
        (16, 8),
        "Croquis de visite — lieu et personnes fictifs (démo Parcours)",
        font=small,
        fill=(60, 60, 60),
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
