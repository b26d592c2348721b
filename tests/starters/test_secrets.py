"""Each starter's secret policy and debug output (issue 9, SPEC §6 "Fail closed").

- Without a usable ``SECRET_KEY`` the app refuses to start in every environment, with
  exactly one line on its output and no traceback: under ``make serve`` and under granian
  started directly (the Docker ``CMD`` path, one line per worker).
- ``make install`` (through the ``.env`` file target) writes a ``.env`` with a fresh
  64-hex-digit key when there is none, and never touches an existing one.
- ``make serve`` never shows a debug page, whatever ``.env`` says; its log never carries a
  password, a hash, a token or an email address.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import harness
from .conftest import Project
from .harness import Client, Server

pytestmark = pytest.mark.slow

PASSWORD = "debug page password"
#: ``SECRET_KEY`` values a starter must refuse (``None``: unset).
WEAK_SECRETS = {
    "unset": None,
    "empty": "",
    "placeholder": "change-me",
    "placeholder-upper": "CHANGETHIS",
    "placeholder-test": "test",
    "31-characters": "k" * 31,
}


def _serve_env(project: Project, tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    return harness.project_env(
        project.path,
        DATABASE_URL=harness.sqlite_url(tmp_path / "db.sqlite3"),
        HOST="127.0.0.1",
        PORT=str(harness.free_port()),
        WEB_CONCURRENCY="2",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        **overrides,
    )


def _error_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("error:")]


def _assert_refused(code: int | None, output: str, expected: str, *, lines: range) -> None:
    assert code is not None, f"the server started without a usable SECRET_KEY:\n{output}"
    assert code != 0, f"exit 0 without a usable SECRET_KEY:\n{output}"
    assert "Traceback" not in output, f"a traceback, not one line:\n{output}"
    errors = _error_lines(output)
    assert len(errors) in lines, f"expected {lines} error line(s), got:\n{output}"
    for line in errors:
        assert line == expected, f"unexpected message:\n{line}\nexpected:\n{expected}"


#: (environment, weak secret): each kind of weak secret once, the missing one in both.
REFUSALS = [
    ("development", "unset"),
    ("development", "placeholder-upper"),
    ("development", "31-characters"),
    ("production", "unset"),
    ("production", "empty"),
    ("production", "placeholder"),
    ("production", "placeholder-test"),
]


@pytest.mark.parametrize(("environment", "secret"), REFUSALS, ids=[f"{e}-{s}" for e, s in REFUSALS])
def test_make_serve_refuses_without_a_usable_secret(
    project: Project, tmp_path: Path, environment: str, secret: str
) -> None:
    """No ``.env``, ``ENVIRONMENT`` unset (development) or ``production``."""
    env = _serve_env(
        project,
        tmp_path,
        ENVIRONMENT="production" if environment == "production" else None,
        SECRET_KEY=WEAK_SECRETS[secret],
    )
    expected = (
        harness.SECRET_KEY_ERROR_PRODUCTION
        if environment == "production"
        else harness.SECRET_KEY_ERROR_DEVELOPMENT
    )
    with harness.dotenv_replaced(project.path, None):
        code, output = harness.run_until_exit(
            ["make", "--no-print-directory", "serve"],
            cwd=project.path,
            env=env,
            port=int(env["PORT"]),
        )
    _assert_refused(code, output, expected, lines=range(1, 2))


def test_a_weak_secret_in_dotenv_is_refused_too(project: Project, tmp_path: Path) -> None:
    env = _serve_env(project, tmp_path, ENVIRONMENT=None, SECRET_KEY=None)
    with harness.dotenv_replaced(project.path, "ENVIRONMENT=development\nSECRET_KEY=secret\n"):
        code, output = harness.run_until_exit(
            ["make", "--no-print-directory", "serve"],
            cwd=project.path,
            env=env,
            port=int(env["PORT"]),
        )
    _assert_refused(code, output, harness.SECRET_KEY_ERROR_DEVELOPMENT, lines=range(1, 2))


def docker_granian_command(project: Path) -> list[str]:
    """The granian command of the project's Dockerfile ``CMD``, as a list of arguments.

    Only the ``granian ...`` part: what runs before it (a check, a migration) is left out,
    so the app itself must refuse to start.
    """
    dockerfile = (project / "Dockerfile").read_text("utf-8")
    command = next(
        line for line in dockerfile.splitlines() if line.startswith("CMD") and "granian" in line
    )
    shell = re.search(r'"-c",\s*"(.*)"\]\s*$', command)
    assert shell, command
    script = shell.group(1).replace('\\"', '"')
    granian = script[script.index("granian") :]
    return shlex.split(granian)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_granian_started_directly_refuses_with_one_line_per_worker(
    project: Project, tmp_path: Path, environment: str
) -> None:
    if not (project.path / "Dockerfile").exists():
        pytest.skip("rendered without docker")
    env = _serve_env(
        project,
        tmp_path,
        ENVIRONMENT="production" if environment == "production" else None,
        SECRET_KEY=None,
    )
    arguments = docker_granian_command(project.path)
    # "$HOST", "$PORT", "${WEB_CONCURRENCY:-...}" were shell words: give their values.
    values = {"$HOST": env["HOST"], "$PORT": env["PORT"]}
    arguments = [values.get(a, "2" if a.startswith("${WEB_CONCURRENCY") else a) for a in arguments]
    arguments[0] = str(project.path / ".venv" / "bin" / "granian")
    expected = (
        harness.SECRET_KEY_ERROR_PRODUCTION
        if environment == "production"
        else harness.SECRET_KEY_ERROR_DEVELOPMENT
    )
    with harness.dotenv_replaced(project.path, None):
        code, output = harness.run_until_exit(
            arguments, cwd=project.path, env=env, port=int(env["PORT"])
        )
    _assert_refused(code, output, expected, lines=range(1, 3))


SECRET_LINE = re.compile(r"^SECRET_KEY=(.*)$", re.M)


def _make(project: Project, *args: str) -> str:
    env = harness.project_env(project.path)
    return harness.run(
        ["make", "--no-print-directory", *args], cwd=project.path, env=env, timeout=120
    ).stdout


def test_dotenv_target_writes_a_fresh_secret_once(project: Project) -> None:
    example = (project.path / ".env.example").read_text("utf-8")
    assert re.search(r"^SECRET_KEY=$", example, re.M), ".env.example must keep `SECRET_KEY=`"
    keys = []
    for _ in range(2):
        with harness.dotenv_replaced(project.path, None) as dotenv:
            # `make install` makes the .env first (dry run: nothing is installed here).
            assert "token_hex" in _make(project, "--dry-run", "install")
            _make(project, ".env")
            written = dotenv.read_text("utf-8")
        found = SECRET_LINE.findall(written)
        assert len(found) == 1, written
        assert re.fullmatch(r"[0-9a-f]{64}", found[0]), f"not 64 hex digits: {found[0]!r}"
        keys.append(found[0])
        # Everything else is .env.example as it is.
        assert SECRET_LINE.sub("SECRET_KEY=", written) == example
    assert keys[0] != keys[1], "the same key twice: not random"


def test_dotenv_target_never_overwrites(project: Project) -> None:
    mine = "# mine\nSECRET_KEY=" + "a1" * 32 + "\nDATABASE_URL=sqlite:///./mine.db\n"
    with harness.dotenv_replaced(project.path, mine) as dotenv:
        # Older than .env.example (as after an update that changed it): still kept.
        example_mtime = (project.path / ".env.example").stat().st_mtime
        os.utime(dotenv, (example_mtime - 3600, example_mtime - 3600))
        assert "token_hex" not in _make(project, "--dry-run", "install")
        _make(project, ".env")
        assert dotenv.read_text("utf-8") == mine
    with harness.dotenv_replaced(project.path, "") as dotenv:
        _make(project, ".env")
        assert dotenv.read_text("utf-8") == "", "an existing (empty) .env was rewritten"


DEBUG_DOTENV = "ENVIRONMENT=development\nDEBUG=true\nFLASK_DEBUG=1\n"
HTML_MARKERS = ("<html", "<!doctype", "traceback", "urlpatterns", "werkzeug debugger")


@pytest.fixture(scope="module")
def debug_dotenv_server(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    """``make serve`` with a ``.env`` that asks for debug output (and holds the secret)."""
    folder = tmp_path_factory.mktemp(f"{project.framework}-debug-dotenv")
    secret = secrets.token_hex(32)
    content = f"{DEBUG_DOTENV}SECRET_KEY={secret}\n"
    server = Server(
        project.path,
        harness.sqlite_url(folder / "db.sqlite3"),
        log_path=folder / "server.log",
        secret_key=secret,
        overrides={"ENVIRONMENT": None, "SECRET_KEY": None, "DEBUG": None},
    )
    with harness.dotenv_replaced(project.path, content), server:
        yield server, secret


def _assert_not_a_debug_page(name: str, response: harness.Response) -> None:
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("application/json"), (name, response.status, content_type)
    lowered = response.text.lower()
    for marker in HTML_MARKERS:
        assert marker not in lowered, f"{name}: {marker!r} in {response.text[:500]}"
    assert len(response.body) < 10_000, f"{name}: a {len(response.body)}-byte answer"


def test_make_serve_never_shows_debug_pages(debug_dotenv_server: tuple[Server, str]) -> None:
    server, _ = debug_dotenv_server
    api = Client(server.base_url)
    answers = {
        "unknown page": api.get("/nope"),
        "unknown api": api.post("/api/no-such-route", json_body={"a": 1}),
        "3 MB body": api.post(
            "/api/auth/register",
            body=b'{"email": "a@example.com", "password": "' + b"p" * 3_000_000 + b'"}',
            content_type="application/json",
        ),
        "broken json": api.post(
            "/api/auth/register", body=b"{not json", content_type="application/json"
        ),
        "wrong method": api.request("PUT", "/api/items"),
        "bad host": api.get("/health", headers={"Host": "attacker.example"}),
    }
    for name, response in answers.items():
        assert response.status < 500, (name, response.status, response.text[:500])
        _assert_not_a_debug_page(name, response)
    assert answers["unknown page"].status == 404
    assert answers["3 MB body"].status == 413
    assert answers["3 MB body"].json() == {"detail": "Request body is too large"}


def test_dotenv_secret_signs_and_old_keys_do_not(debug_dotenv_server: tuple[Server, str]) -> None:
    server, secret = debug_dotenv_server
    api = Client(server.base_url)
    email = f"debug-{uuid.uuid4().hex[:12]}@example.com"
    token = harness.register_and_login(server.base_url, email, PASSWORD)
    assert harness.jwt_signature_valid(token, secret), "not signed with the .env's SECRET_KEY"
    now = int(time.time())
    for key in harness.OLD_SOURCE_KEYS:
        for sub in ("1", harness.jwt_parts(token)[1]["sub"]):
            forged = harness.make_jwt({"sub": sub, "exp": now + 600}, key)
            response = api.with_token(forged).get("/api/users/me")
            assert response.status == 401, f"a token signed with {key!r}: {response.text}"
    # Outside production, never HSTS, even behind a proxy that says https.
    proxied = api.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert proxied.header("Strict-Transport-Security") is None, proxied.headers


# The last test of the module's server: it reads everything the server logged above.
def test_debug_server_log_carries_no_secrets(debug_dotenv_server: tuple[Server, str]) -> None:
    server, secret = debug_dotenv_server
    log = server.log()
    leaks = harness.log_leaks(log, PASSWORD, secret)
    assert not leaks, "the server log carries secrets:\n" + "\n".join(leaks[:50])
