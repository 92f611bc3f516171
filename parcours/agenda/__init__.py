"""Agenda: the dated events of a cohort (collective sessions, bilatérales, comités…)."""
