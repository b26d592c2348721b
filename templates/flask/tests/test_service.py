"""Health, errors for unknown paths and methods, headers, CORS, an absent database."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from .conftest import AuthActions


def test_health_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("path", ["/nope", "/api/nope", "/api/items/1/extra", "/api/items/"])
def test_unknown_paths_are_json_404(client: FlaskClient, path: str) -> None:
    response = client.post(path)
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/health"), ("put", "/api/items"), ("get", "/api/auth/token"), ("post", "/docs")],
)
def test_wrong_methods_are_json_405(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.get_json() == {"detail": "Method Not Allowed"}
    assert "Allow" in response.headers


MIB = 1024 * 1024
TOO_LARGE = {"detail": "Request body is too large"}


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("post", "/api/auth/register", "application/json"),
        ("post", "/api/auth/token", "application/x-www-form-urlencoded"),
        ("post", "/api/items", "application/json"),
        ("patch", "/api/items/1", "application/json"),
        ("get", "/health", "application/json"),
        ("post", "/login", "application/x-www-form-urlencoded"),
        ("post", "/api/nope", "application/json"),
    ],
)
def test_bodies_over_one_mib_are_refused_before_parsing(
    client: FlaskClient, method: str, path: str, content_type: str
) -> None:
    # No token either: the size is checked first, before anything reads the body.
    response = getattr(client, method)(path, data=b"x" * (MIB + 1), content_type=content_type)
    assert response.status_code == 413
    assert response.get_json() == TOO_LARGE


def test_a_body_of_exactly_one_mib_is_read(auth: AuthActions, client: FlaskClient) -> None:
    body = b'{"email": "a@example.com", "password": "' + b"p" * MIB
    body = body[: MIB - 2] + b'"}'
    assert len(body) == MIB
    response = client.post(
        "/api/auth/register", data=body, content_type="application/json", headers=auth.headers()
    )
    assert response.status_code == 422  # read and validated: the password is too long
    assert response.get_json()["detail"][0]["loc"] == ["body", "password"]


def test_a_body_without_content_length_stops_at_one_mib(
    auth: AuthActions, client: FlaskClient
) -> None:
    headers = {**auth.headers(), "Transfer-Encoding": "chunked"}
    body = b'{"title": "' + b"x" * (2 * MIB) + b'", "price": 1}'
    response = client.post(
        "/api/items",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers=headers,
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.get_json() == TOO_LARGE
    small = client.post(
        "/api/items",
        input_stream=io.BytesIO(b'{"title": "Lamp", "price": 1}'),
        content_type="application/json",
        headers=headers,
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )
    assert small.status_code == 201, small.get_json()


def test_options_without_cors_is_a_json_405_with_allow(client: FlaskClient) -> None:
    for path, allow in [
        ("/api/items", "GET, HEAD, POST"),
        ("/api/items/1", "DELETE, GET, HEAD, PATCH"),
        ("/api/auth/token", "POST"),
        ("/health", "GET, HEAD"),
        ("/static/css/site.css", "GET, HEAD"),
    ]:
        response = client.options(path)
        assert response.status_code == 405, path
        assert response.get_json() == {"detail": "Method Not Allowed"}
        assert response.headers["Allow"] == allow, path


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("put", "/api/items", "GET, HEAD, POST"),
        ("put", "/api/items/1", "DELETE, GET, HEAD, PATCH"),
        ("put", "/api/users/me", "DELETE, GET, HEAD"),
    ],
)
def test_405_lists_every_accepted_method(
    client: FlaskClient, method: str, path: str, allow: str
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_unknown_api_paths_are_json_404_for_every_method(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/api/nope", json={})
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Not Found"}


@pytest.mark.parametrize("path", ["/health", "/nope", "/", "/openapi.json"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_cors_allows_only_the_configured_origins(make_app: Callable[..., Flask]) -> None:
    client = make_app(CORS_ORIGINS=["http://localhost:5173"]).test_client()
    allowed = client.get("/health", headers={"Origin": "http://localhost:5173"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]
    no_origin = client.get("/api/items")
    assert "Access-Control-Allow-Origin" not in no_origin.headers
    assert "Origin" in no_origin.headers["Vary"]
    refused_preflight = client.options(
        "/api/items",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused_preflight.status_code == 405
    assert "Access-Control-Allow-Origin" not in refused_preflight.headers
    preflight = client.options(
        "/api/items",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    # Not a preflight (no Access-Control-Request-Method): a plain OPTIONS, so a 405.
    plain = client.options("/api/items", headers={"Origin": "http://localhost:5173"})
    assert plain.status_code == 405


def test_without_cors_origins_there_are_no_cors_headers(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Origin": "http://localhost:5173"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]
    preflight = client.options(
        "/api/items",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 405
    assert "Access-Control-Allow-Origin" not in preflight.headers


def _production(make_app: Callable[..., Flask], **config: Any) -> FlaskClient:
    settings = {
        "ENVIRONMENT": "production",
        "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        **config,
    }
    return make_app(**settings).test_client()


def test_an_untrusted_host_is_a_400_that_does_not_echo_it(
    make_app: Callable[..., Flask],
) -> None:
    client = _production(make_app)
    host = "<img src=x onerror=alert(1)>"
    response = client.get("/health", headers={"Host": host})
    assert response.status_code == 400
    assert response.get_json() == {"detail": "Invalid Host header"}
    assert b"img" not in response.data
    assert client.get("/health", headers={"Host": "localhost"}).status_code == 200
    cors = _production(make_app, CORS_ORIGINS=["http://localhost:5173"])
    preflight = cors.options(
        "/api/items",
        headers={
            "Host": host,
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert preflight.status_code == 400
    assert preflight.get_json() == {"detail": "Invalid Host header"}


HSTS = "max-age=31536000; includeSubDomains"


def test_hsts_in_production_on_https_only(make_app: Callable[..., Flask]) -> None:
    client = _production(make_app)
    secure = client.get("/health", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == HSTS
    plain = client.get("/health", base_url="http://localhost")
    assert "Strict-Transport-Security" not in plain.headers


def test_hsts_behind_a_trusted_proxy_only(make_app: Callable[..., Flask]) -> None:
    client = _production(make_app, FORWARDED_ALLOW_IPS="127.0.0.1, 10.0.0.0/8")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    for proxy in ("127.0.0.1", "10.1.2.3", "::ffff:10.1.2.3"):
        trusted = client.get("/health", headers=forwarded, environ_base={"REMOTE_ADDR": proxy})
        assert trusted.headers["Strict-Transport-Security"] == HSTS, proxy
    stranger = client.get("/health", headers=forwarded, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert "Strict-Transport-Security" not in stranger.headers
    everyone = _production(make_app, FORWARDED_ALLOW_IPS="*")
    anywhere = everyone.get("/health", headers=forwarded, environ_base={"REMOTE_ADDR": "::1"})
    assert anywhere.headers["Strict-Transport-Security"] == HSTS


def test_no_hsts_outside_production(client: FlaskClient) -> None:
    response = client.get(
        "/health", base_url="https://localhost", headers={"X-Forwarded-Proto": "https"}
    )
    assert "Strict-Transport-Security" not in response.headers


def test_no_debug_output_whatever_flask_debug_says(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app()
    assert app.debug is False
    response = app.test_client().get("/nope")
    assert response.get_json() == {"detail": "Not Found"}


def test_an_unreachable_database_is_a_503(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    app = make_app(
        create_tables=False,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}",
        SQLALCHEMY_ENGINE_OPTIONS={},
    )
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "error",
        "database": "error",
        "detail": "Database unavailable",
    }
    register = client.post(
        "/api/auth/register", json={"email": "a@example.com", "password": "long enough"}
    )
    assert register.status_code == 503
    assert register.get_json() == {"detail": "Database unavailable"}
    # No token: 401 comes first, without the database.
    assert client.get("/api/items").status_code == 401
    assert client.get("/").status_code == 200


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/auth/register",
        "/api/auth/token",
        "/api/users/me",
        "/api/items",
        "/api/items/{id}",
    } <= set(spec["paths"])
    assert set(spec["paths"]["/api/items/{id}"]) >= {"get", "patch", "delete", "parameters"}
    post = spec["paths"]["/api/items"]["post"]
    assert "requestBody" in post
    assert "201" in post["responses"]
    token = spec["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in token


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_every_operation_has_a_summary_and_a_description(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert operation.get("summary"), (method, path)
                assert operation.get("description"), (method, path)


def test_openapi_document_lists_every_error(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method != "parameters"
    ]
    assert len(operations) == 12
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert "503" in responses, where
        if "requestBody" in operation:
            assert {"413", "422"} <= set(responses), where
        if "security" in operation:
            assert "WWW-Authenticate" in _resolve(spec, responses["401"])["headers"], where
        if "{id}" in path:
            assert "404" in responses, where
        for code, response in responses.items():
            if code[0] in "45":
                schema = _resolve(spec, response)["content"]["application/json"]["schema"]
                assert "detail" in _resolve(spec, schema)["properties"], (where, code)
    protected = {f"{m} {p}" for p, m, operation in operations if "security" in operation}
    assert protected == {
        "get /api/users/me",
        "delete /api/users/me",
        "post /api/users/me/password",
        "get /api/items",
        "post /api/items",
        "get /api/items/{id}",
        "patch /api/items/{id}",
        "delete /api/items/{id}",
    }
    assert "409" in spec["paths"]["/api/auth/register"]["post"]["responses"]
    assert "401" in spec["paths"]["/api/auth/token"]["post"]["responses"]


def test_openapi_schemas_say_what_the_server_enforces(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    register = schemas["Register"]["properties"]
    assert register["email"]["format"] == "email"
    assert (register["password"]["minLength"], register["password"]["maxLength"]) == (8, 128)
    for name in ("ItemCreate", "ItemUpdate"):
        fields = schemas[name]["properties"]
        assert fields["title"]["type"] == "string", name
        assert (fields["title"]["minLength"], fields["title"]["maxLength"]) == (1, 200)
        assert fields["description"]["type"] == ["string", "null"], name
        assert fields["description"]["maxLength"] == 2000
        assert fields["price"]["type"] == "number", name
        assert fields["price"]["exclusiveMinimum"] == 0, name
        assert "minimum" not in fields["price"], name
        assert fields["price"]["maximum"] == 1_000_000_000, name
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/items"]["get"]["parameters"]}
    assert parameters["limit"] == {"type": "integer", "default": 20, "minimum": 1, "maximum": 100}
    assert parameters["offset"] == {"type": "integer", "default": 0, "minimum": 0}
    (item_id,) = spec["paths"]["/api/items/{id}"]["parameters"]
    assert item_id["schema"] == {"type": "integer"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_pages_use_only_local_assets(client: FlaskClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        response = client.get(asset)
        response.close()
        assert response.status_code == 200, asset
    assert "fonts.googleapis" not in html


def test_redoc_bundle_with_and_without_gzip(client: FlaskClient) -> None:
    plain = client.get("/docs/assets/redoc.standalone.js")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert b"Redoc" in plain.data
    compressed = client.get(
        "/docs/assets/redoc.standalone.js", headers={"Accept-Encoding": "gzip, br"}
    )
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert len(compressed.data) < len(plain.data)


def test_favicon_and_unknown_docs_assets(client: FlaskClient) -> None:
    favicon = client.get("/favicon.ico")
    favicon.close()
    assert favicon.status_code == 200
    assert client.get("/docs/assets/index.html").status_code == 404


def test_only_a_session_cookie_opens_a_signed_session(app: Flask) -> None:
    """API requests bring no session cookie: an empty session, nothing to verify."""
    interface = app.session_interface
    cookie = interface.get_cookie_name(app)
    with app.test_request_context("/api/items"):
        opened = interface.open_session(app, request)
        assert opened is not None and dict(opened) == {}
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signer is not None
    signed = signer.dumps({"seen": 1})
    with app.test_request_context("/", headers={"Cookie": f"{cookie}={signed}"}):
        assert dict(interface.open_session(app, request) or {}) == {"seen": 1}
    with app.test_request_context("/", headers={"Cookie": f"{cookie}=forged"}):
        assert dict(interface.open_session(app, request) or {}) == {}
