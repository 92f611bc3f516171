"""The field-visit report form: one page, repeatable rows that need no script."""

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from parcours.agenda.forms import MultiCheckboxField
from parcours.cohorts.models import Cohort
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import DateRange, DayField, RowForm, choices
from parcours.storage.forms import FilesField
from parcours.suivi import drafts
from parcours.suivi.actions.forms import action_rows, fill_rows, prepare_rows
from parcours.suivi.visits.operations import Stakeholder, VisitFields

#: Empty stakeholder rows offered after the filled ones.
BLANK_STAKEHOLDERS = 3
#: Far more people than a day's visit meets: a longer list was not typed by someone.
MAX_STAKEHOLDERS = 60
#: Said under every long text field.
MARKDOWN_HINT = _l("Mise en forme : **gras**, listes, liens")
LONG_TEXT = 20_000


class StakeholderForm(RowForm):
    """One person met; a row with neither name nor organisation is ignored."""

    kind = SelectField(_l("Type de partie prenante"), default="")
    name = StringField(_l("Nom"), validators=[Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])

    @property
    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.organisation.data or "").strip()

    def validate_kind(self, field) -> None:
        if not self.is_blank and not field.data:
            raise ValidationError(_l("Choisissez le type de partie prenante."))


class VisitReportForm(VersionedForm):
    """What a field visit showed: where, whom, what was seen, what works, what is difficult."""

    #: Names this form for drafts kept past the idle timeout (suivi.drafts).
    draft_token = HiddenField()
    visited_on = DayField(_l("Date de la visite"), validators=[InputRequired(), DateRange()])
    places = TextAreaField(_l("Lieux visités"), validators=[Length(max=5000)])
    stakeholders = FieldList(
        FormField(StakeholderForm),
        label=_l("Parties prenantes rencontrées"),
        min_entries=BLANK_STAKEHOLDERS,
        max_entries=MAX_STAKEHOLDERS,
    )
    observed = TextAreaField(_l("Ce que nous avons observé"), validators=[Length(max=LONG_TEXT)])
    what_works = TextAreaField(_l("Ce qui fonctionne"), validators=[Length(max=LONG_TEXT)])
    difficulties = TextAreaField(_l("Ce qui est difficile"), validators=[Length(max=LONG_TEXT)])
    thematics = MultiCheckboxField(_l("Thématiques"))
    competences = MultiCheckboxField(_l("Compétences"))
    actions = action_rows(_l("Suites à donner"))
    attachments = FilesField(_l("Photos et documents"))

    def setup(
        self, cohort: Cohort, *, user_id: int, form_key: str, stakeholders=(), tags=()
    ) -> None:
        """Offer the cohort's curriculum lists, and sign the form for its drafts.

        ``stakeholders`` and ``tags`` are the stored report's: a type or a tag that the
        curriculum no longer lists stays offered (under its code), so that editing the report
        neither refuses its rows nor drops its tags unseen.
        """
        curriculum = cohort.curriculum
        kinds = [(s.code, s.label) for s in curriculum.stakeholders]
        thematics = [(t.code, t.name) for t in curriculum.thematics]
        competences = [(c.code, f"{c.code} {c.label}") for c in curriculum.competences]
        _keep(kinds, (person.kind for person in stakeholders))
        _keep(thematics, (tag.code for tag in tags if tag.kind == "thematic"))
        _keep(competences, (tag.code for tag in tags if tag.kind == "competence"))
        self._kinds = choices([("", _l("— type —")), *kinds])
        for row in self.stakeholders:
            row.kind.choices = self._kinds
        self.thematics.choices = choices(thematics)
        self.competences.choices = choices(competences)
        self.draft_token.data = drafts.token(user_id, form_key)

    def offer_owners(self, territory, items=()) -> None:
        """Offer the territory's catalyseurs and coach for the action items, and empty rows."""
        prepare_rows(self.actions, territory, items)

    def pad_blank_rows(self) -> None:
        """Offer empty rows after the filled ones, so that no script is needed to add one."""
        filled = len([row for row in self.stakeholders if not row.form.is_blank])
        while (
            len(self.stakeholders) < filled + BLANK_STAKEHOLDERS
            and len(self.stakeholders) < MAX_STAKEHOLDERS
        ):
            self.stakeholders.append_entry()
            self.stakeholders[-1].kind.choices = self._kinds

    def fill_from(self, report, stakeholders, tags, items=()) -> None:
        """Show a stored report in the form, its action items too."""
        self.version.data = report.version
        self.visited_on.data = report.visited_on
        for name in ("places", "observed", "what_works", "difficulties"):
            self[name].data = getattr(report, name)
        while len(self.stakeholders):
            self.stakeholders.pop_entry()
        for person in stakeholders:
            self.stakeholders.append_entry(
                {"kind": person.kind, "name": person.name, "organisation": person.organisation}
            )
            self.stakeholders[-1].kind.choices = self._kinds
        self.thematics.data = [tag.code for tag in tags if tag.kind == "thematic"]
        self.competences.data = [tag.code for tag in tags if tag.kind == "competence"]
        fill_rows(self.actions, items)
        self.pad_blank_rows()

    def fields(self) -> VisitFields:
        """Return what the submitted form says, blank rows left out."""
        return VisitFields(
            visited_on=self.visited_on.data,
            places=(self.places.data or "").strip(),
            observed=(self.observed.data or "").strip(),
            what_works=(self.what_works.data or "").strip(),
            difficulties=(self.difficulties.data or "").strip(),
            stakeholders=[
                Stakeholder(
                    kind=row.kind.data,
                    name=(row.form.name.data or "").strip(),
                    organisation=(row.form.organisation.data or "").strip(),
                )
                for row in self.stakeholders
                if not row.form.is_blank
            ],
            thematics=list(self.thematics.data or []),
            competences=list(self.competences.data or []),
        )


def _keep(offered: list[tuple[str, str]], stored) -> None:
    """Add to ``offered`` the stored codes it lacks, labelled by their code."""
    known = {code for code, _label in offered}
    for code in stored:
        if code not in known:
            offered.append((code, code))
            known.add(code)
