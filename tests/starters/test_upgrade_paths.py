"""Shipped releases are upgrade paths (SPEC §4), migrations included.

A covering subset of (framework, release) keeps CI short while every release and every
framework is an upgrade path somewhere (`CASES`):

- every framework from the OLDEST release (the longest jump: every template migration at
  once) and from the PREVIOUS release (the newest one older than the current templates,
  `scaffold.__version__`: what most projects update from);
- every other older release from ONE framework, taken in turn (the i-th release from framework
  i mod 3), so each of them is still proven in every run.

Each test:

1. renders the project at that release from a template store built from the bundle (as
   `scaffold new` would, with `vcs_ref=<release>`) and commits it;
2. adds an owner field `Item.color` and its migration WITH THE PROJECT'S OWN TOOL
   (`alembic revision --autogenerate`, `flask db migrate`, `manage.py makemigrations`),
   and a line to `README.md` (a file the releases change), and commits;
3. `scaffold update`s to the current templates (the working tree's, as a new release);
   `make migrate` (fresh SQLite file) and `make test` pass, every owner line is kept, and
   the served project answers the newest routes (accounts part 2: reset, change, delete);
4. (Alembic starters) `make migrate` on a database made before the update, with rows in
   the owner's column, keeps them through the template's migrations (on SQLite,
   `scaffold_ids_never_reused` rebuilds the tables), and a deleted item's id is not
   handed out again after it.

From the previous release the test then goes on to a simulated next release, built here:
the current template plus a commit adding `Item.sku` with its migration on top of the
template's migration head, named by the template rule (`scaffold_item_sku` for Alembic,
`0002_scaffold_item_sku` for Django). The owner's and the template's migrations now share
a parent, `models.py` conflicts (resolved by keeping both sides, as an owner would), and
`scaffold update` must merge the migration heads itself and say so; `make migrate` and
`make test` pass again.

One virtual environment per framework (uv, shared cache) serves all its projects through
a `.venv` link; each project is installed into it editable before it runs. Slow:
`pytest -m slow -k upgrade`.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from packaging.version import Version
from typer.testing import CliRunner

from scaffold import __version__, store
from scaffold.cli import app
from scaffold.frameworks import Framework
from scaffold.migrations import alembic_heads, read_revision

from . import harness

pytestmark = pytest.mark.slow

RELEASES = {
    name: store.released_versions(harness.TEMPLATES_DIR / "_history" / f"{name}.bundle")
    for name in harness.FRAMEWORKS
}


def previous_release(releases: list[str]) -> str:
    """The newest release older than the current templates (`scaffold.__version__`)."""
    current = Version(__version__)
    older = [release for release in releases if Version(release) < current]
    return older[-1] if older else releases[-1]


def covering_cases() -> list[tuple[str, str]]:
    """(framework, release) pairs: see the module's docstring for why these."""
    cases = []
    for name in harness.FRAMEWORKS:
        # A project at the current release has nothing to update: not a path.
        releases = [r for r in RELEASES[name] if Version(r) < Version(__version__)]
        for index, release in enumerate(releases):
            everywhere = release in (releases[0], previous_release(releases))
            in_turn = harness.FRAMEWORKS[index % len(harness.FRAMEWORKS)] == name
            if everywhere or in_turn:
                cases.append((name, release))
    return cases


CASES = covering_cases()

OWNER_README = "Owner note: our release checklist lives in docs/RELEASING.md."

