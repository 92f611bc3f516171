"""The blocks of a campaign's page that each viewpoint contributes.

The campaign page (``campaigns/``) is the one place a campaign is shown; the self-assessment,
the consensus, the coach's appréciation and the progression each know what to offer there to
the person looking. A receiver of :data:`campaign_section` gets the page name ``"campaign"``
as sender and ``campaign`` and ``viewer``, and returns a
:class:`~parcours.core.sections.Section` (or None when it has nothing for that viewer).

Orders: 10 the viewer's own self-assessment, 20 the binôme's consensus, 30 the coach's
appréciations, 40 progression links, 50 and after the coordinator's follow-up.
"""

from blinker import Namespace
from markupsafe import Markup

from parcours.accounts.models import User
from parcours.competences.models import AssessmentCampaign
from parcours.core import sections

campaign_section = Namespace().signal("competences-campaign-section")


def campaign_blocks(campaign: AssessmentCampaign, viewer: User) -> list[Markup]:
    """Return the blocks the competences' features give to ``viewer`` on ``campaign``'s page."""
    return sections.collect(campaign_section, "campaign", campaign=campaign, viewer=viewer)
