"""Évaluation: surveys, the Comité d'orientation's report packs, its portal, attestations.

- ``surveys/``: « à chaud » surveys after each collective session and the end-of-programme
  evaluation (templates from the curriculum; anonymous or identified), their results.
- ``packs/``: committee report packs, gathered into a plain data object, rendered to PDF
  (full and pseudonymised), frozen with their SHA-256; « données du rapport » exports.
- ``portal/``: what a committee member sees: their cohorts, the packs, the syntheses.
- ``attestations/``: the attestation de fin de parcours and its public verification link.
"""
