"""The HTTP contract (docs/contract.md), checked over real HTTP against each served starter.

One production server per framework x database serves the bulk of the tests; two more per
framework cover token expiry (``ACCESS_TOKEN_EXPIRE_MINUTES=0``) and an unreachable
database. Every test registers its own users, so tests do not depend on each other.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from . import harness
from .conftest import Project
from .harness import Client, Response, Server

pytestmark = pytest.mark.slow

ITEM_KEYS = {"id", "title", "description", "price", "owner_id", "created_at"}
NOT_FOUND = {"detail": "Not Found"}
NOT_AUTHENTICATED = {"detail": "Not authenticated"}
BAD_CREDENTIALS = {"detail": "Could not validate credentials"}
BAD_LOGIN = {"detail": "Incorrect email or password"}
DB_UNAVAILABLE = {"detail": "Database unavailable"}
CORS_ORIGIN = "http://localhost:5173"
PASSWORD = "correct horse battery"
#: Keys once written in the starters' source as a development fallback (issue 9).
OLD_SOURCE_KEYS = harness.OLD_SOURCE_KEYS


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def api(server: Server) -> Client:
    """An anonymous client of the module's server."""
    return Client(server.base_url)


@dataclass(frozen=True)
class User:
    """A registered user with a fresh token and a client that sends it."""

    id: int
    email: str
    password: str
    token: str
    client: Client


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def register(api: Client, email: str, password: str = PASSWORD) -> Response:
    return api.post("/api/auth/register", json_body={"email": email, "password": password})


def login(api: Client, username: str, password: str = PASSWORD) -> Response:
    return api.post("/api/auth/token", form={"username": username, "password": password})


def new_user(api: Client, prefix: str = "user") -> User:
    email = unique_email(prefix)
    created = register(api, email)
    assert created.status == 201, created.text
    token = login(api, email)
    assert token.status == 200, token.text
    access_token = token.json()["access_token"]
    return User(created.json()["id"], email, PASSWORD, access_token, api.with_token(access_token))


@pytest.fixture
def user(api: Client) -> User:
    return new_user(api, "owner")


@pytest.fixture(scope="module")
def member(server: Server) -> User:
    """One user shared by the tests that do not count or list items."""
    return new_user(Client(server.base_url), "member")


@pytest.fixture
def other_user(api: Client) -> User:
    return new_user(api, "other")


def create_item(client: Client, **fields: Any) -> dict[str, Any]:
    body = {"title": "A thing", "price": 12.5, **fields}
    response = client.post("/api/items", json_body=body)
    assert response.status == 201, response.text
    item: dict[str, Any] = response.json()
    return item


# ----------------------------------------------------------------------------- checks


def assert_error(response: Response, status: int, body: dict[str, Any]) -> None:
    """``response`` is ``status`` with exactly the JSON ``body``."""
    assert response.status == status, response.text
    assert_json_body(response)
    assert response.json() == body


def assert_401(response: Response, body: dict[str, Any] | None = None) -> None:
    """401 with ``WWW-Authenticate: Bearer`` and one of the two contract bodies."""
    assert response.status == 401, response.text
    assert (response.header("WWW-Authenticate") or "").split(" ")[0] == "Bearer"
    assert_json_body(response)
    if body is None:
        assert response.json() in (NOT_AUTHENTICATED, BAD_CREDENTIALS)
    else:
        assert response.json() == body


def assert_validation(response: Response, *locs: list[str], echo: str | None = None) -> None:
    """422 with the contract's detail list, containing an entry for each of ``locs``.

    ``echo`` is a submitted value that must not come back anywhere in the body.
    """
    assert response.status == 422, response.text
    assert_json_body(response)
    body = response.json()
    assert set(body) == {"detail"}, body
    detail = body["detail"]
    assert isinstance(detail, list), body
    assert detail, body
    for entry in detail:
        assert {"loc", "msg", "type"} <= set(entry), entry
        assert "input" not in entry, f"the submitted value is echoed: {entry}"
        assert isinstance(entry["loc"], list), entry
        assert entry["loc"], entry
        assert entry["loc"][0] in ("body", "query"), entry
        assert isinstance(entry["msg"], str), entry
        assert entry["msg"], entry
        assert isinstance(entry["type"], str), entry
        assert re.fullmatch(r"[a-z][a-z0-9_.]*", entry["type"]), entry
    found = [entry["loc"] for entry in detail]
    for loc in locs:
        assert loc in found, f"no entry with loc {loc}: {detail}"
    if echo is not None:
        assert echo not in response.text, f"the submitted value is echoed: {response.text}"


def assert_item(item: Any, owner: User | None = None) -> None:
    """``item`` has exactly the contract's keys with the contract's types."""
    assert isinstance(item, dict)
    assert set(item) == ITEM_KEYS, item
    assert type(item["id"]) is int
    assert isinstance(item["title"], str)
    assert item["description"] is None or isinstance(item["description"], str)
    assert type(item["price"]) in (int, float), f"price is not a JSON number: {item}"
    assert type(item["owner_id"]) is int
    if owner is not None:
        assert item["owner_id"] == owner.id
    parse_timestamp(item["created_at"])


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 UTC timestamp with an explicit offset, close to now."""
    assert isinstance(value, str), value
    pattern = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
    assert re.fullmatch(pattern, value), f"not ISO 8601 with an offset: {value!r}"
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0), f"not UTC: {value!r}"
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=10), f"not now: {value!r}"
    return moment


def assert_json_body(response: Response) -> None:
    """The body is declared as JSON (``application/json``)."""
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("application/json"), (response.status, content_type)


# ------------------------------------------------------------------------------ service


def test_health(api: Client) -> None:
    response = api.get("/health")
    assert response.status == 200, response.text
    assert_json_body(response)
    assert response.json() == {"status": "ok", "database": "ok"}


OPERATIONS = {
    ("/api/auth/register", "post"): "201",
    ("/api/auth/token", "post"): "200",
    ("/api/users/me", "get"): "200",
    ("/api/items", "get"): "200",
    ("/api/items", "post"): "201",
    ("/api/items/{id}", "get"): "200",
    ("/api/items/{id}", "patch"): "200",
    ("/api/items/{id}", "delete"): "204",
}
WITH_BODY = {
    ("/api/auth/register", "post"): "application/json",
    ("/api/auth/token", "post"): "application/x-www-form-urlencoded",
    ("/api/items", "post"): "application/json",
    ("/api/items/{id}", "patch"): "application/json",
}


def test_openapi_describes_every_api_operation(api: Client) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200, response.text
    document = response.json()
    assert str(document.get("openapi", "")).startswith("3."), document.get("openapi")
    paths = document["paths"]
    api_paths = {path for path in paths if path.startswith("/api/")}
    assert api_paths >= {path for path, _ in OPERATIONS}, sorted(api_paths)
    for (path, method), success in OPERATIONS.items():
        operation = paths[path].get(method)
        assert operation is not None, f"{method.upper()} {path} is not described"
        responses = operation.get("responses", {})
        assert success in responses, f"{method.upper()} {path}: no {success} response"
        if success != "204":
            content = responses[success].get("content", {})
            assert "application/json" in content, f"{method.upper()} {path}: {responses}"
            assert content["application/json"].get("schema"), f"{method.upper()} {path}"
        if (path, method) in WITH_BODY:
            media = WITH_BODY[(path, method)]
            request_content = operation.get("requestBody", {}).get("content", {})
            assert media in request_content, f"{method.upper()} {path}: {request_content}"
            assert request_content[media].get("schema"), f"{method.upper()} {path}"
    list_params = {p.get("name") for p in paths["/api/items"]["get"].get("parameters", [])}
    assert {"limit", "offset"} <= list_params
    for method in ("get", "patch", "delete"):
        operation = paths["/api/items/{id}"][method]
        params = operation.get("parameters", []) + paths["/api/items/{id}"].get("parameters", [])
        assert any(p.get("name") == "id" and p.get("in") == "path" for p in params), method


class _AssetCollector(HTMLParser):
    """Collects every URL an HTML page makes a browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = {
            "script": ("src",),
            "link": ("href",),
            "img": ("src",),
            "redoc": ("spec-url",),
            "source": ("src",),
        }.get(tag, ())
        self.urls.extend(value for name in wanted if (value := values.get(name)))
        style = values.get("style")
        if style:
            self.urls.extend(css_urls(style))

    def handle_data(self, data: str) -> None:
        self.urls.extend(css_urls(data))


