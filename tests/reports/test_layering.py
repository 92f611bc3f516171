"""The report toolkit sits just above core: any domain may use it, it uses none."""

import ast
from pathlib import Path

import parcours.reports

PACKAGE = Path(parcours.reports.__file__).parent


def _parcours_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] == "parcours"}


def test_the_toolkit_imports_only_core_and_itself():
    modules = sorted(PACKAGE.glob("*.py"))
    assert {path.name for path in modules} >= {"__init__.py", "pdf.py", "charts.py"}
    imported = set().union(*(_parcours_imports(path) for path in modules))
    assert "parcours.reports.pdf" in imported  # the check reads real imports
    outside = {
        name for name in imported if not name.startswith(("parcours.core", "parcours.reports"))
    }
    assert outside == set()


def test_the_fonts_ship_with_their_licence():
    fonts = {path.name for path in (PACKAGE / "fonts").iterdir()}
    assert fonts >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE", "README.md"}
