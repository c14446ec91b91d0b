"""``meridian serve --workers N``: N processes answer on the one port, the supervisor replaces one that dies, and
SQLite, which allows one writing process, is refused more than one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio.to_thread
import pytest

from tests.integration.test_serve_process import installation
from tests.workers import (
    PATIENCE_SECONDS,
    answers,
    children_of,
    free_port,
    living_in_group,
    one_connection_per_worker,
    serving,
    serving_workers,
    wait_until,
)

WORKERS = 3


@pytest.mark.postgres
@pytest.mark.anyio
async def test_three_workers_answer_from_distinct_processes_and_a_dead_one_is_replaced(tmp_path: Path,
                                                                                        settings: object) -> None:
    await anyio.to_thread.run_sync(three_workers, tmp_path)


def three_workers(folder: Path) -> None:
    env = {**os.environ, "LANG": "C.UTF-8"}
    port = free_port()
    with serving(env, port, folder / "serve.log", WORKERS) as server:
        wait_until(lambda: answers(port) and len(serving_workers(server.pid, port)) == WORKERS,
                   "three workers to answer")
        workers = serving_workers(server.pid, port)
        assert server.pid not in workers
        connections = one_connection_per_worker(server.pid, port, WORKERS)
        assert set(connections) == workers  # each worker process answered a request of its own

        dead = next(iter(workers))
        left_behind = children_of(dead)  # its calculation processes and multiprocessing's resource tracker
        assert left_behind
        os.kill(dead, signal.SIGKILL)
        wait_until(lambda: dead not in (now := serving_workers(server.pid, port)) and len(now) == WORKERS,
                   "the supervisor to replace it")
        replaced = serving_workers(server.pid, port)
        assert set(one_connection_per_worker(server.pid, port, WORKERS)) == replaced  # the replacement answers too
        assert workers - {dead} <= replaced  # the others went on serving, untouched
        wait_until(lambda: not left_behind & set(living_in_group(server.pid)), "what the dead worker left to end")

        serving_now = serving_workers(server.pid, port)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=PATIENCE_SECONDS) == 0
        wait_until(lambda: not serving_now & set(living_in_group(server.pid)), "every worker to stop")


@pytest.mark.sqlite
@pytest.mark.parametrize(("lang", "expected"), [
    ("C.UTF-8", "SQLite allows one writing process, so it is served by one worker, not 3"),
    ("ja_JP.UTF-8", "SQLite は書き込みプロセスを 1 つしか許さないため、3 個ではなく 1 個のワーカーで提供します"),
])
def test_sqlite_is_refused_more_than_one_worker_in_the_operators_language(tmp_path: Path, lang: str,
                                                                           expected: str) -> None:
    env = {**installation(tmp_path / "install"), "LANG": lang}
    refused = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", str(free_port()), "--workers", "3"],
                             env=env, capture_output=True, text=True, timeout=PATIENCE_SECONDS, check=False)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and expected in refused.stderr, refused.stderr
