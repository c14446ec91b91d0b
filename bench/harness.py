"""What every API benchmark needs: a fresh database, the app started in process, a tenant and a token."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def configure(postgres: str | None) -> None:
    """Set the environment before anything builds an engine: SQLite in a temporary folder, or PostgreSQL."""
    os.environ["MERIDIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="meridian-bench-")
    os.environ["MERIDIAN_RATE_LIMIT_PER_MINUTE"] = "1000000"
    os.environ["MERIDIAN_LOG_LEVEL"] = "WARNING"
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if postgres:
        os.environ["MERIDIAN_MODE"] = "shared"
        os.environ["MERIDIAN_MIGRATION_DATABASE_URL"] = postgres
        parts = urlsplit(postgres)
        app_netloc = f"meridian_app_bench@{parts.hostname}:{parts.port or 5432}"
        os.environ["MERIDIAN_DATABASE_URL"] = urlunsplit(parts._replace(netloc=app_netloc))


@dataclass
class Bench:
    client: Any
    tenant_id: uuid.UUID
    headers: dict[str, str]
    database: str


@asynccontextmanager
async def running_app(roles: list[str]) -> AsyncIterator[Bench]:
    import httpx

    from api.app import create_app
    from api.auth import issue_token
    from domain.identity.service import ensure_user
    from domain.kernel.db import Database, role_of
    from domain.kernel.migrator import migrate
    from domain.kernel.permissions import Role
    from domain.kernel.principal import SystemActor
    from domain.kernel.settings import load_settings
    from domain.tenancy.model import NewTenant
    from domain.tenancy.service import provision_tenant

    settings = load_settings()
    owner = Database(settings.effective_migration_url)
    await owner.start()
    await migrate(owner, role_of(settings.effective_database_url))
    await owner.stop()
    app = create_app(settings)
    async with app.lifespan():
        runtime = app.state.runtime
        tenant = runtime.home_tenant if settings.is_sqlite else (await provision_tenant(
            SystemActor(), NewTenant(name=f"Bench {uuid.uuid4().hex[:6]}", countries=["DE"], timezone="UTC"))).id
        await ensure_user(SystemActor(), tenant, "bench", [Role(r) for r in roles])
        token = issue_token(settings, runtime.secret, tenant_id=tenant, subject="bench", roles=roles)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
            yield Bench(client=client, tenant_id=tenant, headers={"Authorization": f"Bearer {token}"},
                        database="SQLite" if settings.is_sqlite else "PostgreSQL")


async def measure(label: str, call: Callable[[int], Awaitable[Any]], count: int,
                  concurrency: int) -> tuple[str, int, int, float, float]:
    started = time.perf_counter()
    for start in range(0, count, concurrency):
        await asyncio.gather(*[call(i) for i in range(start, min(start + concurrency, count))])
    elapsed = time.perf_counter() - started
    return label, concurrency, count, count / elapsed, elapsed / count * 1000


def print_rates(title: str, what: str, rows: list[tuple[str, int, int, float, float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in (what, "concurrency", "count", "per second", "ms each"):
        table.add_column(column, justify="right")
    for label, concurrency, n, per_second, ms in rows:
        table.add_row(label, str(concurrency), f"{n:,}", f"{per_second:,.0f}", f"{ms:.2f}")
    Console().print(table)
