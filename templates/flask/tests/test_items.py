"""The /api/items routes: ownership, pagination, validation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from .conftest import AuthActions

ITEM_KEYS = {"id", "title", "description", "price", "owner_id", "created_at"}


def _create(client: FlaskClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    payload = {"title": "Lamp", "price": 12.5, **fields}
    response = client.post("/api/items", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def _detail(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.get_json()
    detail: list[dict[str, Any]] = response.get_json()["detail"]
    return detail


def test_create_returns_the_item(auth: AuthActions, client: FlaskClient) -> None:
    user = auth.register()
    item = _create(client, auth.headers(user["email"]), description="Bright")
    assert set(item) == ITEM_KEYS
    assert item["title"] == "Lamp"
    assert item["description"] == "Bright"
    assert item["price"] == 12.5
    assert item["owner_id"] == user["id"]
    created_at = datetime.fromisoformat(item["created_at"])
    assert created_at.utcoffset() is not None
    assert created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_description_is_optional(auth: AuthActions, client: FlaskClient) -> None:
    item = _create(client, auth.headers())
    assert item["description"] is None


def test_numeric_strings_are_accepted_as_prices(auth: AuthActions, client: FlaskClient) -> None:
    item = _create(client, auth.headers(), price="19.99")
    assert item["price"] == 19.99


@pytest.mark.parametrize(
    ("fields", "field", "kind"),
    [
        ({"title": ""}, "title", "string_too_short"),
        ({"title": "x" * 201}, "title", "string_too_long"),
        ({"title": 5}, "title", "string_type"),
        ({"title": None}, "title", "null_forbidden"),
        ({"description": "x" * 2001}, "description", "string_too_long"),
        ({"description": 3}, "description", "string_type"),
        ({"title": "a\x00b"}, "title", "string_nul"),
        ({"description": "\ud800"}, "description", "string_unicode"),
        ({"price": 0}, "price", "greater_than"),
        ({"price": -1}, "price", "greater_than"),
        ({"price": 1_000_000_001}, "price", "less_than_equal"),
        ({"price": True}, "price", "float_parsing"),
        ({"price": []}, "price", "float_parsing"),
        ({"price": {}}, "price", "float_parsing"),
        ({"price": "cheap"}, "price", "float_parsing"),
        ({"price": "NaN"}, "price", "finite_number"),
        ({"price": "Infinity"}, "price", "finite_number"),
        ({"price": 10**400}, "price", "finite_number"),
    ],
)
def test_create_rejects_invalid_fields(
    auth: AuthActions, client: FlaskClient, fields: dict[str, Any], field: str, kind: str
) -> None:
    payload = {"title": "Lamp", "price": 1, **fields}
    detail = _detail(client.post("/api/items", json=payload, headers=auth.headers()))
    assert [(entry["loc"], entry["type"]) for entry in detail] == [(["body", field], kind)]


def test_create_reports_every_missing_field(auth: AuthActions, client: FlaskClient) -> None:
    detail = _detail(client.post("/api/items", json={}, headers=auth.headers()))
    assert sorted(tuple(entry["loc"]) for entry in detail) == [("body", "price"), ("body", "title")]
    assert {entry["type"] for entry in detail} == {"missing"}


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (b'{"title": "Lamp",', "application/json", "json_invalid"),
        (b'{"title": "\xff\xfe"}', "application/json", "json_invalid"),
        (b'["Lamp", 1]', "application/json", "model_type"),
        (b'"Lamp"', "application/json", "model_type"),
        (b"", "application/json", "missing"),
        (b'{"title": "Lamp", "price": NaN}', "application/json", None),
        (b'{"title": "Lamp", "price": 1e400}', "application/json", None),
        (b"title=Lamp&price=1", "application/x-www-form-urlencoded", "content_type"),
        (b'{"title": "Lamp", "price": 1}', "text/plain", "content_type"),
        (b"[" * 100_000, "application/json", "json_invalid"),
        (
            '{"title": "Lamp", "price": 1}'.encode("utf-16"),
            "application/json; charset=utf-16",
            "json_invalid",
        ),
        # Valid UTF-8 bytes, but declared as another charset: refused all the same.
        (b'{"title": "Lamp", "price": 1}', "application/json; charset=utf-16", "json_invalid"),
        (b'{"title": "Lamp", "price": 1}', "application/json; charset=latin-1", "json_invalid"),
        ('{"title": "Lamp", "price": 1}'.encode("utf-16"), "application/json", "json_invalid"),
    ],
)
def test_bodies_that_are_not_json_objects(
    auth: AuthActions, client: FlaskClient, data: bytes, content_type: str, kind: str | None
) -> None:
    response = client.post(
        "/api/items", data=data, content_type=content_type, headers=auth.headers()
    )
    detail = _detail(response)
    if kind is None:  # a valid JSON document whose price is not a finite number
        assert detail[0]["loc"] == ["body", "price"]
    else:
        assert detail == [{"loc": ["body"], "msg": detail[0]["msg"], "type": kind}]


def test_a_declared_utf8_charset_is_fine(auth: AuthActions, client: FlaskClient) -> None:
    response = client.post(
        "/api/items",
        data='{"title": "Lampe à pétrole", "price": 1}'.encode(),
        content_type="application/json; charset=UTF-8",
        headers=auth.headers(),
    )
    assert response.status_code == 201
    assert response.get_json()["title"] == "Lampe à pétrole"


@pytest.mark.parametrize("title", ["   ", " Lamp ", "\tLamp\n"])
def test_titles_are_stored_exactly_as_sent(
    auth: AuthActions, client: FlaskClient, title: str
) -> None:
    headers = auth.headers()
    item = _create(client, headers, title=title)
    assert item["title"] == title
    assert client.get(f"/api/items/{item['id']}", headers=headers).get_json()["title"] == title


def test_too_long_titles_say_so(auth: AuthActions, client: FlaskClient) -> None:
    response = client.post(
        "/api/items", json={"title": "x" * 201, "price": 1}, headers=auth.headers()
    )
    assert _detail(response) == [
        {
            "loc": ["body", "title"],
            "msg": "String should have at most 200 characters",
            "type": "string_too_long",
        }
    ]


def test_authentication_comes_before_the_body(client: FlaskClient) -> None:
    response = client.post("/api/items", data=b"{not json", content_type="application/json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/items"),
        ("post", "/api/items"),
        ("get", "/api/items/1"),
        ("patch", "/api/items/1"),
        ("delete", "/api/items/1"),
    ],
)
def test_every_item_route_needs_a_token(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Not authenticated"}


def test_list_is_newest_first_and_paginated(auth: AuthActions, client: FlaskClient) -> None:
    headers = auth.headers()
    ids = [_create(client, headers, title=f"Item {n}")["id"] for n in range(5)]
    response = client.get("/api/items?limit=2&offset=1", headers=headers)
    assert response.status_code == 200
    page = response.get_json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [item["id"] for item in page["items"]] == [ids[3], ids[2]]
    default = client.get("/api/items", headers=headers).get_json()
    assert (default["limit"], default["offset"]) == (20, 0)
    assert [item["id"] for item in default["items"]] == ids[::-1]


@pytest.mark.parametrize("offset", ["3", "1000", str(10**30)])
def test_offset_past_the_end_is_an_empty_page(
    auth: AuthActions, client: FlaskClient, offset: str
) -> None:
    headers = auth.headers()
    _create(client, headers)
    response = client.get(f"/api/items?offset={offset}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"] == []
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=101", "limit", "less_than_equal"),
        ("limit=abc", "limit", "int_parsing"),
        ("limit=1.5", "limit", "int_parsing"),
        ("limit=1e3", "limit", "int_parsing"),
        ("offset=-1", "offset", "greater_than_equal"),
        ("offset=", "offset", "int_parsing"),
    ],
)
def test_bad_pagination_parameters(
    auth: AuthActions, client: FlaskClient, query: str, name: str, kind: str
) -> None:
    detail = _detail(client.get(f"/api/items?{query}", headers=auth.headers()))
    assert [(entry["loc"], entry["type"]) for entry in detail] == [(["query", name], kind)]


def test_users_see_only_their_own_items(auth: AuthActions, client: FlaskClient) -> None:
    alice, bob = auth.headers(), auth.headers()
    item = _create(client, alice)
    assert client.get(f"/api/items/{item['id']}", headers=alice).status_code == 200
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(f"/api/items/{item['id']}", headers=bob, json={})
        assert response.status_code == 404
        assert response.get_json() == {"detail": "Not Found"}
    assert client.get("/api/items", headers=bob).get_json()["total"] == 0


@pytest.mark.parametrize("item_id", ["999999", "abc", "1.5", "-1", "0", "2147483648", "9" * 40])
def test_unknown_or_malformed_ids_are_404(
    auth: AuthActions, client: FlaskClient, item_id: str
) -> None:
    response = client.get(f"/api/items/{item_id}", headers=auth.headers())
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Not Found"}


def test_patch_changes_only_the_given_fields(auth: AuthActions, client: FlaskClient) -> None:
    headers = auth.headers()
    item = _create(client, headers, description="Old")
    url = f"/api/items/{item['id']}"
    unchanged = client.patch(url, json={}, headers=headers)
    assert unchanged.status_code == 200
    assert unchanged.get_json() == item
    response = client.patch(
        url,
        json={"price": 20, "id": 999, "owner_id": 999, "created_at": "2000-01-01", "x": 1},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.get_json() == {**item, "price": 20.0}
    cleared = client.patch(url, json={"description": None}, headers=headers)
    assert cleared.get_json()["description"] is None


@pytest.mark.parametrize("field", ["title", "price"])
def test_patch_refuses_null_for_required_fields(
    auth: AuthActions, client: FlaskClient, field: str
) -> None:
    headers = auth.headers()
    item = _create(client, headers)
    detail = _detail(client.patch(f"/api/items/{item['id']}", json={field: None}, headers=headers))
    assert detail[0]["loc"] == ["body", field]


def test_delete_removes_the_item(auth: AuthActions, client: FlaskClient) -> None:
    headers = auth.headers()
    item = _create(client, headers)
    response = client.delete(f"/api/items/{item['id']}", headers=headers)
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/api/items/{item['id']}", headers=headers).status_code == 404
