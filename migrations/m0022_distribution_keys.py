"""Every tenant table's primary key is ``(tenant_id, id)``, and every unique key on it names the tenant: the keys a
Citus cluster distributed by ``tenant_id`` requires (docs/scale-out.md), and the reason a key lookup can never
reach another tenant's row.

PostgreSQL: the unique ``(tenant_id, id)`` index migration 0013 gave each tenant table (created here where a table
has none) becomes the primary key (``ADD CONSTRAINT ... PRIMARY KEY USING INDEX``, no second index is built); the
old key on ``id`` alone is dropped first. Foreign keys into tenant tables are composite since 0013 and rest on that
index, so they stay; one still resting on the old key is made composite here, or stops the migration if it comes
from a table without ``tenant_id``. A unique index or constraint on a tenant table without ``tenant_id`` (none exist
today) is rebuilt with ``tenant_id`` first. Nothing relies on the old key by name: the one ``ON CONFLICT`` (the
delivery refusal log) names no target, and integrity errors are mapped by kind, not by constraint.

SQLite: a no-op. On-prem SQLite is one node and never distributed, and changing a rowid table's primary key means
rebuilding the table; the unique ``(tenant_id, id)`` index from 0013 already gives the composite foreign keys their
target there.
"""

from __future__ import annotations

import re

from domain.kernel.db import Database

ID = "0022_distribution_keys"

STATEMENTS: list[str] = []


class KeyWithoutTenant(RuntimeError):
    """A foreign key from a table without tenant_id rests on a tenant table's key: it needs a person's decision."""


async def apply(owner: Database) -> None:
    if owner.is_sqlite:
        return
    for table in await _tenant_tables(owner):
        await _key_on_tenant_and_id(owner, table)
        await _unique_keys_name_the_tenant(owner, table)


async def _tenant_tables(owner: Database) -> list[str]:
    rows = await owner.execute(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' "
        "AND NOT a.attisdropped AND EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = c.oid "
        "AND i.attname = 'id' AND NOT i.attisdropped) ORDER BY c.relname")
    return [row["name"] for row in rows]


async def _key_on_tenant_and_id(owner: Database, table: str) -> None:
    key = await _primary_key(owner, table)
    if key is not None and key["columns"] == ["tenant_id", "id"]:
        return
    index = await _tenant_and_id_index(owner, table)
    if key is not None:
        await _repoint_references_to(owner, table, key["index_oid"])
        await owner.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{key["name"]}"')
    await owner.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY USING INDEX "{index}"')


async def _primary_key(owner: Database, table: str) -> dict[str, object] | None:
    rows = await owner.execute(
        "SELECT c.conname AS name, c.conindid AS index_oid, ARRAY(SELECT a.attname FROM unnest(c.conkey) "
        "WITH ORDINALITY k(num, pos) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num "
        "ORDER BY k.pos)::text[] AS columns FROM pg_constraint c "
        "WHERE c.conrelid = {}::regclass AND c.contype = 'p'", f'"{table}"')
    return rows[0] if rows else None


async def _tenant_and_id_index(owner: Database, table: str) -> str:
    """A plain unique index on exactly (tenant_id, id) to promote; one is built if the table has none."""
    rows = await owner.execute(
        "SELECT i.indexrelid::regclass::text AS name FROM pg_index i "
        "WHERE i.indrelid = {}::regclass AND i.indisunique AND i.indisvalid AND i.indpred IS NULL "
        "AND i.indexprs IS NULL AND i.indnatts = 2 "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "AND ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(num, pos) JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.pos)::text[] = ARRAY['tenant_id', 'id'] "
        "ORDER BY 1 LIMIT 1", f'"{table}"')
    if rows:
        return rows[0]["name"].strip('"')
    name = f"{table}_tenant_id_id"
    await owner.execute(f'CREATE UNIQUE INDEX "{name}" ON "{table}" (tenant_id, id)')
    return name


async def _repoint_references_to(owner: Database, table: str, key_index: object) -> None:
    """Foreign keys resting on the old key on id alone: made composite, like migration 0013 made the others."""
    rows = await owner.execute(
        "SELECT c.conname AS name, c.conrelid::regclass::text AS child, a.attname AS col, "
        "EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.conrelid AND t.attname = 'tenant_id' "
        "AND NOT t.attisdropped) AS child_has_tenant FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.conindid = {}", key_index)
    for row in rows:
        child = row["child"].strip('"')
        if not row["child_has_tenant"]:
            raise KeyWithoutTenant(f"{child}.{row['col']} references {table}(id) but {child} has no tenant_id")
        await owner.execute(f'ALTER TABLE "{child}" DROP CONSTRAINT "{row["name"]}"')
        await owner.execute(
            f'ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{row["col"]}_tenant_fk" '
            f'FOREIGN KEY (tenant_id, "{row["col"]}") REFERENCES "{table}" (tenant_id, id)')


async def _unique_keys_name_the_tenant(owner: Database, table: str) -> None:
    rows = await owner.execute(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition, "
        "(SELECT c.conname FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "AND c.contype = 'u') AS constraint_name FROM pg_index i WHERE i.indrelid = {}::regclass "
        "AND i.indisunique AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_attribute a "
        "WHERE a.attrelid = i.indrelid AND a.attname = 'tenant_id' AND a.attnum = ANY(i.indkey))", f'"{table}"')
    for row in rows:
        if row["constraint_name"]:
            await owner.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{row["constraint_name"]}"')
        else:
            await owner.execute(f'DROP INDEX {row["name"]}')
        await owner.execute(with_tenant_first(row["definition"]))


_INDEX_COLUMNS = re.compile(r"^(CREATE UNIQUE INDEX \S+ ON \S+ USING \w+ \()")


def with_tenant_first(index_definition: str) -> str:
    """``pg_get_indexdef`` text of a unique index, with tenant_id as its first column."""
    rewritten, count = _INDEX_COLUMNS.subn(r"\1tenant_id, ", index_definition)
    if count != 1:
        raise ValueError(f"unexpected index definition: {index_definition}")
    return rewritten
