"""Event forms. Times are typed in the cohort's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from parcours.agenda.models import AGENDA_ITEM_LABELS, KIND_LABELS, AgendaItemKind, EventKind
from parcours.agenda.operations import DocumentDraft, EventDraft, ItemDraft
from parcours.cohorts.models import Cohort, Territory
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import AppForm, DateRange, DayField, HourField, RowForm, choices

BLANK_ITEMS = 3
BLANK_DOCUMENTS = 2


class ItemForm(RowForm):
    """One line of the event's programme; a line without title is ignored."""

    day = DayField(_l("Jour (si plusieurs jours)"), validators=[Optional(), DateRange()])
    start_time = HourField(_l("Début"), validators=[Optional()])
    end_time = HourField(_l("Fin"), validators=[Optional()])
    kind = SelectField(
        _l("Type"), choices=choices(AGENDA_ITEM_LABELS.items()), default=AgendaItemKind.PLENARY
    )
    title = StringField(_l("Intitulé"), validators=[Length(max=300)])
    speaker = StringField(_l("Intervenant·e"), validators=[Length(max=300)])

    def validate_title(self, field) -> None:
        if field.data and field.data.strip() and not (self.start_time.data and self.end_time.data):
            raise ValidationError(_l("Indiquez l'heure de début et de fin."))


class DocumentForm(RowForm):
    title = StringField(_l("Titre du document"), validators=[Length(max=300)])
    url = StringField(_l("Lien"), validators=[Optional(), URL(), Length(max=1000)])

    def validate_title(self, field) -> None:
        if bool((field.data or "").strip()) != bool((self.url.data or "").strip()):
            raise ValidationError(_l("Un document a besoin d'un titre et d'un lien."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(VersionedForm):
    not_content = ("confirm", "add_item")

    kind = SelectField(_l("Type d'événement"))
    territory = SelectField(_l("Territoire"), coerce=int, validators=[Optional()])
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=300)])
    # InputRequired: a date or time typed but not understood gets its own message, not
    # « Ce champ est requis. »
    start_date = DayField(_l("Date de début"), validators=[InputRequired(), DateRange()])
    start_time = HourField(_l("Heure de début"), validators=[InputRequired()])
    end_date = DayField(_l("Date de fin"), validators=[InputRequired(), DateRange()])
    end_time = HourField(_l("Heure de fin"), validators=[InputRequired()])
    venue_name = StringField(_l("Nom du lieu"), validators=[Length(max=200)])
    venue_address = TextAreaField(_l("Adresse"), validators=[Length(max=1000)])
    access_notes = TextAreaField(
        _l("Accès (transports, accessibilité)"), validators=[Length(max=2000)]
    )
    online_url = StringField(
        _l("Lien de visioconférence"), validators=[Optional(), URL(), Length(max=500)]
    )
    speakers = TextAreaField(_l("Intervenant·es (un·e par ligne)"), validators=[Length(max=4000)])
    description = TextAreaField(_l("Présentation"), validators=[Length(max=10000)])
    thematics = MultiCheckboxField(_l("Thématiques"))
    items = FieldList(FormField(ItemForm), label=_l("Déroulé"), min_entries=BLANK_ITEMS)
    documents = FieldList(
        FormField(DocumentForm), label=_l("Documents"), min_entries=BLANK_DOCUMENTS
    )
    confirm = BooleanField(_l("Enregistrer malgré ces alertes"))
    #: Shows the form again with one more programme line, saving nothing (works without
    #: JavaScript; static/js/event-form.js adds the line in the page instead).
    add_item = SubmitField(_l("Ajouter une ligne"))

    def setup(self, cohort: Cohort, kinds: list[EventKind], territories: list[Territory]) -> None:
        """Fill the choices this person may use in this cohort."""
        self.kind.choices = choices((k.value, KIND_LABELS[k]) for k in kinds)
        self.territory.choices = choices(
            [(0, _l("— toute la cohorte —")), *((t.id, t.name) for t in territories)]
        )
        self.thematics.choices = choices((t.code, t.name) for t in cohort.curriculum.thematics)

    @property
    def adds_a_line(self) -> bool:
        """Tell whether the form was posted by « Ajouter une ligne » rather than to be saved."""
        return self.is_submitted() and bool(self.add_item.data)

    def pad_blank_rows(self) -> None:
        """Offer empty rows after the existing ones, so that no script is needed to add one."""
        while len(self.items) < len([i for i in self.items if i.title.data]) + BLANK_ITEMS:
            self.items.append_entry()
        while (
            len(self.documents) < len([d for d in self.documents if d.url.data]) + BLANK_DOCUMENTS
        ):
            self.documents.append_entry()

    #: What a draft cannot do without: the event's kind and times.
    DRAFTED = ("kind", "territory", "start_date", "start_time", "end_date", "end_time")

    def can_draft(self) -> bool:
        """Tell whether the fields a draft needs were understood, even if others were not."""
        return all(not self[name].errors for name in self.DRAFTED) and all(
            self[name].data is not None for name in self.DRAFTED if name != "territory"
        )

    def draft(self, cohort: Cohort, territories: dict[int, Territory]) -> EventDraft:
        """Turn the submitted form into an EventDraft, times converted to UTC.

        Programme lines that have errors of their own are left out (their messages are
        already on the page); ``item_rows`` keeps the row of each line drafted.
        """
        zone = ZoneInfo(cohort.timezone)

        def utc(day, at):
            return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC"))

        items = []
        self.item_rows: list[int] = []
        for row, entry in enumerate(self.items):
            if entry.errors:
                continue
            if entry.title.data and entry.title.data.strip():
                self.item_rows.append(row)
                day = entry.day.data or self.start_date.data
                items.append(
                    ItemDraft(
                        starts_at=utc(day, entry.start_time.data),
                        ends_at=utc(day, entry.end_time.data),
                        kind=entry.kind.data,
                        title=entry.title.data,
                        speaker=entry.speaker.data or "",
                    )
                )
        return EventDraft(
            kind=self.kind.data,
            title=self.title.data,
            starts_at=utc(self.start_date.data, self.start_time.data),
            ends_at=utc(self.end_date.data, self.end_time.data),
            territory=territories.get(self.territory.data or 0),
            description=self.description.data or "",
            venue_name=self.venue_name.data or "",
            venue_address=self.venue_address.data or "",
            access_notes=self.access_notes.data or "",
            online_url=self.online_url.data or "",
            speakers=self.speakers.data or "",
            thematics=list(self.thematics.data or []),
            items=items,
            documents=[
                DocumentDraft(title=d.title.data, url=d.url.data)
                for d in self.documents
                if (d.url.data or "").strip() and not d.errors
            ],
        )

    def add_problems(self, problems) -> list[str]:
        """Show each EventError of a draft under its field (a programme line's in its row).

        A field that already says what is wrong with it keeps that one message. Return the
        messages that name no field.
        """
        unplaced = []
        for problem in problems:
            if problem.item is not None:
                target = self.items.entries[self.item_rows[problem.item]].form[problem.field]
            elif problem.field:
                target = self[problem.field]
            else:
                unplaced.append(str(problem))
                continue
            if not target.errors:
                target.errors = [str(problem)]
        return unplaced

    def fill_from(self, event) -> None:
        """Show an existing event in the form (times in the cohort's zone)."""
        zone = ZoneInfo(event.cohort.timezone)
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        self.version.data = event.version
        self.kind.data = event.kind
        self.territory.data = event.territory_id or 0
        self.title.data = event.title
        self.start_date.data, self.start_time.data = start.date(), start.time()
        self.end_date.data, self.end_time.data = end.date(), end.time()
        for name in (
            "venue_name",
            "venue_address",
            "access_notes",
            "online_url",
            "speakers",
            "description",
        ):
            self[name].data = getattr(event, name)
        self.thematics.data = list(event.thematics)
        while len(self.items):
            self.items.pop_entry()
        for item in event.items:
            self.items.append_entry(
                {
                    "day": item.starts_at.astimezone(zone).date(),
                    "start_time": item.starts_at.astimezone(zone).time(),
                    "end_time": item.ends_at.astimezone(zone).time(),
                    "kind": item.kind,
                    "title": item.title,
                    "speaker": item.speaker,
                }
            )
        while len(self.documents):
            self.documents.pop_entry()
        for document in event.documents:
            self.documents.append_entry({"title": document.title, "url": document.url})
        self.pad_blank_rows()


