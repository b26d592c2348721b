"""Server-rendered pages: home, login and logout with CSRF-protected forms."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.test import TestResponse

from .conftest import PASSWORD, AuthActions


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def _login(
    client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = ""
) -> TestResponse:
    page = client.get("/login")
    token = _csrf_token(page.get_data(as_text=True))
    return client.post(
        f"/login{next_url}",
        data={"csrf_token": token, "email": email, "password": password},
    )


def test_home_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Log in" in response.get_data(as_text=True)


def test_the_project_name_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    # Passed to the templates as data: quotes, angle brackets or template syntax in it
    # are neither markup nor template code.
    name = app.config["PROJECT_NAME"]
    assert name
    for page in ("/", "/docs", "/redoc"):
        html = client.get(page).get_data(as_text=True)
        assert f"<title>{escape(name)}" in html, page


def test_login_page_has_a_csrf_protected_form(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert _csrf_token(response.get_data(as_text=True))


def test_login_without_csrf_token_fails(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    response = client.post("/login", data={"email": "page@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "page@example.com" not in client.get("/").get_data(as_text=True)


def test_login_and_logout(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    response = _login(client, "Page@Example.com")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "page@example.com" in home
    assert client.get("/login").status_code == 302
    logout = client.post("/logout", data={"csrf_token": _csrf_token(home)})
    assert logout.status_code == 302
    assert "page@example.com" not in client.get("/").get_data(as_text=True)


def test_logout_needs_the_csrf_token(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    _login(client, "page@example.com")
    assert client.post("/logout").status_code == 400
    assert "page@example.com" in client.get("/").get_data(as_text=True)


def test_login_with_a_wrong_password(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    response = _login(client, "page@example.com", "wrong password")
    assert response.status_code == 400
    assert "Incorrect email or password" in response.get_data(as_text=True)


def test_login_redirects_only_within_the_site(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    response = _login(client, "page@example.com", next_url="?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": _csrf_token(client.get("/").get_data(as_text=True))})
    response = _login(client, "page@example.com", next_url="?next=/docs")
    assert response.headers["Location"] == "/docs"
