"""Authenticated requests per second through the whole stack (token check, user lookup, tenant
transaction, audit append), in process, on SQLite or PostgreSQL.

    .venv/bin/python bench/api_requests.py                      # SQLite in a temporary folder
    .venv/bin/python bench/api_requests.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table


def configure(postgres: str | None) -> None:
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


async def measure(label: str, call: Callable[[int], Awaitable[Any]], count: int, concurrency: int) -> tuple:
    started = time.perf_counter()
    for start in range(0, count, concurrency):
        await asyncio.gather(*[call(i) for i in range(start, min(start + concurrency, count))])
    elapsed = time.perf_counter() - started
    return label, concurrency, count, count / elapsed, elapsed / count * 1000


async def main(postgres: str | None, count: int) -> None:
    import httpx

    from api.app import create_app
    from api.auth import issue_token
    from domain.db import Database, role_of
    from domain.identity.model import SystemActor
    from domain.identity.permissions import Role
    from domain.identity.service import ensure_user
    from domain.migrator import migrate
    from domain.settings import load_settings
    from domain.tenancy.model import NewTenant
    from domain.tenancy.service import provision_tenant

    settings = load_settings()
    owner = Database(settings.effective_migration_url)
    await owner.start()
    await migrate(owner, role_of(settings.effective_database_url))
    await owner.stop()
    app = create_app(settings)
    rows = []
    async with app.lifespan():
        runtime = app.state.runtime
        tenant = runtime.home_tenant if settings.is_sqlite else (await provision_tenant(
            SystemActor(), NewTenant(name=f"Bench {uuid.uuid4().hex[:6]}", countries=["DE"], timezone="UTC"))).id
        await ensure_user(SystemActor(), tenant, "bench", [Role.TENANT_ADMIN])
        token = issue_token(settings, runtime.secret, tenant_id=tenant, subject="bench", roles=["tenant_admin"])
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            created = await client.post("/v1/legal-entities", headers=headers, json={
                "name": "Bench GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
            entity = created.json()["id"]

            async def read(_: int) -> None:
                assert (await client.get(f"/v1/legal-entities/{entity}", headers=headers)).status_code == 200

            async def write(i: int) -> None:
                response = await client.post("/v1/legal-entities", headers=headers, json={
                    "name": f"E {uuid.uuid4().hex}", "country": "DE", "currency": "EUR", "timezone": "UTC"})
                assert response.status_code == 201

            for concurrency in (1, 20):
                rows.append(await measure("GET one legal entity", read, count, concurrency))
                rows.append(await measure("POST legal entity (+ audit)", write, count, concurrency))
    table = Table(title=f"API requests, in process, {'PostgreSQL' if postgres else 'SQLite'}")
    for column in ("request", "concurrency", "requests", "per second", "ms each"):
        table.add_column(column, justify="right")
    for label, concurrency, n, per_second, ms in rows:
        table.add_row(label, str(concurrency), f"{n:,}", f"{per_second:,.0f}", f"{ms:.2f}")
    Console().print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--count", type=int, default=1000)
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.postgres, arguments.count))
