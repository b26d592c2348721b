"""Helpers of the starters' black-box suite: render, install, run and call a starter.

Everything here is real: copier renders the template, uv builds a virtual environment, the
project's own Makefile migrates and serves it with granian, and requests go over a loopback
socket. Nothing is mocked, so a green run means a user following the README gets the same.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = REPO_ROOT / "templates"
FRAMEWORKS = ("fastapi", "django", "flask")

#: Every answer the suite gives explicitly; the rest are the templates' defaults.
PROJECT_NAME = "Starter Check"
PROJECT_SLUG = "starter_check"

#: Variables a developer's shell may carry that would change what a starter does.
_PROJECT_VARIABLES = (
    "ENVIRONMENT",
    "SECRET_KEY",
    "DATABASE_URL",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "CORS_ORIGINS",
    "ALLOWED_HOSTS",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
    "FLASK_APP",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
)

#: Read at import, before any test isolates HOME: uv keeps its (large) cache across tests.
_UV_CACHE_DIR = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")

#: Keys once written in the starters' source as a development fallback (issue 9): a token
#: signed with one of them must never be accepted.
OLD_SOURCE_KEYS = (
    "insecure-development-key-set-SECRET_KEY-in-.env",
    "development-only-secret-key-do-not-use-in-production-0123456789",
)
#: The request body limit of every starter (SPEC §6): over it, 413 before parsing.
MAX_BODY_BYTES = 1024 * 1024
#: The one line a starter prints when it refuses to start without a usable SECRET_KEY.
SECRET_KEY_ERROR_DEVELOPMENT = (
    "error: SECRET_KEY is missing or too weak: run 'make install' to write a .env with a "
    "fresh one, or export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
)
SECRET_KEY_ERROR_PRODUCTION = (
    "error: SECRET_KEY is missing or too weak: production needs a random value of at least "
    "32 characters in the environment, e.g. export "
    "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
)

SERVER_START_TIMEOUT = 60.0
MAKE_TIMEOUT = 600.0


class CommandFailed(AssertionError):
    """A command of a generated project exited non-zero; the message holds its output."""


# --------------------------------------------------------------------------- rendering


def render(framework: str, dst: Path, **answers: Any) -> Path:
    """Render ``templates/<framework>`` into ``dst`` exactly as scaffold does; return ``dst``.

    Untrusted (``unsafe=False``), non-interactive (``defaults=True``) and isolated from the
    user's copier settings (``Settings()``). ``answers`` override the defaults.
    """
    from copier import Settings, run_copy

    data = {"project_name": PROJECT_NAME, **answers}
    run_copy(
        str(TEMPLATES_DIR / framework),
        dst,
        data=data,
        defaults=True,
        unsafe=False,
        settings=Settings(),
        quiet=True,
    )
    return dst


# ----------------------------------------------------------------------- environments


def dev_executable(name: str, why: str) -> str:
    """The command ``name`` next to the running interpreter, else the one on ``PATH``;
    fail the test with ``why`` when there is neither."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(why)
    return found


def uv_executable() -> str:
    """The ``uv`` next to the running interpreter, else the one on ``PATH``."""
    return dev_executable("uv", "uv is needed to build the starters' virtual environments")


