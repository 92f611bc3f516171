"""Links from an action item to what it came from: a follow-up record, a visit report.

Each feature that gives items a source registers how to link to it once, when its views are
imported (``register_source("record_id", "suivi.record")``), so that the lists, the
« Mes actions » sections and the e-mails of this package link every item without knowing
every kind of source.
"""

from flask import url_for

from parcours.core.urls import absolute_url
from parcours.suivi.models import ActionItem

#: The item's attribute naming its source → the endpoint showing it and its URL argument.
_SOURCES: dict[str, tuple[str, str]] = {}


def register_source(attribute: str, endpoint: str, argument: str | None = None) -> None:
    """Link items whose ``attribute`` (``record_id``, ``visit_report_id``) is set to ``endpoint``.

    ``argument`` names the endpoint's URL value (the attribute's name by default).
    """
    _SOURCES[attribute] = (endpoint, argument or attribute)


def source_url(item: ActionItem, *, absolute: bool = False) -> str | None:
    """Return the address of the page ``item`` came from, or None (no source, or none known)."""
    for attribute, (endpoint, argument) in _SOURCES.items():
        value = getattr(item, attribute, None)
        if value is not None:
            arguments = {argument: value}
            return (
                absolute_url(endpoint, **arguments) if absolute else url_for(endpoint, **arguments)
            )
    return None
