"""Each starter as a project: its Makefile targets, its production guard, its option matrix.

The make targets run in the session's fresh virtual environment (see ``conftest.project``).
Every combination of the template's options is rendered and checked for leftovers, lint
and YAML; the combinations that change Python code also run their own test suite and type
check, reusing the session's environment (it holds every optional dependency).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import git
from tests.helpers import (
    assert_no_leftover_jinja,
    copier_questions,
    generated_files,
    has_question,
    question_values,
    run_ruff,
)

from . import harness
from .conftest import Project, full_options

pytestmark = pytest.mark.slow

#: Options whose every value is rendered. ``html`` exists in the FastAPI template only.
MATRIX_QUESTIONS = ("admin", "html", "docker", "ci", "database")
#: Options that change Python code: a covering subset of their combinations (every pair
#: of values together at least once, see ``_pairwise``) runs the project's tests and mypy.
CODE_QUESTIONS = ("admin", "html", "tasks", "realtime")
#: Options whose code needs Redis-side dependencies: their combinations use the venv of
#: ``background_project`` (every option on), the others the session ``project``'s.
BACKGROUND_QUESTIONS = ("tasks", "realtime")


def _asked(framework: str, questions: tuple[str, ...]) -> list[str]:
    """The questions the template really asks (a ``when: false`` one only refuses)."""
    return [
        q
        for q in questions
        if has_question(framework, q) and copier_questions(framework)[q].get("when") is not False
    ]


def _combinations(framework: str, questions: tuple[str, ...]) -> list[dict[str, Any]]:
    asked = _asked(framework, questions)
    values = [question_values(framework, q) for q in asked]
    return [dict(zip(asked, combo, strict=True)) for combo in itertools.product(*values)]


def _pairwise(framework: str, questions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Combinations in which every pair of values of two questions appears at least once.

    Greedy: take, from every combination, the one covering the most pairs not yet
    covered, until none is left. With 2-4 yes/no questions that is 4-6 combinations
    instead of up to 16, and any fault that needs two options together still shows.
    """
    every = _combinations(framework, questions)

    def pairs(answers: dict[str, Any]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
        items = sorted(answers.items())
        return set(itertools.combinations(items, 2)) or {(items[0], items[0])}

    uncovered = set().union(*(pairs(answers) for answers in every))
    chosen: list[dict[str, Any]] = []
    while uncovered:
        best = max(every, key=lambda answers: len(pairs(answers) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen


def _combination_id(framework: str, answers: dict[str, Any]) -> str:
    parts = [
        (name if value else f"no-{name}") if isinstance(value, bool) else f"{name}={value}"
        for name, value in answers.items()
    ]
    return "-".join([framework, *parts])


def _matrix(
    questions: tuple[str, ...], *, but_full: bool = False, pairwise: bool = False
) -> list[Any]:
    """``(framework, answers)`` params; ``but_full`` leaves out the session project's answers,
    ``pairwise`` takes the covering subset of ``_pairwise`` instead of every combination."""
    combine = _pairwise if pairwise else _combinations
    return [
        pytest.param(framework, answers, id=_combination_id(framework, answers))
        for framework in harness.FRAMEWORKS
        for answers in combine(framework, questions)
        if not (but_full and answers == full_options(framework))
    ]


@pytest.fixture(scope="session")
def mypy_cache(framework: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy cache shared by every type check of one framework (third-party stubs once)."""
    return tmp_path_factory.mktemp(f"{framework}-mypy-cache")


def _env(project: Project, mypy_cache: Path, **overrides: str | None) -> dict[str, str]:
    return harness.project_env(project.path, MYPY_CACHE_DIR=str(mypy_cache), **overrides)


# ----------------------------------------------------------------------- make targets


def _migrate_and_test(path: Path, env: dict[str, str]) -> None:
    """`make migrate` then `make test` in the project at ``path``."""
    harness.run_make(path, "migrate", env)
    harness.run_make(path, "test", env)


def test_make_lint(project: Project, mypy_cache: Path) -> None:
    harness.run_make(project.path, "lint", _env(project, mypy_cache))


def _locked_pins(lock: str) -> dict[str, str]:
    """The lock's `name==version` lines whose markers hold here, by canonical name."""
    pins = {}
    for line in lock.splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                (version,) = (spec.version for spec in requirement.specifier)
                pins[canonicalize_name(requirement.name)] = version
    return pins


def _frozen_pins(frozen: str) -> dict[str, str]:
    """The `name==version` lines of a `pip freeze`, by canonical name (the project itself,
    installed editable, is left out)."""
    pins = {}
    for line in frozen.splitlines():
        if line.startswith("-e ") or " @ " in line:  # the project itself (editable)
            continue
        name, _, version = line.partition("==")
        pins[canonicalize_name(name)] = version
    return pins


def test_installed_versions_are_the_locked_ones(project: Project) -> None:
    """The venv (installed with the lock as constraints) holds exactly the lock's pins."""
    frozen = harness.run(
        [harness.uv_executable(), "pip", "freeze", "--python", str(project.python)],
        cwd=project.path,
        env=harness.clean_environ(),
    ).stdout
    installed = _frozen_pins(frozen)
    assert installed
    locked = _locked_pins((project.path / "requirements.txt").read_text("utf-8"))
    assert installed == locked


def test_make_install_from_scratch_then_pre_commit_passes(framework: str, tmp_path: Path) -> None:
    """A newcomer's first steps, for real: a fresh project committed with git (as `scaffold
    new` leaves it), no virtual environment active, `make install` (plain pip, the lock as
    constraints, from the package index). It makes `.venv` with exactly the lock's versions
    and installs the git hook, and `pre-commit run --all-files` then passes at once,
    changing nothing."""
    project = harness.render(framework, tmp_path / harness.PROJECT_SLUG)
    git("init", "--quiet", cwd=project)
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "Generated", cwd=project)
    env = harness.clean_environ()
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:  # a shell with no virtual environment active
        path = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(p for p in path if p != str(Path(venv) / "bin"))
    harness.run_make(project, "install", env, timeout=1200)
    assert (project / ".git" / "hooks" / "pre-commit").is_file(), "no git hook installed"
    frozen = harness.run(
        [str(project / ".venv" / "bin" / "python"), "-m", "pip", "freeze", "--exclude-editable"],
        cwd=project,
        env=env,
    ).stdout
    installed = _frozen_pins(frozen)
    assert installed == _locked_pins((project / "requirements.txt").read_text("utf-8"))
    hooks = harness.run(
        [str(project / ".venv" / "bin" / "pre-commit"), "run", "--all-files"], cwd=project, env=env
    )
    assert "Failed" not in hooks.stdout, hooks.stdout
    changed = git("status", "--porcelain", "--untracked-files=no", cwd=project)
    assert not changed.strip(), f"pre-commit changed tracked files:\n{changed}"


def test_make_lock_right_after_generation_changes_nothing(project: Project) -> None:
    """The shipped lock is byte for byte what the project's own `make lock` writes."""
    lock = project.path / "requirements.txt"
    before = lock.read_bytes()
    try:
        harness.run_make(project.path, "lock")
        assert lock.read_bytes() == before
    finally:
        lock.write_bytes(before)


def test_make_migrate_and_test_on_sqlite(project: Project, mypy_cache: Path) -> None:
    env = _env(project, mypy_cache)
    _migrate_and_test(project.path, env)


@pytest.mark.postgres
def test_make_migrate_and_test_on_postgresql(
    project: Project, mypy_cache: Path, postgres_url: str
) -> None:
    env = _env(project, mypy_cache, DATABASE_URL=postgres_url)
    _migrate_and_test(project.path, env)


@pytest.mark.postgres
def test_every_option_passes_its_own_suite_on_postgresql(
    background_project: Project, mypy_cache: Path, postgres_url: str
) -> None:
    """`tasks` and `realtime` on PostgreSQL. The option matrix runs their combinations' own
    suites on SQLite only, and the session project has neither: this is the project with
    every option on, migrated and tested against a real server (Django's socket tests then
    empty its tables between tests, FastAPI's events follow its commits)."""
    env = _env(background_project, mypy_cache, DATABASE_URL=postgres_url)
    _migrate_and_test(background_project.path, env)


@pytest.fixture
def without_dotenv(project: Project) -> Iterator[None]:
    """Hide the project's development ``.env`` (a production host has none)."""
    dotenv = project.path / ".env"
    hidden = project.path / ".env.hidden-by-test"
    moved = dotenv.exists()
    if moved:
        dotenv.rename(hidden)
    try:
        yield
    finally:
        if moved:
            hidden.rename(dotenv)


@pytest.mark.usefixtures("without_dotenv")
def test_production_refuses_to_start_without_secret_key(project: Project, tmp_path: Path) -> None:
    env = harness.production_env(
        project.path,
        harness.sqlite_url(tmp_path / "db.sqlite3"),
        harness.free_port(),
        secret_key="unused",
        SECRET_KEY=None,
    )
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=project.path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        harness.kill_process_group(process)
        pytest.fail("`make serve` kept running in production without SECRET_KEY")
    text = output.decode("utf-8", errors="replace")
    assert process.returncode != 0, text
    assert "SECRET_KEY" in text, text
    assert "Traceback (most recent call last)" not in text, f"a traceback, not a message:\n{text}"


# ---------------------------------------------------------------------- option matrix


@pytest.mark.parametrize(
    ("framework", "answers"), _matrix(MATRIX_QUESTIONS), indirect=["framework"]
)
def test_every_combination_renders_clean(
    framework: str, answers: dict[str, Any], tmp_path: Path
) -> None:
    project = harness.render(framework, tmp_path / harness.PROJECT_SLUG, **answers)
    assert_no_leftover_jinja(project)

    for path in generated_files(project):
        if path.suffix not in {".yml", ".yaml"} or not path.is_file():
            continue
        try:
            documents = list(yaml.safe_load_all(path.read_text("utf-8")))
        except yaml.YAMLError as exc:
            pytest.fail(f"{path.relative_to(project)} is not valid YAML: {exc}")
        assert documents, f"{path.relative_to(project)} is empty"

    _check_optional_files(project, answers)
    run_ruff(project, env=harness.clean_environ())


def _check_optional_files(project: Path, answers: dict[str, Any]) -> None:
    """``docker`` and ``ci`` add exactly their files, and what they add parses."""
    compose = [p for p in ("compose.yaml", "compose.yml") if (project / p).exists()]
    if answers.get("docker"):
        assert (project / "Dockerfile").is_file()
        assert (project / ".dockerignore").is_file()
        assert compose, "docker=true renders no compose file"
        services = yaml.safe_load((project / compose[0]).read_text("utf-8")).get("services")
        assert isinstance(services, dict), services
        assert services, "the compose file has no services"
    elif "docker" in answers:
        assert not (project / "Dockerfile").exists()
        assert not compose
    workflow = project / ".github" / "workflows" / "ci.yml"
    if answers.get("ci") == "github":
        assert workflow.is_file()
        document = yaml.safe_load(workflow.read_text("utf-8"))
        assert isinstance(document, dict), document
        assert document.get("jobs"), "the workflow has no jobs"
    elif "ci" in answers:
        assert not (project / ".github").exists()


# The combination with every code option on is the session project itself: `test_make_*`.
@pytest.mark.parametrize(
    ("framework", "answers"),
    _matrix(CODE_QUESTIONS, but_full=True, pairwise=True),
    indirect=["framework"],
)
def test_code_combination_passes_its_own_suite(
    framework: str,
    answers: dict[str, Any],
    project: Project,
    mypy_cache: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    combination = harness.render(framework, tmp_path / harness.PROJECT_SLUG, **answers)
    if any(answers.get(q) for q in BACKGROUND_QUESTIONS):
        project = request.getfixturevalue("background_project")  # has Celery, redis, Channels
    # The session venv has the session project installed in editable mode: PYTHONPATH
    # (and the working directory) make the combination's own package win.
    env = _env(
        project,
        mypy_cache,
        PYTHONPATH=str(combination),
    )
    try:
        harness.run_make(combination, "lint", env)
        _migrate_and_test(combination, env)
    finally:
        shutil.rmtree(combination / ".mypy_cache", ignore_errors=True)
