"""Logs and error reporting of each served starter (issue 13, docs: ops design A and B).

Black-box over ``make serve`` in production (DEBUG off, ``LOG_FORMAT`` and ``LOG_LEVEL``
left to their defaults), as a user deploys it:

- every line the server writes is one JSON object with ``time`` (UTC, milliseconds, ``Z``),
  ``level``, ``logger``, ``message`` and ``request_id``; each request has one access line
  (``<slug>.access``) with ``method``, ``path`` (never the query string), ``status`` and
  ``duration_ms``;
- ``X-Request-ID`` is echoed when sane, replaced when not, made when absent, on every
  response (404, 405, 413, a CORS preflight too), and it is the ``request_id`` of that
  request's lines;
- a register + login + reset request + reset page (``?token=``) + confirm leaves no
  password, token, hash, JWT or address in the log;
- with ``SENTRY_DSN`` pointing at a tiny HTTP server started here, an unreachable database
  (the contract's 503) delivers a real sentry-sdk envelope with the exception, the
  environment and the release, and without the password, the ``Authorization`` header
  or the cookies; the log's ERROR line carries the traceback and the request id.

The server runs on SQLite (the logs do not depend on the database) except the Sentry
case, which needs an unreachable PostgreSQL URL (no server needed).
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
import time
import tomllib
import uuid
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from . import harness
from .conftest import Project
from .harness import Client, Response, Server
from .mailbox import Mailbox, reset_token
from .test_contract import PASSWORD, UNREACHABLE_DATABASE, login, register, unique_email

pytestmark = pytest.mark.slow

PUBLIC_URL = "https://ops.example.test"
NEW_PASSWORD = "an entirely new passphrase"
KEYS = {"time", "level", "logger", "message", "request_id"}
ACCESS_KEYS = {"method", "path", "status", "duration_ms"}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
MADE_ID = re.compile(r"[0-9a-f]{32}")
#: Unset so the defaults of production apply (DEBUG off: JSON at INFO), no reporting.
DEFAULTS: dict[str, str | None] = {
    "LOG_FORMAT": None,
    "LOG_LEVEL": None,
    "SENTRY_DSN": None,
    "SENTRY_ENVIRONMENT": None,
    "SENTRY_TRACES_SAMPLE_RATE": None,
    "DEBUG": None,
}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def server(
    project: Project, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"{project.framework}-operations")
    overrides = {**DEFAULTS, **mailbox.env(), "PUBLIC_URL": PUBLIC_URL}
    with Server(
        project.path,
        harness.sqlite_url(folder / "db.sqlite3"),
        log_path=folder / "server.log",
        overrides=overrides,
    ) as running:
        yield running


@pytest.fixture
def api(server: Server) -> Client:
    return Client(server.base_url)


def make_echoes(server: Server) -> set[str]:
    """The recipe lines ``make serve`` echoes (make's own output, not the app's log)."""
    dry = harness.run(
        ["make", "--no-print-directory", "--dry-run", "serve"],
        cwd=server.project,
        env=server.env(),
        timeout=60,
    ).stdout
    return {line for line in dry.splitlines() if line.strip()}


def records(
    log: str, *, strict: bool = False, skip: set[str] = frozenset()
) -> list[dict[str, Any]]:
    """The JSON objects of a server log, one per line. ``strict``: every line but those
    in ``skip`` must be one (else the test fails on the first that is not)."""
    parsed = []
    for number, line in enumerate(log.splitlines(), start=1):
        if not line.strip() or line in skip:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if strict:
                pytest.fail(f"line {number} of the log is not JSON: {line[:300]!r}\n{log[-3000:]}")
            continue
        if isinstance(record, dict):
            parsed.append(record)
        elif strict:
            pytest.fail(f"line {number} is not a JSON object: {line[:300]}")
    return parsed


def lines_of(
    server: Server, request_id: str, *, wait_for_access: bool = True
) -> list[dict[str, Any]]:
    """The log records of one request (by its id), once its access line is written."""
    deadline = time.monotonic() + 10
    while True:
        found = [r for r in records(server.log()) if r.get("request_id") == request_id]
        if any(is_access(r) for r in found):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"no access line with request id {request_id}:\n{server.log()[-3000:]}")
        time.sleep(0.1)


def is_access(record: dict[str, Any]) -> bool:
    return str(record.get("logger", "")).endswith(".access")


def access_line(server: Server, request_id: str) -> dict[str, Any]:
    found = [r for r in lines_of(server, request_id) if is_access(r)]
    assert len(found) == 1, f"{len(found)} access lines for one request: {found}"
    return found[0]


def new_id() -> str:
    return f"test-{uuid.uuid4().hex}"


# ------------------------------------------------------------------------ the lines


def test_every_line_is_json_with_the_keys(server: Server, api: Client) -> None:
    request_id = new_id()
    assert api.get("/health", headers={"X-Request-ID": request_id}).status == 200
    access_line(server, request_id)
    everything = records(server.log(), strict=True, skip=make_echoes(server))
    assert everything, "the server wrote nothing"
    for record in everything:
        assert set(record) >= KEYS, f"missing {KEYS - set(record)}: {record}"
        assert TIME.fullmatch(str(record["time"])), record
        assert record["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, record
        assert isinstance(record["logger"], str) and record["logger"], record
        assert isinstance(record["message"], str), record
        assert record["request_id"] is None or isinstance(record["request_id"], str), record
    # Start-up lines come outside any request.
    assert any(r["request_id"] is None for r in everything), "no line outside a request"


@pytest.mark.parametrize(
    "dotenv_line", ["", "LOG_FORMAT=text", "LOG_FORMAT=json"], ids=["as-made", "text", "json"]
)
def test_the_server_writes_in_the_format_of_the_app(
    project: Project, dotenv_line: str, tmp_path: Path
) -> None:
    """``make serve`` as a developer runs it, with the settings of the project's ``.env``
    (ENVIRONMENT and LOG_FORMAT come from there, not from the environment): granian's own
    lines ("Listening at") come in the format of the app's lines (the access line), and
    LOG_FORMAT written in ``.env`` alone decides both."""
    dotenv = project.path / ".env"
    original = dotenv.read_text("utf-8")
    dotenv.write_text(f"{original.rstrip()}\n{dotenv_line}\n", "utf-8")
    request_id = new_id()
    try:
        with Server(
            project.path,
            harness.sqlite_url(tmp_path / "db.sqlite3"),
            log_path=tmp_path / "server.log",
            overrides={**DEFAULTS, "ENVIRONMENT": None},
        ) as server:
            api = Client(server.base_url)
            assert api.get("/health", headers={"X-Request-ID": request_id}).status == 200
            deadline = time.monotonic() + 10
            while request_id not in server.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            log, echoes = server.log(), make_echoes(server)
    finally:
        dotenv.write_text(original, "utf-8")
    kinds: dict[str, set[str]] = {}
    for line in log.splitlines():
        if not line.strip() or line in echoes:
            continue
        try:
            kind = "json" if isinstance(json.loads(line), dict) else "text"
        except ValueError:
            kind = "text"
        kinds.setdefault(kind, set()).add(line)
    server_lines = [line for line in log.splitlines() if "Listening at" in line]
    access = [line for line in log.splitlines() if request_id in line]
    assert server_lines, f"no granian start-up line:\n{log[-3000:]}"
    assert access, f"no access line for {request_id}:\n{log[-3000:]}"
    assert len(kinds) == 1, f"the log mixes JSON and text lines ({dotenv_line!r}):\n{log[-3000:]}"
    if dotenv_line:
        assert set(kinds) == {dotenv_line.partition("=")[2]}, log[-3000:]


def test_the_access_line(server: Server, api: Client, project: Project) -> None:
    request_id = new_id()
    secret_query = f"q{uuid.uuid4().hex}"
    answer = api.get(f"/health?token={secret_query}", headers={"X-Request-ID": request_id})
    assert answer.status == 200, answer.text
    record = access_line(server, request_id)
    assert set(record) >= ACCESS_KEYS, f"missing {ACCESS_KEYS - set(record)}: {record}"
    assert record["logger"] == f"{harness.PROJECT_SLUG}.access", record
    assert record["level"] == "INFO", record
    assert (record["method"], record["path"], record["status"]) == ("GET", "/health", 200)
    assert isinstance(record["duration_ms"], int | float), record
    assert record["duration_ms"] >= 0, record
    assert record["message"] == "GET /health 200", record
    assert secret_query not in server.log(), "the query string reached the log"
    other = new_id()
    missing = api.post("/api/no-such-route", json_body={}, headers={"X-Request-ID": other})
    assert missing.status == 404
    record = access_line(server, other)
    assert (record["method"], record["path"], record["status"]) == (
        "POST",
        "/api/no-such-route",
        404,
    )


# ---------------------------------------------------------------------- request ids


def test_a_sane_request_id_is_echoed(server: Server, api: Client) -> None:
    for sane in ("abc", "A.b_c:d-1", "x" * 128, new_id()):
        answer = api.get("/health", headers={"X-Request-ID": sane})
        assert answer.header("X-Request-ID") == sane, (sane, answer.headers)
        assert access_line(server, sane)["status"] == 200


@pytest.mark.parametrize(
    "bad",
    ["x" * 129, "two words", "semi;colon", "slash/es", 'quote"d', "tab\there", ""],
    ids=["129-chars", "space", "semicolon", "slash", "quote", "tab", "empty"],
)
def test_an_insane_request_id_is_replaced(server: Server, api: Client, bad: str) -> None:
    answer = api.get("/health", headers={"X-Request-ID": bad})
    made = answer.header("X-Request-ID")
    assert made and made != bad and MADE_ID.fullmatch(made), (bad, made)
    assert access_line(server, made)["path"] == "/health"


def test_a_newline_in_the_request_id_is_replaced(server: Server) -> None:
    """http.client refuses to send a newline in a header: send the bytes by hand (an
    obs-fold continuation, which servers either refuse or unfold into spaces)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: abc\r\n def\r\n"
            b"Connection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    echoed = re.search(r"(?im)^x-request-id: (.*)$", head)
    if head.startswith("HTTP/1.1 400") and echoed is None:
        return  # refused by the server before the app: nothing to echo
    assert echoed, head
    assert MADE_ID.fullmatch(echoed.group(1).strip()), head


