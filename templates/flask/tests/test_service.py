"""Health, errors for unknown paths and methods, headers, CORS, an absent database."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
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


def test_too_large_bodies_are_refused(auth: AuthActions, client: FlaskClient) -> None:
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = client.post("/api/auth/register", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "detail" in response.get_json()


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
    other = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
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


def test_without_cors_origins_there_are_no_cors_headers(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Origin": "http://localhost:5173"})
    assert "Access-Control-Allow-Origin" not in response.headers


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
