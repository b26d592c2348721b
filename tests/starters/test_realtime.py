"""Real-time events (CONTRACT.md, option ``realtime``: FastAPI and Django).

The starter rendered with ``realtime`` (and ``tasks``) on is served by ``make serve`` with
2 workers and ``REDIS_URL`` naming a ``redis-server`` the test started. Two users hold a
WebSocket each on ``/api/items/events``; their items change over HTTP on a new
connection per request, so both server workers make some of the changes and only Redis
publish/subscribe can bring every event to the socket. Each client must receive exactly
its own events and none of the other user's. The contract's "within one second" is a
latency goal measured by the benchmarks; here a generous wait bounds each event, since
the suite asserts no timings on shared machines. Flask has no ``realtime``: asking its
template for it is a clear error.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import has_question

from . import harness
from .background import RedisServer
from .conftest import REALTIME_FRAMEWORKS, Project
from .harness import Client, Server
from .test_contract import PASSWORD, unique_email

pytestmark = pytest.mark.slow

EVENT_WAIT = 10.0
QUIET_SECONDS = 2.0
UNAUTHORIZED = 4401


@pytest.fixture(scope="module")
def realtime_project(background_project: Project) -> Project:
    if background_project.framework not in REALTIME_FRAMEWORKS:
        pytest.skip(f"{background_project.framework} has no realtime option (by design)")
    return background_project


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(
    realtime_project: Project, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"{realtime_project.framework}-realtime")
    database = harness.sqlite_url(folder / "db.sqlite3")
    overrides: dict[str, str | None] = {"REDIS_URL": redis.url}
    with Server(
        realtime_project.path, database, log_path=folder / "server.log", overrides=overrides
    ) as running:
        yield running


def events_url(server: Server) -> str:
    return f"ws://127.0.0.1:{server.port}/api/items/events"


class Subscriber:
    """A WebSocket client of ``/api/items/events`` (the ``websockets`` library, sync)."""

    def __init__(self, server: Server) -> None:
        from websockets.sync.client import connect

        # Entered like a context manager (websockets 17.1 warns about a bare connect());
        # ``close`` ends it.
        self.socket = connect(events_url(server), open_timeout=EVENT_WAIT).__enter__()

    def send(self, message: Any) -> None:
        self.socket.send(message if isinstance(message, str) else json.dumps(message))

    def receive(self, timeout: float = EVENT_WAIT) -> dict[str, Any]:
        message = self.socket.recv(timeout=timeout)
        event: dict[str, Any] = json.loads(message)
        return event

    def authenticate(self, token: str) -> None:
        self.send({"type": "auth", "token": token})
        assert self.receive() == {"type": "ready"}

    def close_code(self, timeout: float = EVENT_WAIT) -> int | None:
        """Wait until the server closes the socket; return its close code."""
        from websockets.exceptions import ConnectionClosed

        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.socket.recv(timeout=max(deadline - time.monotonic(), 0.01))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        except TimeoutError:
            pytest.fail(f"the socket stayed open for {timeout} s")
        pytest.fail("the socket stayed open")

    def close(self) -> None:
        self.socket.close()


def changes(client: Client, creates: int, updates: int, deletes: int) -> list[dict[str, Any]]:
    """Make the changes over HTTP; return the events they must cause, in order."""
    expected: list[dict[str, Any]] = []
    items = []
    for number in range(creates):
        created = client.post("/api/items", json_body={"title": f"live {number}", "price": 2})
        assert created.status == 201, created.text
        items.append(created.json())
        expected.append({"type": "item.created", "item": created.json()})
    for item in items[:updates]:
        updated = client.patch(f"/api/items/{item['id']}", json_body={"price": 3})
        assert updated.status == 200, updated.text
        expected.append({"type": "item.updated", "item": updated.json()})
    for item in items[len(items) - deletes :]:
        assert client.delete(f"/api/items/{item['id']}").status == 204
        expected.append({"type": "item.deleted", "id": item["id"]})
    return expected


def as_counter(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(event, sort_keys=True) for event in events)


def test_each_client_receives_exactly_its_own_events(server: Server) -> None:
    api = Client(server.base_url)
    alice_token = harness.register_and_login(server.base_url, unique_email("alice"), PASSWORD)
    bob_token = harness.register_and_login(server.base_url, unique_email("bob"), PASSWORD)
    alice, bob = Subscriber(server), Subscriber(server)
    try:
        alice.authenticate(alice_token)
        bob.authenticate(bob_token)
        # Interleaved, each request on a new connection: both workers serve some.
        expected_alice = changes(api.with_token(alice_token), creates=6, updates=3, deletes=2)
        expected_bob = changes(api.with_token(bob_token), creates=4, updates=1, deletes=1)
        expected_alice += changes(api.with_token(alice_token), creates=4, updates=0, deletes=0)
        for subscriber, expected in ((alice, expected_alice), (bob, expected_bob)):
            received = [subscriber.receive() for _ in expected]
            assert as_counter(received) == as_counter(expected)
        time.sleep(QUIET_SECONDS)
        for subscriber in (alice, bob):
            with pytest.raises(TimeoutError):
                extra = subscriber.receive(timeout=0.5)
                pytest.fail(f"an event nobody caused for this user: {extra}")
    finally:
        alice.close()
        bob.close()


@pytest.mark.parametrize(
    "first_message",
    ["garbage-token", "expired", "deleted-user", "not-json", "wrong-type"],
)
def test_a_bad_first_message_closes_with_4401(server: Server, first_message: str) -> None:
    email = unique_email("socket")
    token = harness.register_and_login(server.base_url, email, PASSWORD)
    _, claims, _ = harness.jwt_parts(token)
    if first_message == "deleted-user":
        gone = Client(server.base_url, token).delete("/api/users/me")
        assert gone.status == 204, gone.text
    messages: dict[str, Any] = {
        "garbage-token": {"type": "auth", "token": "garbage"},
        "expired": {
            "type": "auth",
            "token": harness.make_jwt({**claims, "exp": int(time.time()) - 60}, server.secret_key),
        },
        "deleted-user": {"type": "auth", "token": token},
        "not-json": "{not json",
        "wrong-type": {"type": "subscribe", "token": token},
    }
    subscriber = Subscriber(server)
    subscriber.send(messages[first_message])
    assert subscriber.close_code() == UNAUTHORIZED


@pytest.mark.parametrize("how", ["change password", "delete account"])
def test_a_socket_closes_with_4401_once_its_token_is_revoked(server: Server, how: str) -> None:
    """Four sockets on one token (both workers hold some, most likely): a password change
    or the account's deletion, made by either worker, closes every one of them."""
    token = harness.register_and_login(server.base_url, unique_email("revoked"), PASSWORD)
    subscribers = [Subscriber(server) for _ in range(4)]
    try:
        for subscriber in subscribers:
            subscriber.authenticate(token)
        client = Client(server.base_url, token)
        if how == "change password":
            done = client.post(
                "/api/users/me/password",
                json_body={"current_password": PASSWORD, "new_password": PASSWORD + " again"},
            )
        else:
            done = client.delete("/api/users/me")
        assert done.status == 204, done.text
        for subscriber in subscribers:
            assert subscriber.close_code() == UNAUTHORIZED
    finally:
        for subscriber in subscribers:
            subscriber.close()


