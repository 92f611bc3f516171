"""Surveys: « à chaud » after each collective session, the end-of-programme evaluation.

``operations.py`` prepares a survey from its curriculum template and opens it, the one path
the scheduler and a coordinator's « ouvrir maintenant » will share.
"""