#: framework -> (models.py in the project, the line after which fields are added)
MODELS = {
    "fastapi": ("{slug}/models.py", "    price: Mapped[float] = mapped_column(Float)\n"),
    "flask": ("{slug}/models.py", "    price: Mapped[float] = mapped_column(Float)\n"),
    "django": ("{slug}/items/models.py", "    price = models.FloatField()\n"),
}
OWNER_FIELD = {
    "fastapi": "    color: Mapped[str | None] = mapped_column(String(30), nullable=True)\n",
    "flask": "    color: Mapped[str | None] = mapped_column(String(30), default=None)\n",
    "django": '    color = models.CharField(max_length=30, blank=True, default="")\n',
}
TEMPLATE_FIELD = {
    "fastapi": "    sku: Mapped[str | None] = mapped_column(String(40), nullable=True)\n",
    "flask": "    sku: Mapped[str | None] = mapped_column(String(40), default=None)\n",
    "django": '    sku = models.CharField(max_length=40, blank=True, default="")\n',
}
ALEMBIC_SKU = '''"""Items get a stock-keeping unit.

Revision ID: scaffold_item_sku
Revises: {head}
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "scaffold_item_sku"
down_revision: str | None = "{head}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("sku", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("sku")
'''
DJANGO_SKU = """# The template's own migration: items get a stock-keeping unit.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="sku",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
    ]
"""
FUTURE_MIGRATION = {
    "fastapi": ("migrations/versions/scaffold_item_sku.py", ALEMBIC_SKU),
    "flask": ("migrations/versions/scaffold_item_sku.py", ALEMBIC_SKU),
    "django": ("{slug}/items/migrations/0002_scaffold_item_sku.py", DJANGO_SKU),
}


# ------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def venv_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where each framework's shared virtual environment is built (once, lazily)."""
    root = tmp_path_factory.mktemp("upgrade-venvs")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def install(project: Path, framework: str, root: Path) -> None:
    """Link `project/.venv` to the framework's shared venv and install the project into it."""
    venv = root / f"venv-{framework}"
    python = venv / "bin" / "python"
    if not venv.is_dir():
        harness.make_venv(venv)
    link = project / ".venv"
    if not link.exists():
        link.symlink_to(venv, target_is_directory=True)
        # A link is not a folder, so the project's `.venv/` ignore rule misses it.
        with (project / ".git" / "info" / "exclude").open("a") as exclude:
            exclude.write("/.venv\n")
    harness.install_editable(python, project)


def git(project: Path, *args: str) -> str:
    return harness.run(["git", *args], cwd=project).stdout


def resolve_keeping_both(path: Path) -> None:
    """Resolve every conflict in `path` as an owner would here: keep both sides."""
    kept, in_base = [], False
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("|||||||"):
            in_base = True
        elif line.startswith("======="):
            in_base = False
        elif not line.startswith(("<<<<<<<", ">>>>>>>")) and not in_base:
            kept.append(line)
    path.write_text("".join(kept))


def changed_files(project: Path) -> list[Path]:
    names = git(project, "ls-files", "--modified", "--others", "--exclude-standard").split()
    return [project / name for name in names if (project / name).is_file()]


def has_markers(file: Path) -> bool:
    if file.suffix not in (".py", ".md", ".toml", ".yml", ".yaml", ".ini", ".txt"):
        return False
    lines = file.read_text(errors="replace").splitlines()
    return any(line.startswith("<<<<<<< ") for line in lines)


def scaffold_update(project: Path, *args: str) -> str:
    """`scaffold update`, then the conflicts it reports resolved keeping both sides."""
    result = CliRunner().invoke(app, ["update", str(project), *args])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # unwrapped
    for file in changed_files(project):
        if has_markers(file):
            assert file.relative_to(project).as_posix() in output, f"unreported: {file}"
            resolve_keeping_both(file)
    return output


def migrate_and_test(project: Path, tmp_path: Path, tag: str) -> None:
    database = harness.sqlite_url(tmp_path / f"{tag}.sqlite3")
    harness.run_make(project, "migrate", harness.project_env(project, DATABASE_URL=database))
    harness.run_make(project, "test")


