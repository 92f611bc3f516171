"""The report toolkit ships its fonts with their licence (its layer: tests/test_architecture.py)."""

from pathlib import Path

import parcours.reports

PACKAGE = Path(parcours.reports.__file__).parent


def test_the_fonts_ship_with_their_licence():
    fonts = {path.name for path in (PACKAGE / "fonts").iterdir()}
    assert fonts >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE", "README.md"}
