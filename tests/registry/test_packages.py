"""The registry stub's two halves depend one way: `population` (the synthetic people: generator,
personas, traits, loader) may write the registries' tables (the service's models), but `registries`
(the desk and the queries) never imports `population`."""

from __future__ import annotations

import ast
from pathlib import Path

import services.registry_stub.registries as registries

POPULATION = "services.registry_stub.population"


def _imported(module: Path) -> set[str]:
    """The absolute names of the modules `module` imports (relative imports resolved)."""
    package = "services.registry_stub.registries"
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            target = ".".join(part for part in (base, node.module or "") if part)
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def test_the_registries_never_import_the_population() -> None:
    modules = sorted(Path(registries.__file__).parent.glob("*.py"))
    assert modules
    offending = {
        m.name: sorted(n for n in _imported(m) if n == POPULATION or n.startswith(POPULATION + ".")) for m in modules
    }
    assert {name: found for name, found in offending.items() if found} == {}
