"""Surveys: « à chaud » after each collective session, the end-of-programme evaluation.

``operations.py`` prepares a survey from its curriculum template and opens it (the shared
path of the scheduler and of a coordinator's « ouvrir maintenant »); ``mailings.py`` sends its
opening e-mail and its one reminder, each exactly once.
"""
