"""The local template store: versioned git copies of the templates this package ships.

`copier update` needs a git-versioned template, but a pip-installed package is a plain
folder. So scaffold keeps one git repository per framework in the user's data folder
(`$SCAFFOLD_HOME`, else `$XDG_DATA_HOME/scaffold`, else `~/.local/share/scaffold`), and
`sync` commits and tags the package's template there whenever its content changes: one
tagged commit per template version. Projects record the store path and commit in
`.copier-answers.yml`, so both `scaffold update` and a plain `copier update` resolve them
on this machine, before and after an upgrade of scaffold.

Released versions are shipped too, as one git bundle per framework in
`templates/_history/` (written by `python -m scaffold.history` at release time). A sync
fetches their tags first, so every machine's store holds every released version under the
same tag and commit: a project made elsewhere, or before the data folder was deleted, can
still be updated. Shipped content equal to a released version reuses that version's tag.

Syncing is idempotent (a fingerprint of the shipped files skips all git work when nothing
changed) and safe under concurrent runs (an exclusive file lock around every write).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.errors import ScaffoldError
from scaffold.frameworks import Framework
from scaffold.git import git

HISTORY_FOLDER = "_history"
IGNORED = ("__pycache__", "*.pyc", "*.pyo")
IDENTITY = {
    "GIT_AUTHOR_NAME": "scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@localhost",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@localhost",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+00:00",
}


def package_templates() -> Path:
    """The folder holding the templates shipped with this installation."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "fastapi" / "copier.yml").is_file():
            return candidate
    raise ScaffoldError("this installation of scaffold has no templates", hint="reinstall it")


def history_bundle(framework: Framework) -> Path:
    """The shipped git bundle of `framework`'s released template versions (may not exist)."""
    return package_templates() / HISTORY_FOLDER / f"{framework.value}.bundle"


def store_root() -> Path:
    """Where the versioned template repositories live."""
    if home := os.environ.get("SCAFFOLD_HOME"):
        return Path(home).expanduser() / "templates"
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data).expanduser() / "scaffold" / "templates"


@dataclass(frozen=True)
class StoredTemplate:
    """A template version in the store: the repository to render from and its tag."""

    framework: Framework
    path: Path
    tag: str


def fingerprint(folder: Path, *extra: Path) -> str:
    """A digest of every shipped file's path and content, and of the `extra` files."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder)
        if "__pycache__" in relative.parts or file.suffix in (".pyc", ".pyo"):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    for file in extra:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the store for the duration of the block."""
    import fcntl  # POSIX only; imported here to keep the module importable everywhere

    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _marker(repo: Path) -> Path:
    return repo / ".git" / "scaffold-synced"


def _read_marker(repo: Path, expected: str) -> str | None:
    """The tag recorded for fingerprint `expected`, if the store is already in sync."""
    try:
        recorded, tag = _marker(repo).read_text().split()
    except (OSError, ValueError):
        return None
    return tag if recorded == expected else None


