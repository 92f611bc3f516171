"""Who may prepare, generate and read the Comité d'orientation's packs.

- **coordinators** (and administrators) write the editorial section, generate packs, read
  every version and download « données du rapport »;
- **Comité d'orientation members** read and download the packs of their own cohorts, full and
  pseudonymised, nothing else of a cohort beyond its aggregates;
- **catalyseurs and coaches** do not read packs (they hold every territory's figures).
"""

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import can_manage_cohort, can_view_overview
from parcours.evaluation.models import CommitteePack


def can_manage_packs(user: User, cohort: Cohort) -> bool:
    return can_manage_cohort(user, cohort)


def can_read_packs(user: User, cohort: Cohort) -> bool:
    """The cohort's coordinators, its Comité d'orientation members, and administrators."""
    return user.is_authenticated and can_view_overview(user, cohort)


def can_read_pack(user: User, pack: CommitteePack) -> bool:
    return can_read_packs(user, pack.cohort)


def can_manage_pack(user: User, pack: CommitteePack) -> bool:
    """« Données du rapport » hold every territory's figures: for those who run the cohort."""
    return can_manage_packs(user, pack.cohort)
