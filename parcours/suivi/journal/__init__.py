"""The binôme's carnet de bord (« se conter ») and the cohort's « Belles histoires »."""
