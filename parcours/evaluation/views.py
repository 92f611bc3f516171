"""Évaluation pages. Each feature's pages live in its subpackage; importing them registers them.

One import line per feature below: ``bp`` is the blueprint they all register on.
"""

from parcours.evaluation.attestations import views as _attestations  # noqa: F401
from parcours.evaluation.blueprint import bp  # noqa: F401
from parcours.evaluation.packs import views as _packs  # noqa: F401
from parcours.evaluation.surveys import views as _surveys  # noqa: F401
