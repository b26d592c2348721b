"""Helpers shared by the scaffolder's test files (plain functions, no fixtures).

One copy each of: reading a template's ``copier.yml`` (its questions and the values they
accept), finding Jinja left in a rendered project, running ruff on it, and making a tagged
git repository of a template. The starters' suite (tests/starters) uses them too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = REPO_ROOT / "templates"

#: Jinja markers left in rendered output. ``${{ ... }}`` (GitHub Actions expressions) is
#: not one.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")
_SKIPPED_DIRS = frozenset({".venv", ".git", ".mypy_cache", ".ruff_cache", "node_modules"})


def copier_config(framework_or_path: str | Path) -> dict[str, Any]:
    """The whole ``copier.yml`` of ``templates/<framework>`` (or of a template folder)."""
    import yaml

    folder = (
        Path(framework_or_path)
        if isinstance(framework_or_path, Path)
        else TEMPLATES / framework_or_path
    )
    loaded = yaml.safe_load((folder / "copier.yml").read_text("utf-8"))
    assert isinstance(loaded, dict), f"{folder}/copier.yml is not a mapping"
    return loaded


def copier_questions(framework_or_path: str | Path) -> dict[str, Any]:
    """The questions of a template: its ``copier.yml`` without the ``_`` settings."""
    return {k: v for k, v in copier_config(framework_or_path).items() if not k.startswith("_")}


def has_question(framework_or_path: str | Path, question: str) -> bool:
    """Whether the template asks ``question``."""
    return question in copier_questions(framework_or_path)


def question_values(framework_or_path: str | Path, question: str) -> list[Any]:
    """The values a bool or multiple-choice question accepts.

    Booleans give ``[False, True]``; ``choices`` (a list or a label -> value mapping) give
    their values. Reading them from the template keeps option matrices honest.
    """
    spec = copier_questions(framework_or_path)[question]
    if spec.get("type") == "bool":
        return [False, True]
    choices = spec["choices"]
    return list(choices.values()) if isinstance(choices, dict) else list(choices)


#: Extensions of the run-time page templates of a generated app.
PAGE_TEMPLATE_SUFFIXES = frozenset({".html", ".txt", ".xml", ".jinja", ".j2"})


def is_page_template(relative: Path) -> bool:
    """Whether ``relative`` (a path inside a rendered project) is a run-time page template,
    written in Jinja or Django syntax on purpose: under the app's own ``templates/`` or, in
    FastAPI, ``admin_templates/`` (SQLAdmin page overrides)."""
    in_templates = any(part.endswith("templates") for part in relative.parts[:-1])
    return in_templates and relative.suffix in PAGE_TEMPLATE_SUFFIXES


def generated_files(root: Path) -> Iterator[Path]:
    """Every path under a rendered project, without tool and VCS folders."""
    for path in sorted(root.rglob("*")):
        if _SKIPPED_DIRS.isdisjoint(path.relative_to(root).parts):
            yield path


def leftover_jinja(root: Path) -> list[str]:
    """Jinja left in a rendered project: ``file name: ...`` or ``path:line: text`` entries.

    Page templates of the generated app and binary files are not read.
    """
    found: list[str] = []
    for path in generated_files(root):
        relative = path.relative_to(root)
        if LEFTOVER_JINJA.search(str(relative)):
            found.append(f"file name: {relative}")
        if path.is_dir() or is_page_template(relative):
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if LEFTOVER_JINJA.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def assert_no_leftover_jinja(root: Path) -> None:
    """Fail naming every place Jinja was left in a rendered project."""
    found = leftover_jinja(root)
    assert not found, "Jinja left in the generated project:\n" + "\n".join(found)


def run_ruff(project: Path, env: Mapping[str, str] | None = None, timeout: float = 120) -> None:
    """``ruff check`` and ``ruff format --check`` in ``project``, failing with their output.

    ``env`` replaces this process's environment (the starters' suite passes a clean one).
    """
    ruff = Path(sys.executable).with_name("ruff")
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    for args in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [*command, *args],
            cwd=project,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"ruff {args[0]} in {project}:\n{result.stdout}{result.stderr}"
        )


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def tagged_repo(source: Path | None, dest: Path, tag: str = "99.0.0") -> Path:
    """A git repository at ``dest`` holding a copy of the template ``source`` (``None``: the
    files already in ``dest``), one commit tagged ``tag`` (copier renders the newest tag, as
    from scaffold's store). The commit uses the test session's git identity (conftest)."""
    if source is not None:
        shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)
    _git("init", "--quiet", cwd=dest)
    _git("add", "--all", cwd=dest)
    _git("commit", "--quiet", "--no-verify", "-m", f"template {tag}", cwd=dest)
    _git("tag", tag, cwd=dest)
    return dest
