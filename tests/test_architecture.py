"""The shape of the package: dependencies run one way, with no circle.

Every ``import`` of every module of ``parcours/`` counts, at the top or inside a function.
"""

import ast
from collections import defaultdict
from pathlib import Path

import parcours

PACKAGE = Path(parcours.__file__).resolve().parent

#: From the bottom up. A package imports only from its own layer and those below it.
LAYERS = [
    {"core", "config", "translations"},
    {"audit"},  # the audit log: every domain records its sensitive actions there
    {"reports"},  # the PDF and chart toolkit: core only
    {"storage"},  # uploaded files: core only
    {"outbox"},  # e-mails: every domain sends some
    {"accounts"},
    {"curricula"},
    {"cohorts"},
    {"agenda"},
    {"attendance"},
    {"suivi"},  # follow-up records, visit reports, carnet de bord, dynamics
    {"competences"},  # the referential's pages, self-assessment campaigns
    {"evaluation"},  # surveys, committee packs and portal, attestations de fin de parcours
    # The application itself: what wires the domains together or uses them all.
    {"home", "admin", "privacy", "jobs", "demo", "backup", "models", "__init__"},
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Return the parcours modules that ``module`` imports, resolved to modules that exist."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from a import b`` imports the module a.b when there is one, else a name of a.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith("parcours") and name != module:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer():
    packages = {_package_of(module) for module in _graph()}
    assert packages - set(LEVEL) == set(), "place new packages in LAYERS"


def test_no_package_imports_a_package_above_it():
    upward = sorted(
        f"{module} → {imported}"
        for module, imports in _graph().items()
        for imported in imports
        if LEVEL[_package_of(imported)] > LEVEL[_package_of(module)]
    )
    assert upward == []


def test_no_import_circle_between_modules():
    graph = _graph()
    circles = []
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph[module]):
            if state[imported] == 1:
                circles.append(" → ".join([*path[path.index(imported) :], imported]))
            elif state[imported] == 0:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module)
    assert circles == []
