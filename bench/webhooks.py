"""Webhooks: what publishing costs the change that publishes (one event in its transaction, and a bulk import's
1,000 hires), and how fast signed deliveries reach a local receiver over HTTP (events per second, many resources,
each resource in order), with the app's own worker in process.

    .venv/bin/python bench/webhooks.py [--events 1000] [--postgres OWNER_URL]
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness import configure, running_app

received: list[float] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        received.append(time.perf_counter())
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def receiver() -> str:
    ThreadingHTTPServer.request_queue_size = 128  # the default backlog (5) refuses a burst of connections
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hooks"


async def per_change(tenant_id: uuid.UUID, count: int, publish: bool) -> float:
    """Milliseconds per transaction that changes nothing else and, with ``publish``, publishes one event."""
    from domain.kernel.db import unit_of_work
    from domain.webhooks import service as webhooks

    begun = time.perf_counter()
    for _ in range(count):
        async with unit_of_work(tenant_id) as uow:
            if publish:
                await webhooks.publish(uow, webhooks.EventType.EMPLOYEE_CHANGED, "employee", uuid.uuid4(), {})
            else:
                await uow_touch(uow)
    return (time.perf_counter() - begun) * 1000 / count


async def uow_touch(uow: Any) -> None:
    from domain.kernel.db import current_database

    await current_database().execute("SELECT 1 AS one")


async def main(events: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from domain.jobs import service as jobs
    from domain.kernel.db import unit_of_work
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.webhooks import service as webhooks
    from domain.webhooks.model import EventType, NewWebhookEndpoint
    from domain.webhooks.ssrf import TargetPolicy

    async with running_app(["tenant_admin"]) as bench:
        webhooks.configure(webhooks.WebhookConfig(policy=TargetPolicy(internal=True)))
        admin = Principal(tenant_id=bench.tenant_id, subject="bench", roles=frozenset({Role.TENANT_ADMIN}))
        bare = await per_change(bench.tenant_id, 200, publish=False)
        unsubscribed = await per_change(bench.tenant_id, 200, publish=True)
        await webhooks.create_endpoint(admin, NewWebhookEndpoint(url=receiver(), events=list(EventType)))
        subscribed = await per_change(bench.tenant_id, 200, publish=True)
        await jobs.wait_for_jobs()
        while len(received) < 200:  # noqa: ASYNC110 - polling what another thread counts
            await asyncio.sleep(0.01)
        received.clear()
        begun = time.perf_counter()
        async with unit_of_work(bench.tenant_id) as uow:
            await webhooks.publish_many(uow, EventType.EMPLOYEE_HIRED, "employee", [
                (uuid.uuid4(), {"start_date": "2026-12-01"}) for _ in range(1000)])
        bulk_ms = (time.perf_counter() - begun) * 1000
        resources = [uuid.uuid4() for _ in range(max(events // 10, 1))]
        async with unit_of_work(bench.tenant_id) as uow:
            for number in range(events - 1000 if events > 1000 else 0):
                await webhooks.publish(uow, EventType.EMPLOYEE_CHANGED, "employee", resources[number % len(resources)],
                                       {"number": number})
        total = max(events, 1000)
        while len(received) < total:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        rate = total / (received[-1] - begun)
        database = bench.database
    table = Table(title=f"Webhooks ({database}), measured on a loaded machine")
    for column in ("figure", "value"):
        table.add_column(column, justify="right")
    table.add_row("a transaction, no event (ms)", f"{bare:.2f}")
    table.add_row("a transaction publishing one event, no endpoint (ms)", f"{unsubscribed:.2f}")
    table.add_row("a transaction publishing one event, one endpoint (ms)", f"{subscribed:.2f}")
    table.add_row("1,000 hires published in one transaction (ms)", f"{bulk_ms:.0f}")
    table.add_row(f"{total} events delivered, signed, to a local receiver (events/s)", f"{rate:,.0f}")
    Console(width=110).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--events", type=int, default=2000)
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.events))
