"""An Idempotency-Key names one request: its query string counts like its body (``?format=html`` after
``?format=json`` is another request, refused, not the JSON answer replayed), compared by its parameters."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer
from tests.integration.test_conventions import entity

pytestmark = pytest.mark.anyio


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="idempotency-query-admin")


async def test_the_same_key_with_another_query_string_is_refused_not_replayed(client: Any, admin: str) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = entity()
    first = await client.post("/v1/legal-entities?format=json", headers=bearer(admin, **key), json=body)
    assert first.status_code == 201, first.text
    other = await client.post("/v1/legal-entities?format=html", headers=bearer(admin, **key), json=body)
    assert other.status_code == 422 and other.headers.get("idempotent-replayed") is None
    assert other.json()["code"] == "idempotency_key_reused"
    assert "query string" in other.json()["detail"]
    unqueried = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    assert unqueried.status_code == 422


async def test_the_query_string_is_compared_by_its_parameters(client: Any, admin: str) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = entity()
    first = await client.post("/v1/legal-entities?b=2&a=x&a=y", headers=bearer(admin, **key), json=body)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/legal-entities?a=%78&b=2&a=y", headers=bearer(admin, **key), json=body)
    assert again.headers.get("idempotent-replayed") == "true"
    assert (again.status_code, again.json()) == (201, first.json())
    reordered = await client.post("/v1/legal-entities?a=y&a=x&b=2", headers=bearer(admin, **key), json=body)
    assert reordered.status_code == 422  # one name's values in another order are another request


async def test_a_key_without_query_string_still_replays(client: Any, admin: str) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = entity()
    first = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    again = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
