"""The versioned template store: sync, idempotence, new versions, concurrency."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold import store
from scaffold.frameworks import Framework
from tests.conftest import REPO_ROOT, TINY_TEMPLATE, git


def test_first_sync_commits_and_tags(fake_package: Callable[..., Path]) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    stored = store.sync(Framework.fastapi)
    assert stored.tag == "1.0.0"
    assert stored.path == store.store_root() / "fastapi"
    assert git("tag", "--points-at", "HEAD", cwd=stored.path) == "1.0.0"
    assert (stored.path / "copier.yml").is_file()
    assert git("status", "--porcelain", cwd=stored.path) == ""


def test_sync_is_idempotent(fake_package: Callable[..., Path]) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    first = store.sync(Framework.fastapi)
    head = git("rev-parse", "HEAD", cwd=first.path)
    (first.path / ".git" / "scaffold-synced").unlink()  # force the slow path too
    second = store.sync(Framework.fastapi)
    assert second == first
    assert git("rev-parse", "HEAD", cwd=first.path) == head
    assert git("rev-list", "--count", "HEAD", cwd=first.path) == "1"


def test_a_new_version_is_a_new_tagged_commit(fake_package: Callable[..., Path]) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    store.sync(Framework.fastapi)
    fake_package({**TINY_TEMPLATE, "settings.txt": "color = red\n"}, "1.1.0")
    stored = store.sync(Framework.fastapi)
    assert stored.tag == "1.1.0"
    assert git("tag", "--list", cwd=stored.path).split() == ["1.0.0", "1.1.0"]
    assert (stored.path / "settings.txt").read_text() == "color = red\n"


def test_changed_content_under_the_same_version_gets_a_post_tag(
    fake_package: Callable[..., Path],
) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    store.sync(Framework.fastapi)
    fake_package({**TINY_TEMPLATE, "extra.txt": "new\n"}, "1.0.0")
    assert store.sync(Framework.fastapi).tag == "1.0.0.post1"


def test_removed_files_leave_the_store(fake_package: Callable[..., Path]) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    store.sync(Framework.fastapi)
    smaller = {k: v for k, v in TINY_TEMPLATE.items() if k != "settings.txt"}
    fake_package(smaller, "1.1.0")
    stored = store.sync(Framework.fastapi)
    assert not (stored.path / "settings.txt").exists()


def test_commits_are_reproducible_across_machines(
    fake_package: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_package(TINY_TEMPLATE, "1.0.0")
    one = store.sync(Framework.fastapi)
    monkeypatch.setenv("SCAFFOLD_HOME", str(tmp_path / "other-machine"))
    two = store.sync(Framework.fastapi)
    assert one.path != two.path
    assert git("rev-parse", "HEAD", cwd=one.path) == git("rev-parse", "HEAD", cwd=two.path)


def test_concurrent_syncs_of_a_fresh_store_agree() -> None:
    """Several processes syncing the real templates at once: each release once, no more."""
    code = (
        "from scaffold import store; from scaffold.frameworks import Framework;"
        "print(*(store.sync(f).tag for f in Framework))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(out == outputs[0] for out in outputs)
    for framework in Framework:
        repo = store.store_root() / framework.value
        released = store.released_versions(store.history_bundle(framework))
        tags = git("tag", "--list", cwd=repo).split()
        # every release once, plus at most one unreleased version (changes since)
        assert set(released) <= set(tags) and len(tags) - len(released) <= 1
        assert git("rev-list", "--count", "HEAD", cwd=repo) == str(len(tags))
        assert git("status", "--porcelain", cwd=repo) == ""


def test_framework_of_recognises_store_paths() -> None:
    assert store.framework_of(str(store.store_root() / "flask")) is Framework.flask
    assert store.framework_of("/somewhere/else/flask") is None
    assert store.framework_of(str(store.store_root() / "rails")) is None


def test_framework_of_recognises_a_store_from_another_machine(tmp_path: Path) -> None:
    gone = "/home/someone-else/.local/share/scaffold/templates/django"
    assert store.framework_of(gone) is Framework.django
    team = tmp_path / "templates" / "django"  # exists here: a real source, not a lost store
    team.mkdir(parents=True)
    assert store.framework_of(str(team)) is None


def test_real_templates_are_found() -> None:
    assert (store.package_templates() / "django" / "copier.yml").is_file()
