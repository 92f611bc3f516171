"""What the carnet de bord adds to the cohort pages (``cohorts.sections.page_section``).

« Mon parcours »: the binôme's latest entries, « Nouvelle entrée », the carnet and « Belles
histoires ». A territory's page: its latest entries the reader may read. « Mes territoires »
(a coach) and the cohort's dashboard: the way to « Belles histoires » and to the carnets.
"""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.queries import followed_territories
from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.suivi import permissions as can
from parcours.suivi.journal import queries
from parcours.suivi.journal.forms import VISIBILITY_READERS
from parcours.suivi.models import JOURNAL_VISIBILITY_LABELS

#: After the attendance links (50), before the calendar (100).
ORDER = 60


@page_section.connect
def journal_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Add the carnet de bord, or the way to « Belles histoires », to the cohort pages."""
    context = {
        "page": page,
        "cohort": cohort,
        "territory": territory,
        "belles_histoires": can.can_read_belles_histoires(viewer, cohort),
        "readers": VISIBILITY_READERS,
        "visibility_labels": JOURNAL_VISIBILITY_LABELS,
    }
    if page in ("my_path", "territory"):
        if territory is None or not can.can_open_journal(viewer, territory):
            return None
        context.update(
            latest=queries.latest_entries(viewer, territory),
            can_write=can.can_write_journal(viewer, territory),
        )
    elif page == "my_territories":
        context["coached"] = followed_territories(cohort, viewer)
    elif not context["belles_histoires"]:
        return None  # the Comité d'orientation's dashboard: nothing of the carnets
    html = render_template("suivi/journal/_section.html", **context)
    return Section(order=ORDER, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
