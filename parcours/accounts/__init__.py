"""Accounts: people, passwords, login, invitations and password resets."""
