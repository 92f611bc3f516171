"""« Mes données » as files: JSON for machines, a readable HTML page for people.

Both take the :class:`~parcours.privacy.personal_data.PersonalData` already gathered and never
touch the database.
"""

import json
from datetime import date, datetime

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from parcours.core.i18n import format_date, format_datetime
from parcours.privacy.personal_data import SECTIONS, PersonalData, audit_label

#: How the readable page names each field; a field not listed shows its key.
FIELD_LABELS = {
    "id": _l("Identifiant"),
    "email": _l("Adresse e-mail"),
    "full_name": _l("Nom"),
    "organisation": _l("Structure"),
    "locale": _l("Langue"),
    "active": _l("Compte actif"),
    "is_admin": _l("Administrateur·rice"),
    "can_create_cohorts": _l("Peut créer des cohortes"),
    "has_password": _l("Mot de passe choisi"),
    "created_at": _l("Créé le"),
    "last_login_at": _l("Dernière connexion"),
    "invitation_sent_at": _l("Dernière invitation"),
    "calendar_feed_created_at": _l("Abonnement agenda créé le"),
    "cohort": _l("Cohorte"),
    "role": _l("Rôle"),
    "territory": _l("Territoire"),
    "invited_name": _l("Nom saisi à l'invitation"),
    "invited_organisation": _l("Structure saisie à l'invitation"),
    "accepted_at": _l("Invitation acceptée le"),
    "joined_at": _l("Arrivé·e le"),
    "removed_at": _l("Retiré·e le"),
    "restored_at": _l("Réintégré·e le"),
    "event": _l("Événement"),
    "day": _l("Jour"),
    "half": _l("Demi-journée"),
    "status": _l("Statut"),
    "comment": _l("Commentaire"),
    "self_checked_in": _l("Pointé·e soi-même"),
    "recorded_at": _l("Enregistré le"),
    "moment": _l("Temps"),
    "viewpoint": _l("Point de vue"),
    "revision": _l("Révision"),
    "submitted_at": _l("Envoyé le"),
    "shared_with_partner": _l("Partagé avec le binôme"),
    "ratings": _l("Niveaux"),
    "code": _l("Code"),
    "level": _l("Niveau"),
    "evidence": _l("Preuves"),
    "kind": _l("Type"),
    "title": _l("Titre"),
    "url": _l("Lien"),
    "updated_at": _l("Modifié le"),
    "data": _l("Contenu"),
    "written_on": _l("Écrit le"),
    "what_we_did": _l("Ce que nous avons fait"),
    "what_we_learned": _l("Ce que nous avons appris"),
    "what_we_try_next": _l("Ce que nous allons essayer"),
    "visibility": _l("Lu par"),
    "shared_at": _l("Partagé avec la cohorte le"),
    "consent_withdrawn_at": _l("Consentement retiré le"),
    "tags": _l("Étiquettes"),
    "deleted_at": _l("Supprimé le"),
    "held_on": _l("Tenu le"),
    "mode": _l("Modalité"),
    "other_participants": _l("Autres participant·es"),
    "agenda": _l("Ordre du jour"),
    "agenda_visibility": _l("Ordre du jour lu par"),
    "notes": _l("Notes"),
    "notes_visibility": _l("Notes lues par"),
    "decisions": _l("Décisions"),
    "decisions_visibility": _l("Décisions lues par"),
    "team_notes": _l("Notes de l'accompagnement"),
    "visited_on": _l("Visité le"),
    "places": _l("Lieux"),
    "observed": _l("Observé"),
    "what_works": _l("Ce qui fonctionne"),
    "difficulties": _l("Difficultés"),
    "stakeholders": _l("Personnes rencontrées"),
    "name": _l("Nom"),
    "owner": _l("À ma charge"),
    "written_by_me": _l("Écrite par moi"),
    "due_on": _l("Échéance"),
    "done_at": _l("Faite le"),
    "recorded_on": _l("Relevé le"),
    "maturity": _l("Maturité"),
    "forms": _l("Formes"),
    "fragilities": _l("Fragilités"),
    "partnerships": _l("Partenariats"),
    "form_key": _l("Formulaire"),
    "saved_at": _l("Gardé le"),
    "filename": _l("Nom du fichier"),
    "content_type": _l("Format"),
    "size": _l("Taille (octets)"),
    "sha256": _l("Empreinte SHA-256"),
    "uploaded_at": _l("Déposé le"),
    "survey": _l("Questionnaire"),
    "answers": _l("Réponses"),
    "question": _l("Question"),
    "declined": _l("Ne souhaite pas répondre"),
    "number": _l("Numéro ou note"),
    "choices": _l("Choix"),
    "text": _l("Texte"),
    "consent": _l("Accord de publication"),
    "anonymous": _l("Anonyme"),
    "answered": _l("A répondu"),
    "issued_at": _l("Délivrée le"),
    "variant": _l("Version"),
    "downloaded_at": _l("Téléchargé le"),
    "subject": _l("Objet"),
    "sent_at": _l("Envoyé le"),
    "body": _l("Message"),
    "attachment_name": _l("Pièce jointe"),
    "at": _l("Date"),
    "action": _l("Action"),
    "as_actor": _l("Par moi"),
    "as_subject": _l("Me concernant"),
    "cohort_id": _l("Cohorte (identifiant)"),
    "object_type": _l("Objet (type)"),
    "object_id": _l("Objet (identifiant)"),
    "address": _l("Adresse IP"),
    "details": _l("Détails"),
}


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def to_json(data: PersonalData) -> bytes:
    """Return the export as UTF-8 JSON, keys in a stable order."""
    text = json.dumps(data.as_dict(), ensure_ascii=False, indent=2, default=_json_value)
    return text.encode("utf-8")


def _shown(key: str, value):
    """A value as the readable page shows it: a string, or a list/rows to show nested."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    if isinstance(value, date):
        return format_date(value, "long")
    if key == "action":
        return str(audit_label(value))
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return [_readable(item) for item in value]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_value) if value else "—"
    return str(value)


def _readable(row: dict) -> list[tuple[str, object]]:
    return [(str(FIELD_LABELS.get(key, key)), _shown(key, value)) for key, value in row.items()]


def to_html(data: PersonalData, *, person_name: str) -> bytes:
    """Return the export as one self-contained HTML page (no link, no script, no image)."""
    sections = [
        (key, str(title), [_readable(row) for row in data.sections.get(key, [])])
        for key, title in SECTIONS.items()
    ]
    html = render_template(
        "privacy/my_data_export.html",
        person_name=person_name,
        generated_at=format_datetime(data.generated_at, "medium"),
        account=_readable(data.account),
        sections=sections,
    )
    return html.encode("utf-8")
