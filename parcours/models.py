"""Import every domain's models, so that the metadata (migrations, tests) knows every table."""

from parcours.accounts import models as accounts  # noqa: F401
from parcours.agenda import models as agenda  # noqa: F401
from parcours.attendance import models as attendance  # noqa: F401
from parcours.audit import models as audit  # noqa: F401
from parcours.cohorts import models as cohorts  # noqa: F401
from parcours.competences import models as competences  # noqa: F401
from parcours.core import changes  # noqa: F401  (the database's version)
from parcours.curricula import models as curricula  # noqa: F401
from parcours.evaluation import models as evaluation  # noqa: F401
from parcours.jobs import models as jobs  # noqa: F401
from parcours.outbox import models as outbox  # noqa: F401
from parcours.storage import models as storage  # noqa: F401
from parcours.suivi import models as suivi  # noqa: F401