def css_urls(text: str) -> list[str]:
    """URLs in ``url(...)`` and ``@import "..."`` of CSS text (``data:`` URLs left out)."""
    found = re.findall(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)", text)
    found += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", text)
    return [url for url in found if not url.strip().startswith(("data:", "#"))]


FORBIDDEN_HOSTS = ("fonts.googleapis", "fonts.gstatic", "cdn.", "unpkg.com", "jsdelivr")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_are_self_hosted(server: Server, api: Client, page: str) -> None:
    response = api.get(page)
    assert response.status == 200, response.text
    assert (response.header("Content-Type") or "").startswith("text/html")
    for host in FORBIDDEN_HOSTS:
        assert host not in response.text, f"{page} references {host}"
    collector = _AssetCollector()
    collector.feed(response.text)
    assert any(".js" in url for url in collector.urls), f"{page} loads no script"
    origin = urlsplit(server.base_url).netloc
    checked: set[str] = set()
    pending = [(page, url) for url in collector.urls]
    while pending:
        referrer, reference = pending.pop()
        absolute = _join(server.base_url + referrer, reference)
        parts = urlsplit(absolute)
        assert parts.scheme == "http", f"{page}: {reference!r} is not served by the app"
        assert parts.netloc == origin, f"{page}: {reference!r} is not same-origin"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in checked:
            continue
        checked.add(path)
        asset = api.get(path)
        assert asset.status == 200, f"{page}: {path} answered {asset.status}"
        if path.split("?")[0].endswith(".css"):
            pending.extend((path, url) for url in css_urls(asset.text))


def _join(base: str, reference: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, reference.strip())


# ------------------------------------------------------------------------------ accounts


def test_register_returns_exactly_id_and_lowercased_email(api: Client) -> None:
    email = unique_email("Mixed.Case").replace("example.com", "Example.COM")
    response = register(api, f"  {email}  ")
    assert response.status == 201, response.text
    assert_json_body(response)
    body = response.json()
    assert set(body) == {"id", "email"}
    assert type(body["id"]) is int
    assert body["email"] == email.lower()


def test_register_ignores_extra_fields(api: Client) -> None:
    email = unique_email()
    response = api.post(
        "/api/auth/register",
        json_body={"email": email, "password": PASSWORD, "is_admin": True, "is_superuser": True},
    )
    assert response.status == 201, response.text
    assert set(response.json()) == {"id", "email"}


def test_register_twice_is_409_whatever_the_case(api: Client) -> None:
    email = unique_email()
    assert register(api, email).status == 201
    for again in (email, email.upper(), f" {email.title()} "):
        response = register(api, again, "another password")
        assert_error(response, 409, {"detail": "Email already registered"})
        assert "another password" not in response.text


@pytest.mark.parametrize(
    "email",
    ["ECHOMARK-plainaddress", "ECHOMARK@", "@example.com", "ECHO MARK@example.com", "a@@b.co", ""],
    ids=["no-at", "no-domain", "no-local", "space", "double-at", "empty"],
)
def test_register_rejects_invalid_emails(api: Client, email: str) -> None:
    response = register(api, email)
    assert_validation(response, ["body", "email"])
    assert "ECHOMARK" not in response.text


@pytest.mark.parametrize("value", [123, None, ["a@b.co"], {"a": 1}, True])
def test_register_email_must_be_a_string(api: Client, value: Any) -> None:
    response = api.post("/api/auth/register", json_body={"email": value, "password": PASSWORD})
    assert_validation(response, ["body", "email"])


@pytest.mark.parametrize(
    ("password", "status"),
    [
        ("PWMARK7", 422),
        ("PWMARK" + "x" * 123, 422),
        ("x" * 8, 201),
        ("é" * 128, 201),
    ],
    ids=["7-chars", "129-chars", "8-chars", "128-chars"],
)
def test_register_password_length(api: Client, password: str, status: int) -> None:
    email = unique_email()
    response = register(api, email, password)
    if status == 422:
        assert_validation(response, ["body", "password"], echo=password)
        assert "PWMARK" not in response.text
    else:
        assert response.status == 201, response.text
        assert login(api, email, password).status == 200


@pytest.mark.parametrize("value", [12345678, None, ["password1"]])
def test_register_password_must_be_a_string(api: Client, value: Any) -> None:
    response = api.post(
        "/api/auth/register", json_body={"email": unique_email(), "password": value}
    )
    assert_validation(response, ["body", "password"])


def test_register_missing_fields(api: Client) -> None:
    empty = api.post("/api/auth/register", json_body={})
    assert_validation(empty, ["body", "email"], ["body", "password"])
    only_email = api.post("/api/auth/register", json_body={"email": unique_email()})
    assert_validation(only_email, ["body", "password"])
    only_password = api.post("/api/auth/register", json_body={"password": PASSWORD})
    assert_validation(only_password, ["body", "email"])


def test_password_is_stored_hashed(server: Server, database: str, api: Client) -> None:
    if database != "sqlite":
        pytest.skip("the stored hash is read from the SQLite file")
    password = f"plain-{uuid.uuid4().hex}"
    assert register(api, unique_email(), password).status == 201
    path = server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        cells = [
            str(cell)
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}"')
            for cell in row
            if isinstance(cell, str)
        ]
    connection.close()
    assert not any(password in cell for cell in cells), "the password is stored in clear"
    assert any("argon2" in cell for cell in cells), "no argon2 hash found in the database"


def test_token_and_me(server: Server, api: Client) -> None:
    email = unique_email()
    user_id = register(api, email).json()["id"]
    response = login(api, f"  {email.upper()}  ")
    assert response.status == 200, response.text
    assert_json_body(response)
    body = response.json()
    assert set(body) == {"access_token", "token_type"}
    assert body["token_type"] == "bearer"
    token = body["access_token"]
    assert isinstance(token, str)
    header, claims, _ = harness.jwt_parts(token)
    assert header["alg"] == "HS256"
    assert claims["sub"] == str(user_id)
    assert isinstance(claims["exp"], int | float)
    assert 0 < claims["exp"] - time.time() <= 60 * 60 + 60
    assert harness.jwt_signature_valid(token, server.secret_key)
    me = api.with_token(token).get("/api/users/me")
    assert me.status == 200, me.text
    assert me.json() == {"id": user_id, "email": email}


def test_token_wrong_email_and_wrong_password_look_the_same(api: Client, member: User) -> None:
    wrong_password = login(api, member.email, "PWMARK-wrong-password")
    wrong_email = login(api, unique_email("nobody"), member.password)
    for response in (wrong_password, wrong_email):
        assert_401(response, BAD_LOGIN)
        assert "PWMARK" not in response.text
    assert wrong_password.body == wrong_email.body


def test_token_must_be_form_encoded(api: Client, member: User) -> None:
    response = api.post(
        "/api/auth/token", json_body={"username": member.email, "password": member.password}
    )
    assert 400 <= response.status < 500
    assert response.status != 200


@pytest.mark.parametrize(
    ("form", "missing"),
    [
        ({"password": PASSWORD}, ["username"]),
        ({"username": "a@example.com"}, ["password"]),
        ({}, ["username", "password"]),
    ],
    ids=["no-username", "no-password", "empty"],
)
def test_token_missing_fields(api: Client, form: dict[str, str], missing: list[str]) -> None:
    response = api.post("/api/auth/token", form=form)
    assert_validation(response, *(["body", name] for name in missing))


