"""Background work (CONTRACT.md, option ``tasks``): real Redis, real Celery workers.

Per framework, the starter rendered with ``tasks`` on (``background_project``) is served by
``make serve`` (2 workers) with ``REDIS_URL`` naming a ``redis-server`` the test started,
and ``make worker`` runs as real processes next to it. Reset emails go to the SMTP sink
of ``mailbox.py``, whose recipients choose its behaviour (``slow-``, ``retry-``).

``CELERY_VISIBILITY_TIMEOUT=5``: a job taken by a worker that died is handed to another
worker after 5 s (the starters' default is longer; see their READMEs). No timing is
asserted: waits are generous upper bounds on shared machines.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import harness
from .background import RedisServer, Worker
from .conftest import Project
from .harness import Client, Server
from .mailbox import Mailbox, reset_token
from .test_accounts import PUBLIC_URL, registered, request_reset
from .test_contract import PASSWORD, unique_email

pytestmark = pytest.mark.slow

VISIBILITY_TIMEOUT = 5
#: How long a test waits for a mail the worker must deliver (retries and redelivery included).
DELIVERY_WAIT = 90.0
QUIET_SECONDS = 3.0


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def background_env(redis: RedisServer, mailbox: Mailbox) -> dict[str, str | None]:
    return {
        **mailbox.env(),
        "PUBLIC_URL": PUBLIC_URL,
        "REDIS_URL": redis.url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }


@pytest.fixture(scope="module")
def database_file(background_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"{background_project.framework}-tasks-db") / "db.sqlite3"


@pytest.fixture(scope="module")
def server(
    background_project: Project,
    redis: RedisServer,
    mailbox: Mailbox,
    database_file: Path,
) -> Iterator[Server]:
    log = database_file.with_name("server.log")
    with Server(
        background_project.path,
        harness.sqlite_url(database_file),
        log_path=log,
        overrides=background_env(redis, mailbox),
    ) as running:
        yield running


@pytest.fixture
def api(server: Server) -> Client:
    return Client(server.base_url)


@pytest.fixture
def worker(server: Server, tmp_path: Path) -> Iterator[Worker]:
    """``make worker`` with the server's settings, stopped after the test."""
    with Worker(server.project, server.env(), tmp_path / "worker.log") as running:
        yield running


# --------------------------------------------------------------------------------- tests


def test_health_reports_redis(api: Client) -> None:
    answer = api.get("/health")
    assert answer.status == 200, answer.text
    assert answer.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_a_reset_mail_goes_out_through_the_worker(
    api: Client, mailbox: Mailbox, worker: Worker
) -> None:
    email = registered(api, "queued")
    request_reset(api, email)
    [message] = mailbox.wait_for(email, timeout=DELIVERY_WAIT)
    token = reset_token(message, PUBLIC_URL)
    answer = api.post(
        "/api/auth/password-reset/confirm", json_body={"token": token, "password": "x" * 12}
    )
    assert answer.status == 204, answer.text
    leaks = harness.log_leaks(worker.log(), token, email, PASSWORD)
    assert not leaks, "\n".join(leaks)


def test_a_reset_requested_while_no_worker_runs_is_delivered_later(
    server: Server, api: Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    email = registered(api, "waiting")
    request_reset(api, email)  # answered at once: nothing waits for a worker
    time.sleep(QUIET_SECONDS)
    assert mailbox.messages_to(email) == [], "a mail went out without a worker"
    with Worker(server.project, server.env(), tmp_path / "worker.log"):
        mailbox.wait_for(email, timeout=DELIVERY_WAIT)


def test_a_worker_killed_in_the_middle_of_a_job_loses_no_mail(
    server: Server, api: Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    email = registered(api, "slow")
    mailbox.slow_started.clear()
    first = Worker(server.project, server.env(), tmp_path / "first-worker.log")
    first.start()
    try:
        request_reset(api, email)
        assert mailbox.slow_started.wait(DELIVERY_WAIT), first.log()
        first.kill()  # SIGKILL while the job waits on the mail server
    finally:
        first.stop()
    assert mailbox.messages_to(email) == []
    with Worker(server.project, server.env(), tmp_path / "second-worker.log") as second:
        messages = mailbox.wait_for(email, timeout=DELIVERY_WAIT + VISIBILITY_TIMEOUT)
        assert messages, second.log()
    assert mailbox.attempts[email] >= 2


def test_a_failed_delivery_is_retried(api: Client, mailbox: Mailbox, worker: Worker) -> None:
    email = registered(api, "retry")
    request_reset(api, email)
    mailbox.wait_for(email, timeout=DELIVERY_WAIT)
    assert mailbox.attempts[email] == 2, mailbox.attempts[email]


def test_login_failures_are_counted_in_redis(
    api: Client, redis: RedisServer, database_file: Path
) -> None:
    email = registered(api, "guessed")
    before = set(redis.keys())
    for _ in range(5):
        answer = api.post("/api/auth/token", form={"username": email, "password": "not it at all"})
        assert answer.status == 401, answer.text
    answer = api.post("/api/auth/token", form={"username": email, "password": PASSWORD})
    assert answer.status == 429, answer.text
    assert set(redis.keys()) - before, "no Redis key holds the failures"
    with sqlite3.connect(database_file) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        if "login_failures" in tables:
            count = connection.execute("select count(*) from login_failures").fetchone()[0]
            assert count == 0, "with REDIS_URL the failures belong in Redis"


# ------------------------------------------------------------------------- Redis down

#: (method, path, body kind) of every kind of route; none may answer 500 with Redis down
#: (``/health`` is checked for its 503 first).
ROUTES = [
    ("POST", "/api/auth/register", "register"),
    ("POST", "/api/auth/token", "login"),
    ("POST", "/api/auth/password-reset", "reset"),
    ("GET", "/api/users/me", "token"),
    ("GET", "/api/items", "token"),
    ("POST", "/api/items", "item"),
]


def test_redis_down_is_503_on_health_and_never_a_500(
    background_project: Project, mailbox: Mailbox, tmp_path: Path
) -> None:
    with RedisServer() as redis:
        database = harness.sqlite_url(tmp_path / "db.sqlite3")
        with Server(
            background_project.path,
            database,
            log_path=tmp_path / "server.log",
            overrides=background_env(redis, mailbox),
        ) as server:
            api = Client(server.base_url)
            email = unique_email("before")
            token = harness.register_and_login(server.base_url, email, PASSWORD)
            redis.stop()
            health = api.get("/health")
            assert health.status == 503, health.text
            body = health.json()
            assert body["status"] == "error" and body["redis"] == "error", body
            assert body["database"] == "ok", body
            bodies = {
                "register": {"email": unique_email("during"), "password": PASSWORD},
                "reset": {"email": email},
                "item": {"title": "offline", "price": 1},
            }
            for method, path, kind in ROUTES:
                client = api.with_token(token) if kind in ("token", "item") else api
                if kind == "login":
                    answer = client.post(path, form={"username": email, "password": PASSWORD})
                else:
                    answer = client.request(method, path, json_body=bodies.get(kind or ""))
                assert answer.status != 500 and answer.status < 600, (path, answer.text)
                assert "detail" in answer.json() or answer.status < 400, (path, answer.text)
