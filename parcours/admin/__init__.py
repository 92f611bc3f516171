"""Administration: the platform's people and programmes, for administrators only."""
