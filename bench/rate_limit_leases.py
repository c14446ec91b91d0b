"""What the shared rate limit costs a request: decisions per second and round trips to the shared counter, for the
in-process counter and for leases from PostgreSQL (and Redis), one process or three (three limiters, each with its
own leases, as three workers have).

    .venv/bin/python bench/rate_limit_leases.py --postgres postgresql://postgres@127.0.0.1:5432/bench [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any


async def run(label: str, limiters: list[Any], requests: int, asked: list[int]) -> None:
    key = f"bench:{uuid.uuid4()}"
    asked.clear()
    started = time.perf_counter()
    decisions = [await limiters[i % len(limiters)].take(key) for i in range(requests)]
    elapsed = time.perf_counter() - started
    admitted = sum(d.allowed for d in decisions)
    print(f"{label:<46} {requests / elapsed:>10,.0f}/s {admitted:>8} admitted {len(asked):>6} round trips")


def counted(limiter: Any, asked: list[int]) -> Any:
    lease = limiter._lease

    async def counting(*args: Any) -> Any:
        asked.append(1)
        return await lease(*args)

    limiter._lease = counting
    return limiter


async def main(postgres: str, redis_url: str | None, requests: int) -> None:
    from api.ratelimit import FixedWindow, LeasedWindow, limiter_for
    from domain.kernel.db import Database, configure
    from domain.kernel.migrator import migrate
    from domain.kernel.settings import Mode, Settings

    database = Database(postgres)
    await database.start()
    await migrate(database, None)
    configure(database)
    asked: list[int] = []
    print(f"{'counter':<46} {'decisions':>12} {'':>17} {'(one key)':>17}")
    await run("in process (one worker, SQLite)", [FixedWindow(requests)], requests, asked)
    for limit in (requests, requests // 2):
        for processes in (1, 3):
            limiters = [counted(LeasedWindow(limit), asked) for _ in range(processes)]
            await run(f"PostgreSQL leases, limit {limit}, {processes} process(es)", limiters, requests, asked)
    if redis_url:
        settings = Settings(mode=Mode.SHARED, database_url=postgres, redis_url=redis_url,
                            rate_limit_per_minute=requests // 2)
        limiters = [counted(limiter_for(settings), asked) for _ in range(3)]
        await run(f"Redis leases, limit {requests // 2}, 3 processes", limiters, requests, asked)
    await database.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--redis")
    parser.add_argument("--requests", type=int, default=20_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.postgres, arguments.redis, arguments.requests))
