"""The record form and the « prochain rendez-vous » form."""

from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, InputRequired, Length, Optional

from parcours.agenda.forms import MultiCheckboxField
from parcours.cohorts.models import ROLE_LABELS
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import AppForm, DateRange, DayField, HourField, choices
from parcours.storage.forms import FilesField
from parcours.suivi import drafts
from parcours.suivi.actions.forms import action_rows, typed_rows
from parcours.suivi.actions.queries import Owner
from parcours.suivi.models import (
    MODE_LABELS,
    VISIBILITY_LABELS,
    VISIBILITY_READERS,
    ActionItem,
    FollowUpRecord,
    MeetingMode,
    Visibility,
)
from parcours.suivi.records.operations import RecordDraft

#: The text blocks whose readers the writer chooses, in the order of the form.
CHOSEN_BLOCKS = ("agenda", "notes", "decisions")
TEXT_LENGTH = 50_000


def _visibility_choices():
    return choices(
        (v.value, f"{VISIBILITY_LABELS[v]} — {VISIBILITY_READERS[v]}") for v in Visibility
    )


class OpenItemsField(MultiCheckboxField):
    """The open items to tick done: one ticked by someone else meanwhile is no longer offered,
    and is let go rather than refused (it is done, as the box said)."""

    def pre_validate(self, form) -> None:
        offered = {choice.value for choice in self.choices or ()}
        self.data = [value for value in self.data or () if value in offered]


class RecordForm(VersionedForm):
    """A follow-up record: when, how, who, the three blocks and their readers, the items."""

    not_content = ("close_items",)

    draft_token = HiddenField()  # drafts.TOKEN_FIELD
    held_on = DayField(_l("Date du rendez-vous"), validators=[InputRequired(), DateRange()])
    mode = RadioField(_l("Mode"), choices=choices(MODE_LABELS.items()), default=MeetingMode.VIDEO)
    participants = MultiCheckboxField(_l("Ont participé"), coerce=int)
    other_participants = StringField(
        _l("Autres participant·es (nom, structure)"), validators=[Length(max=2000)]
    )
    agenda = TextAreaField(_l("Ordre du jour"), validators=[Length(max=TEXT_LENGTH)])
    agenda_visibility = RadioField(_l("Qui lit l'ordre du jour"), default=Visibility.SHARED)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=TEXT_LENGTH)])
    notes_visibility = RadioField(_l("Qui lit les notes"), default=Visibility.SHARED)
    decisions = TextAreaField(_l("Décisions"), validators=[Length(max=TEXT_LENGTH)])
    decisions_visibility = RadioField(_l("Qui lit les décisions"), default=Visibility.SHARED)
    team_notes = TextAreaField(
        _l("Notes de l'accompagnement"), validators=[Length(max=TEXT_LENGTH)]
    )
    actions = action_rows(_l("Actions décidées"))
    #: Open items of earlier meetings, ticked done from this form.
    close_items = OpenItemsField(_l("Actions en cours : cochez celles qui sont faites"), coerce=int)
    #: Files of the whole record: read by all its readers, the binôme included.
    attachments = FilesField(_l("Pièces jointes"))

    def setup(self, owners: list[Owner], open_items: list[ActionItem], participants=()) -> None:
        """Fill the choices: who may take part, the readers of each block, open items."""
        offered = [(o.user_id, f"{o.name} ({ROLE_LABELS[o.role]})") for o in owners]
        known = {o.user_id for o in owners}
        # Someone who took part and has left the territory since stays on the record.
        offered += [(user.id, user.full_name) for user in participants if user.id not in known]
        self.participants.choices = choices(offered)
        for name in CHOSEN_BLOCKS:
            self[f"{name}_visibility"].choices = _visibility_choices()
        self.close_items.choices = choices((item.id, item.title) for item in open_items)

    def sign(self, user_id: int, form_key: str) -> None:
        """Give the form the token that keeps what is typed across an expired session."""
        self.draft_token.data = drafts.token(user_id, form_key)

    def fill_from(self, record: FollowUpRecord) -> None:
        """Show a stored record (its items are filled by actions.forms.fill_rows)."""
        self.version.data = record.version
        self.held_on.data = record.held_on
        self.mode.data = record.mode
        self.participants.data = list(record.participant_ids)
        self.other_participants.data = record.other_participants
        for name in (*CHOSEN_BLOCKS, "team_notes"):
            self[name].data = getattr(record, name)
        for name in CHOSEN_BLOCKS:
            self[f"{name}_visibility"].data = getattr(record, f"{name}_visibility")

    def draft(self) -> RecordDraft:
        """Return what the valid form says the record should be."""
        return RecordDraft(
            held_on=self.held_on.data,
            mode=self.mode.data,
            participant_ids=list(self.participants.data or []),
            other_participants=self.other_participants.data or "",
            agenda=self.agenda.data or "",
            agenda_visibility=self.agenda_visibility.data,
            notes=self.notes.data or "",
            notes_visibility=self.notes_visibility.data,
            decisions=self.decisions.data or "",
            decisions_visibility=self.decisions_visibility.data,
            team_notes=self.team_notes.data or "",
            actions=typed_rows(self.actions),
            done_item_ids=list(self.close_items.data or []),
        )


class NextMeetingForm(AppForm):
    """« Prochain rendez-vous »: a follow-up already in the agenda, or a new one."""

    LINK, CREATE = "link", "create"

    how = RadioField(
        _l("Prochain rendez-vous"),
        choices=choices(
            [
                (CREATE, _l("Programmer un nouveau suivi (les personnes attendues sont invitées)")),
                (LINK, _l("Choisir un suivi déjà prévu dans l'agenda")),
            ]
        ),
        default=CREATE,
    )
    event = SelectField(_l("Suivi déjà prévu"), coerce=int, validators=[Optional()])
    day = DayField(_l("Date"), validators=[Optional(), DateRange()])
    start_time = HourField(_l("Début"), validators=[Optional()], default=time(9, 30))
    end_time = HourField(_l("Fin"), validators=[Optional()], default=time(11, 0))
    mode = RadioField(_l("Mode"), choices=choices(MODE_LABELS.items()), default=MeetingMode.VIDEO)
    venue = StringField(_l("Lieu (en présentiel)"), validators=[Length(max=200)])
    online_url = StringField(
        _l("Lien de visioconférence"), validators=[Optional(), URL(), Length(max=500)]
    )

    def setup(self, events) -> None:
        """Offer the territory's follow-ups still ahead."""
        self.event.choices = choices(
            [(0, _l("— choisir —"))] + [(event.id, event.label) for event in events]
        )
        if not events:
            self.how.choices = [c for c in self.how.choices if c.value != self.LINK]

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then what the chosen way needs (Optional() stops a field's own)."""
        valid = super().validate(extra_validators)
        problems = []
        if self.how.data == self.LINK:
            if not self.event.data:
                problems.append((self.event, _l("Choisissez le suivi prévu.")))
        elif self.day.data is None and not self.day.errors:
            problems.append((self.day, _l("Indiquez la date du prochain rendez-vous.")))
        if self.how.data == self.CREATE and not self.end_time.errors:
            if self.start_time.data is None or self.end_time.data is None:
                problems.append((self.end_time, _l("Indiquez l'heure de début et de fin.")))
            elif self.end_time.data <= self.start_time.data:
                problems.append((self.end_time, _l("La fin doit être après le début.")))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems
