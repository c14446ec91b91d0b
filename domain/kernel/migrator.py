"""Applies the files in ``migrations/`` in order and, on PostgreSQL, secures the app role.

Piccolo's own forwards runner binds its bookkeeping table to an engine fixed at import time and
emits DDL SQLite rejects; this runner keeps the same one-folder model with hand-written,
additive DDL that both databases accept, and records what ran in ``meridian_migrations``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

import migrations
from domain.kernel.db import Database

TENANT_POLICY = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


@dataclass(frozen=True)
class Migration:
    id: str
    module: ModuleType

    @property
    def tenant_tables(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "TENANT_TABLES", ()))

    @property
    def append_only_tables(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "APPEND_ONLY_TABLES", ()))

    def statements(self, is_sqlite: bool) -> list[str]:
        extra = "SQLITE_STATEMENTS" if is_sqlite else "POSTGRES_STATEMENTS"
        return [*self.module.STATEMENTS, *getattr(self.module, extra, [])]

    async def grant_steps(self, owner: Database, role: str) -> None:
        """A migration whose tables are not tenant rows (the job queue's) says what the app role may do on them in
        its own ``grant_app_role``; ``role`` is already a quoted identifier."""
        grant: Callable[[Database, str], Awaitable[None]] | None = getattr(self.module, "grant_app_role", None)
        if grant is not None:
            await grant(owner, role)

    async def apply_steps(self, owner: Database) -> None:
        """A migration whose change depends on the catalogue (constraint names, stored table definitions) reads it
        in its own ``apply``, inside the same transaction as its statements."""
        steps: Callable[[Database], Awaitable[None]] | None = getattr(self.module, "apply", None)
        if steps is not None:
            await steps(owner)


def discover() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        if info.name.startswith("m"):
            module = importlib.import_module(f"migrations.{info.name}")
            found.append(Migration(id=module.ID, module=module))
    return sorted(found, key=lambda m: m.id)


async def migrate(
    owner: Database, app_role: str | None, progress: Callable[[str], None] = lambda _: None
) -> list[str]:
    """Apply pending migrations as the owner; return the ids applied."""
    await owner.execute(
        "CREATE TABLE IF NOT EXISTS meridian_migrations (id VARCHAR(100) PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    applied: list[str] = []
    everything = discover()
    for migration in everything:
        async with owner.transaction(write=True):
            if not owner.is_sqlite:
                await owner.execute("SELECT pg_advisory_xact_lock(4242001)")
            done = await owner.execute("SELECT id FROM meridian_migrations WHERE id = {}", migration.id)
            if done:
                continue
            progress(migration.id)
            for statement in migration.statements(owner.is_sqlite):
                await owner.execute(statement)
            await migration.apply_steps(owner)
            await owner.execute(
                "INSERT INTO meridian_migrations (id, applied_at) VALUES ({}, {})", migration.id, datetime.now(UTC)
            )
            applied.append(migration.id)
    if not owner.is_sqlite and app_role:
        await secure_app_role(owner, app_role, everything)
    return applied


async def secure_app_role(owner: Database, app_role: str, everything: list[Migration]) -> None:
    """Create the app role if needed and give it exactly what it may do. Idempotent."""
    role = _identifier(app_role)
    tenant_tables = [t for m in everything for t in m.tenant_tables]
    append_only = {t for m in everything for t in m.append_only_tables}
    async with owner.transaction(write=True):
        await owner.execute("SELECT pg_advisory_xact_lock(4242002)")
        exists = await owner.execute("SELECT 1 FROM pg_roles WHERE rolname = {}", app_role)
        if not exists:
            await owner.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        await owner.execute(f"ALTER ROLE {role} NOSUPERUSER NOBYPASSRLS")
        await owner.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        await owner.execute(f"GRANT SELECT ON meridian_migrations TO {role}")
        await owner.execute(f"GRANT SELECT, INSERT, UPDATE ON tenants TO {role}")
        for table in tenant_tables:
            await _secure_tenant_table(owner, table, role, append_only=table in append_only)
        for migration in everything:
            await migration.grant_steps(owner, role)


async def _secure_tenant_table(owner: Database, table: str, role: str, *, append_only: bool) -> None:
    name = _identifier(table)
    await owner.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    await owner.execute(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
    await owner.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {name}")
    await owner.execute(
        f"CREATE POLICY tenant_isolation ON {name} USING ({TENANT_POLICY}) WITH CHECK ({TENANT_POLICY})"
    )
    await owner.execute(f"REVOKE ALL ON {name} FROM {role}")
    privileges = "SELECT, INSERT" if append_only else "SELECT, INSERT, UPDATE, DELETE"
    await owner.execute(f"GRANT {privileges} ON {name} TO {role}")


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe SQL identifier: {name!r}")
    return f'"{name}"'


async def pending(database: Database) -> list[str]:
    """Migration ids not yet applied to ``database`` (all of them on an empty database)."""
    try:
        rows = await database.execute("SELECT id FROM meridian_migrations")
    except Exception:  # the bookkeeping table itself is missing: nothing was ever applied
        return [m.id for m in discover()]
    done = {row["id"] for row in rows}
    return [m.id for m in discover() if m.id not in done]
