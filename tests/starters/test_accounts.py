"""Accounts, part 2 (docs/contract.md): recovery by email, password change, deletion and
login throttling, checked over real HTTP against each served starter.

The module's server is ``make serve`` with 2 workers, as in ``test_contract.py``, but it
sends its mail to a real SMTP server on loopback (``mailbox.Mailbox``, aiosmtpd) that the
tests read the reset links from. Every test registers its own users and uses its own
client addresses (``X-Forwarded-For`` from 127.0.0.1, a trusted proxy by default), so the
tests do not depend on each other.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from . import harness
from .conftest import Project
from .harness import Client, Response, Server
from .mailbox import Mailbox, html_part, reset_token, text_part
from .test_contract import (
    PASSWORD,
    assert_401,
    assert_error,
    assert_json_body,
    assert_validation,
    create_item,
    login,
    register,
    unique_email,
)

pytestmark = pytest.mark.slow

PUBLIC_URL = "https://shop.example.test"
RESET_SENT = {"detail": "If the account exists, a reset link has been sent"}
BAD_RESET_TOKEN = {"detail": "Invalid or expired reset token"}
INCORRECT_PASSWORD = {"detail": "Incorrect password"}
THROTTLED = {"detail": "Too many failed login attempts; try again later"}
NEW_PASSWORD = "a brand new passphrase"
#: A negative check (no mail arrives) waits this long after the mails that must arrive.
QUIET_SECONDS = 2.0
#: Where each starter's login page is (FastAPI's is SQLAdmin's, with ``admin`` on).
LOGIN_PAGES = {"django": "/accounts/login/", "flask": "/login", "fastapi": "/admin/login"}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def server(
    project: Project,
    database: str,
    database_url: str,
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """The starter in production mode (2 workers), mailing the module's SMTP sink."""
    log = tmp_path_factory.mktemp(f"{project.framework}-{database}-accounts") / "server.log"
    overrides: dict[str, str | None] = {**mailbox.env(), "PUBLIC_URL": PUBLIC_URL}
    with Server(project.path, database_url, log_path=log, overrides=overrides) as running:
        yield running


@pytest.fixture
def api(server: Server) -> Client:
    return Client(server.base_url)


def client_address() -> str:
    """A documentation address (RFC 5737) no other test uses."""
    number = uuid.uuid4().int
    return f"198.51.{number % 256}.{(number >> 8) % 254 + 1}"


def from_address(address: str) -> dict[str, str]:
    """Headers that make the request come from ``address`` (through the trusted proxy)."""
    return {"X-Forwarded-For": address}


def token_for(api: Client, email: str, password: str = PASSWORD) -> str:
    answer = login(api, email, password)
    assert answer.status == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def registered(api: Client, prefix: str = "reset") -> str:
    """A new account's email (password ``PASSWORD``)."""
    email = unique_email(prefix)
    answer = register(api, email)
    assert answer.status == 201, answer.text
    return email


def request_reset(api: Client, email: str) -> Response:
    answer = api.post("/api/auth/password-reset", json_body={"email": email})
    assert answer.status == 202, answer.text
    assert_json_body(answer)
    assert answer.json() == RESET_SENT
    return answer


def confirm_reset(api: Client, token: str, password: str = NEW_PASSWORD) -> Response:
    return api.post(
        "/api/auth/password-reset/confirm", json_body={"token": token, "password": password}
    )


def change_password(api: Client, token: str, current: str, new: str) -> Response:
    return api.with_token(token).post(
        "/api/users/me/password", json_body={"current_password": current, "new_password": new}
    )


def reset_tokens(mailbox: Mailbox, email: str, count: int = 1) -> list[str]:
    return [reset_token(message, PUBLIC_URL) for message in mailbox.wait_for(email, count)]


