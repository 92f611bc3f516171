"""The forms of the carnet de bord: an entry, the deletion's confirmation, the tag filters."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from parcours.agenda.forms import MultiCheckboxField
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import AppForm, DateRange, DayField, choices
from parcours.core.i18n import format_date
from parcours.curricula.schema import CurriculumDocument
from parcours.storage.forms import FilesField
from parcours.suivi import drafts
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JOURNAL_VISIBILITY_LABELS, JournalEntry, JournalVisibility

#: Long enough for a page of story, short enough not to be a pasted report.
TEXT_MAX_LENGTH = 20_000
TITLE_MAX_LENGTH = 200

#: Said beside each choice of the form and on every entry: who reads it.
VISIBILITY_READERS = {
    JournalVisibility.BINOME: _l(
        "Lue par les catalyseurs de votre territoire seulement : ni l'accompagnateur·rice, "
        "ni la coordination, ni la cohorte."
    ),
    JournalVisibility.COACH: _l(
        "Lue aussi par l'accompagnateur·rice de votre territoire ; la coordination et les "
        "autres territoires ne la lisent pas."
    ),
    JournalVisibility.COHORT: _l(
        "Une « belle histoire » : lue par toute la cohorte — les autres catalyseurs, les "
        "accompagnateur·rices et la coordination. Jamais par le Comité d'orientation."
    ),
}

MARKDOWN_HINT = _l("Mise en forme : **gras**, *italique*, listes (- …), liens.")


class EntryForm(VersionedForm):
    """An entry of the carnet de bord; the territory's curriculum gives the tags (``setup``)."""

    not_content = (drafts.TOKEN_FIELD,)

    written_on = DayField(_l("Date"), validators=[InputRequired(), DateRange()])
    title = StringField(
        _l("Titre (facultatif)"), validators=[Optional(), Length(max=TITLE_MAX_LENGTH)]
    )
    what_we_did = TextAreaField(
        _l("Ce que nous avons fait"), validators=[Length(max=TEXT_MAX_LENGTH)]
    )
    what_we_learned = TextAreaField(
        _l("Ce que nous avons appris"), validators=[Length(max=TEXT_MAX_LENGTH)]
    )
    what_we_try_next = TextAreaField(
        _l("Ce que nous essayons ensuite"), validators=[Length(max=TEXT_MAX_LENGTH)]
    )
    thematics = MultiCheckboxField(_l("Thématiques du parcours"))
    competences = MultiCheckboxField(_l("Compétences du référentiel"))
    visibility = RadioField(
        _l("Qui peut lire cette entrée ?"),
        choices=choices((value.value, label) for value, label in JOURNAL_VISIBILITY_LABELS.items()),
        default=JournalVisibility.COACH.value,
        validators=[InputRequired()],
    )
    #: Read by exactly those who read the entry, as its visibility says.
    attachments = FilesField(_l("Pièces jointes"))
    draft_token = HiddenField()

    #: The three parts of a story; one at least says something.
    TEXTS = ("what_we_did", "what_we_learned", "what_we_try_next")

    def setup(self, curriculum: CurriculumDocument, today: date) -> None:
        """Offer the curriculum's thematics and competences; refuse a day after ``today``."""
        self._curriculum = curriculum
        self._today = today
        self.thematics.choices = choices(
            (t.code, f"{t.code} — {t.name}") for t in curriculum.thematics
        )
        self.competences.choices = choices(
            (c.code, f"{c.code} — {c.label}")
            for domain in curriculum.referential.domains
            for c in domain.competences
        )
        if self.written_on.data is None and not self.is_submitted():
            self.written_on.data = today

    def competence_groups(self) -> list[tuple[str, list]]:
        """Return the competences' check boxes grouped by domain: (domain's name, options)."""
        options = {option.data: option for option in self.competences}
        return [
            (
                f"{domain.code} — {domain.name}",
                [options[c.code] for c in domain.competences if c.code in options],
            )
            for domain in self._curriculum.referential.domains
        ]

    def validate_written_on(self, field) -> None:
        if field.data is not None and field.data > self._today:
            raise ValidationError(
                _(
                    "Une entrée raconte ce qui a eu lieu : choisissez une date jusqu'au %(today)s.",
                    today=format_date(self._today, "long"),
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any((self[name].data or "").strip() for name in self.TEXTS):
            self.what_we_did.errors = [
                *self.what_we_did.errors,
                _(
                    "Écrivez au moins l'une des trois parties : ce que vous avez fait, ce que "
                    "vous avez appris ou ce que vous essayez ensuite."
                ),
            ]
            self._errors = None  # the form's summary is read again from its fields
            valid = False
        return valid

    def fill_from(self, entry: JournalEntry, thematics: list[str], competences: list[str]) -> None:
        """Show the stored entry, with its tags' codes."""
        self.written_on.data = entry.written_on
        self.title.data = entry.title
        self.what_we_did.data = entry.what_we_did
        self.what_we_learned.data = entry.what_we_learned
        self.what_we_try_next.data = entry.what_we_try_next
        self.visibility.data = entry.visibility
        self.thematics.data = list(thematics)
        self.competences.data = list(competences)
        self.version.data = entry.version

    def draft(self) -> EntryDraft:
        """Return what the form says, as the operations take it."""
        return EntryDraft(
            written_on=self.written_on.data,
            title=(self.title.data or "").strip(),
            what_we_did=(self.what_we_did.data or "").strip(),
            what_we_learned=(self.what_we_learned.data or "").strip(),
            what_we_try_next=(self.what_we_try_next.data or "").strip(),
            visibility=JournalVisibility(self.visibility.data),
            thematics=tuple(self.thematics.data or ()),
            competences=tuple(self.competences.data or ()),
        )


class DeleteEntryForm(VersionedForm):
    """The confirmation of a deletion, from the version of the entry it showed."""


class TagFilterForm(AppForm):
    """Filter a list of entries by a thematic or a competence (GET parameters, no JavaScript)."""

    class Meta:
        csrf = False  # a GET that reads, linkable

    thematic = SelectField(_l("Thématique"), validators=[Optional()])
    competence = SelectField(_l("Compétence"), validators=[Optional()])

    def setup(self, curriculum: CurriculumDocument) -> None:
        """Offer the curriculum's thematics and competences, and « all »."""
        self.thematic.choices = choices(
            [("", _("Toutes")), *((t.code, f"{t.code} — {t.name}") for t in curriculum.thematics)]
        )
        self.competence.choices = choices(
            [
                ("", _("Toutes")),
                *(
                    (c.code, f"{c.code} — {c.label}")
                    for domain in curriculum.referential.domains
                    for c in domain.competences
                ),
            ]
        )

    def chosen(self) -> tuple[str | None, str | None]:
        """Return the (thematic, competence) codes to filter on, None for « all »."""
        return (self.thematic.data or None, self.competence.data or None)
