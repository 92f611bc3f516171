"""The demo's self-assessments: T0 and mid-way answered, so that every chart has content.

The demo cohort stands just after its mid-way comité, so both windows are past: T0 was opened
by the coordinator, MID by the scheduler on its date. Most catalyseurs submitted both, with a
plausible progression (most competences up a level, some flat, one decline), a few « je ne
sais pas » and comments in their words; some point to their carnet's entries tagged with the
competence. At MID two drafts were never sent and one catalyseur did not answer. Binômes
agreed consensus (one confirmed by one partner only), coaches recorded their appréciations.

Camille Martin (the demo's catalyseur account) has T0 and MID on her radar and a form to fill
in: after the window closed, the coordinator reopened her mid-way answer at her request — she
had rated « je ne sais pas » where her carnet says otherwise — so revision 2 waits for her.

Every answer goes through the operations under ``freeze()``, at a working hour of a day
inside its window, from a fixed seed: the demo reads the same whatever day it is built.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze
from parcours.curricula.schema import EventKind
from parcours.suivi.models import JournalEntry, Tag, TagKind

#: The demo catalyseur account: she finds a reopened answer to finish.
CAMILLE = "camille.martin"
#: At MID: who left a draft unsent, and who did not answer at all.
MID_DRAFTS = ("thomas.roux", "sarah.klein")
MID_SILENT = "ines.haddad"
#: The one whose MID drops on a domain (a new job took the time for the network).
DECLINING = "lea.girard"
#: The consensus one partner confirmed and the other has not yet.
HALF_CONFIRMED_AT_MID = 1  # the second binôme, in the cohort's order
SEED = 2026

_COMMENTS = (
    "Je l'ai fait une fois avec l'aide de notre accompagnatrice, pas encore seule.",
    "C'est devenu un réflexe depuis le comité local de janvier.",
    "Je découvre : je n'avais jamais eu à le faire dans mon poste précédent.",
    "Mon binôme le fait mieux que moi, on se répartit les rôles.",
    "Progrès net depuis la visite apprenante : j'ai repris leur trame.",
    "Difficile à évaluer tant que le projet n'est pas lancé.",
    "Les élus nous sollicitent maintenant directement, c'est un signe.",
    "Je le fais, mais sans méthode : j'aimerais un outil simple.",
)
_OVERALL = (
    "Premier regard sur le référentiel : beaucoup de choses que je fais sans les nommer.",
    "Je me sens plus à l'aise sur l'animation que sur le modèle économique.",
    "Six mois après, l'écart entre ce que je sais faire et ce que je fais reste le temps.",
    "",
)
_COACH_COMMENTS = (
    "Binôme très moteur sur la mobilisation ; la gouvernance reste à formaliser.",
    "Belle progression depuis la visite, à consolider par écrit.",
    "Encore dépendant de la structure porteuse pour les décisions.",
    "",
)


def build(cohort: Cohort, coordinator: User) -> None:
    """Give the demo cohort its T0 and MID campaigns, answered as a real cohort would."""
    rng = random.Random(SEED)  # noqa: S311  (invented data, the same on every build)
    moments = {
        event.code: event
        for event in db.session.scalars(
            select(Event).where(Event.cohort_id == cohort.id, Event.kind == EventKind.ASSESSMENT)
        )
    }
    territories = [t for t in cohort.territories if t.status == "accepted"]
    people = [(t, m.user) for t in territories for m in t.catalyseurs]
    t0 = _open(moments["T0"], coordinator)
    mid = _open(moments["MID"], None)
    # What the carnet held when the mid-way window opened.
    evidence = _evidence(cohort, before=mid.event.starts_at.astimezone(PARIS).date())
    items = ops.items(t0, Viewpoint.SELF)
    levels = len(cohort.curriculum.referential.levels) - 1

    first = {}
    for index, (territory, user) in enumerate(people):
        local = user.email.split("@")[0]
        base = [min(levels, max(0, round(rng.gauss(1.1, 0.7)))) for _ in items]
        first[user.id] = base
        at = _moment(t0, 1 + index % 12, rng)
        with freeze(at):
            answer = _answer(items, base, rng, unknown=0.06, evidence=None)
            draft = ops.save_draft(t0, Viewpoint.SELF, territory, user.id, answer, by=user)
            ops.submit(draft, by=user)
        grown = _progress(base, items, rng, levels, decline=local == DECLINING)
        if local == MID_SILENT:
            continue
        with freeze(_moment(mid, 2 + index % 14, rng)):
            answer = _answer(items, grown, rng, unknown=0.02, evidence=evidence.get(territory.id))
            answer.share = index % 3 != 0
            draft = ops.save_draft(mid, Viewpoint.SELF, territory, user.id, answer, by=user)
            if local in MID_DRAFTS:  # started, never sent: the window closed on the draft
                for code in list(answer.ratings)[len(items) // 2 :]:
                    answer.ratings[code] = ans.RatingInput()
                ops.save_draft(mid, Viewpoint.SELF, territory, user.id, answer, by=user)
                continue
            if local == CAMILLE:
                answer.ratings[items[3].code] = ans.RatingInput(unknown=True)
                ops.save_draft(mid, Viewpoint.SELF, territory, user.id, answer, by=user)
            submitted = ops.submit(draft, by=user)
        if local == CAMILLE:
            with freeze(_moment(mid, 24, rng)):  # three days after the window closed
                ops.reopen(submitted, by=coordinator)

    binomes = [t for t in territories if len(t.catalyseurs) >= 2]
    for index, territory in enumerate(binomes):
        a, b = (m.user for m in territory.catalyseurs[:2])
        if index < len(binomes) - 1:  # the last binôme never sat down to agree at T0
            _consensus(t0, territory, a, b, first[a.id], items, rng, confirm_both=True)
        _consensus(
            mid,
            territory,
            b,
            a,
            _progress(first[b.id], items, rng, levels, decline=False),
            items,
            rng,
            confirm_both=index != HALF_CONFIRMED_AT_MID,
        )
    domains = ops.items(t0, Viewpoint.COACH)
    for index, territory in enumerate(territories):
        coach = territory.coach
        if coach is None:
            continue
        start = [min(levels, max(0, round(rng.gauss(1.0, 0.6)))) for _ in domains]
        if index != len(territories) - 1:  # one appréciation still to write at T0
            _appraisal(t0, territory, coach, start, domains, rng)
        if index % 5 != 4:  # and a couple at MID
            grown = _progress(start, domains, rng, levels, decline=False)
            _appraisal(mid, territory, coach, grown, domains, rng)
    db.session.flush()


def _open(event: Event, by: User | None) -> AssessmentCampaign:
    """Open a campaign on the morning of its first day (the coordinator, or the scheduler)."""
    opening = event.starts_at if by is None else event.starts_at + timedelta(hours=1)
    with freeze(opening):
        campaign, _opened = ops.open_campaign(event, by=by)
    return campaign


def _moment(campaign: AssessmentCampaign, day: int, rng: random.Random) -> datetime:
    """A working hour of the ``day``-th day of the campaign's window (Paris time)."""
    local = campaign.event.starts_at.astimezone(PARIS).date() + timedelta(days=day)
    at = time(rng.choice((9, 10, 11, 14, 16, 17, 21)), rng.randrange(0, 60, 5))
    return datetime.combine(local, at, tzinfo=PARIS).astimezone(campaign.event.starts_at.tzinfo)


