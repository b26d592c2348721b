"""Every third-party module the package imports is a declared dependency (pyproject.toml)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import REPO_ROOT


def _imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for path in (REPO_ROOT / "scaffold").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "scaffold"}


def _declared() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    names = (re.match(r"[A-Za-z0-9_.-]+", spec) for spec in project["dependencies"])
    return {re.sub(r"[-_.]+", "-", m.group(0)).lower() for m in names if m}


def test_every_imported_distribution_is_declared() -> None:
    distributions = packages_distributions()
    imported = _imported_top_level_modules()
    assert {"copier", "yaml", "packaging"} <= imported  # the scan sees the real imports
    missing = {
        module: dists
        for module in imported
        for dists in [[re.sub(r"[-_.]+", "-", d).lower() for d in distributions[module]]]
        if not set(dists) & _declared()
    }
    assert not missing, f"imported but not in [project] dependencies: {missing}"
