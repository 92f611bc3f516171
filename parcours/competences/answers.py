"""What an answer holds, as the forms, the drafts and the submitted rows share it.

One answer rates *items*: the referential's competences for a self-assessment or a consensus,
its domains for a coach's appréciation. For each item: a level of the scale or « je ne sais
pas », a comment, and (self-assessments) evidence. The draft keeps that as JSON
(:func:`to_data` / :func:`from_data` are the only readers and writers of its shape).
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from parcours.competences.models import Viewpoint
from parcours.curricula.schema import CurriculumDocument

#: How long a comment may be, per item and for the whole answer.
COMMENT_MAX = 2000
#: How many pieces of evidence one rating may point to.
EVIDENCE_MAX = 5


@dataclass(frozen=True)
class Item:
    """One thing rated: a competence (with its domain) or a domain."""

    code: str
    label: str
    description: str
    domain_code: str
    domain_name: str


def items_for(viewpoint: Viewpoint, document: CurriculumDocument) -> list[Item]:
    """Return what ``viewpoint`` rates in ``document``'s referential, in its order."""
    domains = document.referential.domains
    if viewpoint.per_domain:
        return [Item(d.code, d.name, "", d.code, d.name) for d in domains]
    return [
        Item(c.code, c.label, c.description, d.code, d.name) for d in domains for c in d.competences
    ]


@dataclass(frozen=True)
class EvidenceRef:
    """A piece of evidence: ``kind`` is ``journal`` or ``visit`` (with ``id``) or ``link``."""

    kind: str
    title: str
    id: int | None = None
    url: str = ""


@dataclass
class RatingInput:
    level: int | None = None
    #: « Je ne sais pas »: answered, without a level.
    unknown: bool = False
    comment: str = ""
    evidence: list[EvidenceRef] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.unknown or self.level is not None


@dataclass
class AnswerInput:
    ratings: dict[str, RatingInput] = field(default_factory=dict)
    comment: str = ""
    #: A self-assessment: the participant lets their binôme partner read it.
    share: bool = False

    def rating(self, code: str) -> RatingInput:
        return self.ratings.get(code) or RatingInput()

    def missing(self, items: list[Item]) -> list[Item]:
        """Return the items with neither a level nor « je ne sais pas »."""
        return [item for item in items if not self.rating(item.code).answered]


class AnswerRefused(ValueError):
    """An answer cannot be saved or submitted; the message says why, translated."""


def check(answer: AnswerInput, items: list[Item], scale_max: int) -> None:
    """Refuse codes outside ``items``, levels outside the scale, texts too long."""
    known = {item.code for item in items}
    for code, rating in answer.ratings.items():
        if code not in known:
            raise AnswerRefused(_l("Ce référentiel ne contient pas « %(code)s ».", code=code))
        if rating.level is not None and not 0 <= rating.level <= scale_max:
            raise AnswerRefused(_l("Ce niveau n'existe pas dans l'échelle du référentiel."))
        if rating.level is not None and rating.unknown:
            raise AnswerRefused(_l("Choisissez un niveau ou « je ne sais pas », pas les deux."))
        if len(rating.comment) > COMMENT_MAX:
            raise AnswerRefused(
                _l("Un commentaire tient en %(count)d caractères au plus.", count=COMMENT_MAX)
            )
        if len(rating.evidence) > EVIDENCE_MAX:
            raise AnswerRefused(
                _l("Une compétence s'appuie sur %(count)d preuves au plus.", count=EVIDENCE_MAX)
            )
    if len(answer.comment) > COMMENT_MAX:
        raise AnswerRefused(
            _l("Un commentaire tient en %(count)d caractères au plus.", count=COMMENT_MAX)
        )


def to_data(answer: AnswerInput) -> dict:
    """Return the JSON a draft keeps for ``answer``."""
    return {
        "ratings": {
            code: {
                "level": rating.level,
                "unknown": rating.unknown,
                "comment": rating.comment,
                "evidence": [
                    {"kind": e.kind, "id": e.id, "url": e.url, "title": e.title}
                    for e in rating.evidence
                ],
            }
            for code, rating in answer.ratings.items()
        },
        "comment": answer.comment,
        "share": answer.share,
    }


def from_data(data: dict | None) -> AnswerInput:
    """Return the answer a draft's JSON holds (an empty one for None)."""
    data = data or {}
    return AnswerInput(
        ratings={
            code: RatingInput(
                level=value.get("level"),
                unknown=bool(value.get("unknown")),
                comment=value.get("comment", ""),
                evidence=[
                    EvidenceRef(
                        kind=e["kind"],
                        title=e.get("title", ""),
                        id=e.get("id"),
                        url=e.get("url", ""),
                    )
                    for e in value.get("evidence", [])
                ],
            )
            for code, value in data.get("ratings", {}).items()
        },
        comment=data.get("comment", ""),
        share=bool(data.get("share")),
    )


def from_assessment(assessment) -> AnswerInput:
    """Return what a submitted :class:`Assessment` says, as an answer (to reopen it)."""
    return AnswerInput(
        ratings={
            rating.code: RatingInput(
                level=rating.level,
                unknown=rating.level is None,
                comment=rating.comment,
                evidence=[
                    EvidenceRef(
                        kind=e.kind,
                        title=e.title,
                        id=e.journal_entry_id or e.visit_report_id,
                        url=e.url,
                    )
                    for e in rating.evidence
                ],
            )
            for rating in assessment.ratings
        },
        comment=assessment.comment,
        share=assessment.shared_with_partner,
    )


#: Shown beside « je ne sais pas » in forms and tables.
UNKNOWN_LABEL = _l("Je ne sais pas")
