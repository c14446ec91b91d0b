from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def test_health_is_public(client: Any) -> None:
    response = await client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_legal_entity_round_trip(client: Any, tenant_a: Any, token_for: Any) -> None:
    token = await token_for(tenant_a, "tenant_admin")
    created = await client.post("/v1/legal-entities", headers=bearer(token), json={
        "name": "Smoke GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
    assert created.status_code == 201, created.text
    entity = created.json()
    read = await client.get(f"/v1/legal-entities/{entity['id']}", headers=bearer(token))
    assert read.json()["name"] == "Smoke GmbH"
    assert read.headers["etag"] == '"v1"'