def test_a_missing_request_id_is_made(server: Server, api: Client) -> None:
    first = api.get("/health").header("X-Request-ID")
    second = api.get("/health").header("X-Request-ID")
    assert first and second and first != second, (first, second)
    assert MADE_ID.fullmatch(first) and MADE_ID.fullmatch(second), (first, second)
    assert access_line(server, first)["path"] == "/health"


def test_every_response_carries_the_request_id(server: Server, api: Client) -> None:
    answers: dict[str, Response] = {}
    sent: dict[str, str] = {}

    def send(name: str, method: str, path: str, **kwargs: Any) -> None:
        sent[name] = new_id()
        headers = {**kwargs.pop("headers", {}), "X-Request-ID": sent[name]}
        answers[name] = api.request(method, path, headers=headers, **kwargs)

    send("404", "GET", "/no-such-page")
    send("405", "PUT", "/api/auth/register", json_body={})
    send(
        "413",
        "POST",
        "/api/auth/register",
        body=b"x" * (harness.MAX_BODY_BYTES + 10),
        content_type="application/json",
    )
    send("401", "GET", "/api/users/me")
    send("422", "POST", "/api/auth/register", json_body={"email": "nope"})
    send(
        "preflight",
        "OPTIONS",
        "/api/items",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    for name, answer in answers.items():
        assert answer.status < 500, (name, answer.status, answer.text[:300])
        assert answer.header("X-Request-ID") == sent[name], (name, answer.headers)
        assert access_line(server, sent[name])["status"] == answer.status, name


# ------------------------------------------------------------------ nothing secret


def test_an_account_flow_leaves_no_secret_in_the_log(
    server: Server, api: Client, mailbox: Mailbox
) -> None:
    email = unique_email("ops")
    assert register(api, email).status == 201
    answer = login(api, email)
    assert answer.status == 200, answer.text
    access = answer.json()["access_token"]
    assert api.with_token(access).get("/api/users/me").status == 200
    assert api.post("/api/auth/password-reset", json_body={"email": email}).status == 202
    [message] = mailbox.wait_for(email)
    token = reset_token(message, PUBLIC_URL)
    page_id = new_id()
    page = api.get(f"/reset-password?token={token}", headers={"X-Request-ID": page_id})
    assert page.status == 200, page.text[:300]
    assert access_line(server, page_id)["path"] == "/reset-password"
    confirm = api.post(
        "/api/auth/password-reset/confirm", json_body={"token": token, "password": NEW_PASSWORD}
    )
    assert confirm.status == 204, confirm.text
    relogin = login(api, email, NEW_PASSWORD)
    assert relogin.status == 200
    log = server.log()
    leaks = harness.log_leaks(
        log, PASSWORD, NEW_PASSWORD, token, access, relogin.json()["access_token"], email
    )
    assert not leaks, "\n".join(leaks)


# ------------------------------------------------------------------- error reporting


class SentrySink:
    """A tiny HTTP server that keeps every envelope sentry-sdk posts to it."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":
                    import brotli  # type: ignore[import-not-found]

                    body = brotli.decompress(body)
                sink.envelopes.append(body)
                sink.headers.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.port = harness.free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def __enter__(self) -> SentrySink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict[str, Any]]:
        """The ``event`` items of every envelope received so far."""
        found = []
        for envelope in list(self.envelopes):
            lines = envelope.split(b"\n")
            position = 1  # line 0 is the envelope's header
            while position < len(lines):
                if not lines[position].strip():
                    position += 1
                    continue
                header = json.loads(lines[position])
                position += 1
                if "length" in header:
                    rest = b"\n".join(lines[position:])
                    payload = rest[: header["length"]]
                    remaining = rest[header["length"] :].lstrip(b"\n")
                    lines, position = remaining.split(b"\n"), 0
                else:
                    payload = lines[position]
                    position += 1
                if header.get("type") == "event":
                    found.append(json.loads(payload))
        return found


def test_an_unreachable_database_reaches_sentry_and_the_log(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(f"{project.framework}-sentry")
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text("utf-8"))
    release = f"{harness.PROJECT_SLUG}@{pyproject['project']['version']}"
    cookie = f"c{uuid.uuid4().hex}"
    bearer = f"b{uuid.uuid4().hex}"
    with (
        SentrySink() as sink,
        Server(
            project.path,
            UNREACHABLE_DATABASE,
            log_path=folder / "server.log",
            migrate=False,
            ready_statuses=(200, 503),
            overrides={**DEFAULTS, "SENTRY_DSN": sink.dsn},
        ) as server,
    ):
        request_id = new_id()
        answer = Client(server.base_url).post(
            "/api/auth/register",
            json_body={"email": unique_email("sentry"), "password": PASSWORD},
            headers={
                "X-Request-ID": request_id,
                "Cookie": f"sessionid={cookie}",
                "Authorization": f"Bearer {bearer}",
            },
        )
        assert answer.status == 503, answer.text
        assert answer.header("X-Request-ID") == request_id
        deadline = time.monotonic() + 30
        while not (events := sink.events()) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert events, f"no Sentry event arrived:\n{server.log()[-4000:]}"
        ours = lines_of(server, request_id)
        log = server.log()
    errors = [r for r in ours if r["level"] == "ERROR"]
    assert errors, f"no ERROR line for the 503's request: {ours}"
    assert any("Traceback" in str(r.get("exception", "")) for r in errors), errors
    assert access_line_status(ours) == 503
    types = [
        value.get("type", "")
        for event in events
        for value in (event.get("exception") or {}).get("values", [])
    ]
    assert any("OperationalError" in t for t in types), types
    event = next(e for e in events if (e.get("exception") or {}).get("values"))
    assert event.get("environment") == "production", event.get("environment")
    assert event.get("release") == release, event.get("release")
    raw = b"\n".join(sink.envelopes).decode("utf-8", "replace")
    for secret in (PASSWORD, cookie, bearer):
        where = [path for e in events for path in paths_holding(e, secret)]
        assert secret not in raw, f"{secret!r} reached Sentry, e.g. at {where[:5]}"
    assert "Traceback" not in "".join(
        line for line in log.splitlines() if not line.startswith("{")
    ), f"a traceback outside the JSON lines:\n{log[-3000:]}"


def paths_holding(value: Any, secret: str, path: str = "$") -> list[str]:
    """Where in a JSON value ``secret`` occurs (keys and strings), as ``$.a.b[0]`` paths."""
    if isinstance(value, dict):
        found = [f"{path}.{k}" for k in value if secret in str(k)]
        for key, item in value.items():
            found += paths_holding(item, secret, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [
            p for i, item in enumerate(value) for p in paths_holding(item, secret, f"{path}[{i}]")
        ]
    return [path] if secret in str(value) else []


def access_line_status(lines: list[dict[str, Any]]) -> int:
    found = [r for r in lines if is_access(r)]
    assert len(found) == 1, found
    status: int = found[0]["status"]
    return status
