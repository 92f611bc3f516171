"""The demo's past promotion: other invented people in other invented territories.

None of them is in the current promotion; like it, every name is fictitious and says so.
Each catalyseur carries the words they wrote in the end-of-programme evaluation.
"""

TERRITORIES = [
    # name, region, department, kind, carrier structure, carrier type, catalyseurs
    (
        "Pays de Redon",
        "Bretagne",
        "Ille-et-Vilaine (35)",
        "rural",
        "Association Redon Coopérations (fictive)",
        "associatif",
        [("Gwenaëlle Le Bihan", "gwenaelle.lebihan"), ("Erwan Quéré", "erwan.quere")],
    ),
    (
        "Saint-Étienne — quartier de Montreynaud",
        "Auvergne-Rhône-Alpes",
        "Loire (42)",
        "quartier_prioritaire",
        "Centre social des Hauts (fictif)",
        "associatif",
        [("Samia Ouerdane", "samia.ouerdane")],
    ),
    (
        "Communauté de communes du Pays de Langres",
        "Grand Est",
        "Haute-Marne (52)",
        "rural",
        "Communauté de communes (fictive)",
        "public",
        [("Didier Collot", "didier.collot"), ("Aurélie Jacquot", "aurelie.jacquot")],
    ),
    (
        "Agglomération de Valenciennes",
        "Hauts-de-France",
        "Nord (59)",
        "agglomeration",
        "Maison de l'emploi (fictive)",
        "public",
        [("Karim Boudjema", "karim.boudjema")],
    ),
    (
        "Vallée de la Bruche",
        "Grand Est",
        "Bas-Rhin (67)",
        "montagne",
        "Tiers-lieu La Scierie (fictif)",
        "associatif",
        [("Odile Schaeffer", "odile.schaeffer"), ("Lucas Wendling", "lucas.wendling")],
    ),
    (
        "Toulouse Métropole — Empalot",
        "Occitanie",
        "Haute-Garonne (31)",
        "quartier_prioritaire",
        "Fondation d'entreprise locale (fictive)",
        "prive",
        [("Mélanie Castagné", "melanie.castagne")],
    ),
    (
        "Parc naturel régional du Morvan",
        "Bourgogne-Franche-Comté",
        "Nièvre (58)",
        "rural",
        "Syndicat mixte du parc (fictif)",
        "public",
        [("François Perrot", "francois.perrot"), ("Estelle Bardin", "estelle.bardin")],
    ),
    (
        "Grand Poitiers",
        "Nouvelle-Aquitaine",
        "Vienne (86)",
        "ville_moyenne",
        "Université — service partenariats (fictif)",
        "academique",
        [("Nathalie Brunet", "nathalie.brunet")],
    ),
    (
        "Pays de Saint-Malo",
        "Bretagne",
        "Ille-et-Vilaine (35)",
        "littoral",
        "Club d'entreprises responsables (fictif)",
        "prive",
        [("Pierre-Yves Hamon", "pierreyves.hamon"), ("Clémence Rault", "clemence.rault")],
    ),
    (
        "Grand Besançon",
        "Bourgogne-Franche-Comté",
        "Doubs (25)",
        "agglomeration",
        "Agence de développement (fictive)",
        "public",
        [("Julien Vuillemin", "julien.vuillemin")],
    ),
    (
        "Territoire de Thiérache",
        "Hauts-de-France",
        "Aisne (02)",
        "rural",
        "Consultante indépendante (fictive)",
        "expert",
        [("Véronique Lefranc", "veronique.lefranc"), ("Hamid Sebti", "hamid.sebti")],
    ),
    (
        "Pays d'Arles",
        "Provence-Alpes-Côte d'Azur",
        "Bouches-du-Rhône (13)",
        "periurbain",
        "Pôle territorial de coopération (fictif)",
        "associatif",
        [("Manon Giraud", "manon.giraud")],
    ),
]

