"""The audit chain: every write leaves a linked entry in the same transaction, and tampering
with any stored entry is caught at the first broken link."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.audit.service import verify_chain
from domain.kernel.db import current_database
from tests.conftest import bearer, provision

pytestmark = pytest.mark.anyio


async def owner_execute(settings: Any, sql: str, *args: Any) -> None:
    """Run SQL as the table owner, past the app role's grants (what an attacker with DB access does)."""
    from domain.kernel.db import Database

    owner = Database(settings.effective_migration_url)
    await owner.start()
    try:
        if owner.is_sqlite:
            await owner.execute(sql, *args)
        else:
            async with owner.transaction(write=True):
                await owner.execute("SET LOCAL session_replication_role = replica")  # switch off the guard trigger
                await owner.execute(sql, *args)
    finally:
        await owner.stop()


async def test_every_write_is_chained_and_verifiable(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "auditor", subject="audit-admin")
    name = f"Audited {uuid.uuid4().hex[:6]}"
    created = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": name, "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
    entity_id = created.json()["id"]
    await client.patch(f"/v1/legal-entities/{entity_id}", json={"region": "BE"},
                       headers=bearer(admin, **{"If-Match": created.headers["etag"]}))
    trail = (await client.get(f"/v1/audit/entries?entity_type=legal_entity&entity_id={entity_id}",
                              headers=bearer(admin))).json()["items"]
    assert [e["action"] for e in trail] == ["legal_entity.created", "legal_entity.updated"]
    assert trail[0]["actor"] == "audit-admin"
    assert trail[1]["before"] == {"region": None} and trail[1]["after"] == {"region": "BE"}
    assert trail[1]["request_id"]
    report = (await client.get("/v1/audit/verify", headers=bearer(admin))).json()
    assert report["valid"] is True and report["entries_checked"] >= 2


async def test_a_failed_use_case_leaves_no_audit_entry(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "auditor", subject="audit-admin")
    before = (await verify_chain(tenant_a)).entries_checked
    taken = f"Twice {uuid.uuid4().hex[:6]}"
    body = {"name": taken, "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"}
    assert (await client.post("/v1/legal-entities", headers=bearer(admin), json=body)).status_code == 201
    assert (await client.post("/v1/legal-entities", headers=bearer(admin), json=body)).status_code == 409
    assert (await verify_chain(tenant_a)).entries_checked == before + 1


@pytest.mark.parametrize("column, value", [("after", '{"name":"forged"}'), ("actor", "someone-else")])
async def test_tampering_with_a_stored_entry_is_caught(settings: Any, runtime: Any, column: str, value: str) -> None:
    tenant = await provision(f"Tamper {column}")
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.tenancy.model import NewLegalEntity
    from domain.tenancy.service import create_legal_entity

    admin = Principal(tenant_id=tenant, subject="victim", roles=frozenset({Role.TENANT_ADMIN}))
    for index in range(3):
        await create_legal_entity(admin, NewLegalEntity(name=f"E{index}", country="DE", currency="EUR",
                                                        timezone="Europe/Berlin"))
    assert (await verify_chain(tenant)).valid
    await owner_execute(settings, f"UPDATE audit_entries SET {column} = {{}} WHERE tenant_id = {{}} AND seq = 3",
                        value, tenant)
    report = await verify_chain(tenant)
    assert not report.valid
    assert report.first_broken is not None and report.first_broken.seq == 3
    assert report.first_broken.code == "audit.content_changed"
    assert report.entries_checked == 2
    in_chinese = (await verify_chain(tenant, "zh_CN")).first_broken
    assert in_chinese is not None and in_chinese.code == "audit.content_changed"
    assert in_chinese.reason != report.first_broken.reason and "{" not in in_chinese.reason


async def test_a_deleted_entry_is_caught(settings: Any, runtime: Any) -> None:
    tenant = await provision("Tamper delete")
    from domain.identity.service import ensure_user
    from domain.kernel.permissions import Role
    from domain.kernel.principal import SystemActor

    for index in range(3):
        await ensure_user(SystemActor(), tenant, f"user-{index}", [Role.HR_ADMIN])
    await owner_execute(settings, "DELETE FROM audit_entries WHERE tenant_id = {} AND seq = 2", tenant)
    report = await verify_chain(tenant)
    assert report.first_broken is not None and report.first_broken.seq == 2
    assert report.first_broken.code == "audit.entry_missing" and "sequence" in report.first_broken.reason


@pytest.mark.postgres
async def test_the_app_role_cannot_change_or_remove_audit_entries(runtime: Any, tenant_a: Any) -> None:
    import asyncpg

    from domain.kernel.db import unit_of_work

    database = current_database()
    for statement in ("UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_entries", "TRUNCATE audit_entries"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with unit_of_work(tenant_a):
                await database.execute(statement)
