"""Render a new project from a template, all or nothing.

The project is rendered into a hidden staging folder next to the destination, committed
with git there, and only then renamed into place. An error or Ctrl-C at any point removes
the staging folder (and any parent folders we created), so no half-written project is left.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.errors import BadInput, ScaffoldError, copier_errors
from scaffold.frameworks import Framework
from scaffold.git import commit_all, git, is_git_url, user_identity
from scaffold.names import check_project_name, check_slug, slugify

ANSWERS_FILE = ".copier-answers.yml"
_EMAIL = re.compile(r"[^@ ]+@[^@ ]+[.][^@ ]+")  # the templates' author_email validator


@dataclass
class NewProject:
    """Everything needed to render one project."""

    destination: Path  # absolute, already checked by `names.check_destination`
    framework: Framework
    answers: dict[str, Any] = field(default_factory=dict)  # fixed answers (--data, file)
    suggestions: dict[str, Any] = field(default_factory=dict)  # defaults the user may change
    use_defaults: bool = False  # accept every default, never prompt
    interactive: bool = False  # prompts are possible (stdin is a terminal)
    template_source: str | None = None  # a team's template repository instead of the store
    quiet: bool = True


@dataclass(frozen=True)
class Created:
    """A rendered project: where it is and which template version it came from."""

    path: Path
    framework: Framework
    source: str
    version: str | None
    answers: dict[str, Any]


def read_answers(project: Path, *, required: bool = True) -> dict[str, Any]:
    """The answers a project recorded in `.copier-answers.yml` (empty if none and allowed)."""
    import yaml

    path = project / ANSWERS_FILE
    if not path.is_file():
        if not required:
            return {}
        raise BadInput(
            f"{project} is not a generated project: it has no {ANSWERS_FILE}",
            hint="run this inside a project made by scaffold new (or copier copy)",
        )
    loaded = yaml.safe_load(path.read_text())
    return loaded if isinstance(loaded, dict) else {}


def template_questions(template: Path) -> dict[str, dict[str, Any]]:
    """The questions of the copier template at `template` (keys without a leading `_`)."""
    import yaml

    config = yaml.safe_load((template / "copier.yml").read_text()) or {}
    return {k: v if isinstance(v, dict) else {} for k, v in config.items() if not k.startswith("_")}


def _precheck(plan: NewProject, questions: dict[str, dict[str, Any]] | None) -> None:
    """Refuse bad answers before anything is written: a clear error beats a half prompt."""
    known = {**plan.suggestions, **plan.answers}
    name = str(known.get("project_name", plan.destination.name))
    if "project_name" in plan.answers or not plan.interactive:
        check_project_name(name)
    slug = known.get("project_slug")
    if slug is not None:
        check_slug(str(slug))
    elif not plan.interactive or plan.use_defaults:
        check_slug(slugify(name))
    if questions is None:
        return
    if unknown := sorted(set(plan.answers) - set(questions)):
        raise BadInput(
            f"the {plan.framework.label} template has no question {unknown[0]!r}",
            hint="its questions: " + ", ".join(questions),
        )
    for key, value in plan.answers.items():
        if questions[key].get("type") == "bool" and not isinstance(value, bool):
            raise BadInput(
                f"{key} is a yes/no question, got {value!r}",
                hint=f"--data {key}=true or --data {key}=false",
            )
    if plan.use_defaults or plan.interactive:
        return
    if missing := [q for q in questions if q not in plan.answers]:
        raise BadInput(
            f"stdin is not a terminal, so scaffold cannot ask: no answer for {', '.join(missing)}",
            hint="add --defaults to accept the defaults (with --data KEY=VALUE for the rest)",
        )


def _author_defaults(cwd: Path) -> dict[str, str]:
    """Default author answers from the user's git identity, as cookiecutter users expect."""
    identity = user_identity(cwd)
    defaults = {}
    if name := identity.get("name"):
        defaults["author_name"] = name
    if (email := identity.get("email")) and _EMAIL.fullmatch(email):
        defaults["author_email"] = email  # only one the templates' validator accepts
    return defaults


def _render(plan: NewProject, staging: Path, src: str, ref: str | None) -> dict[str, Any]:
    from copier import run_copy

    from scaffold.compile_cache import compiled_templates

    data = dict(plan.answers)
    defaults = {
        "project_name": plan.destination.name,
        **_author_defaults(plan.destination.parent),
        **plan.suggestions,
    }
    with (
        copier_errors(
            "the template could not be rendered",
            answer_hint="answer it with --data {key}=VALUE",
            ask_hint="add --defaults, or answer with --data KEY=VALUE",
        ),
        compiled_templates(),
    ):
        run_copy(
            src,
            staging,
            data=data,
            user_defaults=defaults,
            defaults=plan.use_defaults or not plan.interactive,
            vcs_ref=ref,
            unsafe=False,
            quiet=plan.quiet,
            overwrite=False,
        )
    return read_answers(staging, required=False)


def _place(staging: Path, dest: Path) -> None:
    """Put the rendered project at `dest`: a rename, or, into an existing empty folder (the
    shell's current one, perhaps), a move of its contents, so that the folder itself stays."""
    if not dest.exists():
        staging.rename(dest)
        return
    if any(dest.iterdir()):
        raise ScaffoldError(f"{dest} was filled while the project was rendered; it is left as is")
    moved: list[Path] = []
    try:
        for child in staging.iterdir():
            child.rename(dest / child.name)
            moved.append(dest / child.name)
    except BaseException:
        for path in moved:  # ours alone: the folder was empty
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        raise
    staging.rmdir()


def create(plan: NewProject) -> Created:
    """Render `plan` into its destination, `git init` it and make the first commit."""
    from scaffold import store

    if plan.template_source:
        src, ref, questions = plan.template_source, None, None
        local = Path(plan.template_source).expanduser()
        if not is_git_url(src) and not local.is_dir():
            raise BadInput(
                f"the template source {src} is neither a folder nor a git URL",
                hint="--template-source takes a copier template's folder or repository URL",
            )
        if local.is_dir() and (local / "copier.yml").is_file():
            src = str(local.resolve())  # copier resolves relative paths against the cwd later
            questions = template_questions(local)
    else:
        stored = store.sync(plan.framework)
        src, ref, questions = str(stored.path), stored.tag, template_questions(stored.path)
    _precheck(plan, questions)

    dest = plan.destination
    created_parents = [p for p in reversed(dest.parents) if not p.exists()]
    staging = dest.parent / f".{dest.name}.scaffold-{secrets.token_hex(4)}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        answers = _render(plan, staging, src, ref)
        git("init", "--quiet", cwd=staging)
        version = answers.get("_commit")
        commit_all(
            staging,
            f"Initial commit: {plan.framework.label} starter "
            f"(scaffold {__version__}, template {version or 'unversioned'})",
        )
        _place(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(created_parents):
            shutil.rmtree(parent, ignore_errors=True)
        raise
    public = {k: v for k, v in answers.items() if not k.startswith("_")}
    return Created(dest, plan.framework, src, version, public)


def stdin_is_interactive() -> bool:
    """True when prompts can be answered: stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()
