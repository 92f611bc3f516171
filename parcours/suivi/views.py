"""The suivi's pages: one blueprint; each feature's routes live in its own views module."""

from parcours.suivi.blueprint import bp
from parcours.suivi.journal import views as _journal  # noqa: F401

__all__ = ["bp"]
