"""Page sections that higher domains contribute to a lower domain's page.

A page of one domain (a cohort's dashboard, an event's page) shows what domains above it
know (the agenda's calendar, attendance's buttons) without importing them: the page's domain
declares a blinker signal, the higher domain connects a receiver that returns a
:class:`Section` (or None), and the view collects them in order.
"""

from dataclasses import dataclass

from blinker import NamedSignal
from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    order: int  # smaller first
    html: Markup


def collect(signal: NamedSignal, page: str, **context) -> list[Markup]:
    """Return the sections the receivers of ``signal`` give for ``page``, in their order."""
    found = [section for _receiver, section in signal.send(page, **context) if section]
    return [section.html for section in sorted(found, key=lambda section: section.order)]