PROTECTED = [
    ("GET", "/api/users/me"),
    ("GET", "/api/items"),
    ("POST", "/api/items"),
    ("GET", "/api/items/1"),
    ("PATCH", "/api/items/1"),
    ("DELETE", "/api/items/1"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m}-{p}" for m, p in PROTECTED])
def test_protected_routes_need_a_valid_token(
    server: Server, api: Client, member: User, method: str, path: str
) -> None:
    body = {"title": "x", "price": 1} if method in ("POST", "PATCH") else None
    # No Authorization header, or one that is not a bearer token: "Not authenticated".
    assert_401(api.request(method, path, json_body=body), NOT_AUTHENTICATED)
    for header in ("Basic dXNlcjpwYXNz", "Token abc", "abc"):
        response = api.request(method, path, json_body=body, headers={"Authorization": header})
        assert_401(response, NOT_AUTHENTICATED)
    for header in ("Bearer", "Bearer ", "Bearer a b"):
        assert_401(api.request(method, path, json_body=body, headers={"Authorization": header}))
    # A bearer token that does not hold: "Could not validate credentials".
    _, claims, _ = harness.jwt_parts(member.token)
    now = int(time.time())
    head, payload, signature = member.token.split(".")
    other_payload = harness.make_jwt({**claims, "sub": str(member.id + 1)}, "x").split(".")[1]
    bad_tokens = {
        "garbage": "garbage",
        "three-dots": "a.b.c",
        "tampered-payload": f"{head}.{other_payload}.{signature}",
        "tampered-signature": f"{head}.{payload}.{signature[:-4]}AAAA",
        "wrong-key": harness.make_jwt(claims, "not the secret key"),
        "alg-none": harness.make_jwt(claims, "", alg="none"),
        "expired": harness.make_jwt({**claims, "exp": now - 3600}, server.secret_key),
        "orphaned": harness.make_jwt({**claims, "sub": "2147483000"}, server.secret_key),
        "sub-not-int": harness.make_jwt({**claims, "sub": "abc"}, server.secret_key),
        "sub-huge": harness.make_jwt({**claims, "sub": "9" * 30}, server.secret_key),
        "no-sub": harness.make_jwt({"exp": now + 600}, server.secret_key),
        "exp-not-a-number": harness.make_jwt({**claims, "exp": "soon"}, server.secret_key),
        "long": "a" * 8000,
        # The keys the starters once wrote in their source (issue 9): never valid.
        "old-fastapi-key": harness.make_jwt(claims, OLD_SOURCE_KEYS[0]),
        "old-django-key": harness.make_jwt(claims, OLD_SOURCE_KEYS[1]),
    }
    for name, token in bad_tokens.items():
        response = api.with_token(token).request(method, path, json_body=body)
        assert response.status == 401, f"{name}: {response.status} {response.text}"
        assert_401(response, BAD_CREDENTIALS)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/items"), ("PATCH", "/api/items/1")],
    ids=["create", "update"],
)
def test_authentication_is_checked_before_the_body(api: Client, method: str, path: str) -> None:
    for body in (b"{not json", b"[]", b'{"title": 5, "price": -1}', b"\xff\xfe"):
        response = api.request(method, path, body=body, content_type="application/json")
        assert_401(response, NOT_AUTHENTICATED)
        response = api.with_token("garbage").request(
            method, path, body=body, content_type="application/json"
        )
        assert_401(response, BAD_CREDENTIALS)


# --------------------------------------------------------------------------------- items


def test_create_and_get_item(member: User) -> None:
    item = create_item(member.client, title="Lamp", description="A desk lamp", price=19.99)
    assert_item(item, member)
    assert item["title"] == "Lamp"
    assert item["description"] == "A desk lamp"
    assert item["price"] == pytest.approx(19.99)
    fetched = member.client.get(f"/api/items/{item['id']}")
    assert fetched.status == 200, fetched.text
    assert fetched.json() == item


def test_create_item_description_is_optional_and_nullable(member: User) -> None:
    response = member.client.post("/api/items", json_body={"title": "t", "price": 1})
    assert response.status == 201, response.text
    assert response.json()["description"] is None
    assert create_item(member.client, description=None)["description"] is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": "x"}, {"title": "x"}),
        ({"title": "é" * 200}, {"title": "é" * 200}),
        ({"description": "d" * 2000}, {"description": "d" * 2000}),
        ({"description": ""}, {"description": ""}),
        ({"price": 0.01}, {"price": 0.01}),
        ({"price": 1_000_000_000}, {"price": 1_000_000_000}),
        ({"price": 7}, {"price": 7}),
    ],
    ids=[
        "title-1",
        "title-200",
        "description-2000",
        "description-empty",
        "price-cent",
        "price-max",
        "price-int",
    ],
)
def test_create_item_accepts_bounds(
    member: User, fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    item = create_item(member.client, **fields)
    assert_item(item, member)
    for key, value in expected.items():
        assert item[key] == pytest.approx(value) if key == "price" else item[key] == value


def test_create_item_numeric_string_price_may_be_accepted(member: User) -> None:
    response = member.client.post("/api/items", json_body={"title": "t", "price": "12.5"})
    if response.status == 201:
        assert_item(response.json(), member)
        assert response.json()["price"] == 12.5
    else:
        assert_validation(response, ["body", "price"])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"title": "", "price": 1}', "title"),
        ('{"title": "' + "t" * 201 + '", "price": 1}', "title"),
        ('{"title": 5, "price": 1}', "title"),
        ('{"title": null, "price": 1}', "title"),
        ('{"title": ["t"], "price": 1}', "title"),
        ('{"price": 1}', "title"),
        ('{"title": "t", "price": 1, "description": "' + "d" * 2001 + '"}', "description"),
        ('{"title": "t", "price": 1, "description": 5}', "description"),
        ('{"title": "t", "price": 1, "description": ["d"]}', "description"),
        ('{"title": "t"}', "price"),
        ('{"title": "t", "price": 0}', "price"),
        ('{"title": "t", "price": -1}', "price"),
        ('{"title": "t", "price": 1000000000.01}', "price"),
        ('{"title": "t", "price": 1000000001}', "price"),
        ('{"title": "t", "price": null}', "price"),
        ('{"title": "t", "price": true}', "price"),
        ('{"title": "t", "price": []}', "price"),
        ('{"title": "t", "price": {}}', "price"),
        ('{"title": "t", "price": "ECHOMARK"}', "price"),
        ('{"title": "t", "price": "NaN"}', "price"),
        ('{"title": "t", "price": "Infinity"}', "price"),
        ('{"title": "t", "price": "1e309"}', "price"),
    ],
    ids=[
        "title-empty",
        "title-201",
        "title-number",
        "title-null",
        "title-list",
        "title-missing",
        "description-2001",
        "description-number",
        "description-list",
        "price-missing",
        "price-0",
        "price--1",
        "price-1e9+0.01",
        "price-1e9+1",
        "price-null",
        "price-true",
        "price-list",
        "price-object",
        "price-word",
        "price-NaN-string",
        "price-Infinity-string",
        "price-1e309-string",
    ],
)
def test_create_item_validation(member: User, raw: str, field: str) -> None:
    response = member.client.post("/api/items", body=raw, content_type="application/json")
    assert_validation(response, ["body", field])
    assert "t" * 201 not in response.text
    assert "d" * 2001 not in response.text
    assert "ECHOMARK" not in response.text


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": "t", "price": NaN}',
        '{"title": "t", "price": Infinity}',
        '{"title": "t", "price": -Infinity}',
        '{"title": "t", "price": 1e309}',
    ],
    ids=["NaN", "Infinity", "-Infinity", "1e309"],
)
def test_create_item_rejects_non_finite_numbers(member: User, raw: str) -> None:
    # Not strict JSON: a parser may refuse the text (["body"]) or the number (["body", "price"]).
    response = member.client.post("/api/items", body=raw, content_type="application/json")
    assert_validation(response)
    locs = [entry["loc"] for entry in response.json()["detail"]]
    assert ["body", "price"] in locs or ["body"] in locs, locs


