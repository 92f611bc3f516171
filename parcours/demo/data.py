"""The demo cohort: invented people in invented territories, with real-looking variety."""

TERRITORIES = [
    # name, region, department, kind, carrier structure, carrier type, catalyseurs
    (
        "Pays de Vierzon",
        "Centre-Val de Loire",
        "Cher (18)",
        "ville_moyenne",
        "Association Vierzon Alliances (fictive)",
        "associatif",
        [("Camille Martin", "camille.martin"), ("Hugo Bernard", "hugo.bernard")],
    ),
    (
        "Métropole de Lyon — Vaulx-en-Velin",
        "Auvergne-Rhône-Alpes",
        "Rhône (69)",
        "quartier_prioritaire",
        "Maison des alliances (fictive)",
        "associatif",
        [("Inès Haddad", "ines.haddad")],
    ),
    (
        "Communauté de communes du Haut-Jura",
        "Bourgogne-Franche-Comté",
        "Jura (39)",
        "montagne",
        "Communauté de communes (fictive)",
        "public",
        [("Léa Girard", "lea.girard"), ("Thomas Roux", "thomas.roux")],
    ),
    (
        "Eurométropole de Strasbourg",
        "Grand Est",
        "Bas-Rhin (67)",
        "transfrontalier",
        "Agence de développement (fictive)",
        "public",
        [("Sarah Klein", "sarah.klein")],
    ),
    (
        "Pays de Brocéliande",
        "Bretagne",
        "Ille-et-Vilaine (35)",
        "rural",
        "Tiers-lieu La Grange (fictif)",
        "associatif",
        [("Yann Le Goff", "yann.legoff"), ("Maëlle Tanguy", "maelle.tanguy")],
    ),
    (
        "Marseille — quartiers Nord",
        "Provence-Alpes-Côte d'Azur",
        "Bouches-du-Rhône (13)",
        "quartier_prioritaire",
        "Fondation territoriale (fictive)",
        "prive",
        [("Nadia Benali", "nadia.benali")],
    ),
    (
        "Agglomération du Grand Dax",
        "Nouvelle-Aquitaine",
        "Landes (40)",
        "agglomeration",
        "Club d'entreprises (fictif)",
        "prive",
        [("Julien Lafitte", "julien.lafitte"), ("Claire Duprat", "claire.duprat")],
    ),
    (
        "Pays Cœur d'Hérault",
        "Occitanie",
        "Hérault (34)",
        "periurbain",
        "Cabinet Liens & Territoires (fictif)",
        "expert",
        [("Marc Fabre", "marc.fabre")],
    ),
    (
        "Communauté urbaine de Dunkerque",
        "Hauts-de-France",
        "Nord (59)",
        "littoral",
        "Université du Littoral — chaire fictive",
        "academique",
        [("Élodie Vandamme", "elodie.vandamme"), ("Karim Saïdi", "karim.saidi")],
    ),
    (
        "Sud Manche",
        "Normandie",
        "Manche (50)",
        "rural",
        "Pôle territorial (fictif)",
        "public",
        [("Anne Lemonnier", "anne.lemonnier")],
    ),
    (
        "Saint-Denis de La Réunion",
        "La Réunion",
        "La Réunion (974)",
        "outre_mer",
        "Association Kartié Ansanm (fictive)",
        "associatif",
        [("Priya Payet", "priya.payet"), ("Olivier Hoarau", "olivier.hoarau")],
    ),
    (
        "Grenoble-Alpes Métropole",
        "Auvergne-Rhône-Alpes",
        "Isère (38)",
        "metropole",
        "Réseau d'entreprises engagées (fictif)",
        "prive",
        [("Sophie Morel", "sophie.morel")],
    ),
]

REFUSED = (
    "Pays du Grand Briançonnais",
    "Provence-Alpes-Côte d'Azur",
    "Hautes-Alpes (05)",
    "montagne",
    "Syndicat mixte (fictif)",
    "public",
    "Calendrier incompatible avec le renouvellement de l'équipe en {year}.",  # the start year
)