def assert_refused_everywhere(api: Client, token: str) -> None:
    """A revoked access token answers 401 on every protected route."""
    client = api.with_token(token)
    assert_401(client.get("/api/users/me"))
    assert_401(client.get("/api/items"))
    assert_401(client.post("/api/items", json_body={"title": "x", "price": 1}))
    assert_401(client.get("/api/items/1"))
    assert_401(client.patch("/api/items/1", json_body={}))
    assert_401(client.delete("/api/items/1"))
    assert_401(client.post("/api/users/me/password", json_body={}))
    assert_401(client.delete("/api/users/me"))


def assert_works(api: Client, token: str, email: str) -> None:
    me = api.with_token(token).get("/api/users/me")
    assert me.status == 200, me.text
    assert me.json()["email"] == email


# ----------------------------------------------------------------------- reset: request


def test_reset_answers_the_same_for_known_and_unknown_emails(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    unknown = unique_email("nobody")
    first = request_reset(api, unknown)
    second = request_reset(api, email)
    assert first.body == second.body
    mailbox.wait_for(email)
    time.sleep(QUIET_SECONDS)
    assert mailbox.messages_to(unknown) == []
    assert len(mailbox.messages_to(email)) == 1


def test_reset_email_is_plain_text_and_html_with_the_link(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    # The address is matched case-insensitively and the mail goes to the stored one.
    request_reset(api, email.upper())
    [message] = mailbox.wait_for(email)
    assert isinstance(message, EmailMessage)
    assert message["To"] == email
    assert message["From"] == "noreply@localhost"
    assert message["Subject"]
    token = reset_token(message, PUBLIC_URL)
    assert len(token) >= 32, "a reset token must be hard to guess"
    assert token in html_part(message)
    assert "/reset-password?token=" in text_part(message)


def test_reset_request_validates_its_body(api: Client) -> None:
    assert_validation(api.post("/api/auth/password-reset", json_body={}), ["body", "email"])
    assert_validation(
        api.post("/api/auth/password-reset", json_body={"email": 5}), ["body", "email"]
    )


def test_at_most_three_reset_emails_per_account_per_hour(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    for _ in range(5):
        request_reset(api, email)
    mailbox.wait_for(email, 3)
    time.sleep(QUIET_SECONDS)
    assert len(mailbox.messages_to(email)) == 3


def test_a_refusing_mail_server_is_not_a_500(api: Client, mailbox: Mailbox) -> None:
    email = registered(api, "refuse-me")
    request_reset(api, email)
    deadline = time.monotonic() + 30
    while email not in mailbox.refused and time.monotonic() < deadline:
        time.sleep(0.2)
    assert email in mailbox.refused, "the server never tried to send the reset email"
    health = api.get("/health")
    assert health.status == 200, health.text
    assert_works(api, token_for(api, email), email)


# ----------------------------------------------------------------------- reset: confirm


def test_reset_flow_revokes_old_password_and_tokens(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    before = token_for(api, email)
    assert_works(api, before, email)
    request_reset(api, email)
    [token] = reset_tokens(mailbox, email)
    answer = confirm_reset(api, token)
    assert answer.status == 204, answer.text
    assert answer.body == b""
    # In the same second: the old token and the old password are refused...
    assert_refused_everywhere(api, before)
    assert_error(login(api, email, PASSWORD), 401, {"detail": "Incorrect email or password"})
    # ...and a token issued after the reset works at once.
    after = token_for(api, email, NEW_PASSWORD)
    assert_works(api, after, email)
    # A reset token is used once.
    assert_error(confirm_reset(api, token, "yet another passphrase"), 400, BAD_RESET_TOKEN)
    assert_works(api, token_for(api, email, NEW_PASSWORD), email)


def test_a_reset_voids_every_other_outstanding_reset_token(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    request_reset(api, email)
    request_reset(api, email)
    first, second = reset_tokens(mailbox, email, 2)
    assert first != second
    assert confirm_reset(api, second).status == 204
    assert_error(confirm_reset(api, first, "someone else's idea"), 400, BAD_RESET_TOKEN)
    assert_works(api, token_for(api, email, NEW_PASSWORD), email)


def test_a_password_change_voids_older_reset_tokens(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    request_reset(api, email)
    [token] = reset_tokens(mailbox, email)
    changed = change_password(api, token_for(api, email), PASSWORD, NEW_PASSWORD)
    assert changed.status == 204, changed.text
    assert_error(confirm_reset(api, token, "an attacker's choice"), 400, BAD_RESET_TOKEN)
    assert_works(api, token_for(api, email, NEW_PASSWORD), email)


def test_unknown_and_tampered_reset_tokens_are_400(api: Client, mailbox: Mailbox) -> None:
    email = registered(api)
    request_reset(api, email)
    [token] = reset_tokens(mailbox, email)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (secrets.token_urlsafe(32), flipped, token[:-4], "x", token + "x"):
        assert_error(confirm_reset(api, bad), 400, BAD_RESET_TOKEN)
    # None of those spent the real one.
    assert confirm_reset(api, token).status == 204


@pytest.mark.parametrize("password", ["Zq7!kw2", "x" * 129], ids=["7-chars", "129-chars"])
def test_reset_password_length_is_422_and_keeps_the_token(
    api: Client, mailbox: Mailbox, password: str
) -> None:
    email = registered(api)
    request_reset(api, email)
    [token] = reset_tokens(mailbox, email)
    assert_validation(confirm_reset(api, token, password), ["body", "password"], echo=password)
    assert confirm_reset(api, token).status == 204


def test_reset_confirm_validates_its_body(api: Client) -> None:
    answer = api.post("/api/auth/password-reset/confirm", json_body={})
    assert_validation(answer, ["body", "token"], ["body", "password"])


# ------------------------------------------------------------------------ password change


def test_password_change_revokes_tokens_issued_before_it(api: Client) -> None:
    email = registered(api, "change")
    before = token_for(api, email)
    answer = change_password(api, before, PASSWORD, NEW_PASSWORD)
    assert answer.status == 204, answer.text
    assert answer.body == b""
    assert_refused_everywhere(api, before)
    assert_error(login(api, email, PASSWORD), 401, {"detail": "Incorrect email or password"})
    after = token_for(api, email, NEW_PASSWORD)
    assert_works(api, after, email)
    # And again, within the same second: the previous "after" is now "before".
    assert change_password(api, after, NEW_PASSWORD, PASSWORD).status == 204
    assert_refused_everywhere(api, after)
    assert_works(api, token_for(api, email, PASSWORD), email)


def test_password_change_needs_the_current_password(api: Client) -> None:
    email = registered(api, "change")
    token = token_for(api, email)
    wrong = "not the password at all"
    answer = change_password(api, token, wrong, NEW_PASSWORD)
    assert_error(answer, 400, INCORRECT_PASSWORD)
    assert wrong not in answer.text
    # Nothing changed: the token and the password still work.
    assert_works(api, token, email)
    assert_works(api, token_for(api, email), email)


def test_password_change_validates_the_new_password(api: Client) -> None:
    email = registered(api, "change")
    token = token_for(api, email)
    for new in ("Zq7!kw2", "y" * 129):
        answer = change_password(api, token, PASSWORD, new)
        assert_validation(answer, ["body", "new_password"], echo=new)
    answer = api.with_token(token).post("/api/users/me/password", json_body={})
    assert_validation(answer, ["body", "current_password"], ["body", "new_password"])
    assert_works(api, token, email)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/users/me/password"), ("DELETE", "/api/users/me")],
    ids=["change-password", "delete-account"],
)
def test_new_protected_routes_check_the_token_before_the_body(
    api: Client, method: str, path: str
) -> None:
    for body in (b"{not json", b"[]", b'{"current_password": 5}'):
        answer = api.request(method, path, body=body, content_type="application/json")
        assert_401(answer, {"detail": "Not authenticated"})
        answer = api.with_token("garbage").request(
            method, path, body=body, content_type="application/json"
        )
        assert_401(answer, {"detail": "Could not validate credentials"})


# ------------------------------------------------------------------------------- deletion


def test_delete_account_removes_it_and_its_items(api: Client) -> None:
    email = registered(api, "leaving")
    token = token_for(api, email)
    client = api.with_token(token)
    items = [create_item(client, title=f"thing {n}") for n in range(3)]
    answer = client.delete("/api/users/me")
    assert answer.status == 204, answer.text
    assert answer.body == b""
    assert_refused_everywhere(api, token)
    assert_error(login(api, email), 401, {"detail": "Incorrect email or password"})
    # The email is free again, and the new account owns nothing of the old one.
    again = register(api, email)
    assert again.status == 201, again.text
    fresh = api.with_token(token_for(api, email))
    listing = fresh.get("/api/items")
    assert listing.status == 200, listing.text
    assert listing.json()["total"] == 0
    for item in items:
        assert fresh.get(f"/api/items/{item['id']}").status == 404


def test_deleting_one_account_leaves_the_others(api: Client) -> None:
    leaving, staying = registered(api, "leaving"), registered(api, "staying")
    staying_client = api.with_token(token_for(api, staying))
    kept = create_item(staying_client, title="mine")
    assert api.with_token(token_for(api, leaving)).delete("/api/users/me").status == 204
    answer = staying_client.get(f"/api/items/{kept['id']}")
    assert answer.status == 200, answer.text


def test_a_deleted_accounts_id_is_never_handed_out_again(api: Client) -> None:
    """A new account never gets a deleted one's id (tokens carry it), on every database."""
    email = unique_email("leaving")
    leaving = register(api, email)
    assert leaving.status == 201, leaving.text
    assert api.with_token(token_for(api, email)).delete("/api/users/me").status == 204
    arriving = register(api, unique_email("arriving"))
    assert arriving.status == 201, arriving.text
    assert arriving.json()["id"] > leaving.json()["id"]
    again = register(api, email)  # the same email, a new account
    assert again.status == 201, again.text
    assert again.json()["id"] > arriving.json()["id"]
    me = api.with_token(token_for(api, email)).get("/api/users/me")
    assert me.json()["id"] == again.json()["id"]


# ------------------------------------------------------------------------------ throttle


def failed_login(api: Client, email: str, address: str) -> Response:
    return api.post(
        "/api/auth/token",
        form={"username": email, "password": "wrong password!"},
        headers=from_address(address),
    )


def login_from(api: Client, email: str, address: str, password: str = PASSWORD) -> Response:
    return api.post(
        "/api/auth/token",
        form={"username": email, "password": password},
        headers=from_address(address),
    )


def assert_throttled(answer: Response) -> None:
    assert_error(answer, 429, THROTTLED)
    retry_after = answer.header("Retry-After") or ""
    assert retry_after.isdigit(), f"Retry-After: {retry_after!r}"
    assert 1 <= int(retry_after) <= 15 * 60, retry_after


def test_login_is_throttled_per_email_and_address_across_workers(api: Client) -> None:
    email = registered(api, "guessed")
    address = client_address()
    # Each request is a new connection, so both workers serve some of them: a count kept
    # per process would not reach 5 after 5 failures, nor hold for 20 more requests.
    for _ in range(5):
        assert_error(
            failed_login(api, email, address), 401, {"detail": "Incorrect email or password"}
        )
    for _ in range(10):
        assert_throttled(failed_login(api, email, address))
        # Even the right password is refused until the window has passed.
        assert_throttled(login_from(api, email, address))
    # Another address, or another email from the same address, is not affected.
    assert login_from(api, email, client_address()).status == 200
    other = registered(api, "bystander")
    assert login_from(api, other, address).status == 200


def test_unknown_emails_are_throttled_too(api: Client) -> None:
    email, address = unique_email("ghost"), client_address()
    for _ in range(5):
        assert failed_login(api, email, address).status == 401
    assert_throttled(failed_login(api, email, address))


def test_a_successful_login_clears_the_count(api: Client) -> None:
    email, address = registered(api, "forgetful"), client_address()
    for _ in range(4):
        assert failed_login(api, email, address).status == 401
    assert login_from(api, email, address).status == 200
    for _ in range(4):
        assert failed_login(api, email, address).status == 401
    assert login_from(api, email, address).status == 200


# ------------------------------------------------------------------------ document, pages


NEW_OPERATIONS: dict[tuple[str, str], set[str]] = {
    ("/api/auth/password-reset", "post"): {"202", "422", "413"},
    ("/api/auth/password-reset/confirm", "post"): {"204", "400", "422", "413"},
    ("/api/users/me/password", "post"): {"204", "400", "401", "422", "413"},
    ("/api/users/me", "delete"): {"204", "401"},
    ("/api/auth/token", "post"): {"200", "401", "422", "429"},
}


def test_openapi_describes_the_new_operations(api: Client) -> None:
    document = api.get("/openapi.json").json()
    for (path, method), statuses in NEW_OPERATIONS.items():
        operation: dict[str, Any] = document["paths"].get(path, {}).get(method)
        assert operation is not None, f"{method.upper()} {path} is not described"
        assert statuses <= set(operation["responses"]), (path, method, operation["responses"])
    throttled = document["paths"]["/api/auth/token"]["post"]["responses"]["429"]
    assert "Retry-After" in throttled.get("headers", {}), throttled


def test_reset_pages_are_served(server: Server, project: Project, api: Client) -> None:
    page = api.get("/reset-password?token=abc")
    assert page.status in (200, 400), page.text
    assert (page.header("Content-Type") or "").startswith("text/html")
    assert 'type="password"' in page.text
    forgot = api.get("/forgot-password")
    assert forgot.status == 200, forgot.text
    assert 'type="email"' in forgot.text or 'name="email"' in forgot.text
    login_page = api.get(LOGIN_PAGES[project.framework])
    assert login_page.status == 200, login_page.text
    assert 'href="/forgot-password"' in login_page.text


def test_the_log_holds_no_token_password_or_address(
    server: Server, api: Client, mailbox: Mailbox
) -> None:
    email = registered(api, "private")
    request_reset(api, email)
    [token] = reset_tokens(mailbox, email)
    assert confirm_reset(api, token).status == 204
    access = token_for(api, email, NEW_PASSWORD)
    for _ in range(6):
        failed_login(api, email, client_address())
    leaks = harness.log_leaks(server.log(), token, access, PASSWORD, NEW_PASSWORD, email)
    assert not leaks, "\n".join(leaks)


# ------------------------------------------------------------------ an expiring reset


def test_reset_tokens_expire(project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    """``PASSWORD_RESET_EXPIRE_MINUTES=0`` expires a token at once (SQLite is enough)."""
    db = tmp_path_factory.mktemp(f"{project.framework}-expiry") / "db.sqlite3"
    with Mailbox() as box:
        overrides: dict[str, str | None] = {
            **box.env(),
            "PUBLIC_URL": PUBLIC_URL,
            "PASSWORD_RESET_EXPIRE_MINUTES": "0",
        }
        with Server(
            project.path,
            harness.sqlite_url(db),
            log_path=db.with_suffix(".log"),
            overrides=overrides,
        ) as server:
            client = Client(server.base_url)
            email = registered(client)
            request_reset(client, email)
            [token] = [reset_token(m, PUBLIC_URL) for m in box.wait_for(email)]
            assert_error(confirm_reset(client, token), 400, BAD_RESET_TOKEN)
            assert_works(client, token_for(client, email), email)
