"""Fictitious demo data, so that a newcomer sees a realistic cohort at once."""
