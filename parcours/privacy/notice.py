"""The privacy notice « Données personnelles »: what is held, why, how long, and one's rights.

Built from the configuration and the retention registry, so that the page says what the
application actually does: change PARCOURS_RETENTION_* and the notice follows.
"""

from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l

from parcours.privacy.retention import CATEGORIES

#: Why the data is processed.
PURPOSES = (
    _l(
        "Faire vivre le parcours : inviter les participants, organiser le calendrier, les "
        "sessions et leurs rappels, tenir l'émargement et délivrer les attestations."
    ),
    _l(
        "Accompagner les binômes : comptes rendus de suivi, visites de terrain, actions, "
        "carnets de bord et dynamiques territoriales."
    ),
    _l(
        "Évaluer le parcours pour le Comité d'orientation : autoévaluations des compétences, "
        "questionnaires et dossiers du comité (pseudonymisés ou agrégés)."
    ),
    _l("Publier, avec l'accord de leurs auteurs, des témoignages et des belles histoires."),
    _l(
        "Protéger les comptes et garder la trace des actions sensibles (connexions, changements "
        "de rôle, exports)."
    ),
)

#: What is held about a person.
DATA_KINDS = (
    _l("Identité et contact : nom, adresse e-mail, organisation, langue, rôle dans la promotion."),
    _l("Participation : présences par demi-journée, feuilles d'émargement, attestations."),
    _l(
        "Suivi : comptes rendus, visites, actions, carnets de bord et leurs pièces jointes, "
        "rédigés par les binômes et leurs accompagnateurs."
    ),
    _l("Évaluation : autoévaluations, regards croisés, réponses aux questionnaires."),
    _l("Connexion : journal des connexions et des actions, avec l'adresse réseau."),
)


@dataclass(frozen=True)
class Kept:
    """How long one category of data stays, as the configuration sets it."""

    key: str
    label: str
    kept_for: str
    removed: str


@dataclass(frozen=True)
class Notice:
    controller: str
    contact: str
    purposes: tuple
    data_kinds: tuple
    retention: tuple[Kept, ...]


def contact_address() -> str:
    """Whom to write to about one's data: the setting, or the address e-mails come from."""
    configured = current_app.config["PARCOURS_PRIVACY_CONTACT"].strip()
    if configured:
        return configured
    return parseaddr(current_app.config["PARCOURS_MAIL_FROM"])[1]


def build() -> Notice:
    """Gather what the notice says from the configuration and the retention registry."""
    return Notice(
        controller=current_app.config["PARCOURS_PRIVACY_CONTROLLER"].strip(),
        contact=contact_address(),
        purposes=PURPOSES,
        data_kinds=DATA_KINDS,
        retention=tuple(
            Kept(category.key, category.label, category.kept_for(), category.removed)
            for category in CATEGORIES
        ),
    )