# Another process than the server's changes the password, without the API: a script with
# a synchronous SQLAlchemy session (FastAPI), `manage.py shell` (Django). Revocation is
# the model layer's (session events, signals), and reaches the server through Redis.
_SCRIPTS = {
    "fastapi": f"""
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from {harness.PROJECT_SLUG} import services  # the app's code: registers the revocation
from {harness.PROJECT_SLUG}.config import get_settings, normalize_database_url
from {harness.PROJECT_SLUG}.models import User
from {harness.PROJECT_SLUG}.security import hash_password
url = normalize_database_url(get_settings().database_url, asynchronous=False)
with Session(create_engine(url)) as session:
    user = session.scalars(select(User).where(User.email == sys.argv[1])).one()
    user.hashed_password = hash_password(sys.argv[2])
    session.commit()
""",
    "django": """
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(email=sys.argv[1])
user.set_password(sys.argv[2])
user.save()
""",
}


def test_a_password_changed_by_another_process_closes_the_sockets(
    server: Server, realtime_project: Project
) -> None:
    email = unique_email("script")
    token = harness.register_and_login(server.base_url, email, PASSWORD)
    subscribers = [Subscriber(server) for _ in range(2)]
    try:
        for subscriber in subscribers:
            subscriber.authenticate(token)
        # The email and the new password as sys.argv[1:] (`shell -c` has its own argv).
        script = f"import sys\nsys.argv = ['', {email!r}, 'another password']\n"
        script += _SCRIPTS[realtime_project.framework]
        python = str(realtime_project.python)
        if realtime_project.framework == "django":
            command = [python, "manage.py", "shell", "-c", script]
        else:
            command = [python, "-c", script]
        harness.run(command, cwd=realtime_project.path, env=server.env())
        for subscriber in subscribers:
            assert subscriber.close_code() == UNAUTHORIZED
    finally:
        for subscriber in subscribers:
            subscriber.close()


def test_no_auth_message_within_10_seconds_closes_with_4401(server: Server) -> None:
    subscriber = Subscriber(server)
    assert subscriber.close_code(timeout=30) == UNAUTHORIZED


def test_without_redis_the_log_says_events_stay_in_one_process(
    realtime_project: Project, tmp_path: Path
) -> None:
    database = harness.sqlite_url(tmp_path / "db.sqlite3")
    with Server(
        realtime_project.path, database, log_path=tmp_path / "server.log"
    ) as server:  # 2 workers, no REDIS_URL
        log = server.log()
    lines = [line for line in log.splitlines() if "REDIS_URL" in line]
    assert lines, f"no log line names REDIS_URL:\n{log}"


def test_flask_has_no_realtime_option(tmp_path: Path) -> None:
    from copier.errors import CopierError

    if not has_question("fastapi", "realtime"):
        pytest.skip("no template has the realtime option yet (issue 12)")
    with pytest.raises((CopierError, ValueError)) as info:
        harness.render("flask", tmp_path / "live", realtime=True)
    assert "FastAPI" in str(info.value) and "Django" in str(info.value)
    assert not (tmp_path / "live" / "pyproject.toml").exists()
