"""Backup and restore of the whole database: ``flask backup PATH`` and ``flask restore PATH``.

``operations.py`` writes and reads the backup files, ``cli.py`` has the two commands.
"""