def version_key(tag: str) -> tuple[int, Any]:
    """Sort key of tags: PEP 440 versions in order, anything else first."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(tag))
    except InvalidVersion:
        return (0, tag)


def released_versions(bundle: Path) -> list[str]:
    """The versions (tags) a history bundle holds, oldest first; none if it is missing."""
    if not bundle.is_file():
        return []
    heads = git("bundle", "list-heads", str(bundle), cwd=bundle.parent).splitlines()
    tags = [line.split()[1].removeprefix("refs/tags/") for line in heads if " refs/tags/" in line]
    return sorted(tags, key=version_key)


def _import_history(repo: Path, bundle: Path) -> None:
    """Fetch the released versions of `bundle` that the store does not have yet."""
    have = set(git("tag", "--list", cwd=repo).split())
    missing = [f"refs/tags/{v}" for v in released_versions(bundle) if v not in have]
    if missing:  # a tag made locally under the same name is kept: projects may record it
        git("fetch", "--quiet", str(bundle), *(f"{ref}:{ref}" for ref in missing), cwd=repo)


def _tag_of_tree(repo: Path, tree: str) -> str | None:
    """The newest tag whose commit has exactly `tree` as its content."""
    listing = git("for-each-ref", "--format=%(refname:short) %(tree)", "refs/tags", cwd=repo)
    same = [line.split()[0] for line in listing.splitlines() if line.split()[1:] == [tree]]
    return max(same, key=version_key) if same else None


def release_notes(repo: Path, old: str, new: str) -> list[tuple[str, str]]:
    """The notes of each version after `old` up to `new`, oldest first (those that have any)."""
    after, upto = version_key(old), version_key(new)
    tags = [t for t in git("tag", "--list", cwd=repo).split() if after < version_key(t) <= upto]
    notes = []
    for tag in sorted(tags, key=version_key):
        if body := git("log", "-1", "--format=%b", tag, cwd=repo).strip():
            notes.append((tag, body))
    return notes


def _set_head(repo: Path, ref: str) -> None:
    """Move the store's branch to `ref` (index and files are already in place)."""
    git("update-ref", "HEAD", git("rev-parse", f"{ref}^{{commit}}", cwd=repo), cwd=repo)


def _next_tag(repo: Path) -> str:
    """The tag for a new template version: the package version, then .postN if taken."""
    existing = set(git("tag", "--list", cwd=repo).split())
    if __version__ not in existing:
        return __version__
    n = 1
    while f"{__version__}.post{n}" in existing:
        n += 1
    return f"{__version__}.post{n}"


def sync(framework: Framework) -> StoredTemplate:
    """Bring the store's copy of `framework`'s template in line with the shipped one."""
    source = package_templates() / framework.value
    bundle = history_bundle(framework)
    repo = store_root() / framework.value
    wanted = fingerprint(source, bundle)
    if tag := _read_marker(repo, wanted):
        return StoredTemplate(framework, repo, tag)
    with _locked(store_root()):
        if tag := _read_marker(repo, wanted):  # another process synced while we waited
            return StoredTemplate(framework, repo, tag)
        if not (repo / ".git").is_dir():
            repo.mkdir(parents=True, exist_ok=True)
            git("init", "--quiet", cwd=repo)
        _import_history(repo, bundle)
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(source, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*IGNORED))
        git("add", "--all", cwd=repo)
        tree = git("write-tree", cwd=repo)
        tag = _tag_of_tree(repo, tree)
        if tag is not None:  # a version the store already holds: point HEAD at it
            _set_head(repo, tag)
        else:
            head_tree = git(
                "rev-parse", "--verify", "--quiet", "HEAD^{tree}", cwd=repo, check=False
            )
            tags = git("tag", "--list", cwd=repo).split()
            if not head_tree and tags:  # a fresh store: build on the newest released version
                _set_head(repo, max(tags, key=version_key))
            if head_tree != tree:
                # A fixed author and date make the commit a function of content and history,
                # so two machines that synced the same versions record the same `_commit`.
                git(
                    "commit",
                    "--quiet",
                    "-m",
                    f"{framework.label} template from scaffold {__version__}",
                    cwd=repo,
                    env=IDENTITY,
                )
            tag = _next_tag(repo)
            git("tag", tag, cwd=repo)
        marker = _marker(repo)
        marker.with_suffix(".tmp").write_text(f"{wanted} {tag}\n")
        marker.with_suffix(".tmp").replace(marker)
        return StoredTemplate(framework, repo, tag)


def framework_of(src_path: str) -> Framework | None:
    """The framework whose store repository the local path `src_path` is, else None.

    Besides this machine's store, a store path recorded on another machine (or before the
    data folder moved) counts when it no longer exists here and has a store's shape,
    `.../templates/<framework>`: the shipped history gives this store the same versions.
    """
    path = Path(src_path).expanduser()
    try:
        framework = Framework(path.name)
    except ValueError:
        return None
    if path.parent.resolve() == store_root().resolve():
        return framework
    if path.parent.name == "templates" and not path.exists():
        return framework
    return None
