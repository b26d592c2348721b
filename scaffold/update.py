"""Bring a generated project up to a newer template version (a safe `copier update`)."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scaffold.errors import BadInput, ScaffoldError
from scaffold.generate import ANSWERS_FILE, read_answers
from scaffold.git import commit_all, dirty_files, git, has_commit, is_git_url, is_repo_root
from scaffold.migrations import Outcome, linearize

CONFLICT_MARKER = "<<<<<<< before updating"
Conflict = Literal["inline", "rej"]


@dataclass(frozen=True)
class UpdateResult:
    """What an update did (or, with `pretend`, would do)."""

    project: Path
    old_version: str | None
    new_version: str | None
    changes: list[str]  # git status --porcelain lines
    conflicts: list[str]  # files left with conflict markers (or .rej files)
    diff: str  # only filled when pretending
    source: str  # the template source updated from
    moved_from: str | None  # the recorded template source, when it was re-pointed
    notes: list[tuple[str, str]]  # (version, what it changed) for the versions brought in
    migrations: list[Outcome] = field(default_factory=list)  # merges made, or left to do


def _resolve_source(source: str, old_version: str) -> tuple[str, str | None]:
    """The source to update from and the ref to update to (None: copier's newest tag)."""
    from scaffold import store

    if not is_git_url(source) and (framework := store.framework_of(source)) is not None:
        stored = store.sync(framework)  # bring in templates of a newly installed scaffold
        if not has_commit(stored.path, old_version):
            raise ScaffoldError(
                f"the project's template version {old_version} is not in this machine's "
                f"template store ({stored.path}), nor in scaffold's shipped history",
                hint="point the project at a repository that has it: "
                "scaffold update --template-source PATH_OR_URL",
            )
        return str(stored.path), stored.tag
    if not is_git_url(source) and not Path(source).expanduser().exists():
        raise ScaffoldError(
            f"the template source {source} no longer exists",
            hint="point the project at its new location: "
            "scaffold update --template-source PATH_OR_URL",
        )
    return source, None


def _notes(source: str, ref: str | None, old: str, new: str | None) -> list[tuple[str, str]]:
    """What the versions brought in say they changed (scaffold's own store only)."""
    from scaffold import store

    if ref is None or new is None or new == old:  # only a store source comes with a ref
        return []
    return store.release_notes(Path(source), old, new)


def _repoint(project: Path, source: str) -> str:
    """Record `source` as the project's template source, in a commit of its own."""
    if not is_git_url(source):
        source = str(Path(source).expanduser().resolve())
    path = project / ANSWERS_FILE
    lines = path.read_text().splitlines(keepends=True)
    new_line = f"_src_path: {json.dumps(source)}\n"  # a JSON string is a YAML string
    replaced = [new_line if line.startswith("_src_path:") else line for line in lines]
    path.write_text("".join(replaced))
    commit_all(project, f"Point the template source at {source}")
    return source


def _conflicts(project: Path) -> list[str]:
    found = []
    for line in dirty_files(project):
        name = line[3:].strip().strip('"')
        file = project / name
        if line.startswith(("UU", "AA")) or name.endswith(".rej"):
            found.append(name)
        elif file.is_file():
            try:
                if CONFLICT_MARKER in file.read_text(errors="ignore"):
                    found.append(name)
            except OSError:
                continue
    return found


def update(
    project: Path,
    *,
    pretend: bool = False,
    answers: dict[str, Any] | None = None,
    use_defaults: bool = True,
    template_source: str | None = None,
    conflict: Conflict = "inline",
    quiet: bool = True,
) -> UpdateResult:
    """Update `project` to the newest template version, keeping the owners' changes.

    Refuses a project that is not a clean git work tree. Conflicting changes are left as
    inline conflict markers (or `.rej` files with `conflict="rej"`), never dropped.
    With `pretend`, the update runs on a throw-away clone and only its diff is returned.
    """
    project = project.resolve()
    if not (project / ANSWERS_FILE).is_file() and project.is_dir():
        top = git("rev-parse", "--show-toplevel", cwd=project, check=False)
        if top and (Path(top) / ANSWERS_FILE).is_file():
            raise BadInput(
                f"{project} is inside a generated project, not at its root",
                hint=f"scaffold update {top}   (or run it in {top})",
            )
    recorded = read_answers(project)
    if not is_repo_root(project):
        raise BadInput(
            f"{project} is not the root of a git repository; copier update needs one",
            hint="git init && git add --all && git commit -m 'Initial commit'",
        )
    if dirty := dirty_files(project):
        raise BadInput(
            f"{project} has uncommitted changes ({len(dirty)} file"
            f"{'' if len(dirty) == 1 else 's'}); an update needs a clean tree",
            hint="commit or stash them first (git status lists them)",
        )
    source = recorded.get("_src_path")
    old_version = recorded.get("_commit")
    if not source or not old_version:
        raise BadInput(
            f"{ANSWERS_FILE} records no versioned template source, so there is nothing to "
            "update from",
            hint="the project was rendered from an unversioned folder; see docs/updating.md",
        )
    # Check the source before re-pointing, so a wrong --template-source changes nothing.
    recorded_source = source
    source, ref = _resolve_source(str(template_source or source), str(old_version))
    repoint = source != recorded_source  # asked for, or a store from another machine
    moved_from = recorded_source if repoint else None
    if repoint and not pretend:
        source = _repoint(project, source)  # copier reads the source from the answers file

    if not pretend:
        _run_copier_update(project, ref, answers, use_defaults, conflict, quiet)
        merged = linearize(project, read_answers(project))
        changes = dirty_files(project)
        new = read_answers(project).get("_commit")
        conflicts = _conflicts(project)
        notes = _notes(source, ref, old_version, new)
        return UpdateResult(
            project, old_version, new, changes, conflicts, "", source, moved_from, notes, merged
        )

    scratch = Path(tempfile.mkdtemp(prefix="scaffold-pretend-"))
    try:
        clone = scratch / project.name
        git("clone", "--quiet", str(project), str(clone), cwd=scratch)
        if repoint:
            source = _repoint(clone, source)
        _run_copier_update(clone, ref, answers, use_defaults, conflict, quiet)
        changes, conflicts = dirty_files(clone), _conflicts(clone)
        # Staging everything (conflicted files included) diffs each file against HEAD;
        # an unstaged diff would show a conflicted file as a whole new file.
        git("add", "--all", cwd=clone)
        diff = git("diff", "--cached", "--no-color", cwd=clone)
        new = read_answers(clone).get("_commit")
        notes = _notes(source, ref, old_version, new)
        return UpdateResult(
            project, old_version, new, changes, conflicts, diff, source, moved_from, notes
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_copier_update(
    project: Path,
    ref: str | None,
    answers: dict[str, Any] | None,
    use_defaults: bool,
    conflict: Conflict,
    quiet: bool,
) -> None:
    from copier import run_update
    from copier.errors import CopierError, InteractiveSessionError

    from scaffold.compile_cache import compiled_templates

    try:
        with compiled_templates():
            run_update(
                project,
                data=answers or {},
                defaults=use_defaults,
                overwrite=True,
                vcs_ref=ref,
                conflict=conflict,
                unsafe=False,
                quiet=quiet,
            )
    except KeyboardInterrupt:
        raise KeyboardInterrupt from None  # copier's subclass carries a screenful of repr
    except InteractiveSessionError as exc:
        raise BadInput(f"cannot ask the template's questions here: {exc}") from exc
    except CopierError as exc:
        raise ScaffoldError(f"copier could not update the project: {exc}") from exc
    except ValueError as exc:
        raise BadInput(str(exc).splitlines()[0] if str(exc) else "invalid answer") from exc