def _progress(base, items, rng, levels: int, *, decline: bool) -> list[int]:
    """Most competences gain a level, some stay flat; a decline costs one domain a level."""
    grown = [min(levels, level + (1 if rng.random() < 0.55 else 0)) for level in base]
    if decline:
        domain = items[len(items) // 2].domain_code
        grown = [
            max(0, level - 1) if item.domain_code == domain else level
            for level, item in zip(base, items, strict=True)
        ]
    return grown


def _answer(items, levels, rng, *, unknown: float, evidence) -> ans.AnswerInput:
    """The answer giving ``levels``, a few « je ne sais pas », comments and evidence."""
    ratings = {}
    for item, level in zip(items, levels, strict=True):
        if rng.random() < unknown:
            ratings[item.code] = ans.RatingInput(unknown=True)
        else:
            ratings[item.code] = ans.RatingInput(level=level)
    for item in rng.sample(items, 2):
        ratings[item.code].comment = rng.choice(_COMMENTS)
    for code, refs in (evidence or {}).items():
        if code in ratings:
            ratings[code].evidence = refs[: ans.EVIDENCE_MAX]
    return ans.AnswerInput(ratings=ratings, comment=rng.choice(_OVERALL))


def _consensus(campaign, territory, first, second, levels, items, rng, *, confirm_both) -> None:
    """The binôme drafts its consensus a week into the window; both confirm (or one only)."""
    with freeze(_moment(campaign, 8, rng)):
        answer = _answer(items, levels, rng, unknown=0.0, evidence=None)
        draft = ops.save_draft(campaign, Viewpoint.CONSENSUS, territory, None, answer, by=first)
        ops.confirm_consensus(draft, by=first)
    if confirm_both:
        with freeze(_moment(campaign, 10, rng)):
            ops.confirm_consensus(draft, by=second)


def _appraisal(campaign, territory: Territory, coach: User, levels, domains, rng) -> None:
    """The coach rates each domain towards the end of the window."""
    with freeze(_moment(campaign, 15, rng)):
        answer = _answer(domains, levels, rng, unknown=0.0, evidence=None)
        answer.comment = rng.choice(_COACH_COMMENTS)
        draft = ops.save_draft(campaign, Viewpoint.COACH, territory, None, answer, by=coach)
        ops.submit(draft, by=coach)


def _evidence(cohort: Cohort, *, before: date) -> dict[int, dict[str, list[ans.EvidenceRef]]]:
    """Each territory's carnet entries written ``before``, by the competence they are tagged
    with. One query."""
    found: dict[int, dict[str, list[ans.EvidenceRef]]] = {}
    rows = db.session.execute(
        select(JournalEntry.territory_id, JournalEntry.id, JournalEntry.title, Tag.code)
        .join(Tag, Tag.journal_entry_id == JournalEntry.id)
        .join(Territory, JournalEntry.territory_id == Territory.id)
        .where(
            Territory.cohort_id == cohort.id,
            Tag.kind == TagKind.COMPETENCE.value,
            Tag.curriculum_version_id == cohort.curriculum_version_id,
            JournalEntry.written_on < before,
        )
        .order_by(JournalEntry.id)
    )
    for territory_id, entry_id, title, code in rows:
        refs = found.setdefault(territory_id, {}).setdefault(code, [])
        refs.append(ans.EvidenceRef(kind="journal", title=title or "Carnet de bord", id=entry_id))
    return found
