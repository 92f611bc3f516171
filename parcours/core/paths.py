"""Where the application's files live: templates, static assets, migrations, curricula."""

from pathlib import Path

#: The checkout (or installed source tree) that holds ``parcours/`` and its sibling folders.
ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
MIGRATIONS = ROOT / "migrations"
CURRICULA = ROOT / "curricula"
