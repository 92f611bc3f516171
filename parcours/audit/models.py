"""One row per sensitive action, kept as written: the application never changes or deletes one.

Ids are plain integers, not foreign keys: an entry outlives the object it names (a removed
membership, a deleted record) and must not block or follow its deletion. Only the retention
purge, inside :func:`parcours.core.kept.rewriting`, removes entries.
"""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parcours.core.changes import bookkeeping
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.kept import keep_as_written
from parcours.core.pipeline import logs_reading
from parcours.core.time import now_utc


class AuditAction(StrEnum):
    """What an entry records. The ``details`` each writes, so that readers can rely on them:

    - ``LOGIN_SUCCEEDED``: actor the person; ``device`` (a browser they logged in from before).
      ``LOGIN_FAILED`` and ``LOGIN_LOCKED``: no actor, subject the account tried if the
      address typed has one (never the address itself); ``inactive`` for a closed account,
      ``limit`` for the throttle that refused. ``LOGOUT``: actor the person.
    - ``PASSWORD_CHANGED``: ``via`` « account » (the account page) or « invitation » (the
      first password, chosen through an invitation link). ``PASSWORD_RESET``: through the
      e-mailed reset link.
    - ``ROLE_CHANGED``: a cohort role (``from``/``to``, on the membership), and a person's
      rights on the platform, on their account: ``active`` (deactivated or reactivated by an
      administrator), ``can_create_cohorts``, ``is_admin`` (from the command line).
    - ``MEMBERSHIP_ADDED``: ``role`` and ``via`` (« invitation », « import », « creation » of
      the cohort, « restoration » of a removal, with its ``removal`` id).
      ``MEMBERSHIP_REMOVED``: ``role``, on the membership_removals row that can undo it.
    - ``TERRITORY_STATUS_CHANGED``: ``from``/``to``.
    - ``IMPORTED``: ``format`` (« csv » territories, « moodle », « curriculum ») and counts.
    - ``EXPORTED`` (data: CSV, XLSX) and ``REPORT_DOWNLOADED`` (PDF): ``document``, and its
      ``format``, ``variant`` or ``version``. ``PACK_GENERATED``: ``kind``, ``version``,
      ``variants``.
    - ``RECORD_DELETED`` / ``RECORD_RESTORED``: the object; a cancelled event is deleted with
      ``cancelled``, an attachment names its ``owner_type``/``owner_id``.
    - ``CONFIGURATION_CHANGED``: a cohort's settings, ``fields`` changed (names, not values;
      a moved start gives ``start_from``/``start_to``).
    """

    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105  (an action's name, not a secret)
    PASSWORD_RESET = "password.reset"  # noqa: S105
    EMAIL_CHANGED = "email.changed"
    ROLE_CHANGED = "role.changed"
    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_REMOVED = "membership.removed"
    TERRITORY_STATUS_CHANGED = "territory.status_changed"
    IMPORTED = "data.imported"
    EXPORTED = "data.exported"
    REPORT_DOWNLOADED = "report.downloaded"
    PACK_GENERATED = "pack.generated"
    RECORD_DELETED = "record.deleted"
    RECORD_RESTORED = "record.restored"
    PERSONAL_DATA_DOWNLOADED = "person.data_downloaded"
    PERSON_ERASED = "person.erased"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    CONFIGURATION_CHANGED = "configuration.changed"
    RETENTION_PURGED = "retention.purged"

    @property
    def label(self):
        return ACTION_LABELS[self]

    @property
    def is_login(self) -> bool:
        """Tell whether the entry belongs in a person's « mes connexions »."""
        return self in LOGIN_ACTIONS


ACTION_LABELS = {
    AuditAction.LOGIN_SUCCEEDED: _l("Connexion réussie"),
    AuditAction.LOGIN_FAILED: _l("Connexion refusée"),
    AuditAction.LOGIN_LOCKED: _l("Compte verrouillé après trop d'échecs"),
    AuditAction.LOGOUT: _l("Déconnexion"),
    AuditAction.PASSWORD_CHANGED: _l("Mot de passe modifié"),
    AuditAction.PASSWORD_RESET: _l("Mot de passe réinitialisé"),
    AuditAction.EMAIL_CHANGED: _l("Adresse e-mail modifiée"),
    AuditAction.ROLE_CHANGED: _l("Rôle modifié"),
    AuditAction.MEMBERSHIP_ADDED: _l("Personne ajoutée à une cohorte"),
    AuditAction.MEMBERSHIP_REMOVED: _l("Personne retirée d'une cohorte"),
    AuditAction.TERRITORY_STATUS_CHANGED: _l("Statut d'un territoire modifié"),
    AuditAction.IMPORTED: _l("Import de données"),
    AuditAction.EXPORTED: _l("Export de données"),
    AuditAction.REPORT_DOWNLOADED: _l("Rapport téléchargé"),
    AuditAction.PACK_GENERATED: _l("Dossier du comité généré"),
    AuditAction.RECORD_DELETED: _l("Élément supprimé"),
    AuditAction.RECORD_RESTORED: _l("Élément restauré"),
    AuditAction.PERSONAL_DATA_DOWNLOADED: _l("Données personnelles téléchargées"),
    AuditAction.PERSON_ERASED: _l("Personne effacée"),
    AuditAction.CONSENT_WITHDRAWN: _l("Consentement retiré"),
    AuditAction.CONFIGURATION_CHANGED: _l("Configuration modifiée"),
    AuditAction.RETENTION_PURGED: _l("Purge des données échues"),
}

LOGIN_ACTIONS = frozenset(
    {
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN_LOCKED,
        AuditAction.LOGOUT,
    }
)


@bookkeeping  # shown only on the audit pages, which are never kept
@logs_reading  # a download is a GET: its entry commits with it
@keep_as_written
class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __audit_label__ = _l("journal des actions")
    __table_args__ = (
        one_of("action", AuditAction),
        Index("ix_audit_entries_actor_at", "actor_id", "at"),
        Index("ix_audit_entries_subject_at", "subject_id", "at"),
        Index("ix_audit_entries_cohort_at", "cohort_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc, index=True)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    #: Who acted: empty for the scheduler, and for a failed login to an unknown address.
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The person the action concerns when it is not the actor (a role given, an erasure).
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cohort_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: What the action touched: a short type name (« territory », « pack ») and its id.
    object_type: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    object_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The client address, as ProxyFix resolves it behind PARCOURS_PROXY_COUNT proxies.
    address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    #: A few facts that say what changed (« from »/« to » statuses, a variant, row counts),
    #: never names, e-mail addresses or assessment content.
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    @property
    def action_label(self):
        return AuditAction(self.action).label

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"
