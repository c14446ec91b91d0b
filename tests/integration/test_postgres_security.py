"""PostgreSQL's wall behind the queries: forced row-level security on every tenant table, an
app role that cannot get around it, and no tenant left behind on a pooled connection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.kernel.db import Database, current_database, unit_of_work
from domain.kernel.migrator import discover

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]
WHO_AND_WHERE = "SELECT current_setting('app.tenant_id', true) AS t, pg_backend_pid() AS pid"


async def as_owner(settings: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    owner = Database(settings.effective_migration_url)
    await owner.start()
    try:
        return await owner.execute(sql, *args)
    finally:
        await owner.stop()


async def test_every_tenant_table_has_forced_rls_and_one_policy(settings: Any, runtime: Any) -> None:
    tables = await as_owner(settings, """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
        WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace""")
    declared = {t for m in discover() for t in m.tenant_tables}
    assert {t["relname"] for t in tables} == declared, "a table with tenant_id is missing from TENANT_TABLES"
    for table in tables:
        assert table["relrowsecurity"] and table["relforcerowsecurity"], table["relname"]
        assert table["policies"] == 1, table["relname"]
    registry = await as_owner(settings, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                                        "WHERE relname = 'tenants'")
    assert registry == [{"relrowsecurity": True, "relforcerowsecurity": True}]


async def test_the_app_role_owns_nothing_and_cannot_bypass(settings: Any, runtime: Any) -> None:
    role = current_database().role
    facts = await as_owner(settings, """
        SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
               (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
        FROM pg_roles r WHERE r.rolname = {}""", role)
    assert facts == [{"rolsuper": False, "rolbypassrls": False, "rolcreaterole": False, "rolcreatedb": False,
                      "owned": 0}]
    grants = await as_owner(settings, """
        SELECT table_name, privilege_type FROM information_schema.role_table_grants
        WHERE grantee = {} AND privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER')""", role)
    assert grants == []


async def test_without_a_tenant_the_app_role_sees_no_rows(runtime: Any, tenant_a: Any) -> None:
    database = current_database()
    async with database.transaction(write=False):
        rows = await database.execute("SELECT count(*) AS n FROM users")
    assert rows == [{"n": 0}]


async def test_rls_stops_a_query_that_forgot_its_tenant_filter(runtime: Any, tenant_a: Any, tenant_b: Any,
                                                               token_for: Any) -> None:
    await token_for(tenant_b, "hr_admin", subject="only-in-b")
    database = current_database()
    async with unit_of_work(tenant_a, write=False):
        rows = await database.execute("SELECT DISTINCT tenant_id FROM users")
    assert {row["tenant_id"] for row in rows} <= {tenant_a}


async def test_the_tenant_setting_does_not_outlive_its_transaction_on_a_pooled_connection(
    runtime: Any, tenant_a: Any
) -> None:
    database = current_database()
    size, database.pool_size = database.pool_size, 1
    await database.close_pool()
    await database.open_pool()  # every borrow gets the same connection, none is kept out of the pool
    try:
        async with unit_of_work(tenant_a, write=False):
            inside = await database.execute(WHO_AND_WHERE)
        async with database.transaction(write=False):
            after = await database.execute(WHO_AND_WHERE)
            visible = await database.execute("SELECT count(*) AS n FROM legal_entities")
        assert inside[0]["pid"] == after[0]["pid"], "the test must reuse the same pooled connection"
        assert inside[0]["t"] == str(tenant_a)
        assert after[0]["t"] in ("", None)
        assert visible == [{"n": 0}]
    finally:
        database.pool_size = size
        await database.close_pool()
        await database.open_pool()


async def test_concurrent_tenants_never_see_each_other(runtime: Any, tenant_a: Any, tenant_b: Any) -> None:
    database = current_database()

    async def tenant_seen(tenant: Any) -> set[Any]:
        async with unit_of_work(tenant, write=False):
            await asyncio.sleep(0.01)
            rows = await database.execute("SELECT DISTINCT tenant_id FROM audit_entries")
        return {row["tenant_id"] for row in rows}

    results = await asyncio.gather(*[tenant_seen(t) for t in [tenant_a, tenant_b] * 20])
    for tenant, seen in zip([tenant_a, tenant_b] * 20, results, strict=True):
        assert seen <= {tenant}
