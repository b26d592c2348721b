"""Keep a project's migrations linear after an update (SPEC §4, "Migrations stay linear").

A template release may add a migration while the project's owners added their own on the
same parent. After `copier update` the project then has two Alembic heads (Flask, FastAPI)
or two leaf migrations in one Django app, and `make migrate` refuses to run. `linearize`
finds such a divergence and adds the merge migration:

1. with the project's own tool in its own environment (`.venv`), when there is one:
   `alembic merge`, Flask-Migrate's `flask db merge`, `manage.py makemigrations --merge`;
2. else (or when the tool fails, e.g. on a models.py that still holds conflict markers)
   written by scaffold itself from a static reading of the migration files: a merge
   migration has no operations, only its parents;
3. where neither can be done (a migration file that cannot be read, the same Alembic
   revision id twice), it says what is wrong and which command to run.

Only a divergence that the update made is merged: heads that were already there before
(an owner's deliberate Alembic branches) are left alone.
"""

from __future__ import annotations

import ast
import os
import secrets
import shlex
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scaffold.git import git

TOOL_TIMEOUT = 180.0
MERGE_MESSAGE = "merge template and project migrations"
WRITTEN = "written by scaffold"
#: Folders never searched for Django migrations.
_SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "staticfiles"}


@dataclass(frozen=True)
class Outcome:
    """One thing `linearize` did or could not do, as a sentence for the update's output."""

    message: str
    done: bool  # False: the owner has to act (the message says how)


class Unreadable(Exception):
    """A migration file that cannot be read statically (syntax error, conflict markers)."""


# ------------------------------------------------------------------------------ Alembic


@dataclass(frozen=True)
class Revision:
    """One Alembic revision file, read without importing it."""

    path: str  # relative to the project
    revision: str
    parents: tuple[str, ...]


def _literal(node: ast.expr | None, path: str, name: str) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise Unreadable(f"{path}: {name} is not a literal") from exc


def read_revision(path: str, text: str) -> Revision | None:
    """The revision `text` defines (None when it defines no `revision`, e.g. a helper)."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise Unreadable(f"{path}, line {exc.lineno}: {exc.msg}") from exc
    values: dict[str, ast.expr | None] = {}
    for statement in tree.body:
        value: ast.expr | None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            values[target.id] = value
    if "revision" not in values:
        return None
    revision = _literal(values["revision"], path, "revision")
    down = _literal(values.get("down_revision"), path, "down_revision")
    if not isinstance(revision, str):
        raise Unreadable(f"{path}: revision is not a string")
    if down is None:
        parents: tuple[str, ...] = ()
    elif isinstance(down, str):
        parents = (down,)
    elif isinstance(down, list | tuple) and all(isinstance(d, str) for d in down):
        parents = tuple(str(d) for d in down)
    else:
        raise Unreadable(f"{path}: down_revision is neither a string nor a list of strings")
    return Revision(path, revision, parents)


def alembic_heads(revisions: Iterable[Revision]) -> list[str]:
    """The revisions no other revision revises, sorted."""
    revisions = list(revisions)
    revised = {parent for r in revisions for parent in r.parents}
    return sorted({r.revision for r in revisions} - revised)


def duplicate_revisions(revisions: Iterable[Revision]) -> dict[str, list[str]]:
    """Revision id -> the files defining it, for every id defined more than once."""
    files: dict[str, list[str]] = {}
    for r in revisions:
        files.setdefault(r.revision, []).append(r.path)
    return {rev: sorted(paths) for rev, paths in files.items() if len(paths) > 1}


def alembic_merge_text(revision: str, heads: list[str], created: datetime) -> str:
    """A merge revision of `heads`: no schema change, only the parents."""
    parents = ", ".join(f'"{h}"' for h in heads)
    return (
        f'"""{MERGE_MESSAGE.capitalize()} (written by scaffold update).\n'
        "\n"
        f"Revision ID: {revision}\n"
        f"Revises: {', '.join(heads)}\n"
        f"Create Date: {created:%Y-%m-%d %H:%M:%S}\n"
        '"""\n'
        "\n"
        "from collections.abc import Sequence\n"
        "\n"
        f'revision: str = "{revision}"\n'
        f"down_revision: str | Sequence[str] | None = ({parents})\n"
        "branch_labels: str | Sequence[str] | None = None\n"
        "depends_on: str | Sequence[str] | None = None\n"
        "\n"
        "\n"
        "def upgrade() -> None:\n"
        "    pass\n"
        "\n"
        "\n"
        "def downgrade() -> None:\n"
        "    pass\n"
    )


