"""Curricula: programme definitions read from ``curricula/*.toml`` and versioned in the database."""
