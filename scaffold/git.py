"""Thin helpers around the git command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scaffold.errors import ScaffoldError

# Settings that make scaffold's own commits work whatever the user's git config says
# (signing, hooks); the identity is only a fallback, see `commit`.
_SAFE = ("-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.hooksPath=")


def git(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> str:
    """Run `git args` in `cwd` and return its stripped stdout.

    A failure raises `ScaffoldError` naming git's last line of complaint, or returns ""
    when `check` is false.
    """
    if shutil.which("git") is None:
        raise ScaffoldError("git is not installed", hint="install git and try again")
    result = subprocess.run(
        ["git", *_SAFE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        if not check:
            return ""
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = lines[-1] if lines else f"exit code {result.returncode}"
        raise ScaffoldError(f"git {args[0]} failed in {cwd}: {detail}")
    return result.stdout.strip()


def _identity_env(cwd: Path) -> dict[str, str]:
    """A fallback author for machines where git has no user configured."""
    if "email" in user_identity(cwd):
        return {}
    return {
        "GIT_AUTHOR_NAME": "scaffold",
        "GIT_AUTHOR_EMAIL": "scaffold@localhost",
        "GIT_COMMITTER_NAME": "scaffold",
        "GIT_COMMITTER_EMAIL": "scaffold@localhost",
    }


def user_identity(cwd: Path) -> dict[str, str]:
    """The user's git `user.name` and `user.email`, as far as they are configured."""
    found = git("config", "--get-regexp", r"^user\.(name|email)$", cwd=cwd, check=False)
    identity = {}
    for line in found.splitlines():
        key, _, value = line.partition(" ")
        if value.strip():
            identity[key.removeprefix("user.")] = value.strip()
    return identity


def commit_all(cwd: Path, message: str) -> None:
    """Stage every file of the work tree and commit it (the user's identity if set)."""
    git("add", "--all", cwd=cwd)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=cwd, env=_identity_env(cwd))


def has_commit(repo: Path, ref: str) -> bool:
    """True if `ref` (a tag, branch or commit id) names a commit in `repo`."""
    return bool(git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=repo, check=False))


def is_git_url(source: str) -> bool:
    """True if `source` names a remote repository rather than a local path."""
    return "://" in source or source.startswith(("git@", "gh:", "gl:"))


def is_repo_root(path: Path) -> bool:
    """True if `path` is the top folder of a git work tree."""
    top = git("rev-parse", "--show-toplevel", cwd=path, check=False)
    return bool(top) and Path(top).resolve() == path.resolve()


def dirty_files(path: Path) -> list[str]:
    """Files of the work tree that differ from HEAD or are untracked (porcelain lines)."""
    out = git("status", "--porcelain", cwd=path)
    return [line for line in out.splitlines() if line.strip()]