COORDINATOR = ("Claire Dumas", "coordination", "Le RAMEAU (démo)")
ADMIN = ("Administrateur Démo", "admin", "Parcours (démo)")
COACHES = [
    ("Paul Renard", "paul.renard", "Cabinet Opus (démo)"),
    ("Aïcha Diallo", "aicha.diallo", "Cabinet Opus (démo)"),
]
COMMITTEE = [
    ("Bernard Lemoine", "bernard.lemoine", "Fondation partenaire (démo)"),
    ("Hélène Rousseau", "helene.rousseau", "Collectivité partenaire (démo)"),
    ("Jacques Ferrand", "jacques.ferrand", "Réseau associatif national (démo)"),
]

# Invited to the Comité d'orientation, then removed when she changed jobs: the members page
# offers to undo it (« Retraits récents »).
REMOVED_COMMITTEE_MEMBER = (
    "Sophie Marchand",
    "sophie.marchand",
    "Agence régionale (démo)",
)
# Invited, never logged in: (name, address, organisation, role, days since the invitation).
# One link still valid, one expired: what the members page and the administration show.
INVITEES = [
    ("Mathilde Garnier", "mathilde.garnier", "Agence régionale (démo)", "committee", 1),
    ("Romain Chevalier", "romain.chevalier", "Cabinet Opus (démo)", "coach", 6),
]

# Venues of the collective sessions (fictitious places, real cities).
SESSION_VENUES = {
    "S1": (
        "Salle des conférences — Hôtel de Roquelaure (démo)",
        "246 boulevard Saint-Germain\n75007 Paris",
        "Métro Solférino (ligne 12). Salle accessible en fauteuil roulant.",
    ),
    "S2": (
        "Tiers-lieu La Fabrique (fictif)",
        "12 rue des Ateliers\n18100 Vierzon",
        "Gare de Vierzon à 10 minutes à pied.",
    ),
    "S3": (
        "Maison des associations (fictive)",
        "3 quai de la Loire\n44000 Nantes",
        "Tram ligne 1, arrêt Médiathèque.",
    ),
    "S4": (
        "Campus des transitions (fictif)",
        "8 avenue de l'Europe\n67000 Strasbourg",
        "Tram C, arrêt Université.",
    ),
}

# An evening between two sessions: its sheet and attestations say « soir ».
EVENING_WORKSHOP = (
    "Atelier du soir — retours d'expérience entre pairs",
    "Deux heures et demie d'échanges entre catalyseurs, après la journée de travail.",
    "En ligne (visioconférence)",
)

S1_SPEAKERS = "Claire Dumas — Le RAMEAU (démo)\nJean-Marc Levasseur — Association témoin (fictive)"

# (start, end, kind, title, speaker) in local time on the first day of S1.
# S3 is ahead: its programme lines follow it if the coordinator moves it.
S3_PROGRAMME = [
    ("09:30", "10:00", "plenary", "Accueil et nouvelles des territoires", ""),
    ("10:00", "12:30", "testimony", "Témoignages : partenariats associations / entreprises", ""),
    ("14:00", "16:00", "workshop", "Atelier RSE : construire une alliance locale", ""),
    ("16:00", "17:00", "restitution", "Restitution et suites", ""),
]

S1_PROGRAMME = [
    ("09:30", "10:00", "plenary", "Accueil et tour de table des territoires", ""),
    ("10:00", "11:00", "plenary", "Panorama des partenariats en France", "Claire Dumas"),
    (
        "11:00",
        "12:30",
        "testimony",
        "Témoignage : une alliance en Centre-Val de Loire",
        "Jean-Marc Levasseur",
    ),
    ("14:00", "15:30", "workshop", "Co-développement en sous-groupes : nos fragilités", ""),
    ("15:30", "16:30", "restitution", "Restitution des sous-groupes", ""),
    ("16:30", "17:00", "plenary", "Prochaines étapes du parcours", "Claire Dumas"),
]
