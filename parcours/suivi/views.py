"""The suivi's pages: one blueprint; each feature's routes live in its own views module."""

from parcours.suivi import attachment_views as _attachments  # noqa: F401
from parcours.suivi.actions import views as _actions  # noqa: F401
from parcours.suivi.blueprint import bp
from parcours.suivi.visits import views as _visits  # noqa: F401

__all__ = ["bp"]