def run(
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = MAKE_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture stdout and stderr together, raise ``CommandFailed`` on error."""
    try:
        result = subprocess.run(
            args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        raise CommandFailed(f"{' '.join(args)} timed out after {timeout} s\n{output}") from exc
    if result.returncode != 0:
        raise CommandFailed(
            f"{' '.join(args)} (in {cwd}) exited {result.returncode}\n{result.stdout}"
        )
    return result


def uv_env() -> dict[str, str]:
    """The environment of the uv commands: no starter settings, uv's shared download cache."""
    return {**clean_environ(), "UV_CACHE_DIR": _UV_CACHE_DIR}


def make_venv(venv: Path) -> Path:
    """Create the virtual environment ``venv`` with uv; return its python."""
    command = [uv_executable(), "venv", "--quiet", str(venv), "--python", sys.executable]
    run(command, cwd=venv.parent, env=uv_env())
    return venv / "bin" / "python"


def install_editable(python: Path, project: Path, *, constraints: Path | None = None) -> None:
    """Install ``-e '<project>[dev]'`` into ``python``'s venv (``constraints``: a lock).

    uv does not compile bytecode unless told, and every process the tests start runs with
    PYTHONDONTWRITEBYTECODE=1 (`clean_environ`): without ``--compile-bytecode`` each of them
    (every `make test`, `make serve` and its granian workers, each fresh interpreter of a
    project's own suite) compiled FastAPI, SQLAlchemy, pydantic... from source again, about
    1.5 s of CPU per start. pip, which the projects' `make install` uses, compiles by default.
    """
    lock = ["-c", str(constraints)] if constraints is not None else []
    flags = ["--quiet", "--compile-bytecode", "--python", str(python), *lock]
    run(
        [uv_executable(), "pip", "install", *flags, "-e", f"{project}[dev]"],
        cwd=project,
        env=uv_env(),
    )


def build_venv(project: Path) -> Path:
    """Create ``<project>/.venv`` with uv and install ``-e '<project>[dev]'``; return its python."""
    python = make_venv(project / ".venv")
    # With the project's lock as constraints, as `make install` does.
    lock = project / "requirements.txt"
    install_editable(python, project, constraints=lock if lock.is_file() else None)
    return python


def clean_environ() -> dict[str, str]:
    """This process's environment without any variable that configures a starter."""
    env = {k: v for k, v in os.environ.items() if k not in _PROJECT_VARIABLES}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def project_env(project: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of a shell that activated ``<project>/.venv``.

    ``overrides`` set variables; a ``None`` value removes one.
    """
    env = clean_environ()
    venv = project / ".venv"
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_make(
    project: Path,
    target: str,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float = MAKE_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``make <target>`` in ``project`` with its venv active; raise with the output on error.

    ``env`` defaults to :func:`project_env` (development settings from the project's ``.env``).
    """
    return run(
        ["make", "--no-print-directory", target],
        cwd=project,
        env=env if env is not None else project_env(project),
        timeout=timeout,
    )


def sqlite_url(path: Path) -> str:
    """A ``DATABASE_URL`` for an SQLite file at an absolute path."""
    return f"sqlite:///{path.resolve()}"


# ---------------------------------------------------------------------------- servers


#: Where :func:`free_port` looks: below Linux's ephemeral range (32768-60999), so neither
#: the kernel's ``bind(0)`` nor an outgoing connection (schemathesis opens thousands) can
#: take a port between the test choosing it and the server binding it.
_PORT_BASE = 20000
#: Ports of each pytest-xdist worker (``gw0`` gets 20000-20499, ``gw1`` 20500-20999, ...):
#: two workers never hand out the same port.
_PORTS_PER_WORKER = 500
_MAX_WORKERS = 24


def worker_index() -> int:
    """This pytest-xdist worker's number (``gw3`` -> 3); 0 without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _port_sequence() -> Iterator[int]:
    """This worker's ports in turn, from a random start (another test run on the same
    machine, e.g. a second worktree, most likely starts elsewhere), forever."""
    first = _PORT_BASE + (worker_index() % _MAX_WORKERS) * _PORTS_PER_WORKER
    offset = secrets.randbelow(_PORTS_PER_WORKER)
    while True:
        yield first + offset
        offset = (offset + 1) % _PORTS_PER_WORKER


_ports = _port_sequence()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is bound to at the moment and that no other
    worker of this run will hand out (see ``_PORT_BASE``)."""
    for _ in range(_PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (or lingering in TIME_WAIT): the next one
            return port
    pytest.fail(f"no free port among this worker's {_PORTS_PER_WORKER} from {_PORT_BASE}")


def production_env(
    project: Path, database_url: str, port: int, secret_key: str, **overrides: str | None
) -> dict[str, str]:
    """The production settings the suite serves a starter with (see the team's preamble).

    ``overrides`` set variables; a ``None`` value removes one (``SECRET_KEY=None``).
    """
    settings: dict[str, str | None] = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CORS_ORIGINS": "http://localhost:5173",
    }
    settings.update(overrides)
    return project_env(project, **settings)


@dataclass
class Server:
    """A starter served by ``make serve`` on a loopback port, for use as a context manager.

    On entry it runs ``make migrate`` (unless ``migrate`` is false), starts ``make serve`` in
    its own process group and waits until ``GET /health`` answers one of ``ready_statuses``.
    On exit the whole group (make, granian and its workers) is terminated.
    """

    project: Path
    database_url: str
    log_path: Path
    migrate: bool = True
    ready_statuses: tuple[int, ...] = (200,)
    overrides: dict[str, str | None] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment ``make migrate`` and ``make serve`` get."""
        return production_env(
            self.project, self.database_url, self.port, self.secret_key, **self.overrides
        )

    def log(self) -> str:
        """Everything the server wrote so far."""
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> Server:
        env = self.env()
        if self.migrate:
            run_make(self.project, "migrate", env)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                ["make", "--no-print-directory", "serve"],
                cwd=self.project,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                pytest.fail(f"`make serve` exited {code} before /health answered:\n{self.log()}")
            try:
                status = Client(self.base_url, timeout=2).get("/health").status
            except (OSError, http.client.HTTPException) as exc:
                last_error = repr(exc)
            else:
                if status in self.ready_statuses:
                    return
                last_error = f"/health answered {status}"
            time.sleep(0.25)
        pytest.fail(
            f"/health not ready after {SERVER_START_TIMEOUT} s ({last_error}):\n{self.log()}"
        )

    def stop(self) -> None:
        """Terminate the server's process group (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        # Workers may outlive make: always sweep the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def kill_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the group of a process started with ``start_new_session`` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)


# ------------------------------------------------------------------------- PostgreSQL

POSTGRES_URL_VARIABLE = "SCAFFOLD_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "SCAFFOLD_REQUIRE_POSTGRES"


def postgres_admin_url() -> str:
    """The admin URL from ``SCAFFOLD_TEST_POSTGRES_URL``; skip (or fail if required) without it."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if url:
        return url
    message = f"{POSTGRES_URL_VARIABLE} is not set"
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"{message} but {REQUIRE_POSTGRES_VARIABLE}=1")
    pytest.skip(message)


def _psql(admin_url: str, sql: str) -> None:
    run(
        ["psql", admin_url, "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-c", sql],
        cwd=Path.cwd(),
        env=clean_environ(),
        timeout=60,
    )


def postgres_database_url(admin_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``admin_url``."""
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}", query=""))


