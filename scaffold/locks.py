"""Refresh the dependency locks the templates ship.

    python -m scaffold.locks             # keep the pinned versions, add and drop packages
    python -m scaffold.locks --upgrade   # move every pin to the newest release

A generated project's `requirements.txt` is the universal resolution of its
`pyproject.toml` with the `dev` extra, made by `make lock` (`LOCK_COMMAND` below). The
dependencies depend on a few answers (the Python version and the options that add
packages), so each template keeps one lock per combination of them in its `_locks/` folder
(`lock_name`), which `requirements.txt.jinja` includes and copier never copies. This
renders each combination's `pyproject.toml` with copier, runs the very command of
`make lock` on it (the shipped lock as the starting point, so pins only move with
`--upgrade`) and writes the result. Run it at every release, and whenever a template's
dependencies change; tests/test_locks.py fails while a lock is stale. It needs `uv` (a dev
dependency) and the package index.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
import jinja2.sandbox
import yaml

from scaffold.errors import ScaffoldError
from scaffold.frameworks import Framework

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# The answers that change a starter's dependencies, in the order of the lock's name
# (the same order as in each template's requirements.txt.jinja).
OPTIONS: dict[Framework, tuple[str, ...]] = {
    Framework.fastapi: ("admin", "html", "tasks", "realtime"),
    Framework.django: ("tasks", "realtime"),
    Framework.flask: ("admin", "tasks"),
}

# `make lock` in a generated project, run in its folder (the Makefiles say the same).
LOCK_COMMAND = (
    "pip",
    "compile",
    "pyproject.toml",
    "--extra",
    "dev",
    "--universal",
    "--no-annotate",
    "--custom-compile-command",
    "make lock",
    "--quiet",
    "--output-file",
    "requirements.txt",
)


def python_versions(framework: Framework) -> tuple[str, ...]:
    """The choices of the template's `python_version` question."""
    config = yaml.safe_load((TEMPLATES / framework.value / "copier.yml").read_text("utf-8"))
    return tuple(str(choice) for choice in config["python_version"]["choices"])


def lock_name(framework: Framework, answers: Mapping[str, object]) -> str:
    """The file in `_locks/` for these answers, e.g. `py3.11-admin-tasks.txt`."""
    flags = "".join(f"-{option}" for option in OPTIONS[framework] if answers.get(option))
    return f"py{answers['python_version']}{flags}.txt"


def combinations(framework: Framework) -> Iterator[dict[str, object]]:
    """Every combination of the answers that change `framework`'s dependencies."""
    options = OPTIONS[framework]
    for python in python_versions(framework):
        for values in itertools.product((False, True), repeat=len(options)):
            yield {"python_version": python, **dict(zip(options, values, strict=True))}


# The other answers the pyproject uses: fixed, as they change no dependency.
_FIXED_ANSWERS = {
    "project_name": "Lock",
    "project_slug": "lock",
    "description": "Lock",
    "author_name": "Lock",
    "author_email": "lock@example.com",
    "database": "sqlite",
    "docker": False,
    "ci": "none",
}


def render_pyproject(framework: Framework, answers: Mapping[str, object]) -> str:
    """The `pyproject.toml` a project generated with `answers` gets.

    Rendered with copier's Jinja set-up (its default filters, trailing newline kept) but
    without a whole copier run, which takes seconds each; a variable the template needs
    and this does not give is an error, and tests/test_locks.py renders with copier.
    """
    environment = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES / framework.value),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("pyproject.toml.jinja")
    try:
        return template.render({**_FIXED_ANSWERS, **answers})
    except jinja2.UndefinedError as error:
        raise ScaffoldError(f"{framework.value}/pyproject.toml.jinja: {error}") from None


def uv() -> str:
    """The `uv` next to this Python (the dev venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        raise ScaffoldError("uv is not installed", hint="pip install -e '.[dev]'")
    return found


def compile_lock(pyproject: str, previous: str | None = None, *, upgrade: bool = False) -> str:
    """What `make lock` writes for `pyproject` when `previous` is the current lock."""
    with tempfile.TemporaryDirectory(prefix="scaffold-lock-") as scratch:
        folder = Path(scratch)
        (folder / "pyproject.toml").write_text(pyproject, "utf-8")
        if previous is not None:
            (folder / "requirements.txt").write_text(previous, "utf-8")
        command = [uv(), *LOCK_COMMAND, *(["--upgrade"] if upgrade else [])]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ScaffoldError(f"uv pip compile failed: {done.stderr.strip()}")
        return (folder / "requirements.txt").read_text("utf-8")


def refresh(*, upgrade: bool = False, jobs: int = 6) -> dict[Framework, list[str]]:
    """Rewrite every framework's locks; return the names of the files that changed."""
    # Combinations with the same pyproject share one resolution; all compile at once.
    work: dict[tuple[Framework, str], list[str]] = {}
    for framework in Framework:
        for answers in combinations(framework):
            pyproject = render_pyproject(framework, answers)
            work.setdefault((framework, pyproject), []).append(lock_name(framework, answers))

    def one(item: tuple[tuple[Framework, str], list[str]]) -> tuple[Framework, list[str], str]:
        (framework, pyproject), names = item
        current = TEMPLATES / framework.value / "_locks" / names[0]
        previous = current.read_text("utf-8") if current.is_file() else None
        return framework, names, compile_lock(pyproject, previous, upgrade=upgrade)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, work.items()))
    changed: dict[Framework, list[str]] = {framework: [] for framework in Framework}
    for framework, names, lock in results:
        folder = TEMPLATES / framework.value / "_locks"
        folder.mkdir(exist_ok=True)
        for name in names:
            path = folder / name
            if not path.is_file() or path.read_text("utf-8") != lock:
                path.write_text(lock, "utf-8")
                changed[framework].append(name)
    for framework in Framework:
        expected = {name for (fw, _), names in work.items() if fw is framework for name in names}
        for stale in (TEMPLATES / framework.value / "_locks").glob("*.txt"):
            if stale.name not in expected:
                stale.unlink()
                changed[framework].append(stale.name)
    return {framework: sorted(names) for framework, names in changed.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scaffold.locks", description=__doc__)
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest")
    parser.add_argument("--jobs", type=int, default=6, help="compiles at once (default 6)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    started = time.monotonic()
    try:
        for framework, changed in refresh(upgrade=args.upgrade, jobs=args.jobs).items():
            note = ", ".join(changed) if changed else "unchanged"
            print(f"{framework.label}: {note}")
    except ScaffoldError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.exit_code
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
