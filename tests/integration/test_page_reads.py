"""A page of a list shows each object exactly as its own answer does: on PostgreSQL the hot lists read their page
as one JSON document the server builds (``domain.kernel.db.fetch_views``), the single objects and the writes
through asyncpg's own values, and the two must agree to the microsecond, in UTC, nulls included."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer
from tests.pages import every_item

pytestmark = pytest.mark.anyio


async def test_a_listed_legal_entity_reads_as_its_creation_answered(client: Any, tenant_a: Any,
                                                                    token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="page-reads-admin")
    tag = uuid.uuid4().hex[:6]
    created = []
    for index, region in enumerate((None, "BY", None)):
        response = await client.post("/v1/legal-entities", headers=bearer(admin), json={
            "name": f"Page read {tag} {index}", "country": "DE", "region": region, "currency": "EUR",
            "timezone": "Europe/Berlin"})
        assert response.status_code == 201, response.text
        created.append(response.json())

    listed = {item["id"]: item for item in await every_item(client, "/v1/legal-entities", bearer(admin), limit=2)}

    for entity in created:
        assert listed[entity["id"]] == entity
        assert entity["created_at"].endswith("Z")
    one = await client.get(f"/v1/legal-entities/{created[1]['id']}", headers=bearer(admin))
    assert one.json() == created[1]


async def test_a_listed_candidate_reads_as_its_own_page_for_each_reader(client: Any, tenant_a: Any,
                                                                       token_for: Any) -> None:
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="page-reads-hr")
    auditor = await token_for(tenant_a, "auditor", subject="page-reads-auditor")
    ids = []
    # Unique so no other test's candidate collides; the block after 90 may not start with 0 in Japan's plan.
    unique_phone = f"+81 90 {1000 + uuid.uuid4().int % 9000} {uuid.uuid4().int % 10_000:04d}"
    for name, phone in (("Sato Aiko", unique_phone), ("Li Wei", None)):
        body = {"full_name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com", "timezone": "Asia/Tokyo"}
        if phone:
            body["phone"] = phone
        response = await client.post("/v1/candidates", headers=bearer(hr), json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])

    for reader in (hr, auditor):
        listed = {item["id"]: item for item in await every_item(client, "/v1/candidates", bearer(reader), limit=50)}
        for candidate_id in ids:
            own = await client.get(f"/v1/candidates/{candidate_id}", headers=bearer(reader))
            assert own.status_code == 200, own.text
            assert listed[candidate_id] == own.json()
