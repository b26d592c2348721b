"""CRUD on items: validation, ownership, pagination."""

from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient

from .conftest import Account

ITEM_KEYS = {"id", "title", "description", "price", "owner_id", "created_at"}


async def create(client: AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    """Create an item through the API and return its JSON."""
    payload = {"title": "Lamp", "price": 12.5, **fields}
    response = await client.post("/api/items", json=payload, headers=account.headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def test_create_and_read_item(client: AsyncClient, alice: Account) -> None:
    item = await create(client, alice, description="A desk lamp")
    assert set(item) == ITEM_KEYS
    assert item["owner_id"] == alice.id
    assert item["price"] == 12.5
    assert datetime.fromisoformat(item["created_at"]).utcoffset() is not None
    response = await client.get(f"/api/items/{item['id']}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == item


async def test_description_is_optional_and_nullable(client: AsyncClient, alice: Account) -> None:
    assert (await create(client, alice))["description"] is None
    assert (await create(client, alice, description=None))["description"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "x" * 200), ("price", 1_000_000_000), ("price", 0.01), ("price", "19.99")],
)
async def test_accepted_edges(client: AsyncClient, alice: Account, field: str, value: Any) -> None:
    await create(client, alice, **{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("title", 5),
        ("title", None),
        ("title", "nul\x00"),
        ("description", "x" * 2001),
        ("description", 3),
        ("price", 0),
        ("price", -1),
        ("price", 1_000_000_000.5),
        ("price", True),
        ("price", "abc"),
        ("price", "NaN"),
        ("price", []),
        ("price", {}),
        ("price", 10**400),
    ],
)
async def test_create_validation(
    client: AsyncClient, alice: Account, field: str, value: Any
) -> None:
    payload = {"title": "Lamp", "price": 1, field: value}
    response = await client.post("/api/items", json=payload, headers=alice.headers)
    assert response.status_code == 422
    [entry] = response.json()["detail"]
    assert entry["loc"] == ["body", field]
    assert set(entry) == {"loc", "msg", "type"}


@pytest.mark.parametrize(
    "raw", [b'{"title": "t", "price": NaN}', b'{"title": "t", "price": 1e999}']
)
async def test_non_finite_numbers_are_422(client: AsyncClient, alice: Account, raw: bytes) -> None:
    response = await client.post(
        "/api/items", content=raw, headers={**alice.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "price"]


async def test_one_entry_per_problem(client: AsyncClient, alice: Account) -> None:
    response = await client.post(
        "/api/items", json={"title": "", "description": 1}, headers=alice.headers
    )
    assert response.status_code == 422
    fields = sorted(entry["loc"][-1] for entry in response.json()["detail"])
    assert fields == ["description", "price", "title"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{broken", "application/json"),
        (b'"just a string"', "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe\xfd", "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        (b"title=x&price=1", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
async def test_unusable_body_is_422_at_body(
    client: AsyncClient, alice: Account, body: bytes, content_type: str
) -> None:
    response = await client.post(
        "/api/items", content=body, headers={**alice.headers, "Content-Type": content_type}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


async def test_list_is_newest_first_and_paginated(
    client: AsyncClient, alice: Account, bob: Account
) -> None:
    ids = [(await create(client, alice, title=f"item {n}"))["id"] for n in range(5)]
    await create(client, bob)
    page = (await client.get("/api/items", headers=alice.headers)).json()
    assert page["total"] == 5
    assert (page["limit"], page["offset"]) == (20, 0)
    assert [item["id"] for item in page["items"]] == ids[::-1]
    second = await client.get("/api/items?limit=2&offset=2", headers=alice.headers)
    assert [item["id"] for item in second.json()["items"]] == ids[::-1][2:4]


@pytest.mark.parametrize("offset", ["5", "1000", str(2**63), "9" * 40])
async def test_offset_past_the_end_is_an_empty_page(
    client: AsyncClient, alice: Account, offset: str
) -> None:
    await create(client, alice)
    response = await client.get(f"/api/items?offset={offset}", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 1, "limit": 20, "offset": int(offset)}


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.0", "limit"),
        ("limit=" + "9" * 30, "limit"),
        ("offset=-1", "offset"),
        ("offset=1e3", "offset"),
    ],
)
async def test_bad_query_parameters(
    client: AsyncClient, alice: Account, query: str, name: str
) -> None:
    response = await client.get(f"/api/items?{query}", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]


async def test_patch_changes_only_what_is_sent(client: AsyncClient, alice: Account) -> None:
    item = await create(client, alice, description="old")
    url = f"/api/items/{item['id']}"
    unchanged = await client.patch(url, json={}, headers=alice.headers)
    assert unchanged.json() == item
    response = await client.patch(
        url,
        json={"price": 3, "description": None, "owner_id": 999, "id": 5, "color": "red"},
        headers=alice.headers,
    )
    assert response.status_code == 200
    assert response.json() == {**item, "price": 3, "description": None}


@pytest.mark.parametrize(
    "body", [{"title": None}, {"price": None}, {"title": ""}, {"price": -2}, {"description": 5}]
)
async def test_patch_validation(client: AsyncClient, alice: Account, body: dict[str, Any]) -> None:
    item = await create(client, alice)
    response = await client.patch(f"/api/items/{item['id']}", json=body, headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", *body]


async def test_delete_item(client: AsyncClient, alice: Account) -> None:
    item = await create(client, alice)
    url = f"/api/items/{item['id']}"
    response = await client.delete(url, headers=alice.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(url, headers=alice.headers)).status_code == 404


async def test_other_users_items_look_missing(
    client: AsyncClient, alice: Account, bob: Account
) -> None:
    item = await create(client, alice)
    url = f"/api/items/{item['id']}"
    missing = await client.get("/api/items/999999", headers=bob.headers)
    for response in (
        await client.get(url, headers=bob.headers),
        await client.patch(url, json={"title": "mine"}, headers=bob.headers),
        await client.delete(url, headers=bob.headers),
    ):
        assert response.status_code == 404
        assert response.json() == missing.json() == {"detail": "Not Found"}
    assert (await client.get("/api/items", headers=bob.headers)).json()["total"] == 0
    assert (await client.get(url, headers=alice.headers)).status_code == 200


@pytest.mark.parametrize("item_id", ["abc", "0", "-1", "1.5", "2147483648", "9" * 30, "%C2%B2"])
async def test_non_integer_or_huge_ids_are_404(
    client: AsyncClient, alice: Account, item_id: str
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, f"/api/items/{item_id}", json={}, headers=alice.headers
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
