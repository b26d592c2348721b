"""Migrations stay linear after an update: divergence found, merged, or explained."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.migrations import (
    DjangoMigration,
    django_leaves,
    linearize,
    read_django_migration,
    read_revision,
)
from tests.conftest import TEMPLATES, TINY_TEMPLATE, git, write_tree

runner = CliRunner()

#: The naming rule of the templates' own Alembic revisions (docs/updating.md).
TEMPLATE_REVISION = re.compile(r"scaffold_[a-z0-9_]+")
LEGACY_REVISIONS = {"0001"}
ALEMBIC_TEMPLATES = ("fastapi", "flask")


def alembic_revision(rev: str, down: str | tuple[str, ...] | None) -> str:
    return (
        f'"""{rev}."""\n\nrevision = "{rev}"\ndown_revision = {down!r}\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n"
    )


def django_migration(deps: list[tuple[str, str]], replaces: str = "") -> str:
    return (
        "from django.conf import settings\nfrom django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [\n"
        "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n"
        + "".join(f"        {d!r},\n" for d in deps)
        + "    ]\n"
        + (f"    replaces = {replaces}\n" if replaces else "")
        + "    operations = []\n"
    )


def committed(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    git("init", "-q", cwd=root)
    git("add", "--all", cwd=root)
    git("commit", "-qm", "project", cwd=root)
    return root


ALEMBIC_PROJECT = {
    "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
    "migrations/versions/0001_initial.py": alembic_revision("0001", None),
    "migrations/versions/a1b2c3d4e5f6_item_color.py": alembic_revision("a1b2c3d4e5f6", "0001"),
}
TEMPLATE_MIGRATION = {
    "migrations/versions/scaffold_item_sku.py": alembic_revision("scaffold_item_sku", "0001")
}


# ----------------------------------------------------------------- the templates' ids


def _template_revisions(framework: str) -> list[tuple[Path, str, tuple[str, ...]]]:
    found = []
    for file in sorted((TEMPLATES / framework).rglob("migrations/versions/*.py")):
        revision = read_revision(file.name, file.read_text())
        assert revision is not None, f"{file} defines no revision"
        found.append((file, revision.revision, revision.parents))
    return found


@pytest.mark.parametrize("framework", ALEMBIC_TEMPLATES)
def test_template_revision_ids_follow_the_rule(framework: str) -> None:
    revisions = _template_revisions(framework)
    assert revisions, f"no Alembic migrations found in templates/{framework}"
    ids = [rev for _, rev, _ in revisions]
    assert len(ids) == len(set(ids)), f"a revision id is used twice: {ids}"
    for file, rev, parents in revisions:
        if rev in LEGACY_REVISIONS:
            continue
        assert TEMPLATE_REVISION.fullmatch(rev), f"{file}: {rev!r} is not scaffold_<name>"
        assert len(rev) <= 32, f"{file}: {rev!r} is longer than alembic_version's 32"
        assert file.name.startswith(f"{rev}"), f"{file}: the file name must start with {rev}"
        assert set(parents) <= set(ids), f"{file}: revises an unknown revision {parents}"
    heads = set(ids) - {p for _, _, parents in revisions for p in parents}
    assert len(heads) == 1, f"templates/{framework} ships several heads: {heads}"


def test_django_template_migrations_follow_the_rule() -> None:
    names = [
        f.name.removesuffix(".jinja").removesuffix(".py")
        for f in sorted((TEMPLATES / "django").rglob("migrations/[0-9]*"))
    ]
    assert "0001_initial" in names
    for name in names:
        assert name == "0001_initial" or re.fullmatch(r"[0-9]{4}_scaffold_[a-z0-9_]+", name), (
            f"templates/django: migration {name} is not NNNN_scaffold_<what>"
        )


def test_the_rule_rejects_what_alembic_or_an_owner_would_write() -> None:
    for rev in ("0002", "a1b2c3d4e5f6", "Scaffold_x", "scaffold_"):
        assert not TEMPLATE_REVISION.fullmatch(rev)
    assert TEMPLATE_REVISION.fullmatch("scaffold_item_sku")


# ---------------------------------------------------------------------------- Alembic


def test_diverged_alembic_heads_are_merged_by_a_written_revision(tmp_path: Path) -> None:
    project = committed(tmp_path / "p", ALEMBIC_PROJECT)
    write_tree(project, TEMPLATE_MIGRATION)  # what the update brought in
    [outcome] = linearize(project)
    assert outcome.done
    assert "merged migration heads a1b2c3d4e5f6 and scaffold_item_sku in " in outcome.message
    made = outcome.message.rsplit(" in ", 1)[1].removesuffix(" (written by scaffold)")
    merge = read_revision(made, (project / made).read_text())
    assert merge is not None and merge.parents == ("a1b2c3d4e5f6", "scaffold_item_sku")
    assert re.fullmatch(r"migrations/versions/[0-9a-f]{12}_merge_heads\.py", made)
    compile((project / made).read_text(), made, "exec")
    assert linearize(project) == []  # one head now: nothing more to do


def test_heads_that_were_there_before_the_update_are_left_alone(tmp_path: Path) -> None:
    branches = {**ALEMBIC_PROJECT, **TEMPLATE_MIGRATION}
    project = committed(tmp_path / "p", branches)  # the owner keeps two branches on purpose
    assert linearize(project) == []
    assert len(list((project / "migrations/versions").glob("*.py"))) == 3


def test_a_linear_history_needs_nothing(tmp_path: Path) -> None:
    project = committed(tmp_path / "p", ALEMBIC_PROJECT)
    write_tree(
        project,
        {"migrations/versions/scaffold_x.py": alembic_revision("scaffold_x", "a1b2c3d4e5f6")},
    )
    assert linearize(project) == []


def test_a_revision_id_present_twice_is_explained(tmp_path: Path) -> None:
    owner = {
        **ALEMBIC_PROJECT,
        "migrations/versions/0002_mine.py": alembic_revision("0002", "0001"),
    }
    project = committed(tmp_path / "p", owner)
    write_tree(project, {"migrations/versions/0002_item_sku.py": alembic_revision("0002", "0001")})
    [outcome] = linearize(project)
    assert not outcome.done
    assert "Alembic revision 0002 is present more than once" in outcome.message
    assert "migrations/versions/0002_item_sku.py and migrations/versions/0002_mine.py" in (
        outcome.message
    )
    assert "alembic merge" in outcome.message
    assert len(list((project / "migrations/versions").glob("*.py"))) == 4  # nothing written


def test_an_unreadable_revision_names_the_file_and_the_command(tmp_path: Path) -> None:
    project = committed(tmp_path / "p", ALEMBIC_PROJECT)
    write_tree(
        project,
        {
            "migrations/versions/scaffold_item_sku.py": (
                "<<<<<<< before updating\nrevision = 'x'\n=======\nrevision = 'y'\n>>>>>>> after\n"
            )
        },
    )
    [outcome] = linearize(project)
    assert not outcome.done
    assert "migrations/versions/scaffold_item_sku.py, line 1" in outcome.message
    assert outcome.message.endswith(
        "python -m alembic merge -m 'merge template and project migrations' heads"
    )


def test_flask_migrate_layout_names_flask_db_merge(tmp_path: Path) -> None:
    files = {
        "migrations/alembic.ini": "[alembic]\n",
        "migrations/versions/0001_initial.py": alembic_revision("0001", None),
        "migrations/versions/bad.py": "revision = make_id()\n",
    }
    project = committed(tmp_path / "p", files)
    [outcome] = linearize(project, {"project_slug": "shop"})
    assert not outcome.done and "bad.py: revision is not a literal" in outcome.message
    assert "python -m flask --app shop db merge" in outcome.message


def test_a_project_without_migrations_is_untouched(tmp_path: Path) -> None:
    assert linearize(committed(tmp_path / "p", {"README.md": "hi\n"})) == []


# ----------------------------------------------------------------------------- Django

DJANGO_PROJECT = {
    "manage.py": "",
    "shop/items/migrations/__init__.py": "",
    "shop/items/migrations/0001_initial.py": django_migration([]),
    "shop/items/migrations/0002_item_color.py": django_migration([("items", "0001_initial")]),
    "shop/users/migrations/__init__.py": "",
    "shop/users/migrations/0001_initial.py": django_migration([("items", "0001_initial")]),
}


def test_conflicting_django_leaves_are_merged_by_a_written_migration(tmp_path: Path) -> None:
    project = committed(tmp_path / "p", DJANGO_PROJECT)
    write_tree(
        project,
        {
            "shop/items/migrations/0002_scaffold_item_sku.py": django_migration(
                [("items", "0001_initial")]
            )
        },
    )
    [outcome] = linearize(project)
    made = "shop/items/migrations/0003_merge_item_color_scaffold_item_sku.py"
    assert outcome.done
    assert outcome.message == (
        "merged conflicting items migrations 0002_item_color and 0002_scaffold_item_sku "
        f"in {made} (written by scaffold)"
    )
    merge = read_django_migration(made, "items", (project / made).read_text())
    assert merge is not None
    assert merge.dependencies == (("items", "0002_item_color"), ("items", "0002_scaffold_item_sku"))
    assert linearize(project) == []


def test_django_leaves_follow_squashed_migrations() -> None:
    def m(name: str, deps: list[tuple[str, str]], replaces: str = "") -> DjangoMigration:
        found = read_django_migration(
            f"a/migrations/{name}.py", "a", django_migration(deps, replaces)
        )
        assert found is not None
        return found

    squash = m("0001_squashed_0002", [], "[('a', '0001_initial'), ('a', '0002_x')]")
    after = m("0003_y", [("a", "0002_x")])
    assert django_leaves([squash, after]) == {"a": ["0003_y"]}
    first, second = m("0001_initial", []), m("0002_x", [("a", "0001_initial")])
    leaves = django_leaves([squash, first, second, after])
    assert leaves == {"a": ["0003_y"]}


def test_a_broken_django_migration_names_makemigrations_merge(tmp_path: Path) -> None:
    project = committed(tmp_path / "p", DJANGO_PROJECT)
    write_tree(project, {"shop/items/migrations/0002_scaffold_item_sku.py": "class (\n"})
    [outcome] = linearize(project)
    assert not outcome.done
    assert "0002_scaffold_item_sku.py, line 1" in outcome.message
    assert outcome.message.endswith("python manage.py makemigrations --merge")


# --------------------------------------------------------------------- through update

ALEMBIC_TEMPLATE = {
    **TINY_TEMPLATE,
    "alembic.ini": ALEMBIC_PROJECT["alembic.ini"],
    "migrations/versions/0001_initial.py": ALEMBIC_PROJECT["migrations/versions/0001_initial.py"],
}


def test_scaffold_update_merges_and_reports(
    fake_package: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package(ALEMBIC_TEMPLATE, "1.0.0")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["new", "shop", "-f", "fastapi", "--defaults"]).exit_code == 0
    project = tmp_path / "shop"
    owner = "migrations/versions/a1b2c3d4e5f6_item_color.py"
    write_tree(project, {owner: ALEMBIC_PROJECT[owner]})
    git("add", "--all", cwd=project)
    git("commit", "-qm", "my migration", cwd=project)
    fake_package({**ALEMBIC_TEMPLATE, **TEMPLATE_MIGRATION}, "1.1.0")

    result = runner.invoke(app, ["update", str(project)])

    assert result.exit_code == 0, result.output
    found = re.search(
        r"Migrations: merged migration heads a1b2c3d4e5f6 and scaffold_item_sku in "
        r"(migrations/versions/[0-9a-f]{12}_merge_heads\.py)",
        " ".join(result.output.split()),  # unwrapped
    )
    assert found, result.output
    assert f"?? {found.group(1)}" in git("status", "--porcelain", cwd=project)
