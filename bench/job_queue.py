"""The job queue: pickup latency (a job's transaction commits → its handler starts) and throughput (jobs finished
per second), with the app's own worker in process (procrastinate on PostgreSQL, the in-process runner on SQLite).

    .venv/bin/python bench/job_queue.py [--jobs 2000] [--pickups 50] [--postgres OWNER_URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import msgspec
from harness import configure, running_app

started: dict[str, float] = {}
finished: dict[str, float] = {}


class Noop(msgspec.Struct, frozen=True):
    token: str


async def noop(job: Any, order: Noop) -> None:
    started[order.token] = time.perf_counter()
    finished[order.token] = time.perf_counter()


def register() -> Any:
    from domain.jobs import service as jobs

    return jobs.register("bench.noop", Noop, noop)


async def until(condition: Any) -> None:
    while not condition():  # noqa: ASYNC110 - a millisecond poll is the measurement's resolution
        await asyncio.sleep(0.001)


async def pickups(kind: Any, tenant_id: uuid.UUID, count: int) -> list[float]:
    """One job at a time: milliseconds from its commit to its handler's start."""
    from domain.jobs import service as jobs
    from domain.kernel.db import unit_of_work

    latencies = []
    for _ in range(count):
        token = uuid.uuid4().hex
        async with unit_of_work(tenant_id) as uow:
            await jobs.enqueue(uow, kind, Noop(token=token))
        committed = time.perf_counter()
        await until(lambda token=token: token in started)
        latencies.append((started[token] - committed) * 1000)
    return latencies


async def throughput(kind: Any, tenant_id: uuid.UUID, count: int) -> float:
    """Jobs finished per second, ``count`` queued in one transaction."""
    from domain.jobs import service as jobs
    from domain.kernel.db import unit_of_work

    tokens = [uuid.uuid4().hex for _ in range(count)]
    async with unit_of_work(tenant_id) as uow:
        for token in tokens:
            await jobs.enqueue(uow, kind, Noop(token=token))
    begun = time.perf_counter()
    await until(lambda: all(token in finished for token in tokens))
    return count / (time.perf_counter() - begun)


async def main(jobs_count: int, pickup_count: int) -> None:
    from rich.console import Console
    from rich.table import Table

    kind = register()
    async with running_app(["tenant_admin"]) as bench:
        latencies = sorted(await pickups(kind, bench.tenant_id, pickup_count))
        rate = await throughput(kind, bench.tenant_id, jobs_count)
        database = bench.database
    table = Table(title=f"Job queue, one process's worker ({database})")
    for column in ("figure", "value"):
        table.add_column(column, justify="right")
    table.add_row("pickup latency, median (ms)", f"{statistics.median(latencies):.1f}")
    table.add_row("pickup latency, p95 (ms)", f"{latencies[int(len(latencies) * 0.95) - 1]:.1f}")
    table.add_row(f"throughput, {jobs_count} no-op jobs (jobs/s)", f"{rate:,.0f}")
    Console(width=100).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--pickups", type=int, default=50)
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.jobs, arguments.pickups))
