"""The demo's carnets de bord: entries of several binômes across the months, some shared.

Every text is invented for the demo. The entries are dated from the cohort's start and never
after today, so « Belles histoires » has stories for every participant, coach and coordinator
on first login, and each coach finds entries of the territories they follow.
"""

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from parcours.cohorts.models import Cohort
from parcours.demo.suivi_records import fictitious_pdf
from parcours.suivi import attachments
from parcours.suivi.actions.queries import local_today
from parcours.suivi.journal import operations
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JournalVisibility

B, C, H = JournalVisibility.BINOME, JournalVisibility.COACH, JournalVisibility.COHORT

#: (territory's name, days after the start, author's index in the binôme, title, what we did,
#: what we learned, what we try next, visibility, thematics, competences)
ENTRIES = [
    (
        "Pays de Vierzon",
        12,
        0,
        "Premier tour des acteurs",
        "Douze rendez-vous en trois semaines : la mairie, deux PME de la zone industrielle, "
        "le centre social, la mission locale. Nous avons dressé une **première carte** des "
        "acteurs et de ce qui les relie déjà.",
        "Les entreprises connaissent mal les associations du territoire, mais elles ont "
        "envie d'agir sur l'emploi des jeunes.",
        "- Restituer la carte aux personnes rencontrées\n- Choisir un premier sujet commun",
        C,
        ("T1", "T2"),
        ("D0.2", "D0.3"),
    ),
    (
        "Pays de Vierzon",
        48,
        1,
        "Le petit-déjeuner des alliances",
        "Trente personnes autour de la table, dont huit chefs d'entreprise. Format court : "
        "trois témoignages, puis des tables de quatre mêlant les mondes.",
        "Un format d'une heure trente, tôt le matin, fait venir les dirigeants. Le témoignage "
        "d'une entreprise voisine convainc plus qu'une présentation.",
        "Recommencer chaque trimestre, avec une entreprise différente qui invite.",
        H,
        ("T6",),
        ("D1.1", "D1.2"),
    ),
    (
        "Pays de Vierzon",
        96,
        0,
        "",
        "Réunion tendue avec la communauté de communes sur le portage du projet.",
        "Nous devons clarifier entre nous qui parle au nom du binôme.",
        "",
        B,
        (),
        ("D5.1",),
    ),
    (
        "Métropole de Lyon — Vaulx-en-Velin",
        20,
        0,
        "Diagnostic partagé avec le conseil citoyen",
        "Atelier de deux heures avec le conseil citoyen : chacun a placé sur la grille des "
        "16 fragilités ce qu'il voit au quotidien.",
        "La mobilité et l'isolement des personnes âgées reviennent partout, bien avant "
        "l'emploi que nous attendions.",
        "Présenter cette photographie aux bailleurs sociaux en juin.",
        H,
        ("T2",),
        ("D0.1", "D0.4"),
    ),
    (
        "Métropole de Lyon — Vaulx-en-Velin",
        75,
        0,
        "Un bailleur prêt à ouvrir un local",
        "Rendez-vous avec le bailleur social : un rez-de-chaussée vide pourrait accueillir "
        "un lieu partagé.",
        "Il faut un porteur associatif solide pour rassurer le bailleur.",
        "Réunir trois associations du quartier pour en parler ensemble.",
        C,
        ("T5",),
        ("D4.1",),
    ),
    (
        "Communauté de communes du Haut-Jura",
        30,
        1,
        "Speed-dating associations et entreprises",
        "Vingt binômes association–entreprise se sont rencontrés sept minutes chacun, à la "
        "salle des fêtes de Saint-Claude.",
        "Les petites entreprises préfèrent le **mécénat de compétences** au don : elles "
        "ont du temps à offrir, peu d'argent.",
        "Suivre les six rencontres qui ont donné envie d'aller plus loin.",
        H,
        ("T6", "T8"),
        ("D1.2", "D3.2"),
    ),
    (
        "Communauté de communes du Haut-Jura",
        84,
        0,
        "Trois partenariats signés",
        "Trois conventions signées à la suite du speed-dating : un atelier bois, une "
        "épicerie solidaire, un club de ski adapté.",
        "Un modèle de convention simple, d'une page, a levé les hésitations.",
        "Mesurer avec eux, dans six mois, ce que chaque partenariat a changé.",
        C,
        ("T6",),
        ("D3.3", "D3.4"),
    ),
    (
        "Pays de Brocéliande",
        35,
        0,
        "La Grange ouvre le jeudi soir",
        "Le tiers-lieu ouvre désormais chaque jeudi soir : repair café, permanence emploi, "
        "soupe partagée.",
        "Ce sont les habitants, plus que les structures, qui font vivre le lieu.",
        "Proposer aux entreprises du coin d'animer un jeudi par mois.",
        H,
        ("T5",),
        ("D4.2", "D4.3"),
    ),
    (
        "Pays de Brocéliande",
        62,
        1,
        "Point d'étape du binôme",
        "Nous avons relu ensemble nos notes depuis le lancement.",
        "Nous passons beaucoup de temps en réunions et peu sur le terrain.",
        "Bloquer une demi-journée par semaine pour aller voir les acteurs.",
        B,
        (),
        ("D7.1",),
    ),
    (
        "Pays de Brocéliande",
        118,
        0,
        "Financer la coordination du lieu",
        "Dossier déposé auprès de la fondation régionale, avec le soutien écrit de deux "
        "entreprises et de la commune.",
        "Combiner une subvention, du mécénat et une petite participation des usagers rend "
        "le modèle plus solide qu'un seul financeur.",
        "Préparer la version « déploiement » du budget pour l'an prochain.",
        H,
        ("T7",),
        ("D6.2", "D6.4"),
    ),
    (
        "Marseille — quartiers Nord",
        44,
        0,
        "Une fondation et un collège",
        "Mise en relation d'une fondation d'entreprise avec le collège du quartier pour des "
        "stages de troisième.",
        "Les enseignants ont besoin d'un interlocuteur unique, pas de dix entreprises.",
        "Construire un guichet commun des stages avec le club d'entreprises.",
        C,
        ("T4", "T6"),
        ("D1.5", "D3.1"),
    ),
    (
        "Marseille — quartiers Nord",
        102,
        0,
        "Quarante stages trouvés",
        "Le guichet commun a trouvé quarante stages pour les élèves de troisième, dans "
        "dix-sept entreprises.",
        "Articuler les dispositifs existants (cordées, parrainage) a suffi : nous n'avons "
        "rien eu à inventer.",
        "Partager le modèle avec les deux autres collèges du secteur.",
        H,
        ("T4",),
        ("D1.5", "D2.4"),
    ),
    (
        "Agglomération du Grand Dax",
        55,
        1,
        "Club RSE : premier atelier",
        "Premier atelier du club RSE avec onze entreprises : chacune a présenté une action "
        "menée avec une association.",
        "Les dirigeants parlent volontiers de leurs pratiques quand on ne leur demande pas "
        "d'argent.",
        "Un deuxième atelier sur l'inclusion, avec l'association des travailleurs handicapés.",
        H,
        ("T8",),
        ("D3.1", "D1.3"),
    ),
    (
        "Communauté urbaine de Dunkerque",
        68,
        0,
        "Co-développement avec l'université",
        "Séance de co-développement avec des étudiants de master sur la transition "
        "énergétique des PME du port.",
        "Les étudiants posent les questions que personne n'ose poser.",
        "Faire de cette séance un rendez-vous de chaque semestre.",
        C,
        ("T3",),
        ("D2.2",),
    ),
    (
        "Saint-Denis de La Réunion",
        40,
        1,
        "Kartié Ansanm en fête",
        "Fête de quartier co-organisée par six associations, la mairie annexe et deux commerces.",
        "Préparer ensemble pendant deux mois a créé plus de liens que la fête elle-même.",
        "Garder le comité d'organisation comme groupe de travail permanent.",
        H,
        ("T3", "T5"),
        ("D2.1", "D2.3"),
    ),
]


def add_journal_entries(cohort: Cohort) -> None:
    """Write the demo's carnet entries, each by a catalyseur of its territory."""
    territories = {territory.name: territory for territory in cohort.territories}
    start, today = cohort.start_date, local_today(cohort)
    with_file = False
    for name, days, author, title, did, learned, then, visibility, themes, skills in ENTRIES:
        territory = territories[name]
        catalyseurs = [member.user for member in territory.catalyseurs]
        day = min(start + timedelta(days=days), today - timedelta(days=1))
        entry = operations.create_entry(
            territory,
            EntryDraft(
                written_on=day,
                title=title,
                what_we_did=did,
                what_we_learned=learned,
                what_we_try_next=then,
                visibility=visibility,
                thematics=themes,
                competences=skills,
            ),
            catalyseurs[author % len(catalyseurs)],
        )
        if visibility is H and not with_file:  # one « belle histoire » with its programme
            with_file = True
            content = fictitious_pdf(title, [did[:90], learned[:90]])
            upload = FileStorage(
                stream=io.BytesIO(content), filename="programme.pdf", content_type="application/pdf"
            )
            attachments.attach(entry, [upload], user=entry.author)
