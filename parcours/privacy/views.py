"""Personal-data pages. Each feature's pages live in their own module, which registers them.

One import line per feature below: ``bp`` is the blueprint they all register on.
"""

from parcours.privacy import (
    notice_views,  # noqa: F401
    personal_data_views,  # noqa: F401  (« Mes données »)
)
from parcours.privacy.blueprint import bp  # noqa: F401
