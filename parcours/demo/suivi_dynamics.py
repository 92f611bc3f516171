"""Demo: each territory's dynamics at launch, and at mid-way where the second follow-up is held.

Everything here is invented, like the rest of the demo. The dashboards' other columns read
the records, action items and journal entries that suivi_records and suivi_journal write.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.dynamics.operations import DynamicsDraft, record_dynamics

# territory: (launch, mid-way), each (maturity, forms, fragilités, partnerships, comment)
DYNAMICS = {
    "Pays de Vierzon": (
        (1, ["animation"], ["emploi", "mobilite"], ["mecenat"],
         "Quelques chefs d'entreprise prêts à s'engager ; la mairie observe (situation fictive)."),
        (2, ["animation", "experimentation"], ["emploi", "mobilite", "isolement"],
         ["mecenat", "cooperation-economique"],
         "La plateforme mobilité-emploi réunit désormais huit structures (fictif)."),
    ),
    "Métropole de Lyon — Vaulx-en-Velin": (
        (2, ["animation", "accompagnement"], ["pauvrete", "education", "numerique"],
         ["mecenat", "pratiques-responsables"],
         "Un tissu associatif dense, peu relié aux entreprises du quartier (fictif)."),
        (2, ["animation", "accompagnement", "experimentation"], ["pauvrete", "education",
         "numerique"], ["mecenat", "pratiques-responsables", "innovation-societale"],
         "Un premier atelier numérique co-porté avec deux entreprises (fictif)."),
    ),
    "Communauté de communes du Haut-Jura": (
        (0, [], ["vieillissement", "mobilite"], [],
         "Le diagnostic partagé reste à faire ; beaucoup d'initiatives isolées (fictif)."),
        (1, ["animation"], ["vieillissement", "mobilite", "isolement"], ["mecenat"],
         "Une première rencontre élus-entreprises-associations a eu lieu (fictif)."),
    ),
    "Eurométropole de Strasbourg": (
        (2, ["animation", "experimentation"], ["emploi", "developpement", "energie"],
         ["cooperation-economique", "innovation-societale"],
         "Des coopérations transfrontalières déjà actives (situation fictive)."),
        (3, ["animation", "experimentation", "accompagnement"], ["emploi", "developpement",
         "energie"], ["cooperation-economique", "innovation-societale", "pratiques-responsables"],
         "La coopération est inscrite dans la feuille de route de l'agglomération (fictif)."),
    ),
    "Pays de Brocéliande": (
        (1, ["animation"], ["isolement", "culture"], ["mecenat"],
         "Le tiers-lieu attire, mais les entreprises ne s'y retrouvent pas encore (fictif)."),
        (1, ["animation", "experimentation"], ["isolement", "culture", "environnement"],
         ["mecenat", "pratiques-responsables"],
         "Un chantier participatif autour de la haie bocagère (fictif)."),
    ),
    "Marseille — quartiers Nord": (
        (1, ["accompagnement"], ["emploi", "pauvrete", "securite"], ["mecenat"],
         "La fondation finance, les acteurs se connaissent peu (fictif)."),
        (2, ["accompagnement", "animation"], ["emploi", "pauvrete", "securite", "sante"],
         ["mecenat", "cooperation-economique"],
         "Un comité local réunit chaque mois bailleurs, associations et entreprises (fictif)."),
    ),
    "Agglomération du Grand Dax": (
        (1, ["accompagnement"], ["developpement", "sante"], ["pratiques-responsables"],
         "Le club d'entreprises cherche à s'ouvrir aux associations (fictif)."),
        None,
    ),
    "Pays Cœur d'Hérault": (
        (1, ["animation"], ["mobilite", "logement"], ["mecenat"],
         "Des besoins de logement des saisonniers identifiés par tous (fictif)."),
        None,
    ),
    "Communauté urbaine de Dunkerque": (
        (2, ["experimentation", "accompagnement"], ["energie", "environnement", "emploi"],
         ["innovation-societale", "cooperation-economique"],
         "L'université anime déjà un réseau de recherche-action (fictif)."),
        None,
    ),
    "Sud Manche": (
        (0, [], ["vieillissement", "numerique"], [],
         "Territoire très rural ; le pôle découvre la démarche (fictif)."),
        None,
    ),
    "Saint-Denis de La Réunion": (
        (1, ["animation"], ["emploi", "diversite", "culture"], ["mecenat"],
         "Une forte tradition de solidarité de quartier (fictif)."),
        None,
    ),
    "Grenoble-Alpes Métropole": (
        (2, ["accompagnement", "experimentation"], ["energie", "mobilite"],
         ["pratiques-responsables", "cooperation-economique"],
         "Le réseau d'entreprises engagées porte une démarche RSE collective (fictif)."),
        None,
    ),
}  # fmt: skip


def _meetings(cohort: Cohort, code: str) -> dict[int, Event]:
    """Return the cohort's per-territory meetings of a curriculum code, by territory id."""
    rows = db.session.scalars(
        select(Event).where(
            Event.cohort_id == cohort.id, Event.code == code, Event.territory_id.is_not(None)
        )
    )
    return {event.territory_id: event for event in rows}


def _engaged(cohort: Cohort) -> list[Territory]:
    return [t for t in cohort.territories if t.status == TerritoryStatus.ACCEPTED]


def _local_day(moment: datetime, cohort: Cohort) -> date:
    return moment.astimezone(ZoneInfo(cohort.timezone)).date()


def add_dynamics(cohort: Cohort) -> None:
    """Record each territory's dynamics at its launch bilatérale, and at mid-way if held."""
    launches, midways = _meetings(cohort, "BILAT"), _meetings(cohort, "SUIVI2")
    now = now_utc()
    for territory in _engaged(cohort):
        launch, midway = DYNAMICS.get(territory.name, (None, None))
        for moment, values, meeting in (
            ("launch", launch, launches.get(territory.id)),
            ("midway", midway, midways.get(territory.id)),
        ):
            if values is None or meeting is None or meeting.ends_at > now:
                continue
            maturity, forms, fragilities, partnerships, comment = values
            record_dynamics(
                territory,
                DynamicsDraft(
                    moment=moment,
                    recorded_on=_local_day(meeting.starts_at, cohort),
                    maturity=maturity,
                    forms=forms,
                    fragilities=fragilities,
                    partnerships=partnerships,
                    comment=comment,
                ),
                recorded_by=territory.coach,
                recorded_at=meeting.ends_at + timedelta(hours=2),
            )


# Stand-ins for the records' and journal's own demo data -----------------------------------


def build(cohort: Cohort) -> None:
    """Add the dynamics to the demo cohort (its records, items and entries come before)."""
    add_dynamics(cohort)
