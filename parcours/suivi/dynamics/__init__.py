"""Territorial dynamics: maturity, forms, fragilités and partnerships, recorded and kept."""