# ------------------------------------------------------------------------------- Django


@dataclass(frozen=True)
class DjangoMigration:
    """One Django migration file, read without importing it."""

    path: str  # relative to the project
    app: str
    name: str
    dependencies: tuple[tuple[str, str], ...]  # literal (app, name) pairs only
    replaces: tuple[tuple[str, str], ...]


def _pairs(node: ast.expr | None, path: str, name: str) -> tuple[tuple[str, str], ...]:
    """The literal ("app", "name") pairs of a list (calls like swappable_dependency skipped)."""
    if node is None:
        return ()
    if not isinstance(node, ast.List | ast.Tuple):
        raise Unreadable(f"{path}: {name} is not a list")
    pairs = []
    for element in node.elts:
        try:
            value = ast.literal_eval(element)
        except ValueError:
            continue  # migrations.swappable_dependency(...): another app, not a sibling
        if (
            isinstance(value, tuple | list)
            and len(value) == 2
            and all(isinstance(v, str) for v in value)
        ):
            pairs.append((str(value[0]), str(value[1])))
    return tuple(pairs)


def read_django_migration(path: str, app: str, text: str) -> DjangoMigration | None:
    """The migration `text` defines (None when it has no `Migration` class)."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise Unreadable(f"{path}, line {exc.lineno}: {exc.msg}") from exc
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Migration":
            values: dict[str, ast.expr | None] = {}
            for item in statement.body:
                if isinstance(item, ast.Assign) and len(item.targets) == 1:
                    if isinstance(item.targets[0], ast.Name):
                        values[item.targets[0].id] = item.value
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    values[item.target.id] = item.value
            name = Path(path).stem
            dependencies = _pairs(values.get("dependencies"), path, "dependencies")
            replaces = _pairs(values.get("replaces"), path, "replaces")
            return DjangoMigration(path, app, name, dependencies, replaces)
    return None


def django_leaves(migrations: Iterable[DjangoMigration]) -> dict[str, list[str]]:
    """App label -> its leaf migrations (none of its own migrations depends on them).

    A squashed migration stands for the ones it replaces when all of those are gone, as
    Django does; while they are still there, the squash is left out.
    """
    migrations = list(migrations)
    present = {(m.app, m.name) for m in migrations}
    nodes: dict[tuple[str, str], DjangoMigration] = {}
    alias: dict[tuple[str, str], tuple[str, str]] = {}
    for m in migrations:
        if m.replaces and any(r in present for r in m.replaces):
            continue  # the replaced migrations are used instead
        nodes[(m.app, m.name)] = m
        for replaced in m.replaces:
            alias[replaced] = (m.app, m.name)
    has_child: set[tuple[str, str]] = set()
    for key, m in nodes.items():
        for dependency in m.dependencies:
            parent = alias.get(dependency, dependency)
            if parent[0] == key[0]:
                has_child.add(parent)
    leaves: dict[str, list[str]] = {}
    for app, name in sorted(nodes):
        if (app, name) not in has_child:
            leaves.setdefault(app, []).append(name)
    return leaves


def django_merge_name(leaves: list[str], existing: Iterable[str]) -> str:
    """`NNNN_merge_<leaves>` after the app's highest number, as makemigrations names it."""
    numbers = [int(n.split("_", 1)[0]) for n in existing if n.split("_", 1)[0].isdigit()]
    number = max(numbers, default=0) + 1
    suffix = "_".join(leaf.split("_", 1)[1] if "_" in leaf else leaf for leaf in leaves)
    name = f"{number:04d}_merge_{suffix}"
    return name if len(name) <= 52 else f"{number:04d}_merge"


def django_merge_text(app: str, leaves: list[str], created: datetime) -> str:
    """A merge migration of `leaves` of `app`: no operations, only the parents."""
    dependencies = "".join(f'        ("{app}", "{leaf}"),\n' for leaf in leaves)
    return (
        f"# Written by scaffold update on {created:%Y-%m-%d %H:%M}: "
        f"{MERGE_MESSAGE}.\n"
        "\n"
        "from django.db import migrations\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [\n"
        f"{dependencies}"
        "    ]\n"
        "\n"
        "    operations = []\n"
    )


# ------------------------------------------------------------------------------ projects


@dataclass(frozen=True)
class _Layout:
    """Where a project keeps its migrations and how its own tool merges them."""

    kind: str  # "alembic" or "django"
    versions: str | None  # Alembic's versions folder, relative to the project
    command: list[str]  # the merge command, after the environment's python