def owner_migration(project: Path, framework: str, slug: str, tmp_path: Path) -> str:
    """Add Item.color with the project's own tool; return the new migration's path."""
    models, anchor = MODELS[framework]
    file = project / models.format(slug=slug)
    text = file.read_text()
    assert anchor in text, f"{file} has no line {anchor!r}"
    file.write_text(text.replace(anchor, anchor + OWNER_FIELD[framework]))
    before = set(git(project, "ls-files", "--others", "--exclude-standard").split())
    env = harness.project_env(project, DATABASE_URL=harness.sqlite_url(tmp_path / "owner.sqlite3"))
    python = str(project / ".venv" / "bin" / "python")
    if framework == "fastapi":
        harness.run([python, "-m", "alembic", "upgrade", "head"], cwd=project, env=env)
        harness.run(
            [python, "-m", "alembic", "revision", "--autogenerate", "-m", "item color"],
            cwd=project,
            env=env,
        )
    elif framework == "flask":
        flask = [python, "-m", "flask", "--app", slug, "db"]
        harness.run([*flask, "upgrade"], cwd=project, env=env)
        harness.run([*flask, "migrate", "-m", "item color"], cwd=project, env=env)
    else:
        harness.run(
            [python, "manage.py", "makemigrations", "items", "-n", "item_color"],
            cwd=project,
            env=env,
        )
    made = sorted(set(git(project, "ls-files", "--others", "--exclude-standard").split()) - before)
    assert len(made) == 1, made
    assert "color" in (project / made[0]).read_text()
    return made[0]


def alembic_head(versions: Path) -> str:
    """The one revision of an Alembic versions folder that no other revises."""
    (head,) = alembic_heads(
        revision
        for path in sorted(versions.glob("*.py"))
        if (revision := read_revision(path.name, path.read_text())) is not None
    )
    return head


def assert_newest_routes_work(project: Path, tmp_path: Path, tag: str) -> None:
    """Served after the update, the project answers accounts part 2 (CONTRACT.md)."""
    database = harness.sqlite_url(tmp_path / f"{tag}-served.sqlite3")
    with harness.Server(project, database, log_path=tmp_path / f"{tag}-server.log") as server:
        client = harness.Client(server.base_url)
        email, password, new = "owner@example.com", "correct horse battery", "a new passphrase"
        token = harness.register_and_login(server.base_url, email, password)
        reset = client.post("/api/auth/password-reset", json_body={"email": email})
        assert reset.status == 202, reset.text
        change = client.with_token(token).post(
            "/api/users/me/password",
            json_body={"current_password": password, "new_password": new},
        )
        assert change.status == 204, change.text
        assert client.with_token(token).get("/api/users/me").status == 401
        fresh = client.post("/api/auth/token", form={"username": email, "password": new})
        assert fresh.status == 200, fresh.text
        gone = client.with_token(fresh.json()["access_token"]).delete("/api/users/me")
        assert gone.status == 204, gone.text


def future_release(stored: store.StoredTemplate, framework: str, tmp_path: Path) -> Path:
    """A template repository with one more release: Item.sku and its migration."""
    from packaging.version import Version

    repo = tmp_path / f"future-{framework}"
    harness.run(["git", "clone", "--quiet", str(stored.path), str(repo)], cwd=tmp_path)
    git(repo, "checkout", "--quiet", stored.tag)
    slug = "{{project_slug}}"
    models, anchor = MODELS[framework]
    file = repo / models.format(slug=slug)
    file.write_text(file.read_text().replace(anchor, anchor + TEMPLATE_FIELD[framework]))
    name, text = FUTURE_MIGRATION[framework]
    if framework != "django":
        text = text.replace("{head}", alembic_head(repo / "migrations" / "versions"))
    (repo / name.format(slug=slug)).write_text(text)
    git(repo, "add", "--all")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "Item.sku")
    current = Version(stored.tag)
    git(repo, "tag", f"{current.major}.{current.minor + 1}.0")
    return repo


#: An account row in the users table of every release of the Alembic starters.
OWNER_USER_ROW = {
    "fastapi": "INSERT INTO users (email, hashed_password, is_superuser, created_at)"
    " VALUES ('owner@example.com', 'x', 0, '2026-12-01 12:00:00')",
    "flask": "INSERT INTO users (email, password_hash, is_superuser)"
    " VALUES ('owner@example.com', 'x', 0)",
}
INSERT_ITEM = (
    "INSERT INTO items (title, price, owner_id, created_at, color)"
    " VALUES (?, 1.5, 1, '2026-12-01 12:00:00', ?)"
)


