"""The demo's « Mes données »: Camille Martin, the demo's catalyseur, shared a belle histoire
of her own with the cohort, so that she finds a consent she may withdraw on first login.

Everything else her export shows (attendance, self-assessments, carnet de bord, e-mails,
surveys) comes from the rest of the demo. The previous promotion's catalyseur who stands for
the others has a named testimony in the final survey, withdrawable the same way.

One catalyseur of the previous promotion asked to be erased after its final pack was frozen:
the administrator finds her anonymised account, the audit entry of the erasure, and the note
on the pack that was not rewritten.
"""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.core.extensions import db
from parcours.core.time import freeze, now_utc
from parcours.privacy import erasure
from parcours.suivi.actions.queries import local_today
from parcours.suivi.journal import operations
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JournalVisibility

CAMILLE_EMAIL = "camille.martin@demo.parcours.example"
#: The previous promotion's catalyseur who asked to be erased (data_past.TERRITORIES).
ERASED_EMAIL = "aurelie.jacquot@demo.parcours.example"
ERASED_DAYS_AGO = 12
STORY_TITLE = "Le déjeuner des élus et des artisans"
STORY = EntryDraft(
    written_on=None,  # set from the day the demo is built
    title=STORY_TITLE,
    what_we_did=(
        "Un déjeuner à la salle des fêtes : quatre maires de la communauté de communes et six "
        "artisans du bâtiment, autour de la rénovation des logements vacants du centre-bourg."
    ),
    what_we_learned=(
        "Les artisans attendaient qu'on leur demande leur avis avant l'appel d'offres ; les "
        "élus ne savaient pas qu'ils étaient prêts à se grouper."
    ),
    what_we_try_next="Une visite commune d'un logement vacant, avec la chambre des métiers.",
    visibility=JournalVisibility.COHORT,
    thematics=("T6",),
    competences=("D1.1",),
)


def build(cohort: Cohort) -> None:
    """Write Camille's own belle histoire, a fortnight ago (within the cohort's time)."""
    member = db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.CATALYSEUR,
            User.email == CAMILLE_EMAIL,
        )
    ).one()
    day = max(cohort.start_date, local_today(cohort) - timedelta(days=14))
    operations.create_entry(member.territory, replace(STORY, written_on=day), member.user)


def erase_on_request(admin: User) -> None:
    """Erase the previous promotion's catalyseur who asked for it, twelve days ago."""
    person = db.session.scalar(select(User).where(User.email == ERASED_EMAIL))
    with freeze(now_utc() - timedelta(days=ERASED_DAYS_AGO)):
        erasure.erase_person(person, by=admin, reason="request_email")