#: What changed for the territory (CHANGEMENTS), one per catalyseur, in their words.
CHANGES = [
    "Les élus et les chefs d'entreprise se parlent enfin en dehors des réunions officielles : "
    "le petit-déjeuner mensuel que nous avons lancé en janvier tient toujours.",
    "Nous avons cartographié 60 acteurs du quartier ; trois associations qui s'ignoraient "
    "portent maintenant ensemble l'aide aux devoirs.",
    "La communauté de communes a inscrit la co-construction dans son projet de territoire, "
    "avec une ligne budgétaire pour l'animation.",
    "Le diagnostic partagé a servi de base au contrat local de santé ; on nous demande de "
    "l'animer pour la suite.",
    "La Scierie accueille désormais un comité d'acteurs qui se réunit tous les deux mois : "
    "entreprises, mairie, associations de randonnée et lycée.",
    "Deux entreprises du quartier financent un poste de médiation numérique, une première.",
    "On a arrêté d'empiler les dispositifs : nous en avons regroupé trois autour d'un seul "
    "guichet pour les porteurs de projets.",
    "L'université a signé une convention avec deux associations d'insertion pour des projets "
    "tutorés d'étudiants.",
    "Le club d'entreprises a choisi la mobilité des saisonniers comme chantier commun ; une "
    "expérimentation de covoiturage démarre au printemps.",
    "Peu de changements visibles encore, mais une confiance nouvelle entre le service "
    "économique et les associations.",
    "Nous avons tenu notre première conversation territoriale, avec 45 personnes : les "
    "fragilités ne sont plus un sujet tabou.",
    "Un fonds de dotation local est en préparation avec la chambre consulaire.",
    "Ma posture a changé : je ne porte plus les projets à la place des acteurs.",
    "Le conseil départemental nous identifie comme interlocuteur pour l'alliance emploi-mobilité.",
    "Le tiers-lieu est devenu le lieu où l'on vient tester une idée avant de chercher un "
    "financement.",
    "Les bénévoles âgés et les jeunes du service civique ont monté ensemble un atelier de "
    "réparation ; la mairie prête le local.",
    "Rien de spectaculaire, mais nous savons enfin présenter notre action aux financeurs.",
    "Un partenariat avec une entreprise de transport a permis d'ouvrir une ligne le samedi.",
]

#: What to change for a deployment (DEPLOIEMENT).
DEPLOYMENT = [
    "Des sessions plus courtes, ou en partie à distance : deux jours à Paris, c'est beaucoup "
    "pour un territoire rural.",
    "Garder absolument les visites apprenantes, c'est là que j'ai le plus appris.",
    "Associer un élu de chaque territoire dès le lancement, pas seulement à la fin.",
    "Un outil simple pour suivre nos partenariats entre deux sessions : le temps manque.",
    "Prévoir un temps entre pairs sans animateur, pour parler franchement des échecs.",
    "Proposer le parcours par binôme systématiquement : seul, on porte tout.",
    "Mieux préparer l'accompagnement individuel : les deux premiers rendez-vous ont servi à "
    "se connaître.",
    "Traduire le référentiel en situations concrètes, certaines compétences restent abstraites.",
    "Un groupe régional après le parcours, pour ne pas perdre le lien.",
    "",
]

#: Testimonies (TEMOIGNAGE) and the consent given with each.
TESTIMONIES = [
    (
        "Le jour où le directeur de l'usine et la présidente de l'association d'insertion ont "
        "découvert qu'ils cherchaient la même chose — des jeunes formés et restés au pays —, "
        "j'ai compris à quoi servait mon métier.",
        "named",
    ),
    (
        "Pendant la deuxième session, un pair m'a raconté son échec sur un tiers-lieu. Je "
        "m'apprêtais à faire exactement la même erreur. Cela m'a fait gagner un an.",
        "anonymous",
    ),
    (
        "Je me croyais chargé de mission ; à la fin du parcours, j'ose dire que je suis "
        "catalyseur territorial, et mes partenaires le disent aussi.",
        "named",
    ),
    (
        "La visite apprenante nous a donné le courage de proposer un comité d'acteurs. Le "
        "premier s'est tenu dans la salle des fêtes, avec 30 personnes.",
        "anonymous",
    ),
    (
        "Ce que j'ai vécu avec mon binôme reste entre nous, mais le parcours nous a rendus "
        "plus solides.",
        "refused",
    ),
    (
        "Le référentiel m'a servi d'appui pour mon entretien annuel : j'ai pu nommer ce que je "
        "fais.",
        "named",
    ),
]

#: Recommending the parcours (RECOMMANDER): most would, without hesitation.
RECOMMEND = ["oui", "oui", "plutot", "oui", "oui", "plutot", "oui", "non", "oui"]
