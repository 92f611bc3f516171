"""The self-assessment form: its fields, read from a post, a kept draft or a saved answer.

The referential decides the fields (one group per competence), so they are not WTForms
fields: :class:`Typed` holds what the form shows, exactly as typed, and :meth:`Typed.answer`
turns it into the :class:`~parcours.competences.answers.AnswerInput` the operations take.
The WTForms part (:class:`SelfAssessmentForm`) carries the CSRF token, the draft's version
and the token that keeps the form across a session time-out.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField

from parcours.competences import answers as ans
from parcours.core.conflicts import VersionedForm
from parcours.suivi import drafts

#: The value of « je ne sais pas » among a competence's radio buttons.
UNKNOWN = "unknown"
#: How long a free link and its title may be (the evidence table's columns).
URL_MAX = 1000
TITLE_MAX = 300

#: Evidence kinds as the form names them (``journal:12``), and as answers keep them.
_KINDS = {"journal": "journal", "visit": "visit"}


class SelfAssessmentForm(VersionedForm):
    """The fixed part of the form: CSRF token, draft version, time-out token."""

    not_content = (drafts.TOKEN_FIELD,)
    draft_token = HiddenField()


def field_id(prefix: str, code: str) -> str:
    """Return an HTML id for a competence's field (codes hold dots: « D0.1 »)."""
    return f"{prefix}-{code}".replace(".", "-")


@dataclass
class TypedRating:
    level: str = ""
    comment: str = ""
    #: Chosen evidence, as the form's values: ``journal:12``, ``visit:3``.
    evidence: list[str] = field(default_factory=list)
    link_url: str = ""
    link_title: str = ""


@dataclass
class Typed:
    """What the form shows: every value as a string, as typed."""

    ratings: dict[str, TypedRating] = field(default_factory=dict)
    comment: str = ""
    share: bool = False

    def rating(self, code: str) -> TypedRating:
        return self.ratings.get(code) or TypedRating()

    @classmethod
    def from_form(cls, data: MultiDict, items: list[ans.Item]) -> "Typed":
        """Read a posted form (or one kept across a time-out)."""
        return cls(
            ratings={
                item.code: TypedRating(
                    level=data.get(f"level-{item.code}", "").strip(),
                    comment=data.get(f"comment-{item.code}", "").strip(),
                    evidence=[v for v in data.getlist(f"evidence-{item.code}") if v],
                    link_url=data.get(f"link_url-{item.code}", "").strip(),
                    link_title=data.get(f"link_title-{item.code}", "").strip(),
                )
                for item in items
            },
            comment=data.get("comment", "").strip(),
            share=data.get("share") in ("y", "on", "1", "true"),
        )

    @classmethod
    def from_answer(cls, answer: ans.AnswerInput) -> "Typed":
        """Show a saved draft."""
        ratings = {}
        for code, rating in answer.ratings.items():
            link = next((e for e in rating.evidence if e.kind == "link"), None)
            ratings[code] = TypedRating(
                level=UNKNOWN
                if rating.unknown
                else ""
                if rating.level is None
                else str(rating.level),
                comment=rating.comment,
                evidence=[f"{e.kind}:{e.id}" for e in rating.evidence if e.kind != "link"],
                link_url=link.url if link else "",
                link_title=link.title if link and link.title != link.url else "",
            )
        return cls(ratings=ratings, comment=answer.comment, share=answer.share)

    def answer(
        self, items: list[ans.Item], offered: dict[str, dict[str, str]], *, binome: bool
    ) -> ans.AnswerInput:
        """Return the answer typed; raise AnswerRefused naming the first thing wrong.

        ``offered`` gives, per competence code, the evidence the participant may choose
        (``journal:12`` → its title): anything else posted is refused, whoever's it is. A
        single catalyseur has no partner to share with (``binome``).
        """
        answer = ans.AnswerInput(comment=self.comment, share=self.share and binome)
        for item in items:
            typed = self.rating(item.code)
            rating = ans.RatingInput(comment=typed.comment)
            if typed.level == UNKNOWN:
                rating.unknown = True
            elif typed.level:
                try:
                    rating.level = int(typed.level)
                except ValueError:
                    raise ans.AnswerRefused(
                        _("Ce niveau n'existe pas dans l'échelle du référentiel.")
                    ) from None
            mine = offered.get(item.code, {})
            for value in dict.fromkeys(typed.evidence):
                kind, _sep, raw_id = value.partition(":")
                if value not in mine or kind not in _KINDS or not raw_id.isdigit():
                    raise ans.AnswerRefused(
                        _(
                            "« %(code)s » : cette preuve ne fait pas partie de ce que vous "
                            "pouvez citer (entrées de votre carnet et comptes rendus de "
                            "visite associés à cette compétence).",
                            code=item.code,
                        )
                    )
                rating.evidence.append(
                    ans.EvidenceRef(kind=_KINDS[kind], title=mine[value], id=int(raw_id))
                )
            if typed.link_url or typed.link_title:
                rating.evidence.append(_link(item, typed))
            answer.ratings[item.code] = rating
        return answer

    def unanswered(self, items: list[ans.Item]) -> set[str]:
        """Return the codes with neither a level nor « je ne sais pas »."""
        return {item.code for item in items if not self.rating(item.code).level}


def _link(item: ans.Item, typed: TypedRating) -> ans.EvidenceRef:
    """Return a free link as evidence: an http(s) address, with a title or itself as one."""
    parts = urlsplit(typed.link_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(typed.link_url) > URL_MAX
        or any(c.isspace() for c in typed.link_url)
    ):
        raise ans.AnswerRefused(
            _(
                "« %(code)s » : le lien doit être une adresse web complète, commençant par "
                "https:// ou http://.",
                code=item.code,
            )
        )
    if len(typed.link_title) > TITLE_MAX:
        raise ans.AnswerRefused(
            _(
                "« %(code)s » : le titre du lien tient en %(count)d caractères au plus.",
                code=item.code,
                count=TITLE_MAX,
            )
        )
    return ans.EvidenceRef(
        kind="link", title=typed.link_title or typed.link_url, url=typed.link_url
    )
