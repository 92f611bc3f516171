"""Évaluation pages. Each feature's pages live in its subpackage; importing them registers them."""

from parcours.evaluation.blueprint import bp  # noqa: F401
