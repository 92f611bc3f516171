"""Read-side of the competences: each page's data in a fixed number of queries."""

from dataclasses import dataclass

from parcours.cohorts.models import Cohort
from parcours.curricula import moodle
from parcours.curricula.schema import Domain, Level


@dataclass(frozen=True)
class ReferentialPage:
    """A cohort's referential as its page shows it: the version the cohort started with."""

    name: str
    programme: str
    version: int
    levels: tuple[Level, ...]
    domains: tuple[Domain, ...]

    @property
    def competence_count(self) -> int:
        return sum(len(domain.competences) for domain in self.domains)


def cohort_referential(cohort: Cohort) -> ReferentialPage:
    """Return the referential of the curriculum version ``cohort`` is pinned to.

    The cohort's row brings its version's (and the document is parsed once per process):
    no query of its own.
    """
    document = cohort.curriculum
    return ReferentialPage(
        name=document.referential.name,
        programme=document.programme.name,
        version=cohort.curriculum_version.number,
        levels=tuple(document.referential.levels),
        domains=tuple(document.referential.domains),
    )


def moodle_file(cohort: Cohort) -> tuple[bytes, str]:
    """Return the cohort's referential as a Moodle framework file, and the file's name.

    Raises MoodleExportError when Moodle's format cannot hold it.
    """
    return moodle.framework_file(cohort.curriculum, cohort.curriculum_version.number)
