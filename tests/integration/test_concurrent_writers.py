"""Concurrent writers: on SQLite (one writer at a time) none may see 'database is locked'; on both
databases every write commits and the tenant's audit chain stays one unbroken line."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from domain.audit.service import verify_chain
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity, list_legal_entities
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def test_thirty_concurrent_writers_all_commit(runtime: Any, tenant_a: Any) -> None:
    admin = Principal(tenant_id=tenant_a, subject="writer", roles=frozenset({Role.TENANT_ADMIN}))
    prefix = uuid.uuid4().hex[:6]
    results = await asyncio.gather(*[
        create_legal_entity(admin, NewLegalEntity(name=f"{prefix}-{i}", country="DE", currency="EUR",
                                                  timezone="Europe/Berlin"))
        for i in range(30)
    ], return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    names = {e.name for e in (await list_legal_entities(admin, None, 200)).items}
    assert {f"{prefix}-{i}" for i in range(30)} <= names
    assert (await verify_chain(tenant_a)).valid


async def test_thirty_concurrent_http_writers_all_commit(client: Any, tenant_a: Any, token_for: Any) -> None:
    token = await token_for(tenant_a, "tenant_admin", subject="http-writer")
    prefix = uuid.uuid4().hex[:6]
    responses = await asyncio.gather(*[
        client.post("/v1/legal-entities", headers=bearer(token), json={
            "name": f"{prefix}-{i}", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
        for i in range(30)
    ])
    assert [r.status_code for r in responses] == [201] * 30
