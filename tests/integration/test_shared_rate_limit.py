"""The rate limit holds across worker processes: three workers of ``meridian serve --workers 3`` admit exactly the
limit between them in a window, and refuse the rest with 429 and Retry-After, while each asks the shared counter
only once per block of quota."""

from __future__ import annotations

import http.client
import os
import time
import uuid
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

from tests.workers import answers, free_port, one_connection_per_worker, serving, serving_workers, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]

LIMIT = 120
WORKERS = 3
#: Every worker alone could spend the whole limit, so each drains its last lease before the requests end.
REQUESTS = 2 * LIMIT + 3 * WORKERS
#: The burst starts with at least this long left in the minute, so it falls in one window.
WINDOW_LEFT_SECONDS = 40


class Answer:
    def __init__(self, worker: int, status: int, headers: dict[str, str]) -> None:
        self.worker, self.status, self.headers = worker, status, headers


async def test_three_workers_admit_exactly_the_limit_between_them(tmp_path: Path, settings: Any, token_for: Any,
                                                                 tenant_a: uuid.UUID) -> None:
    from domain.rate_limits.service import key_digest

    subject = f"limited-{uuid.uuid4().hex[:8]}"
    token = await token_for(tenant_a, "hr_admin", subject=subject)
    env = {**os.environ, "MERIDIAN_RATE_LIMIT_PER_MINUTE": str(LIMIT), "LANG": "C.UTF-8"}
    long_ago = int(time.time() // 60) * 60 - 600
    await _owner(settings, "INSERT INTO rate_limit_counters VALUES ($1, $2, 7, 7)", "old-window", long_ago)
    answered, window = await anyio.to_thread.run_sync(burst, env, tmp_path, token)

    admitted = [a for a in answered if a.status == 200]
    refused = [a for a in answered if a.status == 429]
    assert len(admitted) == LIMIT and len(refused) == REQUESTS - LIMIT, [a.status for a in answered]
    assert {a.worker for a in admitted} == {a.worker for a in answered}  # every worker admitted its share
    for answer in refused:
        assert int(answer.headers["retry-after"]) >= 1
        assert answer.headers["ratelimit-remaining"] == "0"
    for answer in admitted:
        assert 0 <= int(answer.headers["ratelimit-remaining"]) < LIMIT
    for worker in {a.worker for a in answered}:  # a worker that has refused never asks again in the window
        statuses = [a.status for a in answered if a.worker == worker]
        assert statuses == sorted(statuses)

    rows = await _owner(settings, "SELECT granted FROM rate_limit_counters WHERE key_digest = $1 AND "
                        "window_start = $2", key_digest(f"{LIMIT};w=60", f"{tenant_a}:{subject}"), window)
    assert [row["granted"] for row in rows] == [LIMIT]
    # the workers deleted windows before the previous one as this one began
    assert await _owner(settings, "SELECT 1 FROM rate_limit_counters WHERE window_start = $1", long_ago) == []


def burst(env: dict[str, str], folder: Path, token: str) -> tuple[list[Answer], int]:
    port = free_port()
    with serving(env, port, folder / "serve.log", WORKERS) as server:
        wait_until(lambda: answers(port) and len(serving_workers(server.pid, port)) == WORKERS, "three workers")
        _start_early_in_a_window()  # first: an idle keep-alive connection is closed after 5 s
        window = int(time.time() // 60) * 60
        connections = one_connection_per_worker(server.pid, port, WORKERS)
        answered = [_get_me(pid, connections[pid], token) for i in range(REQUESTS)
                    for pid in [list(connections)[i % WORKERS]]]
        assert int(time.time() // 60) * 60 == window, "the burst outlasted its window; the machine is too busy"
    return answered, window


def _start_early_in_a_window() -> None:
    left = 60 - time.time() % 60
    if left < WINDOW_LEFT_SECONDS:
        time.sleep(left + 0.2)


def _get_me(worker: int, connection: http.client.HTTPConnection, token: str) -> Answer:
    connection.request("GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    response.read()
    return Answer(worker, response.status, {k.lower(): v for k, v in response.getheaders()})


async def _owner(settings: Any, statement: str, *args: Any) -> list[Any]:
    """The shared counters as the owner role sees them (platform rows, outside any tenant)."""
    import asyncpg

    connection = await asyncpg.connect(settings.effective_migration_url)
    try:
        return list(await connection.fetch(statement, *args))
    finally:
        await connection.close()
