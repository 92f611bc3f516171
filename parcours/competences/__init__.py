"""Competences: the cohort's referential, and what catalyseurs assess against it."""
