"""The rate limit's counters in Redis (``MERIDIAN_REDIS_URL``): limiters of three processes, each with its own
leases, admit exactly the limit between them and then refuse without asking Redis again."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

from api.ratelimit import LeasedWindow, limiter_for
from domain.kernel.settings import Mode, Settings
from domain.rate_limits.model import Lease

#: In the PostgreSQL suite, which CI runs against the machine's services and which fails rather than skips when one
#: is missing; the SQLite suite stays runnable on a machine with Python alone.
pytestmark = [pytest.mark.anyio, pytest.mark.postgres]
REDIS_URL = os.environ.get("MERIDIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIMIT = 100


def redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


async def test_three_processes_limiters_admit_exactly_the_limit_between_them_from_redis() -> None:
    assert redis_answers(), f"no Redis at {REDIS_URL}: start it, or name one in MERIDIAN_TEST_REDIS_URL"
    settings = Settings(mode=Mode.SHARED, database_url="postgresql://app@127.0.0.1/unused", redis_url=REDIS_URL,
                        rate_limit_per_minute=LIMIT)
    processes = [limiter_for(settings) for _ in range(3)]
    assert all(isinstance(limiter, LeasedWindow) for limiter in processes)
    leases: list[Lease] = []
    for limiter in processes:
        asked = limiter._lease

        async def counting(*args: object, asked: object = asked) -> Lease:
            lease = await asked(*args)  # type: ignore[operator]
            leases.append(lease)
            return lease

        limiter._lease = counting
    key = f"tenant:{uuid.uuid4()}"

    decisions = await asyncio.gather(*(processes[i % 3].take(key) for i in range(3 * LIMIT)))

    assert sum(d.allowed for d in decisions) == LIMIT
    assert all(d.remaining == 0 and d.reset >= 1 for d in decisions if not d.allowed)
    assert sum(lease.leased for lease in leases) == LIMIT
    assert len(leases) < LIMIT // 2  # blocks, not a round trip per request
    asked_so_far = len(leases)
    assert not any([(await limiter.take(key)).allowed for limiter in processes])
    assert len(leases) == asked_so_far  # once the window's quota is all leased, no process asks Redis again