def new_database_name(hint: str) -> str:
    """A database name that no other test, worker or run takes: ``starters_<hint>_gw<worker
    number>_<random>`` (the worker, so that parallel workers cannot clash even by chance)."""
    return f"starters_{hint}_gw{worker_index()}_{secrets.token_hex(4)}".lower()


def create_database(admin_url: str, name: str) -> None:
    _psql(admin_url, f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_postgres_database(hint: str) -> Iterator[str]:
    """Create an empty database named by :func:`new_database_name`, yield its URL, drop it."""
    admin_url = postgres_admin_url()
    name = new_database_name(hint)
    create_database(admin_url, name)
    try:
        yield postgres_database_url(admin_url, name)
    finally:
        drop_database(admin_url, name)


# ------------------------------------------------------------------------------ HTTP


@dataclass(frozen=True)
class Response:
    """What came back: status, headers (lower-cased names) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; fails the test with the body when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            pytest.fail(f"not a JSON body (status {self.status}): {self.body[:500]!r}")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Client:
    """A minimal HTTP/1.1 client on ``http.client`` (one connection per request).

    The stdlib keeps the suite free of extra dependencies and lets it send bytes that
    friendlier clients refuse (invalid JSON, bad encodings, odd headers).
    """

    base_url: str
    token: str | None = None
    timeout: float = 30

    def with_token(self, token: str | None) -> Client:
        return Client(self.base_url, token, self.timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | str | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        chunked: bool = False,
    ) -> Response:
        """Send one request. ``json_body`` is encoded as JSON, ``form`` as urlencoded,
        ``body`` goes as given (with ``content_type`` if set).

        A ``Host`` in ``headers`` replaces the real one. ``chunked`` sends the body with
        ``Transfer-Encoding: chunked`` (no ``Content-Length``). A server may answer and
        close before it read a large body: the answer is still read and returned.
        """
        all_headers: dict[str, str] = {}
        if self.token is not None:
            all_headers["Authorization"] = f"Bearer {self.token}"
        payload: bytes | None = None
        if json_body is not None:
            payload = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            payload = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = body.encode() if isinstance(body, str) else body
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        parts = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout
        )
        custom_host = any(name.lower() == "host" for name in all_headers)
        try:
            connection.putrequest(method, path, skip_host=custom_host, skip_accept_encoding=True)
            for name, value in all_headers.items():
                connection.putheader(name, value)
            if chunked:
                connection.putheader("Transfer-Encoding", "chunked")
            elif payload is not None or method in {"POST", "PUT", "PATCH"}:
                connection.putheader("Content-Length", str(len(payload or b"")))
            try:
                if chunked:
                    connection.endheaders()
                    for start in range(0, len(payload or b""), 65536):
                        chunk = (payload or b"")[start : start + 65536]
                        connection.send(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
                    connection.send(b"0\r\n\r\n")
                else:
                    connection.endheaders(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered (413) before the whole body went: read that answer
            answer = connection.getresponse()
            data = answer.read()
            headers_out = {k.lower(): v for k, v in answer.getheaders()}
            return Response(answer.status, headers_out, data)
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)


# ------------------------------------------------------------------------------- JWT


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, as used in JWT segments."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims: Mapping[str, Any], key: str, alg: str = "HS256") -> str:
    """Sign ``claims`` as an HS256 JWT with ``key`` (or an unsigned ``alg: none`` one)."""
    header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64url(json.dumps(dict(claims)).encode())
    signing_input = f"{header}.{payload}".encode()
    if alg == "none":
        return f"{header}.{payload}."
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """Header, claims and signature of a JWT, without verifying anything."""
    header, payload, signature = token.split(".")
    return (
        json.loads(b64url_decode(header)),
        json.loads(b64url_decode(payload)),
        b64url_decode(signature),
    )


def jwt_signature_valid(token: str, key: str) -> bool:
    """Whether an HS256 JWT was signed with ``key``."""
    header, payload, signature = token.split(".")
    expected = hmac.new(key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(expected, b64url_decode(signature))


# ----------------------------------------------------------------------- accounts


def register_and_login(base_url: str, email: str, password: str) -> str:
    """Register ``email`` on a served starter and return a fresh access token for it."""
    client = Client(base_url)
    created = client.post("/api/auth/register", json_body={"email": email, "password": password})
    assert created.status == 201, f"register: {created.status} {created.text}"
    answer = client.post("/api/auth/token", form={"username": email, "password": password})
    assert answer.status == 200, f"token: {answer.status} {answer.text}"
    token: str = answer.json()["access_token"]
    return token


# ---------------------------------------------------------------------------- logs

#: What must never reach a server log (SPEC §6): hashes, tokens, addresses, SQL parameters.
_LOG_LEAKS = {
    "an argon2 hash": re.compile(r"\$argon2(id|i|d)\$"),
    "a pbkdf2 hash": re.compile(r"pbkdf2_sha\d+\$|\$pbkdf2"),
    "a bcrypt hash": re.compile(r"\$2[aby]\$\d\d\$"),
    "a JWT": re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    "an email address": re.compile(r"[\w.%+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}"),
    "SQL parameters": re.compile(r"\[parameters: "),
}


def log_leaks(log: str, *secrets_sent: str) -> list[str]:
    """The lines of a server log that carry a secret, each with what it carries.

    ``secrets_sent`` are literal values (passwords, tokens) the test sent and that must
    not appear either.
    """
    found = []
    for number, line in enumerate(log.splitlines(), start=1):
        kinds = [kind for kind, pattern in _LOG_LEAKS.items() if pattern.search(line)]
        kinds += ["a value the test sent" for value in secrets_sent if value and value in line]
        if kinds:
            found.append(f"line {number} ({', '.join(kinds)}): {line[:300]}")
    return found


@contextlib.contextmanager
def dotenv_replaced(project: Path, content: str | None) -> Iterator[Path]:
    """Swap the project's ``.env`` for ``content`` (``None``: no ``.env``); restore it after.

    Yields the path of ``.env``. Whatever a test leaves there is discarded.
    """
    dotenv = project / ".env"
    saved = dotenv.read_bytes() if dotenv.exists() else None
    dotenv.unlink(missing_ok=True)
    if content is not None:
        dotenv.write_text(content, "utf-8")
    try:
        yield dotenv
    finally:
        dotenv.unlink(missing_ok=True)
        if saved is not None:
            dotenv.write_bytes(saved)


def run_until_exit(
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    port: int | None = None,
    timeout: float = 90,
) -> tuple[int | None, str]:
    """Run a server command that should refuse to start; return (exit code, output).

    The exit code is ``None`` when it did not stop by itself: it was still running after
    ``timeout`` seconds, or it answered HTTP on ``port`` (it started serving). Its
    process group is killed either way.
    """
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        code: int | None = None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                code = process.poll()
                if code is not None:
                    break
                if port is not None and _answers_http(port):
                    break
                time.sleep(0.25)
        finally:
            # Workers may outlive their parent: always sweep the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        output.seek(0)
        return code, output.read().decode("utf-8", errors="replace")


def _answers_http(port: int) -> bool:
    """Whether an app answers HTTP on ``port`` (granian listens before its workers import
    the app, so an open port alone proves nothing)."""
    try:
        Client(f"http://127.0.0.1:{port}", timeout=1).get("/health")
    except (OSError, http.client.HTTPException):
        return False
    return True