def test_create_item_one_entry_per_problem(member: User) -> None:
    response = member.client.post("/api/items", json_body={"title": "", "price": 0})
    assert_validation(response, ["body", "title"], ["body", "price"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"title": "t", "price": 1', "application/json"),
        (b"not json at all", "application/json"),
        (b'{"title": "\xff\xfe", "price": 1}', "application/json"),
        (b"[]", "application/json"),
        (b'"x"', "application/json"),
        (b"1", "application/json"),
        (b"null", "application/json"),
        (b"", "application/json"),
        ('{"title": "t", "price": 1}'.encode("utf-16"), "application/json"),
        (b'{"title": "t", "price": 1}', "text/plain"),
        (b"title=t&price=1", "application/x-www-form-urlencoded"),
    ],
    ids=[
        "truncated",
        "not-json",
        "not-utf8",
        "array",
        "string",
        "number",
        "null",
        "empty",
        "utf-16",
        "text-plain",
        "form",
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_unusable_body_is_422_at_body(
    member: User, method: str, body: bytes, content_type: str
) -> None:
    path = "/api/items" if method == "POST" else f"/api/items/{create_item(member.client)['id']}"
    response = member.client.request(method, path, body=body, content_type=content_type)
    assert_validation(response, ["body"])


def test_list_items_newest_first_with_defaults(user: User, other_user: User) -> None:
    create_item(other_user.client, title="not mine")
    created = [create_item(user.client, title=f"item {n}") for n in range(22)]
    response = user.client.get("/api/items")
    assert response.status == 200, response.text
    page = response.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"]) == (22, 20, 0)
    assert len(page["items"]) == 20
    for item in page["items"]:
        assert_item(item, user)
    expected_ids = [item["id"] for item in reversed(created)]
    assert [item["id"] for item in page["items"]] == expected_ids[:20]
    ordered = sorted(
        page["items"], key=lambda i: (parse_timestamp(i["created_at"]), i["id"]), reverse=True
    )
    assert ordered == page["items"]
    rest = user.client.get("/api/items?offset=20").json()
    assert [item["id"] for item in rest["items"]] == expected_ids[20:]
    assert (rest["total"], rest["limit"], rest["offset"]) == (22, 20, 20)


def test_list_items_limit_and_offset(user: User) -> None:
    ids = [create_item(user.client)["id"] for _ in range(3)][::-1]
    page = user.client.get("/api/items?limit=1&offset=1").json()
    assert [item["id"] for item in page["items"]] == ids[1:2]
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    page = user.client.get("/api/items?limit=100").json()
    assert [item["id"] for item in page["items"]] == ids
    assert page["limit"] == 100


@pytest.mark.parametrize("offset", ["3", "1000000", str(2**31), str(2**63), "9" * 30])
def test_list_items_offset_past_the_end_is_an_empty_page(user: User, offset: str) -> None:
    create_item(user.client)
    response = user.client.get(f"/api/items?offset={offset}")
    assert response.status == 200, response.text
    page = response.json()
    assert page["items"] == []
    assert page["total"] == 1
    assert str(page["offset"]) == offset


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("limit=" + "9" * 30, "limit"),
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("offset=1.5", "offset"),
    ],
)
def test_list_items_bad_query_parameters(member: User, query: str, name: str) -> None:
    response = member.client.get(f"/api/items?{query}")
    assert_validation(response, ["query", name])


def test_list_items_sees_only_own_items(user: User, other_user: User) -> None:
    mine = create_item(user.client)
    create_item(other_user.client)
    page = user.client.get("/api/items").json()
    assert [item["id"] for item in page["items"]] == [mine["id"]]
    assert page["total"] == 1


def test_patch_item(user: User, other_user: User) -> None:
    item = create_item(user.client, title="before", description="desc", price=3)
    path = f"/api/items/{item['id']}"

    def patch(body: Any) -> dict[str, Any]:
        response = user.client.patch(path, json_body=body)
        assert response.status == 200, response.text
        result: dict[str, Any] = response.json()
        assert_item(result, user)
        return result

    assert patch({}) == item
    assert patch({"unknown": 1, "also": None}) == item
    read_only = {
        "id": item["id"] + 1000,
        "owner_id": other_user.id,
        "created_at": "2000-01-01T00:00:00+00:00",
    }
    assert patch(read_only) == item
    assert patch({"title": "after"}) == {**item, "title": "after"}
    assert patch({"price": 4.5}) == {**item, "title": "after", "price": 4.5}
    assert patch({"description": None}) == {
        **item,
        "title": "after",
        "price": 4.5,
        "description": None,
    }
    assert user.client.get(path).json() == {
        **item,
        "title": "after",
        "price": 4.5,
        "description": None,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"price": None}, "price"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"description": "d" * 2001}, "description"),
        ({"price": 0}, "price"),
        ({"price": 1_000_000_001}, "price"),
        ({"price": True}, "price"),
    ],
    ids=[
        "title-null",
        "price-null",
        "title-empty",
        "title-201",
        "title-number",
        "description-2001",
        "price-0",
        "price-too-big",
        "price-true",
    ],
)
def test_patch_item_validation(member: User, body: dict[str, Any], field: str) -> None:
    item = create_item(member.client)
    response = member.client.patch(f"/api/items/{item['id']}", json_body=body)
    assert_validation(response, ["body", field])
    assert member.client.get(f"/api/items/{item['id']}").json() == item


def test_delete_item(member: User) -> None:
    item = create_item(member.client)
    path = f"/api/items/{item['id']}"
    response = member.client.delete(path)
    assert response.status == 204, response.text
    assert response.body == b""
    assert_error(member.client.get(path), 404, NOT_FOUND)
    assert_error(member.client.delete(path), 404, NOT_FOUND)
    assert_error(member.client.patch(path, json_body={"title": "x"}), 404, NOT_FOUND)


def test_a_deleted_items_id_is_never_handed_out_again(user: User) -> None:
    """Ids are never reused, on every database: SQLite's tables say AUTOINCREMENT (a plain
    INTEGER PRIMARY KEY hands the highest id out again once its row is deleted)."""
    first, newest = create_item(user.client, title="first"), create_item(user.client)
    assert user.client.delete(f"/api/items/{newest['id']}").status == 204
    made = create_item(user.client, title="made after")
    assert made["id"] not in (first["id"], newest["id"])
    assert made["id"] > newest["id"]
    assert_error(user.client.get(f"/api/items/{newest['id']}"), 404, NOT_FOUND)


def test_other_users_items_look_missing(user: User, other_user: User) -> None:
    item = create_item(user.client)
    path = f"/api/items/{item['id']}"
    missing = "/api/items/2147483647"
    for method, body in (("GET", None), ("PATCH", {"title": "stolen"}), ("DELETE", None)):
        theirs = other_user.client.request(method, path, json_body=body)
        nothing = other_user.client.request(method, missing, json_body=body)
        assert_error(theirs, 404, NOT_FOUND)
        assert (nothing.status, nothing.body) == (theirs.status, theirs.body)
    assert user.client.get(path).json() == item


BAD_IDS = ["abc", "1.5", "-1", "0", "1e3", str(2**31), "9" * 30, "%20", "%00", "0x1"]


@pytest.mark.parametrize("item_id", BAD_IDS)
def test_non_integer_or_huge_ids_are_404(member: User, item_id: str) -> None:
    path = f"/api/items/{item_id}"
    for method, body in (("GET", None), ("PATCH", {"title": "x"}), ("DELETE", None)):
        response = member.client.request(method, path, json_body=body)
        assert_error(response, 404, NOT_FOUND)


# -------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("path", ["/no-such-page", "/api/no-such-route", "/api/items/1/extra"])
def test_unknown_path_is_404_json(member: User, path: str) -> None:
    for client in (Client(member.client.base_url), member.client):
        response = client.get(path)
        assert_error(response, 404, NOT_FOUND)
        assert_json_body(response)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/auth/register"),
        ("GET", "/api/auth/token"),
        ("PUT", "/api/items"),
        ("DELETE", "/api/items"),
        ("PUT", "/api/items/1"),
        ("POST", "/api/items/1"),
        ("POST", "/api/users/me"),
        ("POST", "/health"),
    ],
)
def test_wrong_method_is_405_json(member: User, method: str, path: str) -> None:
    response = member.client.request(method, path)
    assert_error(response, 405, {"detail": "Method Not Allowed"})
    assert_json_body(response)


