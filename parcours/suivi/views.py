"""The suivi's pages: one blueprint; each feature's routes live in its own views module."""

from parcours.suivi import attachment_views as _attachments  # noqa: F401
from parcours.suivi.actions import views as _actions  # noqa: F401
from parcours.suivi.blueprint import bp
from parcours.suivi.dashboards import views as _dashboards  # noqa: F401
from parcours.suivi.dynamics import views as _dynamics  # noqa: F401
from parcours.suivi.journal import views as _journal  # noqa: F401
from parcours.suivi.records import views as _records  # noqa: F401
from parcours.suivi.visits import views as _visits  # noqa: F401

__all__ = ["bp"]
