"""Stored files: uploads kept in the database, so every worker and host sees the same bytes."""
