"""The sections of the cohort pages, contributed by the domains above cohorts.

A cohort's dashboard, a territory's page, « Mon parcours » and a coach's « Mes territoires »
show the agenda's calendar today, and will show follow-ups and self-assessments tomorrow.
A receiver of :data:`page_section` gets the page's name as sender and ``cohort``, ``viewer``
and ``territory`` (or None), and returns a :class:`~parcours.core.sections.Section` or None.
"""

from blinker import Namespace
from markupsafe import Markup

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core import sections

#: The pages that take sections.
PAGES = ("overview", "territory", "my_path", "my_territories")

page_section = Namespace().signal("cohort-page-section")


def collect(
    page: str, *, cohort: Cohort, viewer: User, territory: Territory | None = None
) -> list[Markup]:
    """Return the sections other domains add to ``page``, in their order."""
    if page not in PAGES:
        raise ValueError(f"unknown cohort page {page!r}")
    return sections.collect(page_section, page, cohort=cohort, viewer=viewer, territory=territory)


#: What removing someone from a cohort will do, told by the domains above (the agenda lists
#: the invitations they lose). Receivers get ``"remove_member"`` as sender and ``member``.
removal_section = Namespace().signal("cohort-removal-section")


def collect_removal(member) -> list[Markup]:
    """Return what the domains above say a removal of ``member`` will do."""
    return sections.collect(removal_section, "remove_member", member=member)
