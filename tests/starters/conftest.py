"""Fixtures of the starters' suite.

Each framework's starter is rendered and installed in a fresh virtual environment ONCE per
session (the ``project`` fixture); the contract tests and the make-target tests share it.
Under pytest-xdist (``-n auto --dist loadgroup``, the README's command) every test of one
such environment runs on the same worker, so it is still built once. ``-k fastapi`` (or
``django``, ``flask``) selects one framework.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import has_question

from . import harness

#: Session-built virtual environments, each named by the fixture that builds it (one per
#: framework): a test using one is pinned with every other test using it to one
#: pytest-xdist worker (``--dist loadgroup``), so each is built once per run.
VENV_FIXTURES = ("project", "background_project", "venv_root")


def xdist_group(item: pytest.Item) -> str | None:
    """The pytest-xdist group of a starters test: ``<venv fixture>-<framework>`` for a test
    that uses one of ``VENV_FIXTURES``, else ``None`` (it may run on any worker)."""
    callspec = getattr(item, "callspec", None)
    framework = callspec.params.get("framework") if callspec is not None else None
    used = [name for name in VENV_FIXTURES if name in getattr(item, "fixturenames", ())]
    if framework is None or not used:
        return None
    return f"{used[0]}-{framework}"


def _suffix_node_id(item: pytest.Item, group: str) -> None:
    """Give ``item`` the ``<node id>@<group>`` id that ``--dist loadgroup`` schedules by.

    pytest-xdist 3.8 does this from the marks by setting ``item._nodeid``, which pytest 9.2
    no longer reads (its node ids live in ``_id``), so every test would be scheduled alone:
    set it here, through whichever attribute this pytest has.
    """
    node_id = f"{item.nodeid}@{group}"
    try:
        from _pytest.nodeid import coerce_node_id  # pytest >= 9.2
    except ImportError:
        item._nodeid = node_id
    else:
        item._id = coerce_node_id(node_id)  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the starters' tests with their ``xdist_group`` (see ``xdist_group``) and, on a
    ``--dist loadgroup`` worker, put the group in the node id (see ``_suffix_node_id``)."""
    here = Path(__file__).parent
    loadgroup = bool(getattr(config.option, "loadgroup", False))
    for item in items:
        if not item.path.is_relative_to(here):
            continue
        group = xdist_group(item)
        if group is None:
            continue
        item.add_marker(pytest.mark.xdist_group(group))
        if loadgroup and not item.nodeid.endswith(f"@{group}"):
            _suffix_node_id(item, group)


@dataclass(frozen=True)
class Project:
    """A rendered starter with its own ``.venv`` (``-e '.[dev]'`` installed)."""

    framework: str
    path: Path
    python: Path


@pytest.fixture(scope="session", params=harness.FRAMEWORKS, ids=list(harness.FRAMEWORKS))
def framework(request: pytest.FixtureRequest) -> str:
    """The framework under test: fastapi, django or flask."""
    name: str = request.param
    return name


def full_options(framework: str) -> dict[str, bool]:
    """The answers that turn on every option adding Python code (and dependencies)."""
    options = {"admin": True}
    if has_question(framework, "html"):
        options["html"] = True
    return options


@pytest.fixture(scope="session")
def project(framework: str, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The framework's starter (every code option on), installed in a fresh venv.

    Rendered with all the options that change Python code so its venv holds every
    dependency any combination needs; the option matrix reuses it.
    """
    path = tmp_path_factory.mktemp(f"{framework}-project") / harness.PROJECT_SLUG
    harness.render(framework, path, **full_options(framework))
    python = harness.build_venv(path)
    return Project(framework, path, python)


#: The starters that have the `realtime` option (CONTRACT.md: not Flask, WSGI is synchronous).
REALTIME_FRAMEWORKS = ("fastapi", "django")


def background_options(framework: str) -> dict[str, bool]:
    """Every code option on, plus `tasks` and (FastAPI, Django) `realtime`."""
    options = {**full_options(framework), "tasks": True}
    if framework in REALTIME_FRAMEWORKS:
        options["realtime"] = True
    return options


@pytest.fixture(scope="session")
def background_project(framework: str, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The framework's starter with `tasks` (and `realtime`) on, in its own venv.

    Separate from ``project``: the contract suite runs the starters without Redis, as a
    project made with the defaults is.
    """
    if not has_question(framework, "tasks"):
        pytest.skip(f"the {framework} template has no `tasks` option yet (issue 12)")
    path = tmp_path_factory.mktemp(f"{framework}-background") / harness.PROJECT_SLUG
    harness.render(framework, path, **background_options(framework))
    python = harness.build_venv(path)
    return Project(framework, path, python)


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database(request: pytest.FixtureRequest) -> str:
    """The database flavour under test: sqlite or postgresql."""
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def database_url(
    framework: str, database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database of the flavour under test, for one module."""
    if database == "postgresql":
        with harness.fresh_postgres_database(framework) as url:
            yield url
    else:
        yield harness.sqlite_url(tmp_path_factory.mktemp(f"{framework}-db") / "db.sqlite3")


@pytest.fixture
def postgres_url(framework: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    with harness.fresh_postgres_database(framework) as url:
        yield url


@pytest.fixture(scope="module")
def server(
    project: Project, database: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.Server]:
    """The starter served in production mode on the database under test (one per module)."""
    log = tmp_path_factory.mktemp(f"{project.framework}-{database}-server") / "server.log"
    with harness.Server(project.path, database_url, log_path=log) as running:
        yield running
