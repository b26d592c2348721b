"""Server-rendered pages: home, login and logout, forgotten and changed passwords, all
with CSRF-protected forms."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.test import TestResponse

from .conftest import PASSWORD, AuthActions, SmtpSink, reset_token

NEW_PASSWORD = "a brand new password"


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


def _post_form(client: FlaskClient, url: str, **fields: str) -> TestResponse:
    token = _csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def test_login_page_links_to_forgot_password(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password">Forgot password?</a>' in html


def test_forgot_password_answers_the_same_for_any_email(mail_app: Flask, smtp: SmtpSink) -> None:
    client = mail_app.test_client()
    AuthActions(client).register("page@example.com")
    answers = []
    for email in ("page@example.com", "nobody@example.com"):
        response = _post_form(client, "/forgot-password", email=email)
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        # The form's CSRF token carries a timestamp: it differs once a second has passed.
        answers.append(re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page))
    assert "a link to reset its password is on its way" in answers[0]
    assert answers[0] == answers[1]
    (message,) = smtp.received()
    assert message["To"] == "page@example.com"


def test_forgot_password_refuses_a_malformed_email(client: FlaskClient) -> None:
    response = _post_form(client, "/forgot-password", email="not an email")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert client.post("/forgot-password", data={"email": "a@example.com"}).status_code == 400


def test_reset_password_page(mail_app: Flask, smtp: SmtpSink) -> None:
    client = mail_app.test_client()
    AuthActions(client).register("page@example.com")
    _post_form(client, "/forgot-password", email="page@example.com")
    url = f"/reset-password?token={reset_token(smtp.received()[0])}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)
    mismatch = _post_form(client, url, new_password=NEW_PASSWORD, confirm="something else")
    assert mismatch.status_code == 400
    assert "The passwords differ." in mismatch.get_data(as_text=True)
    done = _post_form(client, url, new_password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"
    assert "Your password has been reset" in client.get("/login").get_data(as_text=True)
    assert _login(client, "page@example.com", NEW_PASSWORD).status_code == 302
    # The link worked once.
    again = client.get(url)
    assert again.status_code == 400
    assert "invalid or has expired" in again.get_data(as_text=True)


def test_reset_password_page_refuses_bad_links(client: FlaskClient) -> None:
    for url in ("/reset-password", "/reset-password?token=unknown"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "This reset link is invalid or has expired" in response.get_data(as_text=True)
    # A form sent with an unknown token: the page with the error, 400.
    client.get("/login")
    response = client.post(
        "/reset-password?token=unknown",
        data={
            "csrf_token": _csrf_token(client.get("/login").get_data(as_text=True)),
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "This reset link is invalid or has expired" in response.get_data(as_text=True)


def test_change_password_page(auth: AuthActions, client: FlaskClient) -> None:
    assert client.get("/change-password").headers["Location"].startswith("/login")
    auth.register("page@example.com")
    _login(client, "page@example.com")
    assert "/change-password" in client.get("/").get_data(as_text=True)
    wrong = _post_form(
        client,
        "/change-password",
        current_password="not my password",
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert wrong.status_code == 400
    assert "Incorrect password." in wrong.get_data(as_text=True)
    done = _post_form(
        client,
        "/change-password",
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert done.status_code == 302
    # This session was renewed: still signed in.
    home = client.get("/").get_data(as_text=True)
    assert "Your password has been changed." in home
    assert "page@example.com" in home
    auth.token("page@example.com", NEW_PASSWORD)


def test_the_login_page_is_throttled_too(auth: AuthActions, client: FlaskClient) -> None:
    auth.register("page@example.com")
    for _ in range(5):
        assert _login(client, "page@example.com", "wrong password").status_code == 400
    response = _login(client, "page@example.com")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed login attempts" in response.get_data(as_text=True)
    # The API shares the count.
    token = client.post(
        "/api/auth/token", data={"username": "page@example.com", "password": PASSWORD}
    )
    assert token.status_code == 429


def test_a_password_change_ends_the_other_login_sessions(
    auth: AuthActions, client: FlaskClient, app: Flask
) -> None:
    auth.register("page@example.com")
    other = app.test_client()
    _login(client, "page@example.com")
    _login(other, "page@example.com")
    assert "page@example.com" in other.get("/").get_data(as_text=True)
    changed = client.post(
        "/api/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth.headers("page@example.com"),
    )
    assert changed.status_code == 204
    # Both browser sessions predate the change: signed out.
    for browser in (client, other):
        assert "page@example.com" not in browser.get("/").get_data(as_text=True)
    assert client.get("/change-password").status_code == 302
