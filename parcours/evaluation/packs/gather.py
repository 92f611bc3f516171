"""What a committee pack says, read from the database into plain data (no model left)."""

from dataclasses import asdict, dataclass
from datetime import datetime

from parcours.cohorts.models import Cohort
from parcours.curricula.schema import PackKind


@dataclass(frozen=True)
class PackData:
    """Everything a pack prints; :meth:`snapshot` is what is frozen beside the PDF."""

    cohort: str
    kind: str
    #: « données au JJ/MM/AAAA »: the local day the data was read, ISO.
    as_of: str

    def snapshot(self) -> dict:
        return asdict(self)


def gather(cohort: Cohort, kind: PackKind, *, now: datetime) -> PackData:
    """Read what the ``kind`` pack of ``cohort`` holds at ``now``."""
    return PackData(cohort=cohort.name, kind=kind.value, as_of=now.date().isoformat())
