"""Cohort, territory and member forms."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from parcours.cohorts.models import (
    CARRIER_TYPES,
    ROLE_LABELS,
    STATUS_LABELS,
    TERRITORY_KINDS,
    Role,
)
from parcours.core.conflicts import VersionedForm
from parcours.core.forms import AppForm, DateRange, DayField, choices, understood


def _timezone(form, field) -> None:
    if field.data not in available_timezones():
        raise ValidationError(_l("Fuseau horaire inconnu (exemple : Europe/Paris)."))


class CohortForm(AppForm):
    curriculum = SelectField(_l("Programme"), coerce=int)
    name = StringField(_l("Nom de la cohorte"), validators=[DataRequired(), Length(max=200)])
    start_date = DayField(_l("Date de début"), validators=[InputRequired(), DateRange()])
    timezone = StringField(
        _l("Fuseau horaire"), default="Europe/Paris", validators=[DataRequired(), _timezone]
    )
    target_territories = IntegerField(
        _l("Nombre de territoires visé"),
        default=12,
        # InputRequired, not DataRequired: « 0 » is a number typed, to be refused as such.
        validators=[
            InputRequired(),
            understood,
            NumberRange(1, 100, _l("Indiquez un nombre de territoires entre 1 et 100.")),
        ],
    )


class CohortEditForm(VersionedForm, CohortForm):
    not_content = ("confirm", "previewed")

    curriculum = None
    # The dates whose moves the page showed: confirming counts for them only, so that a date
    # typed again after the preview is previewed in turn.
    previewed = HiddenField()
    confirm = BooleanField(_l("Déplacer ces événements"))

    def moves_key(self) -> str:
        """Return the start date and zone typed, as ``previewed`` holds them."""
        return f"{self.start_date.data.isoformat()} {self.timezone.data}"

    def confirmed(self) -> bool:
        """Tell whether the user confirmed the moves shown for the dates now typed."""
        return bool(self.confirm.data) and self.previewed.data == self.moves_key()


class TerritoryForm(VersionedForm):
    name = StringField(_l("Nom du territoire"), validators=[DataRequired(), Length(max=200)])
    region = StringField(_l("Région"), validators=[Length(max=100)])
    department = StringField(_l("Département"), validators=[Length(max=100)])
    kind = SelectField(_l("Type de territoire"), choices=choices(TERRITORY_KINDS.items()))
    carrier_structure = StringField(_l("Structure porteuse"), validators=[Length(max=200)])
    carrier_type = SelectField(_l("Type de structure"), choices=choices(CARRIER_TYPES.items()))
    status = SelectField(_l("Statut de la sollicitation"), choices=choices(STATUS_LABELS.items()))
    status_reason = TextAreaField(
        _l("Motif (refus ou retrait)"), validators=[Optional(), Length(max=2000)]
    )

    def territory_fields(self) -> dict:
        return {
            name: self[name].data or ""
            for name in (
                "name",
                "region",
                "department",
                "kind",
                "carrier_structure",
                "carrier_type",
                "status",
                "status_reason",
            )
        }


class PersonForm(AppForm):
    full_name = StringField(_l("Nom complet"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField(_l("Structure"), validators=[Length(max=200)])


class MemberForm(PersonForm):
    role = SelectField(
        _l("Rôle"),
        choices=choices(
            (r.value, ROLE_LABELS[r]) for r in (Role.COORDINATOR, Role.COACH, Role.COMMITTEE)
        ),
    )


STAFF_ROLES = (Role.COORDINATOR, Role.COACH, Role.COMMITTEE)


class MemberRoleForm(VersionedForm):
    """The role of a coordinator, coach or committee member in their cohort."""

    role = SelectField(_l("Rôle"), choices=choices((r.value, ROLE_LABELS[r]) for r in STAFF_ROLES))


class RemovalForm(VersionedForm):
    """The confirmation of a removal, with a digest of what its page said it would do."""

    preview = HiddenField()


class CoachForm(VersionedForm):
    coach = SelectField(_l("Accompagnateur·rice"), coerce=int)


class CoachByEmailForm(PersonForm):
    """Any person, by address: a coach of the cohort, an existing account, or a new one."""


CSV_MAX_BYTES = 2 * 1024 * 1024


class ImportForm(AppForm):
    file = FileField(
        _l("Fichier CSV"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "txt"], _l("Envoyez un fichier .csv.")),
            # Its own limit, below the one of requests (which carry photos and scans too):
            # 500 rows never come near it.
            FileSize(
                max_size=CSV_MAX_BYTES,
                message=_l("Le fichier CSV dépasse la taille maximale de 2 Mo."),
            ),
        ],
    )


class ImportConfirmForm(AppForm):
    content = HiddenField(validators=[DataRequired()])
