"""A caller remembered between requests is forgotten when another process announces a change of theirs: the
user disabled, or their tenant suspended, by another worker or the CLI."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from domain.kernel.access_cache import CHANNEL, access_cache
from tests.conftest import bearer, user_with_subject

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def remembered(client: Any, token: str, tenant_id: Any, subject: str) -> bool:
    """Call until the caller is remembered: the listener opens in the background at the first request and is
    trusted once it has heard its own probe."""
    for _ in range(200):
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
        if access_cache.recall(tenant_id, subject) is not None:
            return True
        await asyncio.sleep(0.05)
    return False


async def heard(tenant_id: Any, subject: str) -> bool:
    """Notifications arrive on their own connection: wait (boundedly) for the one just sent."""
    for _ in range(200):
        if access_cache.recall(tenant_id, subject) is None:
            return True
        await asyncio.sleep(0.05)
    return False


async def another_process_changes(runtime: Any, statement: str, *args: Any, tenant_id: Any) -> None:
    """What a change made by another Meridian process does: the row, and the announcement, in one transaction."""
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        async with connection.transaction():
            await connection.execute(statement, *args)
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(tenant_id))
    finally:
        await connection.close()


async def test_a_user_disabled_by_another_process_is_refused(client: Any, runtime: Any, tenant_a: Any,
                                                            token_for: Any) -> None:
    token = await token_for(tenant_a, "hr_admin", subject="disabled-elsewhere")
    assert await remembered(client, token, tenant_a, "disabled-elsewhere")  # from now on, no database read
    await another_process_changes(runtime, "UPDATE users SET status = 'disabled' WHERE tenant_id = $1 AND "
                                  "subject = 'disabled-elsewhere'", tenant_a, tenant_id=tenant_a)
    assert await heard(tenant_a, "disabled-elsewhere")
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 401


async def test_a_tenant_suspended_by_another_process_is_refused(client: Any, runtime: Any,
                                                               token_for: Any) -> None:
    from tests.conftest import provision

    tenant = await provision("Suspended elsewhere")
    token = await token_for(tenant, "hr_admin", subject="in-a-suspended-tenant")
    assert await remembered(client, token, tenant, "in-a-suspended-tenant")
    await another_process_changes(runtime, "UPDATE tenants SET status = 'suspended' WHERE id = $1", tenant,
                                  tenant_id=tenant)
    assert await heard(tenant, "in-a-suspended-tenant")
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 401


async def test_a_role_taken_away_in_this_process_is_gone_at_once(client: Any, tenant_a: Any,
                                                                token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="cache-admin")
    token = await token_for(tenant_a, "hr_admin", "auditor", subject="cache-shrinking")
    assert await remembered(client, token, tenant_a, "cache-shrinking")
    user = await user_with_subject(client, admin, "cache-shrinking")
    changed = await client.patch(f"/v1/users/{user['id']}", json={"roles": ["auditor"]},
                                 headers=bearer(admin, **{"If-Match": f'"v{user["version"]}"'}))
    assert changed.status_code == 200, changed.text
    assert (await client.get("/v1/me", headers=bearer(token))).json()["roles"] == ["auditor"]
