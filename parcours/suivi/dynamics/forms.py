"""The form of a dynamics recording: every list offered comes from the cohort's curriculum."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from parcours.core.forms import AppForm, DateRange, DayField, choices
from parcours.curricula.schema import CurriculumDocument
from parcours.suivi import drafts
from parcours.suivi.dynamics.operations import COMMENT_MAX_LENGTH, DynamicsDraft
from parcours.suivi.models import DYNAMICS_MOMENT_LABELS


class CheckboxesField(SelectMultipleField):
    """Check boxes, one per choice; a value not offered is refused (« Not a valid choice »)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DynamicsForm(AppForm):
    """One recording of the territory's dynamics. Nothing here edits an earlier one."""

    moment = RadioField(
        _l("Moment du parcours"),
        choices=choices((moment.value, label) for moment, label in DYNAMICS_MOMENT_LABELS.items()),
        validators=[InputRequired()],
    )
    recorded_on = DayField(_l("Date du relevé"), validators=[InputRequired(), DateRange()])
    maturity = RadioField(
        _l("Maturité de la co-construction sur le territoire"),
        coerce=int,
        validators=[InputRequired()],
    )
    forms = CheckboxesField(_l("Formes de co-construction pratiquées"))
    fragilities = CheckboxesField(_l("Fragilités traitées par les alliances du territoire"))
    partnerships = CheckboxesField(_l("Types de partenariats entre organisations"))
    comment = TextAreaField(_l("Commentaire"), validators=[Length(max=COMMENT_MAX_LENGTH)])
    draft_token = HiddenField(name=drafts.TOKEN_FIELD)

    def setup(self, curriculum: CurriculumDocument) -> None:
        """Offer the scale and the lists of the cohort's curriculum version."""
        self.maturity.choices = choices(
            (level.value, level.label) for level in curriculum.maturity.levels
        )
        dynamics = curriculum.dynamics
        self.forms.choices = choices((c.code, c.label) for c in dynamics.forms)
        self.fragilities.choices = choices((c.code, c.label) for c in dynamics.fragilities)
        self.partnerships.choices = choices((c.code, c.label) for c in dynamics.partnerships)

    def draft(self) -> DynamicsDraft:
        """Return what was typed, for the operation to check against the curriculum."""
        return DynamicsDraft(
            moment=self.moment.data,
            recorded_on=self.recorded_on.data,
            maturity=self.maturity.data,
            forms=tuple(self.forms.data or ()),
            fragilities=tuple(self.fragilities.data or ()),
            partnerships=tuple(self.partnerships.data or ()),
            comment=self.comment.data or "",
        )
