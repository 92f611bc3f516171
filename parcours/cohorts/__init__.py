"""Cohorts: a run of a curriculum, its territories, and who does what in it."""
