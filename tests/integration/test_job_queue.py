"""The durable job queue, as operators run it: real processes on a database of their own, stopped the hard way.

- PostgreSQL: a pay run whose server is SIGKILLed mid-calculation completes once the server is started again, with
  the results hash of an uninterrupted run of the same data; many jobs taken by several worker processes each run
  exactly once.
- SQLite: jobs a killed process left running or queued resume at the next start.

Jobs run in the background: the tests wait for what the processes write, within a generous bound, and assert what
happened, never how fast.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.jobs import WORKER_RUNNING
from domain.jobs import service as jobs
from domain.jobs.queries import delete_finished
from domain.kernel.db import unit_of_work
from tests.conftest import (
    ADMIN_URL,
    APP_ROLE,
    _create_postgres_database,
    _drop_postgres_database,
    _with_database,
    bearer,
)
from tests.integration.test_serve_process import answers, free_port, living_in_group
from tests.job_probe import PROBE, Probe, enqueue_probes, events

#: Generous: two cores shared with everyone, and each server spawns its calculation workers at start.
PATIENCE_SECONDS = 90
STALLED_SECONDS = "3"


def base_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIDIAN_")}
    env.update({"MERIDIAN_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", "MERIDIAN_LOG_LEVEL": "WARNING",
                "MERIDIAN_JOB_STALLED_SECONDS": STALLED_SECONDS})
    return env


def command(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=False,
                          timeout=PATIENCE_SECONDS)
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A ``meridian`` process in a session of its own (it and its calculation workers form one process group);
    whatever of the group is still alive when the block ends is killed."""
    with log.open("ab") as output:
        started = subprocess.Popen([sys.executable, "-m", "api.cli", *args], env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield started
    finally:
        kill_group(started)


def kill_group(started: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as the kernel's OOM killer or a lost machine stops a process: no shutdown code runs."""
    for pid in living_in_group(started.pid):
        os.kill(pid, signal.SIGKILL)
    started.wait(timeout=PATIENCE_SECONDS)


def stop_gracefully(started: subprocess.Popen[bytes]) -> int:
    started.send_signal(signal.SIGTERM)
    return started.wait(timeout=PATIENCE_SECONDS)


def eventually(found: Callable[[], Any], what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not (value := found()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}" + (f"; log:\n{log.read_text()}" if log else ""))
        time.sleep(0.05)
    return value


@pytest.fixture
def postgres_installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An on-prem installation on a PostgreSQL database of its own, migrated, the app connecting as its role: no
    worker of the test session's own app takes its jobs."""
    name = f"meridian_jobs_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_postgres_database(name))
    env = base_environment(tmp_path / "install")
    env.update({"MERIDIAN_MIGRATION_DATABASE_URL": _with_database(ADMIN_URL, name),
                "MERIDIAN_DATABASE_URL": _with_database(ADMIN_URL, name, APP_ROLE)})
    try:
        command("-m", "api.cli", "migrate", env=env)
        yield env
    finally:
        asyncio.run(_drop_postgres_database(name))


def pay_run(port: int, token: str, run_id: str) -> dict[str, Any]:
    answer = httpx.get(f"http://127.0.0.1:{port}/v1/pay-runs/{run_id}", headers=bearer(token), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def calculate(port: int, token: str, run_id: str) -> None:
    started = httpx.post(f"http://127.0.0.1:{port}/v1/pay-runs/{run_id}/calculation", headers=bearer(token),
                         timeout=30)
    assert started.status_code == 202, started.text


def finished(port: int, token: str, run_id: str) -> dict[str, Any] | None:
    run = pay_run(port, token, run_id)
    return run if run["job_status"] in ("done", "failed") else None


async def starts_per_job(database_url: str, task_name: str) -> list[int]:
    """How many times each job of ``task_name`` was started, in the order they were queued."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT count(*) AS starts FROM procrastinate_events event JOIN procrastinate_jobs job "
            "ON job.id = event.job_id WHERE job.task_name = $1 AND event.type = 'started' GROUP BY job.id "
            "ORDER BY job.id", task_name)
    finally:
        await connection.close()
    return [row["starts"] for row in rows]


@pytest.mark.postgres
def test_a_calculation_killed_with_its_server_completes_after_restart_with_the_uninterrupted_hash(
        postgres_installation: dict[str, str], tmp_path: Path) -> None:
    env = postgres_installation
    seeded = json.loads(command("-m", "tests.job_probe", "seed-payroll", "--employees", "1500", env=env))
    token, run_id, port, log = seeded["token"], seeded["run"], free_port(), tmp_path / "serve.log"
    with process(["serve", "--port", str(port)], env, log) as first:
        eventually(lambda: answers(port), "the first server to answer", log)
        calculate(port, token, run_id)
        progressing = eventually(lambda: (run := pay_run(port, token, run_id))["employees_done"] > 0 and run,
                                 "the calculation's first page", log)
        kill_group(first)
    assert progressing["employees_done"] < progressing["employees_total"] == 1500, "it finished before the kill"
    with process(["serve", "--port", str(port)], env, log) as second:
        eventually(lambda: answers(port), "the restarted server to answer", log)
        resumed = eventually(lambda: finished(port, token, run_id), "the resumed calculation to finish", log)
        assert resumed["job_status"] == "done", resumed["job_error"]
        assert resumed["state"] == "calculated" and resumed["employees_done"] == 1500
        calculate(port, token, run_id)  # again, uninterrupted, on the same data
        uninterrupted = eventually(lambda: finished(port, token, run_id), "the second calculation", log)
        assert uninterrupted["job_status"] == "done", uninterrupted["job_error"]
        assert resumed["results_hash"] == uninterrupted["results_hash"]
        assert stop_gracefully(second) == -signal.SIGTERM  # uvicorn ends by the signal it handled
    # the killed job was taken again by the restarted server (not started afresh by hand), the second ran once
    assert asyncio.run(starts_per_job(env["MERIDIAN_MIGRATION_DATABASE_URL"], "payroll.calculate")) == [2, 1]


@pytest.mark.postgres
@pytest.mark.anyio
async def test_many_jobs_taken_by_several_workers_each_run_exactly_once(
        tenant_a: uuid.UUID, environment: dict[str, str], tmp_path: Path) -> None:
    """Three ``meridian worker`` processes and the test session's own server all take jobs from one queue."""
    env = {**os.environ, **environment, "MERIDIAN_JOB_CONCURRENCY": "8", "LANG": "C.UTF-8",
           "MERIDIAN_LOG_LEVEL": "INFO"}  # each worker says when it takes jobs
    log, probes = tmp_path / "workers.log", str(tmp_path / "probes.log")
    workers = [process(["worker", "--jobs-from", "tests.job_probe"], env, log) for _ in range(3)]
    started = [worker.__enter__() for worker in workers]
    try:
        tokens = await enqueue_probes(tenant_a, 300, probes)
        done = await asyncio.to_thread(eventually, lambda: len(
            [e for e in events(Path(probes)) if e[0] == "done"]) >= len(tokens), "every probe to finish", log)
        assert done
        ran = events(Path(probes))
        assert Counter(token for event, token, _, _ in ran if event == "start") == Counter(tokens)
        assert Counter(token for event, token, _, _ in ran if event == "done") == Counter(tokens)
        # On a slow machine the session's own server may run every probe before a worker has started.
        await asyncio.to_thread(eventually, lambda: log.read_text().count(WORKER_RUNNING) >= len(started),
                                "every worker to run jobs", log)
        assert [stop_gracefully(worker) for worker in started] == [0] * len(started)
    finally:
        for worker in workers:
            worker.__exit__(None, None, None)


@pytest.mark.sqlite
def test_jobs_a_killed_process_left_running_or_queued_resume_at_the_next_start(tmp_path: Path) -> None:
    env = base_environment(tmp_path / "install")
    env["MERIDIAN_JOB_CONCURRENCY"] = "1"  # the held job keeps the others queued behind it
    command("-m", "api.cli", "migrate", env=env)
    probes, log = tmp_path / "probes.log", tmp_path / "worker.log"
    [held] = json.loads(command("-m", "tests.job_probe", "enqueue", "--count", "1", "--log", str(probes),
                                "--hold", "600", env=env))
    queued = json.loads(command("-m", "tests.job_probe", "enqueue", "--count", "5", "--log", str(probes), env=env))
    worker = ["worker", "--jobs-from", "tests.job_probe"]
    with process(worker, env, log) as first:
        eventually(lambda: ("start", held, 1) in [e[:3] for e in events(probes)], "the held job to start", log)
        kill_group(first)
    assert [e[:3] for e in events(probes)] == [("start", held, 1)]
    with process(worker, env, log) as second:
        eventually(lambda: len([e for e in events(probes) if e[0] == "done"]) == 6, "every job to finish", log)
        assert stop_gracefully(second) == 0
    ran = [e[:3] for e in events(probes)]
    assert ran[:3] == [("start", held, 1), ("start", held, 2), ("done", held, 2)]  # resumed first, on attempt 2
    assert sorted(ran[3:]) == sorted([("start", t, 1) for t in queued] + [("done", t, 1) for t in queued])


@pytest.mark.anyio
async def test_a_job_is_queued_with_its_change_or_not_at_all(app: Any, tenant_a: uuid.UUID, tmp_path: Path) -> None:
    """Queued in a use case that then fails, a job is rolled back with it; queued in one that commits, it runs (here
    on the test session's own server)."""
    probes = tmp_path / "probes.log"
    with pytest.raises(LookupError):
        async with unit_of_work(tenant_a) as uow:
            await jobs.enqueue(uow, PROBE, Probe(token="rolled-back", log=str(probes)))
            raise LookupError("the use case fails after queueing its job")
    [kept] = await enqueue_probes(tenant_a, 1, str(probes))
    await jobs.wait_for_jobs()
    assert [event[:3] for event in events(probes)] == [("start", kept, 1), ("done", kept, 1)]


@pytest.mark.anyio
async def test_a_failing_job_runs_again_after_its_backoff(app: Any, tenant_a: uuid.UUID, tmp_path: Path) -> None:
    probes = tmp_path / "probes.log"
    async with unit_of_work(tenant_a) as uow:
        await jobs.enqueue(uow, PROBE, Probe(token="flaky", log=str(probes), fail_first_attempt=True))
    await asyncio.to_thread(eventually, lambda: ("done", "flaky", 2) in [e[:3] for e in events(probes)],
                            "the retry to finish")
    assert [event[:3] for event in events(probes)] == [("start", "flaky", 1), ("start", "flaky", 2),
                                                       ("done", "flaky", 2)]


@pytest.mark.anyio
async def test_finished_jobs_are_kept_a_week_then_deleted(app: Any, tenant_a: uuid.UUID, tmp_path: Path) -> None:
    await enqueue_probes(tenant_a, 1, str(tmp_path / "probes.log"))
    await jobs.wait_for_jobs()
    assert await jobs.purge_finished() == 0  # everything this session ran ended moments ago
    assert await delete_finished(kept_seconds=0) >= 1  # a week later, as far as the queue can tell