def _layout(project: Path, answers: Mapping[str, object]) -> _Layout | None:
    if (project / "manage.py").is_file():
        return _Layout("django", None, ["manage.py", "makemigrations", "--merge", "--noinput"])
    if (project / "alembic.ini").is_file() and (project / "migrations" / "versions").is_dir():
        command = ["-m", "alembic", "merge", "-m", MERGE_MESSAGE, "heads"]
        return _Layout("alembic", "migrations/versions", command)
    if (project / "migrations" / "alembic.ini").is_file():  # Flask-Migrate
        app = str(answers.get("project_slug") or "")
        command = ["-m", "flask", "--app", app, "db", "merge", "-m", MERGE_MESSAGE, "heads"]
        return _Layout("alembic", "migrations/versions", command if app else [])
    return None


def _shown(layout: _Layout) -> str:
    """The merge command as the owner types it, with the project's environment active."""
    if not layout.command:
        return f"flask --app YOUR_APP db merge -m {shlex.quote(MERGE_MESSAGE)} heads"
    return shlex.join(["python", *(a for a in layout.command if a != "--noinput")])


def _files_at_head(project: Path, folder: str, pattern: str) -> dict[str, str]:
    """`path -> text` of the committed files under `folder` whose names match `pattern`."""
    listing = git("ls-tree", "-r", "--name-only", "HEAD", "--", folder, cwd=project, check=False)
    files = {}
    for name in listing.splitlines():
        if Path(name).match(pattern):
            files[name] = git("show", f"HEAD:{name}", cwd=project, check=False)
    return files


def _alembic_files(project: Path, versions: str) -> dict[str, str]:
    folder = project / versions
    return {
        f"{versions}/{p.name}": p.read_text(errors="replace") for p in sorted(folder.glob("*.py"))
    }


def _read_alembic(files: Mapping[str, str]) -> list[Revision]:
    return [r for path, text in files.items() if (r := read_revision(path, text)) is not None]


def _django_files(project: Path) -> dict[str, tuple[str, str]]:
    """`path -> (app label, text)` of every migration file in the project's working tree."""
    files = {}
    for root, dirs, _ in os.walk(project):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        folder = Path(root)
        if folder.name != "migrations" or not (folder / "__init__.py").is_file():
            continue
        relative = folder.relative_to(project)
        for file in sorted(folder.glob("[0-9]*.py")):
            text = file.read_text(errors="replace")
            files[(relative / file.name).as_posix()] = (folder.parent.name, text)
    return files


def _django_files_at_head(project: Path) -> dict[str, tuple[str, str]]:
    committed = _files_at_head(project, ".", "*/migrations/[0-9]*.py")
    return {
        path: (Path(path).parent.parent.name, text)
        for path, text in committed.items()
        if not _SKIPPED_DIRS & set(Path(path).parts)
    }


def _read_django(files: Mapping[str, tuple[str, str]]) -> list[DjangoMigration]:
    read = (read_django_migration(path, app, text) for path, (app, text) in files.items())
    return [m for m in read if m is not None]


