"""Évaluation pages. Each feature's pages live in its subpackage; importing them registers them.

One import line per feature below: ``bp`` is the blueprint they all register on.
"""

from parcours.evaluation.attestations import views as _attestations  # noqa: F401
from parcours.evaluation.blueprint import bp  # noqa: F401
