"""The coordinator's pack forms: the editorial section (versioned), one-button actions."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length

from parcours.core.conflicts import VersionedForm

#: Longest text of each editorial part: a few pages of the pack, no more.
EDITORIAL_MAX_LENGTH = 10_000


def _part(label):
    return TextAreaField(
        label,
        validators=[
            Length(
                max=EDITORIAL_MAX_LENGTH,
                message=_l("%(max)d caractères au plus.", max=EDITORIAL_MAX_LENGTH),
            )
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"rows": 6},
    )


class EditorialForm(VersionedForm):
    """What the coordinator writes for a pack, from the version of it the page showed.

    Each kind's form is prefixed with the kind (``midway-highlights``): the page holds one per
    committee meeting.
    """

    highlights = _part(_l("Faits marquants"))
    concerns = _part(_l("Points d'attention"))
    recommendations = _part(_l("Recommandations"))

    def parts(self) -> dict[str, str]:
        return {
            "highlights": self.highlights.data or "",
            "concerns": self.concerns.data or "",
            "recommendations": self.recommendations.data or "",
        }
