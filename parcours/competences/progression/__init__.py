"""Progression: radar charts per moment, « se compter » in the cohort, progress, the bilan PDF."""
