"""Shared plumbing: extensions, database base, time, permissions, mail, security."""
