"""Every reference to a tenant-owned row names the tenant too: ``(tenant_id, x_id) REFERENCES t (tenant_id, id)``.

PostgreSQL checks foreign keys without row-level security, so a single-column reference let one tenant's row
point at another tenant's (a pay input for a foreign employee was stored). With the tenant inside the key, the
database itself refuses any cross-tenant reference, on both databases.

Each tenant table first gets a unique ``(tenant_id, id)`` index for the keys to reference. PostgreSQL then swaps
each single-column key for the composite one. SQLite cannot alter a constraint; it rewrites the table's stored
definition in one transaction (the procedure SQLite's ALTER TABLE documentation gives for constraint changes that
leave the stored rows as they are), then checks every row against the new keys, so existing data that already
crossed tenants stops the migration instead of being carried along.
"""

from __future__ import annotations

import re

from domain.kernel.db import Database

ID = "0013_tenant_foreign_keys"

STATEMENTS: list[str] = []


class CrossTenantReference(RuntimeError):
    """Rows that already point into another tenant: they need a person's decision before the upgrade."""


async def apply(owner: Database) -> None:
    tenant_tables = await _tenant_tables(owner)
    for table in tenant_tables:
        await owner.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}_tenant_key" ON "{table}" (tenant_id, id)')
    if owner.is_sqlite:
        await _rewrite_sqlite_references(owner, tenant_tables)
    else:
        await _replace_postgres_references(owner, tenant_tables)


async def _tenant_tables(owner: Database) -> list[str]:
    if owner.is_sqlite:
        rows = await owner.execute(
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) c "
            "WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name"
        )
    else:
        rows = await owner.execute(
            "SELECT table_name AS name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'tenant_id' ORDER BY table_name"
        )
    return [row["name"] for row in rows]


async def _replace_postgres_references(owner: Database, tenant_tables: list[str]) -> None:
    rows = await owner.execute(
        "SELECT c.conname AS name, child.relname AS child, parent.relname AS parent, a.attname AS col "
        "FROM pg_constraint c JOIN pg_class child ON child.oid = c.conrelid "
        "JOIN pg_class parent ON parent.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND parent.relname = ANY({}) "
        "ORDER BY child.relname, a.attname",
        tenant_tables,
    )
    for row in rows:
        child, col, parent = row["child"], row["col"], row["parent"]
        await owner.execute(f'ALTER TABLE "{child}" DROP CONSTRAINT "{row["name"]}"')
        await owner.execute(
            f'ALTER TABLE "{child}" ADD CONSTRAINT "{child}_{col}_tenant_fk" '
            f'FOREIGN KEY (tenant_id, "{col}") REFERENCES "{parent}" (tenant_id, id)'
        )


async def _rewrite_sqlite_references(owner: Database, tenant_tables: list[str]) -> None:
    rewritten: dict[str, str] = {}
    for table in tenant_tables:
        definition = (await owner.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = {}", table))[0]
        new_definition = composite_references(definition["sql"], set(tenant_tables))
        if new_definition != definition["sql"]:
            rewritten[table] = new_definition
    if not rewritten:
        return
    schema_version = (await owner.execute("PRAGMA schema_version"))[0]["schema_version"]
    await owner.execute("PRAGMA writable_schema = ON")
    for table, definition in rewritten.items():
        await owner.execute("UPDATE sqlite_master SET sql = {} WHERE type = 'table' AND name = {}", definition, table)
    await owner.execute(f"PRAGMA schema_version = {int(schema_version) + 1}")
    await owner.execute("PRAGMA writable_schema = OFF")
    broken = await owner.execute("PRAGMA foreign_key_check")
    if broken:
        tables = sorted({row["table"] for row in broken})
        raise CrossTenantReference(f"rows referencing another tenant's (or a missing) row in: {', '.join(tables)}")


_INLINE_REFERENCE = re.compile(r'"?(\w+)"? UUID( NOT NULL)? REFERENCES "?(\w+)"? \(id\)')


def composite_references(create_table: str, tenant_tables: set[str]) -> str:
    """The CREATE TABLE text with each inline single-column reference to a tenant table made composite."""
    keys: list[str] = []

    def detach(match: re.Match[str]) -> str:
        column, not_null, parent = match.group(1), match.group(2) or "", match.group(3)
        if parent not in tenant_tables:
            return match.group(0)
        keys.append(f"FOREIGN KEY (tenant_id, {column}) REFERENCES {parent} (tenant_id, id)")
        return f"{column} UUID{not_null}"

    body = _INLINE_REFERENCE.sub(detach, create_table)
    if not keys:
        return create_table
    closing = body.rstrip().rfind(")")
    return body[:closing].rstrip() + ",\n        " + ",\n        ".join(keys) + "\n    )"