class PlanRowForm(RowForm):
    """One territory's meeting in a planning table; ``was`` holds the times it was shown with."""

    event_id = HiddenField()
    version = HiddenField()
    was = HiddenField()
    # InputRequired, not DataRequired: DataRequired would replace the field's own « Date non
    # reconnue » (an unreadable value leaves no data) by « Ce champ est requis ».
    day = DayField(_l("Date"), validators=[InputRequired(), DateRange()])
    start_time = HourField(_l("Début"), validators=[InputRequired()])
    end_time = HourField(_l("Fin"), validators=[InputRequired()])

    def typed(self) -> str:
        """Return what the row says now, in the form of ``was``."""
        return shown_times(self.day.data, self.start_time.data, self.end_time.data)

    def fill_from(self, event) -> None:
        """Show ``event``'s stored day and hours, and the version they are from."""
        zone = ZoneInfo(event.cohort.timezone)
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        self.event_id.data = event.id
        self.version.data = event.version
        self.day.data, self.start_time.data, self.end_time.data = (
            start.date(),
            start.time(),
            end.time(),
        )
        self.was.data = self.typed()
        for field in (self.event_id, self.version, self.was, self.day):
            field.raw_data = None  # rendered from .data, not from what was posted
        self.start_time.raw_data = self.end_time.raw_data = None


def shown_times(day, starts, ends) -> str:
    """Return a row's day and hours as one comparable string."""
    if not (day and starts and ends):
        return ""
    return f"{day.isoformat()} {starts:%H:%M} {ends:%H:%M}"


class PlanningForm(AppForm):
    """The table of a per-territory meeting: one row per territory's meeting."""

    rows = FieldList(FormField(PlanRowForm), label=_l("Planning"))
    confirm = BooleanField(_l("Enregistrer malgré ces alertes"))

    def fill_from(self, events) -> None:
        """Show each meeting as stored."""
        while len(self.rows):
            self.rows.pop_entry()
        for event in events:
            self.rows.append_entry().fill_from(event)
