"""Who may prepare, answer and read the surveys of a cohort. Pages, links and exports ask here.

- **coordinators** (and administrators) prepare a survey, add questions before it opens, open
  it early, close it, read its results and download its answers;
- the **Comité d'orientation** reads the list of the cohort's surveys and their results
  (aggregates, texts without their authors' names), never a person's answers;
- **catalyseurs** answer the surveys they are invited to (the page itself refuses, saying why,
  when they are not, or no longer, asked);
- **coaches** do not read the surveys: the answers are about the sessions and the programme.
"""

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Role
from parcours.cohorts.permissions import can_manage_cohort, can_view_overview, role_in
from parcours.evaluation.models import Survey


def can_manage_surveys(user: User, cohort: Cohort) -> bool:
    """Prepare, change, open, close and export: the cohort's coordinators and administrators."""
    return can_manage_cohort(user, cohort)


def can_manage_survey(user: User, survey: Survey) -> bool:
    return can_manage_surveys(user, survey.cohort)


def can_read_surveys(user: User, cohort: Cohort) -> bool:
    """The list of a cohort's surveys and their results: who reads the cohort's overview (its
    coordinators, its committee), aggregates only."""
    return user.is_authenticated and can_view_overview(user, cohort)


def can_read_results(user: User, survey: Survey) -> bool:
    return can_read_surveys(user, survey.cohort)


def can_export_answers(user: User, survey: Survey) -> bool:
    """Every counted response as a file: the coordinators (the committee reads aggregates)."""
    return can_manage_survey(user, survey)


def may_answer(user: User, survey: Survey) -> bool:
    """Open a survey's form: the catalyseurs of its cohort (their invitation is checked next)."""
    return user.is_authenticated and role_in(user, survey.cohort) == Role.CATALYSEUR
