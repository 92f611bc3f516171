"""Who issues, downloads and reads the attestations de fin de parcours.

- those who run the cohort (its coordinators, administrators) list, issue, reissue and
  download every attestation of it;
- a catalyseur reads and downloads their own, from « Mon parcours »;
- anyone, without logging in, may check one from its verification link: the link's token is
  the credential, and the page says only that it exists, when it was issued, for which
  programme, and its SHA-256 (``views.verify_attestation``).
"""

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import can_manage_cohort, is_catalyseur
from parcours.evaluation.models import FinalAttestation


def can_manage_attestations(user: User, cohort: Cohort) -> bool:
    """The cohort's coordinators and administrators issue and list its attestations."""
    return can_manage_cohort(user, cohort)


def can_download_final_attestation(user: User, attestation: FinalAttestation) -> bool:
    """An attestation goes to the person it is for and to those who run the cohort."""
    if not user.is_authenticated:
        return False
    return user.id == attestation.user_id or can_manage_cohort(user, attestation.cohort)


def can_read_own_attestation(user: User, cohort: Cohort) -> bool:
    """A catalyseur of the cohort finds their own attestation on « Mon parcours »."""
    return is_catalyseur(user, cohort)
