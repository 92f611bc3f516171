"""The survey forms: a coordinator's added question, and a catalyseur's answers.

A survey's questions decide the answer form's fields, so they are not WTForms fields:
:class:`Typed` holds what the form shows, exactly as typed, and :meth:`Typed.answers` turns
it into the :class:`~parcours.evaluation.surveys.operations.AnswerInput` list the operation
takes, with one message per question that is wrong. The WTForms part
(:class:`AnswerForm`) carries the CSRF token.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from parcours.core.forms import AppForm
from parcours.curricula.schema import QuestionKind
from parcours.evaluation.models import Consent, SurveyQuestion
from parcours.evaluation.surveys.operations import AnswerInput

#: The value of « je ne souhaite pas répondre » among a scale's or a single choice's buttons.
DECLINED = "declined"
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
#: A scale has 2 to 10 points, a choice 2 to 20 options (as in the curriculum files).
SCALE_POINTS = (2, 10)
CHOICE_OPTIONS = (2, 20)
OPTION_MAX = 200

KIND_LABELS = {
    QuestionKind.SCALE: _l("Échelle (une note par libellé, du plus bas au plus haut)"),
    QuestionKind.SINGLE: _l("Choix unique"),
    QuestionKind.MULTIPLE: _l("Choix multiple"),
    QuestionKind.SHORT_TEXT: _l("Texte court"),
    QuestionKind.LONG_TEXT: _l("Texte long"),
    QuestionKind.TESTIMONY: _l("Témoignage (avec accord de publication)"),
}


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(AppForm):
    """A question a coordinator adds to a cohort's survey before it opens."""

    kind = SelectField(_l("Type de question"), validators=[InputRequired()])
    text = StringField(
        _l("Question"),
        validators=[
            InputRequired(_l("Écrivez la question.")),
            Length(max=500, message=_l("La question tient en 500 caractères au plus.")),
        ],
    )
    help = StringField(
        _l("Aide (facultatif)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("L'aide tient en 500 caractères au plus.")),
        ],
    )
    labels = TextAreaField(_l("Libellés de l'échelle, du plus bas au plus haut, un par ligne"))
    options = TextAreaField(_l("Options du choix, une par ligne"))
    allow_decline = BooleanField(_l("Proposer « je ne souhaite pas répondre »"), default=True)
    required = BooleanField(_l("Réponse obligatoire"))

    def __init__(self, *args, anonymous: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = [k for k in QuestionKind if not (anonymous and k == QuestionKind.TESTIMONY)]
        self.kind.choices = [(k.value, str(KIND_LABELS[k])) for k in kinds]

    def validate_labels(self, field) -> None:
        if self.kind.data != QuestionKind.SCALE:
            return
        low, high = SCALE_POINTS
        labels = _lines(field.data)
        if not low <= len(labels) <= high:
            raise ValidationError(
                _(
                    "Une échelle a de %(low)d à %(high)d libellés, un par ligne.",
                    low=low,
                    high=high,
                )
            )
        _check_lengths(labels)

    def validate_options(self, field) -> None:
        if self.kind.data not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return
        low, high = CHOICE_OPTIONS
        options = _lines(field.data)
        if not low <= len(options) <= high:
            raise ValidationError(
                _("Un choix a de %(low)d à %(high)d options, une par ligne.", low=low, high=high)
            )
        if len(set(options)) != len(options):
            raise ValidationError(_("Deux options portent le même libellé."))
        _check_lengths(options)

    @property
    def scale_labels(self) -> list[str]:
        return _lines(self.labels.data) if self.kind.data == QuestionKind.SCALE else []

    @property
    def choice_labels(self) -> list[str]:
        choosing = self.kind.data in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        return _lines(self.options.data) if choosing else []


def _check_lengths(lines: list[str]) -> None:
    if any(len(line) > OPTION_MAX for line in lines):
        raise ValidationError(
            _("Chaque ligne tient en %(count)d caractères au plus.", count=OPTION_MAX)
        )


class AnswerForm(AppForm):
    """The fixed part of the answer form: its CSRF token (the questions are read by Typed)."""


def field_name(question: SurveyQuestion, part: str = "") -> str:
    """Return the HTML name (and id) of a question's field: ``q-12``, ``q-12-consent``."""
    return f"q-{question.id}" + (f"-{part}" if part else "")


@dataclass
class TypedAnswer:
    value: str = ""
    choices: list[str] = field(default_factory=list)
    declined: bool = False
    consent: str = ""


@dataclass
class Typed:
    """What the answer form shows, by question id, as typed."""

    answers: dict[int, TypedAnswer] = field(default_factory=dict)

    def of(self, question: SurveyQuestion) -> TypedAnswer:
        return self.answers.get(question.id) or TypedAnswer()

    @classmethod
    def from_form(cls, data: MultiDict, questions: list[SurveyQuestion]) -> "Typed":
        found = {}
        for question in questions:
            name = field_name(question)
            kind = question.kind_enum
            if kind == QuestionKind.MULTIPLE:
                typed = TypedAnswer(choices=[v for v in data.getlist(name) if v])
            else:
                typed = TypedAnswer(value=data.get(name, "").strip())
            if kind in (QuestionKind.SCALE, QuestionKind.SINGLE):
                typed.declined = typed.value == DECLINED
            else:
                typed.declined = data.get(field_name(question, "declined")) in ("y", "on", "1")
            if kind == QuestionKind.TESTIMONY:
                typed.consent = data.get(field_name(question, "consent"), "").strip()
            found[question.id] = typed
        return cls(found)

    @classmethod
    def from_answers(cls, answers) -> "Typed":
        """Show a saved draft's answers (SurveyAnswer rows)."""
        return cls(
            {
                a.question_id: TypedAnswer(
                    value=DECLINED
                    if a.declined and a.question.kind_enum.is_closed
                    else (str(a.number) if a.number is not None else a.text),
                    choices=list(a.choices),
                    declined=a.declined,
                    consent=a.consent or "",
                )
                for a in answers
            }
        )

    def answers_for(
        self, questions: list[SurveyQuestion], *, submit: bool
    ) -> tuple[list[AnswerInput], dict[int, str]]:
        """Return the answers typed, and a message per question that is wrong.

        A required question must be answered (or declined, where allowed) only on submission;
        a draft keeps what is there.
        """
        answers, errors = [], {}
        for question in questions:
            try:
                answer = _answer(question, self.of(question))
            except ValidationError as error:
                errors[question.id] = str(error)
                continue
            if answer is None:
                if submit and question.required:
                    errors[question.id] = _("Cette question demande une réponse.")
                continue
            answers.append(answer)
        return answers, errors


def _answer(question: SurveyQuestion, typed: TypedAnswer) -> AnswerInput | None:
    """Return the answer to ``question``, None when left blank; raise ValidationError."""
    kind = question.kind_enum
    has_content = bool(typed.choices) if kind == QuestionKind.MULTIPLE else bool(typed.value)
    if typed.declined:
        if not question.allow_decline:
            raise ValidationError(_("Cette question ne propose pas de ne pas répondre."))
        if has_content and kind not in (QuestionKind.SCALE, QuestionKind.SINGLE):
            raise ValidationError(
                _("Répondez, ou cochez « je ne souhaite pas répondre », mais pas les deux.")
            )
        return AnswerInput(question.id, declined=True)
    if not has_content:
        return None
    if kind == QuestionKind.SCALE:
        points = len(question.labels)
        value = typed.value
        if not (value.isascii() and value.isdecimal()) or not 1 <= int(value) <= points:
            raise ValidationError(_("Choisissez un point de l'échelle proposée."))
        return AnswerInput(question.id, number=int(typed.value))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        offered = [choice["code"] for choice in question.choices]
        chosen = [typed.value] if kind == QuestionKind.SINGLE else typed.choices
        if any(code not in offered for code in chosen):
            raise ValidationError(_("Choisissez parmi les options proposées."))
        return AnswerInput(question.id, choices=[c for c in offered if c in chosen])
    limit = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    if len(typed.value) > limit:
        raise ValidationError(
            _("Votre réponse tient en %(count)d caractères au plus.", count=limit)
        )
    if kind == QuestionKind.TESTIMONY:
        if typed.consent not in {c.value for c in Consent}:
            raise ValidationError(_("Dites si votre témoignage peut être publié, et comment."))
        return AnswerInput(question.id, text=typed.value, consent=Consent(typed.consent))
    return AnswerInput(question.id, text=typed.value)
