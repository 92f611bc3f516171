"""The forms of a consensus and of an appréciation: one fieldset per item rated.

The items come from the cohort's referential (its competences for a consensus, its domains for
the coach), so the form class is built per referential: a level field (the scale's levels and
« je ne sais pas ») and a comment per item, and a comment on the whole answer.
"""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from parcours.competences import answers as ans
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import choices
from parcours.curricula.schema import Level

#: The value of « je ne sais pas » among the radios.
UNKNOWN = "unknown"


def field_key(code: str) -> str:
    """Name an item's fields after its code (« D0.1 » → « D0_1 »)."""
    return code.replace(".", "_").replace("-", "_")


class AnswerForm(VersionedForm):
    """A consensus or an appréciation being written; it carries the draft's version."""

    items: tuple[ans.Item, ...] = ()

    def level_field(self, item: ans.Item):
        return self[f"level_{field_key(item.code)}"]

    def comment_field(self, item: ans.Item):
        return self[f"comment_{field_key(item.code)}"]

    def answer(self) -> ans.AnswerInput:
        """Return what was typed, for the operation to check against the referential."""
        ratings = {}
        for item in self.items:
            chosen = self.level_field(item).data
            ratings[item.code] = ans.RatingInput(
                level=int(chosen) if chosen not in (None, "", UNKNOWN) else None,
                unknown=chosen == UNKNOWN,
                comment=(self.comment_field(item).data or "").strip(),
            )
        return ans.AnswerInput(ratings=ratings, comment=(self.comment.data or "").strip())

    @classmethod
    def values_of(cls, answer: ans.AnswerInput) -> dict:
        """Return the form's initial values for ``answer`` (a draft's or a revision's)."""
        values = {"comment": answer.comment}
        for item in cls.items:
            rating = answer.rating(item.code)
            key = field_key(item.code)
            values[f"level_{key}"] = (
                UNKNOWN if rating.unknown else None if rating.level is None else str(rating.level)
            )
            values[f"comment_{key}"] = rating.comment
        return values


def answer_form(items: list[ans.Item], levels: list[Level]) -> type[AnswerForm]:
    """Return the form class for ``items`` rated on ``levels``."""
    offered = choices(
        [(str(level.value), level.label) for level in levels] + [(UNKNOWN, ans.UNKNOWN_LABEL)]
    )
    fields: dict = {"items": tuple(items)}
    for item in items:
        key = field_key(item.code)
        fields[f"level_{key}"] = RadioField(
            f"{item.code} · {item.label}", choices=offered, validators=[Optional()]
        )
        fields[f"comment_{key}"] = TextAreaField(
            _l("Commentaire sur %(code)s", code=item.code),
            validators=[Length(max=ans.COMMENT_MAX)],
        )
    fields["comment"] = TextAreaField(
        _l("Commentaire d'ensemble"), validators=[Length(max=ans.COMMENT_MAX)]
    )
    return type("AnswerFormFor", (AnswerForm,), fields)


class ConfirmForm(VersionedForm):
    """« Je confirme ce consensus »: the version confirmed is the version read."""