def test_security_headers_on_every_kind_of_response(api: Client, member: User) -> None:
    item = create_item(member.client)
    responses = {
        "health": api.get("/health"),
        "openapi": api.get("/openapi.json"),
        "docs": api.get("/docs"),
        "created": member.client.post("/api/items", json_body={"title": "t", "price": 1}),
        "list": member.client.get("/api/items"),
        "deleted": member.client.delete(f"/api/items/{item['id']}"),
        "401": api.get("/api/users/me"),
        "404": api.get("/no-such-page"),
        "405": api.request("PUT", "/api/items"),
        "422": member.client.post("/api/items", json_body={}),
    }
    for name, response in responses.items():
        assert response.header("X-Content-Type-Options") == "nosniff", name
        assert (response.header("X-Frame-Options") or "").upper() == "DENY", name
        assert response.header("Referrer-Policy"), name


def test_cors_allows_the_configured_origin(api: Client, member: User) -> None:
    simple = api.get("/health", headers={"Origin": CORS_ORIGIN})
    assert simple.status == 200
    assert simple.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    authed = member.client.get("/api/items", headers={"Origin": CORS_ORIGIN})
    assert authed.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    preflight = api.request(
        "OPTIONS",
        "/api/items",
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status == 200, preflight.text
    assert preflight.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    allowed = (preflight.header("Access-Control-Allow-Methods") or "").upper()
    assert "POST" in allowed or "*" in allowed, preflight.headers


def test_cors_ignores_other_origins(api: Client) -> None:
    other = "http://evil.example"
    simple = api.get("/health", headers={"Origin": other})
    assert simple.status == 200
    assert simple.header("Access-Control-Allow-Origin") is None
    preflight = api.request(
        "OPTIONS",
        "/api/items",
        headers={"Origin": other, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status < 500
    assert preflight.header("Access-Control-Allow-Origin") is None


# ----------------------------------------------------------------- no 500, ever (sweep)


@dataclass(frozen=True)
class Probe:
    """One malformed request. ``may_succeed`` allows a 2xx where accepting it is legitimate."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = "application/json"
    query: str = ""
    may_succeed: bool = False


DEEP = b"[" * 100_000 + b"]" * 100_000
BODIES = {
    "truncated": b'{"a": ',
    "deep-nesting": DEEP,
    "huge-integer": b'{"price": ' + b"1" * 5000 + b', "title": "t"}',
    "lone-surrogate": b'{"title": "\\ud800", "price": 1, "email": "\\ud800@example.com",'
    b' "password": "\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"}',
    "invalid-utf8": b'{"title": "\xc3\x28", "email": "\xff@example.com", "price": 1}',
    "nested-values": b'{"title": {"a": [1]}, "price": {"b": 2}, "email": {}, "password": []}',
    "big-body": b'{"title": "' + b"x" * 1_000_000 + b'", "price": 1}',
    "price-string-inf": b'{"title": "t", "price": "inf"}',
    "price-tiny": b'{"title": "t", "price": 1e-400}',
    "price-string-tiny": b'{"title": "t", "price": "1e-400"}',
}
REGISTER_BODIES = {
    "long-email": b'{"email": "' + b"a" * 300 + b'@example.com", "password": "password1"}',
    "nul-email": b'{"email": "a\\u0000b@example.com", "password": "password1"}',
    "password-129": b'{"email": "x@example.com", "password": "' + b"p" * 129 + b'"}',
    "password-huge": b'{"email": "x@example.com", "password": "' + b"p" * 100_000 + b'"}',
}
MAY_SUCCEED_BODIES = {
    "nul-title": b'{"title": "a\\u0000b", "description": "\\u0000", "price": 1}',
    "duplicate-keys": b'{"title": "a", "title": "b", "price": 1}',
}


def _probes() -> list[Any]:
    probes: list[Any] = []
    targets = [("POST", "/api/auth/register"), ("POST", "/api/items"), ("PATCH", "/api/items/{id}")]
    for method, path in targets:
        for name, body in BODIES.items():
            probes.append(pytest.param(Probe(method, path, body), id=f"{method}-{path}-{name}"))
        if path == "/api/auth/register":
            for name, body in REGISTER_BODIES.items():
                probes.append(pytest.param(Probe(method, path, body), id=f"{method}-{path}-{name}"))
        else:
            for name, body in MAY_SUCCEED_BODIES.items():
                probe = Probe(method, path, body, may_succeed=True)
                probes.append(pytest.param(probe, id=f"{method}-{path}-{name}"))
        probes.append(
            pytest.param(
                Probe(method, path, b'{"title": "t"}', content_type="!!/??;;charset=nope"),
                id=f"{method}-{path}-bad-content-type",
            )
        )
    token_bodies = {
        "nul": b"username=a%00b%40example.com&password=password1",
        "bad-percent": b"username=%ff%fe&password=%ff",
        "lone-surrogate-percent": b"username=%ed%a0%80&password=%ed%a0%80",
        "long-username": b"username=" + b"a" * 100_000 + b"&password=password1",
        "repeated": b"username=a%40example.com&username=b&password=x&password=y",
        "json": b'{"username": "a@example.com", "password": "password1"}',
        "not-form": b"\x00\x01\x02",
    }
    for name, body in token_bodies.items():
        probe = Probe(
            "POST",
            "/api/auth/token",
            body,
            content_type="application/json"
            if name == "json"
            else "application/x-www-form-urlencoded",
        )
        probes.append(pytest.param(probe, id=f"token-{name}"))
    probes.append(
        pytest.param(
            Probe("POST", "/api/auth/token", b"--x\r\n", content_type="multipart/form-data"),
            id="token-broken-multipart",
        )
    )
    for query in (
        "limit=%00",
        "limit=%ff",
        "limit=1e2",
        "limit=" + "9" * 5000,
        "offset=-" + "9" * 40,
        "offset=%ed%a0%80",
    ):
        probes.append(
            pytest.param(Probe("GET", "/api/items", query=query), id=f"list-{query[:20]}")
        )
    probes.append(
        pytest.param(
            Probe("GET", "/api/items", query="limit=1&limit=2", may_succeed=True),
            id="list-repeated-limit",
        )
    )
    probes.append(
        pytest.param(
            Probe("GET", "/api/items", query="limit[]=1", may_succeed=True),
            id="list-unknown-parameter",
        )
    )
    for item_id in ("%00", "%ff", "%ed%a0%80", "..%2f..%2fhealth", "9" * 400, "1;DROP"):
        for method in ("GET", "PATCH", "DELETE"):
            item_body = b'{"title": "t"}' if method == "PATCH" else None
            probe = Probe(method, f"/api/items/{item_id}", item_body)
            probes.append(pytest.param(probe, id=f"{method}-item-{item_id[:12]}"))
    return probes


@pytest.mark.parametrize("probe", _probes())
def test_no_500_ever(member: User, probe: Probe) -> None:
    client = member.client
    path = probe.path
    if "{id}" in path:
        path = path.replace("{id}", str(create_item(client)["id"]))
    if probe.query:
        path = f"{path}?{probe.query}"
    response = client.request(
        probe.method, path, body=probe.body, content_type=probe.content_type if probe.body else None
    )
    assert response.status < 500, f"{response.status}: {response.text[:2000]}"
    if not probe.may_succeed:
        assert 400 <= response.status < 500, f"{response.status}: {response.text[:2000]}"
        assert_json_body(response)
        assert "detail" in response.json()


BURST_CLIENTS = 64
BURST_WRITES_EACH = 4


def test_a_burst_of_concurrent_writes_is_all_201(user: User) -> None:
    """64 clients creating items at once (issue 15): every write lands, none is a 5xx
    ("database is locked" on SQLite) or a dropped connection. No timing is asserted."""
    start = threading.Barrier(BURST_CLIENTS)

    def writer(n: int) -> list[int]:
        start.wait()
        statuses = []
        for k in range(BURST_WRITES_EACH):
            body = {"title": f"burst {n}-{k}", "price": 1.5}
            statuses.append(user.client.post("/api/items", json_body=body).status)
        return statuses

    with ThreadPoolExecutor(BURST_CLIENTS) as pool:
        statuses = [s for batch in pool.map(writer, range(BURST_CLIENTS)) for s in batch]
    assert Counter(statuses) == {201: BURST_CLIENTS * BURST_WRITES_EACH}
    page = user.client.get("/api/items?limit=1").json()
    assert page["total"] == BURST_CLIENTS * BURST_WRITES_EACH


# ------------------------------------------------- fail closed (issue 9, "Errors" lines)

TOO_LARGE = {"detail": "Request body is too large"}
INVALID_HOST = {"detail": "Invalid Host header"}
HSTS = "max-age=31536000; includeSubDomains"


def json_of_size(size: int, **fields: Any) -> bytes:
    """A JSON object of exactly ``size`` bytes: ``fields`` plus an ignored ``pad`` string."""
    base = json.dumps({**fields, "pad": ""}).encode()
    padded = json.dumps({**fields, "pad": "x" * (size - len(base))}).encode()
    assert len(padded) == size
    return padded


def form_of_size(size: int, **fields: str) -> bytes:
    """A urlencoded form of exactly ``size`` bytes: ``fields`` plus an ignored ``pad``."""
    base = urlencode({**fields, "pad": ""}).encode()
    padded = urlencode({**fields, "pad": "x" * (size - len(base))}).encode()
    assert len(padded) == size
    return padded


OVER_LIMIT = harness.MAX_BODY_BYTES + 1


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_one_mib_is_413_on_every_route(member: User, chunked: bool) -> None:
    item = create_item(member.client)
    anonymous = Client(member.client.base_url)
    big_json = json_of_size(OVER_LIMIT, title="t", price=1)
    cases = [
        (anonymous, "POST", "/api/auth/register", big_json, "application/json"),
        (member.client, "POST", "/api/items", big_json, "application/json"),
        (member.client, "PATCH", f"/api/items/{item['id']}", big_json, "application/json"),
        (
            anonymous,
            "POST",
            "/api/auth/token",
            form_of_size(OVER_LIMIT, username=member.email, password=PASSWORD),
            "application/x-www-form-urlencoded",
        ),
    ]
    for client, method, path, body, content_type in cases:
        response = client.request(
            method, path, body=body, content_type=content_type, chunked=chunked
        )
        assert response.status == 413, f"{method} {path}: {response.status} {response.text[:300]}"
        assert_error(response, 413, TOO_LARGE)
    # Nothing of it was stored.
    assert member.client.get(f"/api/items/{item['id']}").json() == item


def test_body_of_exactly_one_mib_is_not_413(api: Client, member: User) -> None:
    email = unique_email("big")
    register_body = json_of_size(harness.MAX_BODY_BYTES, email=email, password=PASSWORD)
    created = api.post("/api/auth/register", body=register_body, content_type="application/json")
    assert created.status == 201, f"{created.status} {created.text[:300]}"
    token_body = form_of_size(harness.MAX_BODY_BYTES, username=email, password=PASSWORD)
    token = api.post(
        "/api/auth/token", body=token_body, content_type="application/x-www-form-urlencoded"
    )
    assert token.status == 200, f"{token.status} {token.text[:300]}"
    item_body = json_of_size(harness.MAX_BODY_BYTES, title="big", price=1)
    item = member.client.post("/api/items", body=item_body, content_type="application/json")
    assert item.status == 201, f"{item.status} {item.text[:300]}"


#: Every method a path accepts (HEAD may be added by a server that answers it).
ALLOWED = {
    "/api/items": {"GET", "POST"},
    "/api/items/2147483647": {"DELETE", "GET", "PATCH"},
    "/api/users/me": {"DELETE", "GET"},
    "/api/auth/register": {"POST"},
    "/api/auth/token": {"POST"},
}
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allow_header(response: Response) -> set[str]:
    return {m.strip().upper() for m in (response.header("Allow") or "").split(",") if m.strip()}


@pytest.mark.parametrize("path", list(ALLOWED))
def test_405_lists_every_allowed_method(user: User, path: str) -> None:
    """``Allow`` is complete and true: its methods are answered, the others are 405.

    A user of its own: probing ``DELETE /api/users/me`` deletes the account.
    """
    expected = ALLOWED[path]
    answers = {method: user.client.request(method, path) for method in PROBED_METHODS}
    refused = {method for method, response in answers.items() if response.status == 405}
    assert refused, f"{path}: no method is refused: {answers}"
    for method in refused:
        response = answers[method]
        if method != "HEAD":
            assert_error(response, 405, {"detail": "Method Not Allowed"})
        allowed = allow_header(response)
        assert allowed - {"HEAD"} == expected, f"{method} {path}: Allow {allowed}"
        assert "OPTIONS" not in allowed, f"{path}: OPTIONS is listed but answers 405"
        if "HEAD" in allowed:
            assert answers["HEAD"].status != 405, f"{path}: HEAD is listed but answers 405"
    for method in expected:
        assert answers[method].status != 405, f"{method} {path} is refused"
    assert refused >= {"PUT", "OPTIONS"} - expected


@pytest.mark.parametrize("path", ["/api/items", "/api/items/1", "/health"])
def test_options_without_cors_is_405_json(member: User, path: str) -> None:
    for client in (Client(member.client.base_url), member.client):
        response = client.request("OPTIONS", path)
        assert_error(response, 405, {"detail": "Method Not Allowed"})
        assert allow_header(response), f"OPTIONS {path}: no Allow header"


def _vary(response: Response) -> set[str]:
    return {part.strip().lower() for part in (response.header("Vary") or "").split(",")}


def test_cors_headers_only_for_a_listed_origin_and_vary_always(api: Client, member: User) -> None:
    responses = {
        "list": member.client.get("/api/items"),
        "me": member.client.get("/api/users/me"),
        "create": member.client.post("/api/items", json_body={"title": "t", "price": 1}),
        "401": api.get("/api/items"),
        "404": api.get("/api/no-such-route"),
        "422": member.client.post("/api/items", json_body={}),
        "register": register(api, unique_email()),
    }
    for name, response in responses.items():
        assert response.header("Access-Control-Allow-Origin") is None, (name, response.headers)
        assert response.header("Access-Control-Allow-Credentials") is None, name
        vary = _vary(response)
        assert "origin" in vary or "*" in vary, f"{name}: no Vary: Origin in {response.headers}"
    listed = member.client.get("/api/items", headers={"Origin": CORS_ORIGIN})
    assert listed.header("Access-Control-Allow-Origin") == CORS_ORIGIN
    assert "origin" in _vary(listed), listed.headers


HOSTILE_HOST = "evil.example<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/api/items"), ("POST", "/api/auth/register")],
)
def test_untrusted_host_is_400_without_echo(api: Client, method: str, path: str) -> None:
    body = {"email": unique_email(), "password": PASSWORD} if method == "POST" else None
    for host in (HOSTILE_HOST, "attacker.example", "attacker.example:80"):
        response = api.request(method, path, json_body=body, headers={"Host": host})
        assert_error(response, 400, INVALID_HOST)
        everything = response.text + repr(response.headers)
        assert "attacker" not in everything and "evil" not in everything, everything


def test_hsts_only_for_https_from_a_trusted_proxy(api: Client) -> None:
    plain = api.get("/health")
    assert plain.status == 200
    assert plain.header("Strict-Transport-Security") is None, plain.headers
    # The suite connects from 127.0.0.1, the default FORWARDED_ALLOW_IPS.
    for path in ("/health", "/api/items", "/no-such-page"):
        proxied = api.get(path, headers={"X-Forwarded-Proto": "https"})
        assert proxied.header("Strict-Transport-Security") == HSTS, (path, proxied.headers)
        assert proxied.status < 500
    spoofed = api.get("/health", headers={"X-Forwarded-Proto": "http"})
    assert spoofed.header("Strict-Transport-Security") is None, spoofed.headers


@pytest.mark.parametrize("title", ["   ", " padded ", "\ttab", "x "], ids=repr)
def test_titles_are_stored_as_sent(member: User, title: str) -> None:
    item = create_item(member.client, title=title)
    assert item["title"] == title
    assert member.client.get(f"/api/items/{item['id']}").json()["title"] == title
    changed = member.client.patch(f"/api/items/{item['id']}", json_body={"title": f" {title} "})
    assert changed.status == 200, changed.text
    assert changed.json()["title"] == f" {title} "


def test_too_long_title_is_string_too_long(member: User) -> None:
    item = create_item(member.client)
    for response in (
        member.client.post("/api/items", json_body={"title": "t" * 201, "price": 1}),
        member.client.patch(f"/api/items/{item['id']}", json_body={"title": "t" * 201}),
    ):
        assert_validation(response, ["body", "title"])
        entry = next(e for e in response.json()["detail"] if e["loc"] == ["body", "title"])
        assert entry["type"] == "string_too_long", entry
        assert "200" in entry["msg"], entry


@pytest.mark.parametrize(
    ("encoding", "charset"),
    [("utf-16", "utf-16"), ("utf-16-le", "utf-16le"), ("latin-1", "iso-8859-1")],
    ids=["utf-16", "utf-16le", "latin-1"],
)
def test_non_utf8_json_is_422_body(api: Client, member: User, encoding: str, charset: str) -> None:
    content_type = f"application/json; charset={charset}"
    item = json.dumps({"title": "é", "price": 1}, ensure_ascii=False).encode(encoding)
    response = member.client.post("/api/items", body=item, content_type=content_type)
    assert_validation(response, ["body"])
    account = json.dumps(
        {"email": unique_email(), "password": "pässwörd"}, ensure_ascii=False
    ).encode(encoding)
    response = api.post("/api/auth/register", body=account, content_type=content_type)
    assert_validation(response, ["body"])


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"'])
def test_utf8_charset_is_accepted(member: User, charset: str) -> None:
    response = member.client.post(
        "/api/items",
        body=json.dumps({"title": "é", "price": 1}, ensure_ascii=False).encode(),
        content_type=f"application/json; charset={charset}",
    )
    assert response.status == 201, response.text
    assert response.json()["title"] == "é"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "GET"])
@pytest.mark.parametrize("path", ["/api/no-such-route", "/api/items/1/extra", "/api/auth"])
def test_unknown_api_path_is_404_json_for_every_method(
    member: User, method: str, path: str
) -> None:
    body = {"title": "t", "price": 1} if method in ("POST", "PUT", "PATCH") else None
    for client in (Client(member.client.base_url), member.client):
        response = client.request(method, path, json_body=body)
        assert_error(response, 404, NOT_FOUND)


# ---------------------------------------------------------------- honest /openapi.json

PROTECTED_OPERATIONS = {
    ("/api/users/me", "get"),
    ("/api/items", "get"),
    ("/api/items", "post"),
    ("/api/items/{id}", "get"),
    ("/api/items/{id}", "patch"),
    ("/api/items/{id}", "delete"),
}
VALIDATED_OPERATIONS = {
    ("/api/auth/register", "post"),
    ("/api/auth/token", "post"),
    ("/api/items", "get"),
    ("/api/items", "post"),
    ("/api/items/{id}", "patch"),
}
LOOKUP_OPERATIONS = {("/api/items/{id}", m) for m in ("get", "patch", "delete")}
DATABASE_OPERATIONS = set(OPERATIONS)


@pytest.fixture(scope="module")
def openapi(server: Server) -> dict[str, Any]:
    response = Client(server.base_url).get("/openapi.json")
    assert response.status == 200, response.text
    document: dict[str, Any] = response.json()
    return document


#: Wording of the starters' internal docstrings, which API users must never see (issue 14).
INTERNAL_PHRASES = (
    "Base view of the API",
    "An API view",
    "no OPTIONS handler",
    "FastAPI dependency",
    "docstring",
    ":param",
    "Args:",
)


def test_openapi_operations_are_described_for_api_users(openapi: dict[str, Any]) -> None:
    """Every operation has a summary and a description, none of them internal notes."""
    problems = []
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            for key in ("summary", "description"):
                text = str(operation.get(key) or "").strip()
                if not text:
                    problems.append(f"{method.upper()} {path}: no {key}")
                for phrase in INTERNAL_PHRASES:
                    if phrase.lower() in text.lower():
                        problems.append(f"{method.upper()} {path}: {key} says {phrase!r}")
    assert problems == [], problems


def resolve(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its ``$ref`` (local, possibly chained) followed."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        reference = node["$ref"]
        assert reference.startswith("#/"), reference
        target: Any = document
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
        assert seen < 20, f"$ref loop at {reference}"
    return node


def branches(document: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """The schema and every ``anyOf``/``oneOf``/``allOf`` member, resolved, flattened."""
    schema = resolve(document, schema)
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            found.extend(branches(document, member))
    return found


def allows_null(document: dict[str, Any], schema: Any) -> bool:
    for branch in branches(document, schema):
        kind = branch.get("type")
        if branch.get("nullable") is True or kind == "null":
            return True
        if isinstance(kind, list) and "null" in kind:
            return True
    return False


def constraint(document: dict[str, Any], schema: Any, key: str) -> Any:
    """The value of ``key`` in the schema or the first of its branches that sets it."""
    for branch in branches(document, schema):
        if key in branch:
            return branch[key]
    return None


def properties(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for branch in branches(document, schema):
        merged.update(branch.get("properties", {}))
    return merged


def operation_of(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation = document["paths"][path].get(method)
    assert operation is not None, f"{method.upper()} {path} is not described"
    result: dict[str, Any] = operation
    return result


def request_schema(document: dict[str, Any], path: str, method: str) -> Any:
    content = operation_of(document, path, method)["requestBody"]["content"]
    media = WITH_BODY[(path, method)]
    return resolve(document, content[media]["schema"])


def test_openapi_documents_every_error_status(openapi: dict[str, Any]) -> None:
    problems: list[str] = []
    global_security = openapi.get("security")
    for path, method in OPERATIONS:
        operation = operation_of(openapi, path, method)
        label = f"{method.upper()} {path}"
        responses = {str(code): resolve(openapi, r) for code, r in operation["responses"].items()}
        wanted: set[str] = set()
        if (path, method) in PROTECTED_OPERATIONS:
            wanted.add("401")
            security = operation.get("security", global_security)
            if not security:
                problems.append(f"{label}: no security requirement")
            headers = {name.lower() for name in responses.get("401", {}).get("headers", {})}
            if "401" in responses and "www-authenticate" not in headers:
                problems.append(f"{label}: the 401 does not document WWW-Authenticate")
        if (path, method) in VALIDATED_OPERATIONS:
            wanted.add("422")
        if (path, method) in LOOKUP_OPERATIONS:
            wanted.add("404")
        if (path, method) == ("/api/auth/register", "post"):
            wanted.add("409")
        if (path, method) == ("/api/auth/token", "post"):
            wanted.add("401")
        if "requestBody" in operation:
            wanted.add("413")
        if (path, method) in DATABASE_OPERATIONS:
            wanted.add("503")
        for status in sorted(wanted - set(responses)):
            problems.append(f"{label}: no {status} response")
        for status, response in responses.items():
            if not status.startswith(("4", "5")):
                continue
            content = response.get("content", {}).get("application/json")
            if not content or not content.get("schema"):
                problems.append(f"{label}: the {status} has no JSON schema")
                continue
            if "detail" not in properties(openapi, content["schema"]):
                problems.append(f"{label}: the {status} schema has no `detail`")
    assert not problems, "/openapi.json is not honest:\n" + "\n".join(problems)


def test_openapi_schemas_say_what_the_server_enforces(openapi: dict[str, Any]) -> None:
    problems: list[str] = []

    def expect(label: str, actual: Any, wanted: Any) -> None:
        if actual != wanted:
            problems.append(f"{label}: {actual!r}, expected {wanted!r}")

    account = properties(openapi, request_schema(openapi, "/api/auth/register", "post"))
    expect("register email format", constraint(openapi, account.get("email"), "format"), "email")
    password = account.get("password")
    expect("register password minLength", constraint(openapi, password, "minLength"), 8)
    expect("register password maxLength", constraint(openapi, password, "maxLength"), 128)
    for path, method, name in (
        ("/api/items", "post", "ItemCreate"),
        ("/api/items/{id}", "patch", "ItemUpdate"),
    ):
        fields = properties(openapi, request_schema(openapi, path, method))
        title, description, price = (fields.get(k) for k in ("title", "description", "price"))
        expect(f"{name}.title minLength", constraint(openapi, title, "minLength"), 1)
        expect(f"{name}.title maxLength", constraint(openapi, title, "maxLength"), 200)
        expect(f"{name}.title nullable", allows_null(openapi, title), False)
        expect(f"{name}.description maxLength", constraint(openapi, description, "maxLength"), 2000)
        expect(f"{name}.description nullable", allows_null(openapi, description), True)
        expect(f"{name}.price maximum", constraint(openapi, price, "maximum"), 1_000_000_000)
        expect(f"{name}.price nullable", allows_null(openapi, price), False)
        exclusive = constraint(openapi, price, "exclusiveMinimum")
        if exclusive is True:  # OpenAPI 3.0 spelling
            expect(f"{name}.price minimum", constraint(openapi, price, "minimum"), 0)
        else:
            expect(f"{name}.price exclusiveMinimum", exclusive, 0)
            minimum = constraint(openapi, price, "minimum")
            if minimum is not None and minimum <= 0:
                problems.append(f"{name}.price: minimum {minimum} allows 0")
    listing = operation_of(openapi, "/api/items", "get")
    params = {p["name"]: resolve(openapi, p) for p in listing.get("parameters", [])}
    for name, low, high, default in (("limit", 1, 100, 20), ("offset", 0, None, 0)):
        schema = params.get(name, {}).get("schema")
        expect(f"{name} minimum", constraint(openapi, schema, "minimum"), low)
        expect(f"{name} maximum", constraint(openapi, schema, "maximum"), high)
        expect(f"{name} default", constraint(openapi, schema, "default"), default)
    for method in ("get", "patch", "delete"):
        operation = operation_of(openapi, "/api/items/{id}", method)
        every = operation.get("parameters", []) + openapi["paths"]["/api/items/{id}"].get(
            "parameters", []
        )
        ids = [resolve(openapi, p) for p in every if resolve(openapi, p).get("name") == "id"]
        kind = constraint(openapi, ids[0].get("schema") if ids else None, "type")
        expect(f"{method.upper()} /api/items/{{id}} id type", kind, "integer")
    assert not problems, "/openapi.json says other than the server does:\n" + "\n".join(problems)


def test_forged_tokens_signed_with_the_old_source_keys_are_401(api: Client, member: User) -> None:
    now = int(time.time())
    for key in OLD_SOURCE_KEYS:
        for sub in (str(member.id), "1"):
            token = harness.make_jwt({"sub": sub, "exp": now + 600}, key)
            assert_401(api.with_token(token).get("/api/users/me"), BAD_CREDENTIALS)
            assert_401(api.with_token(token).get("/api/items"), BAD_CREDENTIALS)


# This test stays the last one of the module's server: it reads everything the server
# logged while the tests above ran.
def test_server_log_carries_no_secrets(server: Server) -> None:
    leaks = harness.log_leaks(server.log(), PASSWORD)
    assert not leaks, "the server log carries secrets:\n" + "\n".join(leaks[:50])


# --------------------------------------------------------------- other server settings


@pytest.fixture(scope="module")
def expiring_server(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The starter serving tokens that expire at once (``ACCESS_TOKEN_EXPIRE_MINUTES=0``)."""
    folder = tmp_path_factory.mktemp(f"{project.framework}-expiring")
    with Server(
        project.path,
        harness.sqlite_url(folder / "db.sqlite3"),
        log_path=folder / "server.log",
        overrides={"ACCESS_TOKEN_EXPIRE_MINUTES": "0"},
    ) as running:
        yield running


def test_expired_token_is_401(expiring_server: Server) -> None:
    api = Client(expiring_server.base_url)
    email = unique_email()
    assert register(api, email).status == 201
    response = login(api, email)
    assert response.status == 200, response.text
    token = response.json()["access_token"]
    time.sleep(2)
    for method, path in PROTECTED:
        answer = api.with_token(token).request(method, path)
        assert_401(answer, BAD_CREDENTIALS)


@pytest.fixture(scope="module")
def untrusting_server(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The starter in production trusting proxy headers only from an address not ours."""
    folder = tmp_path_factory.mktemp(f"{project.framework}-untrusting")
    with Server(
        project.path,
        harness.sqlite_url(folder / "db.sqlite3"),
        log_path=folder / "server.log",
        overrides={"FORWARDED_ALLOW_IPS": "192.0.2.10"},
    ) as running:
        yield running


def test_proxy_headers_from_an_untrusted_peer_are_ignored(untrusting_server: Server) -> None:
    api = Client(untrusting_server.base_url)
    for headers in (
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10"},
    ):
        response = api.get("/health", headers=headers)
        assert response.status == 200, response.text
        assert response.header("Strict-Transport-Security") is None, (headers, response.headers)


UNREACHABLE_DATABASE = "postgresql://scaffold:scaffold@127.0.0.1:1/x"


@pytest.fixture(scope="module")
def unreachable_db_server(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The starter started while its database cannot be reached (no migration either)."""
    folder = tmp_path_factory.mktemp(f"{project.framework}-no-db")
    with Server(
        project.path,
        UNREACHABLE_DATABASE,
        log_path=folder / "server.log",
        migrate=False,
        ready_statuses=(200, 503),
    ) as running:
        yield running


def test_unreachable_database(unreachable_db_server: Server) -> None:
    server = unreachable_db_server
    api = Client(server.base_url)
    health = api.get("/health")
    assert health.status == 503, health.text
    body = health.json()
    assert set(body) == {"status", "database", "detail"}, body
    assert (body["status"], body["database"]) == ("error", "error")
    assert isinstance(body["detail"], str)
    assert UNREACHABLE_DATABASE not in health.text, "the database URL (with password) leaks"
    assert_error(register(api, unique_email()), 503, DB_UNAVAILABLE)
    assert_error(login(api, unique_email()), 503, DB_UNAVAILABLE)
    assert_401(api.get("/api/users/me"), NOT_AUTHENTICATED)
    assert_401(api.get("/api/items"), NOT_AUTHENTICATED)
    # Well-formed down to the password fingerprint claim (`pwd`), so only the database can
    # tell whether it still holds.
    claims = {"sub": "1", "pwd": "0" * 16, "exp": int(time.time()) + 600}
    authed = api.with_token(harness.make_jwt(claims, server.secret_key))
    assert_error(authed.get("/api/users/me"), 503, DB_UNAVAILABLE)
    assert_error(authed.get("/api/items"), 503, DB_UNAVAILABLE)
    assert_error(
        authed.post("/api/items", json_body={"title": "t", "price": 1}), 503, DB_UNAVAILABLE
    )
    assert_error(authed.get("/api/items/1"), 503, DB_UNAVAILABLE)
    assert api.get("/openapi.json").status == 200


@pytest.mark.postgres
def test_recovers_when_the_database_comes_back(project: Project, tmp_path: Path) -> None:
    """Started while its database does not exist yet, the app answers once it does."""
    admin_url = harness.postgres_admin_url()
    name = harness.new_database_name(f"{project.framework}_late")
    url = harness.postgres_database_url(admin_url, name)
    try:
        with Server(
            project.path,
            url,
            log_path=tmp_path / "server.log",
            migrate=False,
            ready_statuses=(200, 503),
        ) as server:
            api = Client(server.base_url)
            assert api.get("/health").status == 503
            assert_error(register(api, unique_email()), 503, DB_UNAVAILABLE)
            harness.create_database(admin_url, name)
            harness.run_make(project.path, "migrate", server.env())
            deadline = time.monotonic() + 15
            while (health := api.get("/health")).status != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert health.status == 200, health.text
            assert register(api, unique_email()).status == 201
    finally:
        harness.drop_database(admin_url, name)