def _run_tool(project: Path, layout: _Layout) -> bool:
    """Run the project's own merge command in its `.venv`; whether it exited 0."""
    python = project / ".venv" / "bin" / "python"
    if not layout.command or not python.is_file():
        return False
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VIRTUAL_ENV"] = str(project / ".venv")
    env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        result = subprocess.run(
            [str(python), *layout.command],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _new_files(before: set[str], after: set[str]) -> list[str]:
    return sorted(after - before)


def _linearize_alembic(project: Path, layout: _Layout, now: datetime) -> list[Outcome]:
    assert layout.versions is not None
    command = _shown(layout)
    try:
        revisions = _read_alembic(_alembic_files(project, layout.versions))
    except Unreadable as exc:
        return [
            Outcome(
                f"could not read the migrations ({exc}); once it is fixed, "
                f"check for several heads and merge them: {command}",
                False,
            )
        ]
    if duplicates := duplicate_revisions(revisions):
        return [
            Outcome(
                f"Alembic revision {rev} is present more than once ({' and '.join(paths)}): "
                f"Alembic refuses to run. Give your migration a new id (its `revision = ` "
                f"line, its file name, and the `down_revision` of any migration on top of "
                f"it), then merge the heads: {command}",
                False,
            )
            for rev, paths in sorted(duplicates.items())
        ]
    heads = alembic_heads(revisions)
    if len(heads) < 2:
        return []
    try:
        before = alembic_heads(_read_alembic(_files_at_head(project, layout.versions, "*.py")))
    except Unreadable:
        before = []
    if len(before) >= len(heads):  # the branches were there before the update
        return []
    names = " and ".join(heads)
    folder = project / layout.versions
    existing = {p.name for p in folder.glob("*.py")}
    tool = f"made by {_shown(layout)}"
    if _run_tool(project, layout):
        made = _new_files(existing, {p.name for p in folder.glob("*.py")})
        try:
            after = alembic_heads(_read_alembic(_alembic_files(project, layout.versions)))
        except Unreadable:
            after = heads
        if len(made) == 1 and len(after) == 1:
            where = f"{layout.versions}/{made[0]}"
            return [Outcome(f"merged migration heads {names} in {where} ({tool})", True)]
        for name in made:  # the tool did something else: undo it, write the merge below
            (folder / name).unlink()
    revision = secrets.token_hex(6)
    where = f"{layout.versions}/{revision}_merge_heads.py"
    try:
        (project / where).write_text(alembic_merge_text(revision, heads, now))
    except OSError as exc:
        return [
            Outcome(
                f"migration heads {names} diverged and {where} could not be "
                f"written ({exc.strerror}); merge them: {command}",
                False,
            )
        ]
    return [Outcome(f"merged migration heads {names} in {where} ({WRITTEN})", True)]


def _linearize_django(project: Path, layout: _Layout, now: datetime) -> list[Outcome]:
    command = _shown(layout)
    try:
        files = _django_files(project)
        leaves = django_leaves(_read_django(files))
    except Unreadable as exc:
        return [
            Outcome(
                f"could not read the migrations ({exc}); once it is fixed, "
                f"merge any conflicting ones: {command}",
                False,
            )
        ]
    conflicting = {app: names for app, names in leaves.items() if len(names) > 1}
    if not conflicting:
        return []
    try:
        before = django_leaves(_read_django(_django_files_at_head(project)))
    except Unreadable:
        before = {}
    conflicting = {
        app: names for app, names in conflicting.items() if len(before.get(app, [])) < len(names)
    }
    if not conflicting:
        return []
    folders = {app: project / Path(path).parent for path, (app, _) in files.items()}
    existing = {app: {p.name for p in folder.glob("*.py")} for app, folder in folders.items()}
    tool = f"made by {_shown(layout)} --noinput"
    if _run_tool(project, layout):
        made = {
            app: _new_files(existing[app], {p.name for p in folders[app].glob("*.py")})
            for app in folders
        }
        try:
            after = django_leaves(_read_django(_django_files(project)))
        except Unreadable:
            after = conflicting
        if all(len(names) == 1 for names in after.values()) and all(
            len(made[app]) == 1 for app in conflicting
        ):
            return [
                Outcome(
                    f"merged conflicting {app} migrations {' and '.join(names)} in "
                    f"{(folders[app] / made[app][0]).relative_to(project).as_posix()} "
                    f"({tool})",
                    True,
                )
                for app, names in sorted(conflicting.items())
            ]
        for app, names in made.items():  # not what was asked: undo, write the merges below
            for name in names:
                (folders[app] / name).unlink()
    outcomes = []
    for app, names in sorted(conflicting.items()):
        stems = {Path(n).stem for n in existing[app]}
        file = folders[app] / f"{django_merge_name(names, stems)}.py"
        where = file.relative_to(project).as_posix()
        try:
            file.write_text(django_merge_text(app, names, now))
        except OSError as exc:
            outcomes.append(
                Outcome(
                    f"{app} migrations {' and '.join(names)} conflict and "
                    f"{where} could not be written ({exc.strerror}); "
                    f"merge them: {command}",
                    False,
                )
            )
            continue
        outcomes.append(
            Outcome(
                f"merged conflicting {app} migrations {' and '.join(names)} in {where} ({WRITTEN})",
                True,
            )
        )
    return outcomes


def linearize(project: Path, answers: Mapping[str, object] | None = None) -> list[Outcome]:
    """Merge the migration branches an update left in `project`; say what was done.

    `answers` are the project's recorded copier answers (the Flask app's name comes from
    `project_slug`). A project without migrations, or whose migrations did not diverge,
    gives an empty list.
    """
    layout = _layout(project, answers or {})
    if layout is None:
        return []
    now = datetime.now(UTC)
    if layout.kind == "django":
        return _linearize_django(project, layout, now)
    return _linearize_alembic(project, layout, now)
