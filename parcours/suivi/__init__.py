"""Suivi: what coaches and binômes write down between the collective sessions."""
