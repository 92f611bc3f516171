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
    "Calendrier incompatible avec le renouvellement de l'équipe en 2026.",
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
