"""Campaigns: opening each assessment moment, extending or closing it, its e-mails and
reminders, and the coordinator's follow-up of who has answered."""
