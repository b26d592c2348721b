"""The dependency locks the templates ship (`templates/<fw>/_locks/`, scaffold.locks).

Every combination of the answers that change dependencies is rendered with copier (only its
pyproject.toml and requirements.txt); each distinct pyproject is then locked again by the
command of `make lock`, with the rendered requirements.txt as the current lock: the result
must be that very file, byte for byte. A new, dropped or re-constrained dependency changes
it. Needs `uv` and the package index.
"""

from __future__ import annotations

import itertools
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from copier import Settings, run_copy

from scaffold import locks
from scaffold.frameworks import Framework


def _render(framework: Framework, answers: dict[str, object]) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="scaffold-test-locks-") as scratch:
        run_copy(
            str(locks.TEMPLATES / framework.value),
            scratch,
            data={"project_name": "Lock Check", **answers},
            defaults=True,
            quiet=True,
            settings=Settings(),
            exclude=["*", "!pyproject.toml", "!requirements.txt"],
        )
        folder = Path(scratch)
        return (folder / "pyproject.toml").read_text("utf-8"), (
            folder / "requirements.txt"
        ).read_text("utf-8")


def _all_answers(framework: Framework) -> list[dict[str, object]]:
    """Every option combination, crossed with the databases (they must not matter)."""
    return [
        {**answers, "database": database}
        for answers, database in itertools.product(
            locks.combinations(framework), ("sqlite", "postgresql")
        )
    ]


@pytest.mark.parametrize("framework", list(Framework))
def test_every_shipped_lock_matches_its_pyproject(framework: Framework) -> None:
    seen: dict[tuple[str, str], str] = {}
    for answers in _all_answers(framework):
        pyproject, requirements = _render(framework, answers)
        name = locks.lock_name(framework, answers)
        assert requirements == (locks.TEMPLATES / framework.value / "_locks" / name).read_text(
            "utf-8"
        ), f"{framework.value} {answers}: requirements.txt is not _locks/{name}"
        seen.setdefault((pyproject, requirements), f"{answers} (_locks/{name})")
    # The compiles wait on the package index: several at once.
    with ThreadPoolExecutor(max_workers=6) as pool:
        fresh = dict(zip(seen, pool.map(lambda pair: locks.compile_lock(*pair), seen), strict=True))
    for (pyproject, requirements), where in seen.items():
        assert fresh[pyproject, requirements] == requirements, (
            f"{framework.value} {where}: the lock is stale for its pyproject.toml; "
            "run `python -m scaffold.locks` and commit templates/*/_locks"
        )


def test_lock_names_are_distinct_and_cover_the_options() -> None:
    for framework in Framework:
        names = [locks.lock_name(framework, answers) for answers in locks.combinations(framework)]
        assert len(names) == len(set(names))
        assert sorted(names) == sorted(
            path.name for path in (locks.TEMPLATES / framework.value / "_locks").glob("*.txt")
        )


def test_a_pyproject_with_a_new_dependency_makes_a_different_lock() -> None:
    """The check above can fail: a lock stays current only for its own pyproject."""
    answers = next(iter(locks.combinations(Framework.flask)))
    pyproject, requirements = _render(Framework.flask, answers)
    changed = pyproject.replace("dependencies = [\n", 'dependencies = [\n    "six>=1.16",\n', 1)
    assert changed != pyproject
    fresh = locks.compile_lock(changed, requirements)
    assert "\nsix==" in fresh
    assert fresh != requirements
