"""The database itself refuses a reference that crosses tenants: every foreign key into a tenant-owned table
carries ``tenant_id`` on both sides, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.kernel.db import Database, current_database, unit_of_work
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewLegalEntity

pytestmark = pytest.mark.anyio


async def foreign_keys(database: Database) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """(table, its columns, referenced table, referenced columns) for every foreign key in the schema."""
    if database.is_sqlite:
        rows = await database.execute(
            "SELECT m.name AS child, f.id AS id, f.seq AS seq, f.\"from\" AS col, f.\"table\" AS parent, "
            "f.\"to\" AS ref FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' "
            "ORDER BY m.name, f.id, f.seq")
        keys: dict[tuple[str, int], tuple[str, list[str], str, list[str]]] = {}
        for row in rows:
            _, columns, _, referenced = keys.setdefault((row["child"], row["id"]),
                                                                 (row["child"], [], row["parent"], []))
            columns.append(row["col"])
            referenced.append(row["ref"])
        return [(c, tuple(cols), p, tuple(refs)) for c, cols, p, refs in keys.values()]
    rows = await database.execute(
        "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent, "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey) "
        "ORDER BY array_position(c.conkey, attnum)) AS cols, "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey) "
        "ORDER BY array_position(c.confkey, attnum)) AS refs "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace")
    return [(r["child"].strip('"'), tuple(r["cols"]), r["parent"].strip('"'), tuple(r["refs"])) for r in rows]


async def tenant_tables(database: Database) -> set[str]:
    if database.is_sqlite:
        rows = await database.execute("SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) c "
                                      "WHERE m.type = 'table' AND c.name = 'tenant_id'")
    else:
        rows = await database.execute("SELECT table_name AS name FROM information_schema.columns "
                                      "WHERE table_schema = 'public' AND column_name = 'tenant_id'")
    return {row["name"] for row in rows}


async def test_every_reference_to_a_tenant_table_names_the_tenant(runtime: Any, tenant_a: Any) -> None:
    database = current_database()
    async with unit_of_work(tenant_a, write=False):
        owned = await tenant_tables(database)
        keys = await foreign_keys(database)
    into_tenant_tables = [key for key in keys if key[2] in owned]
    assert len(into_tenant_tables) >= 40, "the catalogue query found too few references to be reading the schema"
    single = [f"{child}({', '.join(cols)}) -> {parent}({', '.join(refs)})"
              for child, cols, parent, refs in into_tenant_tables
              if cols[0] != "tenant_id" or refs[0] != "tenant_id" or len(cols) < 2]
    assert single == [], "a foreign key into a tenant table without tenant_id: " + "; ".join(single)


async def test_the_database_refuses_a_row_pointing_into_another_tenant(
    runtime: Any, tenant_a: Any, tenant_b: Any
) -> None:
    """Below every use case check: even a query that forgot to look the id up cannot store the reference."""
    database = current_database()
    owner_b = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    entity_id = (await tenancy.create_legal_entity(owner_b, NewLegalEntity(
        name=f"B FK GmbH {uuid.uuid4().hex[:6]}", country="DE", currency="EUR", timezone="Europe/Berlin"))).id
    with pytest.raises(Exception) as refused:
        async with unit_of_work(tenant_a):
            await database.execute(
                "INSERT INTO pay_groups (id, tenant_id, legal_entity_id, name, rule, created_at) "
                "VALUES ({}, {}, {}, 'cross', '{{}}', CURRENT_TIMESTAMP)", uuid.uuid4(), tenant_a, entity_id)
    assert "foreign key" in str(refused.value).lower(), refused.value
