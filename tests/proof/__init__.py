"""Proofs that hold across the whole application rather than one domain (route × role matrix)."""
