"""Bring a generated project up to a newer template version (a safe `copier update`).

On top of `copier update`, an update here never loses the owner's work:

- it refuses, before anything changes, a recorded answer that the newer template refuses
  (copier would silently replace it with the default);
- a file the owner changed that the template no longer produces (dropped, renamed, or
  switched off by a changed answer) is restored after copier deleted it, and reported;
- only conflicts that this update made are reported, with where each side is.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scaffold.errors import BadInput, ScaffoldError, answer_error, copier_errors
from scaffold.frameworks import Framework
from scaffold.generate import ANSWERS_FILE
from scaffold.git import commit_all, dirty_files, git, has_commit, is_git_url, is_repo_root
from scaffold.migrations import linearize

CONFLICT_MARKER = "<<<<<<< before updating"
Conflict = Literal["inline", "rej"]


@dataclass(frozen=True, kw_only=True)
class UpdateResult:
    """What an update did (or, with `pretend`, would do)."""

    project: Path
    old_version: str | None
    new_version: str | None
    changes: list[str]  # git status --porcelain lines
    conflicts: list[str]  # files this update left in conflict (their .rej beside them in rej)
    conflict_mode: Conflict = "inline"
    kept: list[str] = field(default_factory=list)  # owner-changed files the template dropped
    dropped_answers: list[str] = field(default_factory=list)  # recorded, no such question
    dirty: list[str] = field(default_factory=list)  # uncommitted files (pretend only)
    diff: str = ""  # only filled when pretending
    source: str = ""  # the template source updated from
    moved_from: str | None = None  # the recorded template source, when it was re-pointed
    notes: list[tuple[str, str]] = field(default_factory=list)  # (version, what it changed)
    # Further lines for the report from steps after copier's update (merge migrations...).
    report: list[str] = field(default_factory=list)


def read_recorded(project: Path) -> dict[str, Any]:
    """The project's `.copier-answers.yml`, refused with its line when it is not a mapping."""
    import yaml

    path = project / ANSWERS_FILE
    if not path.is_file():
        raise BadInput(
            f"{project} is not a generated project: it has no {ANSWERS_FILE}",
            hint="run this inside a project made by scaffold new (or copier copy)",
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise BadInput(
            f"{where}: not valid YAML ({exc.problem or exc.context})",
            hint=f"fix that line; git log -p {ANSWERS_FILE} shows how it changed",
        ) from exc
    except yaml.YAMLError as exc:
        raise BadInput(f"{path} is not valid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(loaded, dict):
        kind = "nothing" if loaded is None else f"a {type(loaded).__name__}"
        raise BadInput(
            f"{path} must be a mapping of question: answer (with _src_path and _commit), "
            f"but it holds {kind}",
            hint=f"restore it from git: git log -p {ANSWERS_FILE}",
        )
    return {str(key): value for key, value in loaded.items()}


def _check_folder(project: Path) -> Path:
    """`project`, absolute, once it is known to be a folder at the root of a project."""
    if not project.exists():
        raise BadInput(f"{project} does not exist", hint="scaffold update PROJECT_FOLDER")
    if not project.is_dir():
        raise BadInput(f"{project} is not a folder", hint="scaffold update PROJECT_FOLDER")
    project = project.resolve()
    if not (project / ANSWERS_FILE).is_file():
        top = git("rev-parse", "--show-toplevel", cwd=project, check=False)
        if top and (Path(top) / ANSWERS_FILE).is_file():
            raise BadInput(
                f"{project} is inside a generated project, not at its root",
                hint=f"scaffold update {top}   (or run it in {top})",
            )
    return project


def _old_store(path: Path) -> Framework | None:
    """The framework of a scaffold store at `path` that exists but is not this machine's
    current one (SCAFFOLD_HOME or the data folder changed), else None."""
    try:
        framework = Framework(path.name)
    except ValueError:
        return None
    return framework if (path / ".git" / "scaffold-synced").is_file() else None


def _resolve_source(source: str, old_version: str) -> tuple[str, str | None]:
    """The source to update from and the ref to update to (None: copier's newest tag)."""
    from scaffold import store

    local = None if is_git_url(source) else Path(source).expanduser()
    framework = None
    if local is not None:
        framework = store.framework_of(source) or _old_store(local)
    if local is not None and framework is not None:
        stored = store.sync(framework)  # bring in templates of a newly installed scaffold
        if not has_commit(stored.path, old_version) and local.resolve() != stored.path.resolve():
            _fetch_version(stored.path, local, old_version)
        if not has_commit(stored.path, old_version):
            raise ScaffoldError(
                f"the project's template version {old_version} is not in this machine's "
                f"template store ({stored.path}), nor in scaffold's shipped history",
                hint="point the project at a repository that has it: "
                "scaffold update --template-source PATH_OR_URL",
            )
        return str(stored.path), stored.tag
    if local is not None and not local.exists():
        raise ScaffoldError(
            f"the template source {source} no longer exists",
            hint="point the project at its new location: "
            "scaffold update --template-source PATH_OR_URL",
        )
    return source, None


def _fetch_version(store_repo: Path, old_store: Path, version: str) -> None:
    """Copy tag `version` from an old store that still exists into the current one."""
    from scaffold import store

    if not (old_store / ".git").is_dir() or not has_commit(old_store, version):
        return
    with store._locked(store.store_root()):  # the store's own lock: syncs may run alongside
        if not has_commit(store_repo, version):
            ref = f"refs/tags/{version}"
            git("fetch", "--quiet", str(old_store), f"{ref}:{ref}", cwd=store_repo)


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


_ANSWER_HINT = "give it another value: scaffold update --data {key}=VALUE"


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)  # a JSON value is a YAML value, quotes and all


def _check_answers(project: Path, source: str, ref: str | None, data: dict[str, Any]) -> list[str]:
    """Refuse, before anything changes, an answer the new template's questions refuse:
    a recorded one, or one given with --data. Return the recorded answers the new
    template has no question for (copier drops them).

    copier itself discards a recorded answer that fails its question's validator or
    choices and quietly takes the default, so this asks the same questions first. copier
    has no public API for it: this follows `Worker._ask` of copier 9 (pinned below 10),
    and tests/test_update_safety.py fails if copier changes underneath.
    """
    from copier._main import Worker
    from copier._user_data import AnswersMap, Question

    with (
        copier_errors(
            "cannot read the new template's questions",
            answer_hint=_ANSWER_HINT,
            ask_hint="pass answers with --data KEY=VALUE",
        ),
        Worker(
            src_path=source,
            dst_path=project,
            vcs_ref=ref,
            data=data,
            defaults=True,
            quiet=True,
            unsafe=False,
            overwrite=True,
        ) as worker,
    ):
        last = dict(worker.subproject.last_answers)
        worker.answers = AnswersMap(
            user_defaults=worker.user_defaults,
            init=worker.data,
            last=last,
            metadata=worker.template.metadata,
            external=worker._external_data(),
        )
        questions = worker.template.questions_data
        version = worker.template.version
        if unknown := sorted(set(data) - set(questions)):
            raise BadInput(
                f"template {version} has no question {unknown[0]!r}",
                hint="its questions: " + ", ".join(questions),
            )
        for name, details in questions.items():
            given = name in data
            if not given and name not in last:
                continue
            answer = data[name] if given else last[name]
            question = Question(
                answers=worker.answers,
                context=worker._render_context(),
                jinja_env=worker.jinja_env,
                settings=worker.settings,
                var_name=name,
                **details,
            )
            if not question.get_when():
                continue  # the template no longer asks it here; copier drops it by design
            try:
                question.validate_answer(question.parse_answer(answer))
            except ValueError as exc:
                refused = answer_error(exc)
                why = refused[1] if refused else (str(exc).strip().splitlines() or [repr(exc)])[0]
                what = "the answer given with --data" if given else "the recorded answer"
                raise BadInput(
                    f"template {version} refuses {what} {name}={_shown(answer)}: {why}",
                    hint=f"nothing was changed; {_ANSWER_HINT.format(key=name)}",
                ) from exc
    return sorted(key for key in last if not key.startswith("_") and key not in questions)


def _blob_id(repo: Path, file: Path) -> str:
    return git("hash-object", "--", str(file), cwd=repo)


def _render_old(source: str, version: str, recorded: dict[str, Any], into: Path) -> bool:
    """Render template `version` with the recorded answers into `into` (False: it failed)."""
    from copier import run_copy
    from copier.errors import CopierError

    from scaffold.compile_cache import compiled_templates

    public = {k: v for k, v in recorded.items() if not k.startswith("_")}
    try:
        with compiled_templates():
            run_copy(
                source,
                into,
                data=public,
                defaults=True,
                vcs_ref=version,
                quiet=True,
                unsafe=False,
                overwrite=True,
            )
    except (CopierError, ValueError):
        return False
    return True


def _keep_owner_files(
    target: Path, source: str, old_version: str, recorded: dict[str, Any]
) -> list[str]:
    """Restore the files copier deleted that the owner had changed; return their names.

    copier deletes every file the old template version produced and the new one (with the
    new answers) does not, changed or not. A file counts as the owner's when its committed
    content differs from what the old version rendered (or the old version never made it).
    When the old version cannot be rendered again, every deleted file is kept.
    """
    listing = git("diff", "--name-only", "--diff-filter=D", "-z", "HEAD", cwd=target)
    deleted = [name for name in listing.split("\0") if name]
    if not deleted:
        return []
    kept = []
    with tempfile.TemporaryDirectory(prefix="scaffold-old-") as scratch:
        old = Path(scratch) / "old"
        rendered = _render_old(source, old_version, recorded, old)
        for name in deleted:
            was = old / name
            untouched = (
                rendered
                and was.is_file()
                and not was.is_symlink()
                and _blob_id(target, was) == git("rev-parse", f"HEAD:{name}", cwd=target)
            )
            if not untouched:  # the template's file as it made it may go; the owner's stays
                kept.append(name)
    if kept:
        git("checkout", "HEAD", "--", *kept, cwd=target)
    return kept


def _marker_count(text: bytes) -> int:
    return sum(1 for line in text.splitlines() if line.rstrip() == CONFLICT_MARKER.encode())


def _rej_files(target: Path) -> set[str]:
    """Every .rej file in the work tree, ignored ones included."""
    listing = git("status", "--porcelain", "--ignored", "--untracked-files=all", cwd=target)
    names = (line[3:].strip().strip('"') for line in listing.splitlines())
    return {name for name in names if name.endswith(".rej")}


def _committed(target: Path, name: str) -> bytes:
    result = subprocess.run(
        ["git", "cat-file", "blob", f"HEAD:{name}"], cwd=target, capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else b""


def _new_conflicts(target: Path, rej_before: set[str], conflict: Conflict) -> list[str]:
    """The files this update left in conflict: new .rej files (rej), or more
    `<<<<<<< before updating` lines than the committed file had (inline)."""
    if conflict == "rej":
        return sorted(name.removesuffix(".rej") for name in _rej_files(target) - rej_before)
    found = []
    listing = git("diff", "--name-only", "--diff-filter=M", "-z", "HEAD", cwd=target)
    for name in (n for n in listing.split("\0") if n):
        file = target / name
        if not file.is_file():
            continue
        try:
            after = _marker_count(file.read_bytes())
        except OSError:
            continue
        if after > _marker_count(_committed(target, name)):
            found.append(name)
    # copier marks a file unmerged in git's index whenever it holds marker lines after its
    # merge, old ones included; a file with no new markers merged cleanly.
    unmerged = git("diff", "--name-only", "--diff-filter=U", "-z", cwd=target)
    if clean := [name for name in unmerged.split("\0") if name and name not in found]:
        git("reset", "--quiet", "--", *clean, cwd=target)
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

    Refuses a project that is not a clean git work tree (except with `pretend`, which
    previews the update of the last commit). Conflicting changes are left as inline
    conflict markers (or `.rej` files with `conflict="rej"`), never dropped; files the
    owner changed are never deleted; a recorded answer the new template refuses stops the
    update before anything changed. With `pretend`, the update runs on a throw-away clone
    and only its diff is returned.
    """
    answers = dict(answers or {})
    project = _check_folder(project)
    recorded = read_recorded(project)
    if not is_repo_root(project):
        raise BadInput(
            f"{project} is not the root of a git repository; copier update needs one",
            hint="git init && git add --all && git commit -m 'Initial commit'",
        )
    dirty = dirty_files(project)
    if dirty and not pretend:
        raise BadInput(
            f"{project} has uncommitted changes ({len(dirty)} file"
            f"{'' if len(dirty) == 1 else 's'}); an update needs a clean tree",
            hint="commit or stash them first (git status lists them); "
            "scaffold update --pretend previews it anyway",
        )
    source = recorded.get("_src_path")
    old_version = recorded.get("_commit")
    if not source or not old_version:
        raise BadInput(
            f"{ANSWERS_FILE} records no versioned template source, so there is nothing to "
            "update from",
            hint="the project was rendered from an unversioned folder; see docs/updating.md",
        )
    old_version = str(old_version)
    # Check the source and the answers before re-pointing: a refusal changes nothing.
    recorded_source = str(source)
    source, ref = _resolve_source(str(template_source or source), old_version)
    dropped = _check_answers(project, source, ref, answers)
    repoint = source != recorded_source  # asked for, or a store from another machine
    moved_from = recorded_source if repoint else None

    def run(target: Path, source: str) -> UpdateResult:
        """Update `target` (the project, or a clone of it) from `source`."""
        rej_before = _rej_files(target) if conflict == "rej" else set()
        _run_copier_update(target, ref, answers, use_defaults, conflict, quiet)
        kept = _keep_owner_files(target, source, old_version, recorded)
        for name in kept:  # restored whole: copier's rejected hunks of it are moot
            if f"{name}.rej" not in rej_before:
                (target / f"{name}.rej").unlink(missing_ok=True)
        conflicts = _new_conflicts(target, rej_before, conflict)
        # Steps that run after copier's update go here, each adding its lines to the
        # report (scaffold.migrations: the merge migrations it made, or what to run).
        report: list[str] = []
        if not pretend:  # a preview changes nothing, so it adds no merge migration either
            report += [f"Migrations: {o.message}" for o in linearize(target, read_recorded(target))]
        new = read_recorded(target).get("_commit")
        return UpdateResult(
            project=project,
            old_version=old_version,
            new_version=None if new is None else str(new),
            changes=dirty_files(target),
            conflicts=conflicts,
            conflict_mode=conflict,
            kept=kept,
            dropped_answers=dropped,
            source=source,
            moved_from=moved_from,
            notes=_notes(source, ref, old_version, new),
            report=report,
        )

    if not pretend:
        if repoint:
            source = _repoint(project, source)  # copier reads the source from the answers
        return run(project, source)

    scratch = Path(tempfile.mkdtemp(prefix="scaffold-pretend-"))
    try:
        clone = scratch / project.name
        git("clone", "--quiet", str(project), str(clone), cwd=scratch)
        if repoint:
            source = _repoint(clone, source)
        result = run(clone, source)
        # Staging everything (conflicted files included) diffs each file against HEAD;
        # an unstaged diff would show a conflicted file as a whole new file.
        git("add", "--all", cwd=clone)
        diff = git("diff", "--cached", "--no-color", cwd=clone)
        return dataclasses.replace(result, diff=diff, dirty=dirty)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_copier_update(
    project: Path,
    ref: str | None,
    answers: dict[str, Any],
    use_defaults: bool,
    conflict: Conflict,
    quiet: bool,
) -> None:
    from copier import run_update

    from scaffold.compile_cache import compiled_templates

    with (
        copier_errors(
            "copier could not update the project",
            answer_hint=_ANSWER_HINT,
            ask_hint="pass answers with --data KEY=VALUE instead of --ask",
        ),
        compiled_templates(),
    ):
        run_update(
            project,
            data=answers,
            defaults=use_defaults,
            overwrite=True,
            vcs_ref=ref,
            conflict=conflict,
            unsafe=False,
            quiet=quiet,
        )
