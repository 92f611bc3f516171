"""What campaigns add to other pages: the coordinator's follow-up on a campaign's page, and a
small block on the dashboard, « Mon parcours » and « Mes territoires »."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.competences import permissions as can
from parcours.competences.campaigns import queries
from parcours.competences.sections import campaign_section
from parcours.core.forms import EmptyForm
from parcours.core.sections import Section
from parcours.core.time import now_utc

#: The coordinator's follow-up comes after every viewpoint's block (see sections.py).
FOLLOW_UP_ORDER = 50


@campaign_section.connect
def follow_up_section(page: str, *, campaign, viewer) -> Section | None:
    """Show coordinators who has answered, per territory, with the reminder and reopen buttons."""
    if not can.can_run_campaign(viewer, campaign):
        return None
    html = render_template(
        "competences/campaigns/_follow_up.html",
        campaign=campaign,
        follow_up=queries.follow_up(campaign),
        mailings=queries.mailings(campaign),
        is_open=campaign.is_open(now_utc()),
        states=queries.AnswerState,
        form=EmptyForm(),
    )
    return Section(order=FOLLOW_UP_ORDER, html=Markup(html))  # noqa: S704  (rendered by Jinja)


#: The page each role starts from.
_PAGES = ("overview", "my_path", "my_territories")


@page_section.connect
def campaigns_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the pages each role starts from to the campaigns; name the open one, if any."""
    if page not in _PAGES or not can.can_see_campaigns(viewer, cohort):
        return None
    if page == "overview" and not can.can_run_campaigns(viewer, cohort):
        return None
    html = render_template(
        "competences/campaigns/_cohort_section.html",
        cohort=cohort,
        current=queries.open_campaign_of(cohort, now_utc()),
    )
    return Section(order=35, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
