"""Outbox: every e-mail recorded in the database, sent after commit, retried with backoff;
and the scheduled jobs (reminders) that must run exactly once."""