def database_with_owner_rows(project: Path, framework: str, tmp_path: Path) -> Path | None:
    """An SQLite database migrated at the project's release, the owner's migration
    included, with items that have a color (Alembic starters; None for Django, whose
    migrations rebuild no table here)."""
    if framework not in OWNER_USER_ROW:
        return None
    path = tmp_path / "kept.sqlite3"
    env = harness.project_env(project, DATABASE_URL=harness.sqlite_url(path))
    harness.run_make(project, "migrate", env)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(OWNER_USER_ROW[framework])
        for title in ("first", "newest"):
            connection.execute(INSERT_ITEM, (title, "teal"))
    return path


def assert_owner_rows_survive_migrate(project: Path, path: Path) -> None:
    """`make migrate` on the database made before the update keeps the owner's column and
    every row, and ids are not handed out again after it."""
    env = harness.project_env(project, DATABASE_URL=harness.sqlite_url(path))
    harness.run_make(project, "migrate", env)
    with closing(sqlite3.connect(path)) as connection, connection:
        items = connection.execute("SELECT id, title, color FROM items ORDER BY id").fetchall()
        assert items == [(1, "first", "teal"), (2, "newest", "teal")]
        assert connection.execute("SELECT id, email FROM users").fetchall() == [
            (1, "owner@example.com")
        ]
        connection.execute("DELETE FROM items WHERE id = 2")
        connection.execute(INSERT_ITEM, ("made after", None))
        assert connection.execute("SELECT max(id) FROM items").fetchone() == (3,)


# -------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(("framework", "release"), CASES, ids=[f"{f}-{r}" for f, r in CASES])
def test_upgrade_from_release_keeps_owner_work_and_migrations_linear(
    framework: str, release: str, tmp_path: Path, venv_root: Path
) -> None:
    from copier import Settings, run_copy

    slug = harness.PROJECT_SLUG
    stored = store.sync(Framework(framework))  # the current templates, as a new release
    project = tmp_path / slug
    run_copy(
        str(stored.path),
        project,
        data={"project_name": harness.PROJECT_NAME},
        vcs_ref=release,
        defaults=True,
        unsafe=False,
        settings=Settings(),
        quiet=True,
    )
    assert f"_commit: {release}" in (project / ".copier-answers.yml").read_text()
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", f"Generated at {release}")
    install(project, framework, venv_root)

    migration = owner_migration(project, framework, slug, tmp_path)
    with (project / "README.md").open("a") as readme:
        readme.write(f"\n{OWNER_README}\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Item.color, and a note")
    kept = database_with_owner_rows(project, framework, tmp_path)
    models = project / MODELS[framework][0].format(slug=slug)

    def owner_work_is_kept() -> None:
        assert OWNER_FIELD[framework] in models.read_text()
        assert OWNER_README in (project / "README.md").read_text()
        assert (project / migration).is_file()
        assert not [f for f in changed_files(project) if has_markers(f)]

    output = scaffold_update(project)
    assert f"{release} -> {stored.tag}" in output or "Already up to date" in output
    owner_work_is_kept()
    if project / "pyproject.toml" in changed_files(project):
        install(project, framework, venv_root)  # its dependencies changed
    migrate_and_test(project, tmp_path, "current")
    assert_newest_routes_work(project, tmp_path, "current")
    if kept is not None:
        assert_owner_rows_survive_migrate(project, kept)

    if release != previous_release(RELEASES[framework]):
        return
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--allow-empty", "-m", f"Update to {stored.tag}")
    future = future_release(stored, framework, tmp_path)
    output = scaffold_update(project, "--template-source", str(future))
    assert "Migrations: merged" in output, output
    assert TEMPLATE_FIELD[framework] in models.read_text()
    owner_work_is_kept()
    if framework == "fastapi":  # alembic merge reads only the migrations: the tool runs
        assert "(made by python -m alembic merge" in output, output
    if framework == "django":
        assert "items migrations 0002_item_color and 0002_scaffold_item_sku" in output
    else:
        heads = re.search(r"merged migration heads (\S+) and (\S+) in (\S+)", output)
        assert heads, output
        assert "scaffold_item_sku" in heads.groups()[:2]
        assert (project / heads.group(3)).is_file()
    migrate_and_test(project, tmp_path, "future")
