"""Who may read what of the competences. Pages, links and downloads ask here."""

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.cohorts.permissions import role_in


def can_read_referential(user: User, cohort: Cohort) -> bool:
    """Everyone in the cohort reads its referential, and administrators.

    Coordinators, coaches, catalyseurs and the Comité d'orientation alike: it is the common
    language of the parcours, holds nothing personal, and its Moodle file says no more than
    the page.
    """
    return user.is_authenticated and (user.is_admin or role_in(user, cohort) is not None)
