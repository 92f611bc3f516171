"""Field-visit reports: whom a visit met, what it saw, what to do next."""
