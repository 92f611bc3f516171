"""How the audit log's pages name what an entry touched and the facts it keeps.

An entry keeps codes, as written (``memberships``, ``role: coach``), so that it reads the
same whatever the interface says later. The pages (and the CSV's « Détails ») put them in
words, in the reader's language:

- what was touched: each model a domain audits names itself with ``__audit_label__``;
  the audit package, below every domain, finds it through the models' registry by table
  name, never by importing the domain;
- the facts: the keys are named here (they are the audit's own vocabulary, documented on
  :class:`~parcours.audit.models.AuditAction`); the codes a domain writes as values (a role,
  a territory status, a kind of document) are named by that domain through
  :func:`name_values`, next to the labels it already shows elsewhere.

A code nobody named is shown as written: a new one is visible, never hidden.
"""

from collections.abc import Mapping
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from parcours.core.extensions import db

#: The keys of ``details``, as AuditAction documents them.
KEY_LABELS = {
    "active": _l("compte actif"),
    "can_create_cohorts": _l("peut créer des cohortes"),
    "cancelled": _l("annulé"),
    "created": _l("créés"),
    "curriculum": _l("programme"),
    "device": _l("navigateur connu"),
    "document": _l("document"),
    "event_id": _l("n° de l'événement"),
    "format": _l("format"),
    "from": _l("avant"),
    "is_admin": _l("administrateur"),
    "kind": _l("type"),
    "limit": _l("limite"),
    "number": _l("version"),
    "owner_id": _l("n° de l'objet"),
    "owner_type": _l("rattaché à"),
    "reason": _l("motif"),
    "removal": _l("n° du retrait"),
    "role": _l("rôle"),
    "rows": _l("lignes"),
    "to": _l("après"),
    "variant": _l("variante"),
    "variants": _l("variantes"),
    "version": _l("version"),
    "via": _l("par"),
}
#: Keys whose value names a table (an attachment's owner): named as objects are.
_TABLE_KEYS = frozenset({"owner_type"})
#: Keys whose value is a comma-separated list of codes of the key in the value.
_LIST_KEYS = {"variants": "variant"}
#: The object types written by name rather than from a model (an erased person's entry).
_OBJECT_ALIASES = {"user": "users"}

_VALUES: dict[str, dict[str, object]] = {}


def name_values(key: str, labels: Mapping[str, object]) -> None:
    """Name the codes a domain writes under ``key`` (e.g. ``role``: its role labels)."""
    _VALUES.setdefault(key, {}).update({str(code): label for code, label in labels.items()})


def object_label(table: str) -> str:
    """Name the kind of object an entry touched, from its table name; the name if unknown."""
    label = _model_labels().get(_OBJECT_ALIASES.get(table, table))
    return str(label) if label is not None else table


def details_text(details: Mapping | None) -> str:
    """Write an entry's facts readably: « rôle : accompagnateur·rice · par : invitation »."""
    return " · ".join(
        _("%(key)s : %(value)s", key=key_label(key), value=value_label(key, value))
        for key, value in (details or {}).items()
    )


def key_label(key: str) -> str:
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else key


def value_label(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("oui") if value else _l("non"))
    if key in _TABLE_KEYS:
        return object_label(str(value))
    if key in _LIST_KEYS:
        return ", ".join(value_label(_LIST_KEYS[key], part) for part in str(value).split(","))
    label = _VALUES.get(key, {}).get(str(value))
    return str(label) if label is not None else str(value)


@cache
def _model_labels() -> dict[str, object]:
    # Built on first use, once every model is mapped (the app imports them all at start).
    return {
        mapper.local_table.name: mapper.class_.__audit_label__
        for mapper in db.Model.registry.mappers
        if getattr(mapper.class_, "__audit_label__", None) is not None
    }
