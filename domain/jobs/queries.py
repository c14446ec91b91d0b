"""Every read and write of the queue's tables: procrastinate's on PostgreSQL, ``meridian_jobs`` on SQLite.

Enqueueing writes through the caller's unit of work, so the job commits or rolls back with the change that asked
for it. On PostgreSQL that is procrastinate's own ``procrastinate_defer_jobs_v1`` called on the unit of work's
connection (procrastinate's connector would use a connection of its own, outside the transaction); the insert's
trigger notifies the listening workers when the transaction commits.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from domain.kernel.db import UnitOfWork, current_database

#: Each kind of job waits in a queue of its own name, so a worker takes only the kinds it can run; periodic
#: housekeeping waits in this one.
PERIODIC_QUEUE = "meridian.periodic"
_DEFER = ("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW({}::varchar, {}::varchar, 0, NULL::text, NULL::text, "
          "{}::jsonb, NULL::timestamptz)::procrastinate_job_to_defer_v1])")
_DEFER_LATER = ("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW({}::varchar, {}::varchar, 0, NULL::text, NULL::text, "
                "{}::jsonb, now() + make_interval(secs => {}::float8))::procrastinate_job_to_defer_v1])")


class LocalJob(msgspec.Struct, frozen=True):
    """A job the SQLite runner claimed; ``attempts`` counts this one."""

    id: int
    kind: str
    args: str
    attempts: int


async def insert_job(uow: UnitOfWork, kind: str, args: bytes, delay_seconds: float = 0.0) -> None:
    """``uow`` is the caller's open unit of work (the service read its tenant, which fails outside one); the job is
    due ``delay_seconds`` from now."""
    database = current_database()
    if database.is_sqlite:
        now = time.time()
        await database.execute(
            "INSERT INTO meridian_jobs (kind, args, status, attempts, run_after, enqueued_at) "
            "VALUES ({}, {}, 'todo', 0, {}, {})", kind, args.decode(), now + delay_seconds, now)
    elif delay_seconds > 0:
        await database.execute(_DEFER_LATER, kind, kind, args.decode(), delay_seconds)
    else:
        await database.execute(_DEFER, kind, kind, args.decode())


async def unfinished_due_jobs() -> int:
    """Jobs running, or waiting and due now (a retry waiting for its backoff is not counted)."""
    database = current_database()
    if database.is_sqlite:
        rows = await database.execute(
            "SELECT count(*) AS n FROM meridian_jobs WHERE status = 'doing' OR (status = 'todo' AND run_after <= {})",
            time.time())
    else:
        rows = await database.execute(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'doing' "
            "OR (status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now()))")
    return int(rows[0]["n"])


# SQLite's runner: one process owns the database, so every claim, finish and retry is its own short transaction.

async def requeue_interrupted() -> int:
    """At start: what the previous process left running stopped with it and waits again, first in line."""
    database = current_database()
    async with database.transaction(write=True):
        rows = await database.execute(
            "UPDATE meridian_jobs SET status = 'todo', run_after = 0 WHERE status = 'doing' RETURNING id")
    return len(rows)


async def claim_next(kinds: list[str], limit: int, *, look_first: bool) -> list[LocalJob]:
    """Up to ``limit`` due jobs of ``kinds`` (those this process can run), oldest first, marked running.

    ``look_first``: a poll reads before it claims, leaving the one writer's lock to the requests when nothing is due.
    A runner woken by an enqueue claims at once: its claim waits for the enqueuing transaction's lock, so it sees
    that transaction's job, where a read now would not."""
    database = current_database()
    marks = ", ".join("{}" for _ in kinds)
    if look_first and not await database.execute(
            f"SELECT 1 AS due FROM meridian_jobs WHERE status = 'todo' AND run_after <= {{}} "  # noqa: S608
            f"AND kind IN ({marks}) LIMIT 1", time.time(), *kinds):
        return []
    async with database.transaction(write=True):
        rows = await database.execute(
            "UPDATE meridian_jobs SET status = 'doing', attempts = attempts + 1 WHERE id IN ("  # noqa: S608 - marks only
            f"SELECT id FROM meridian_jobs WHERE status = 'todo' AND run_after <= {{}} AND kind IN ({marks}) "
            "ORDER BY run_after, id LIMIT {}) RETURNING id, kind, args, attempts", time.time(), *kinds, limit)
    return sorted((msgspec.convert(row, LocalJob) for row in rows), key=lambda job: job.id)


async def finished(job_id: int, status: str, error: str | None = None) -> None:
    database = current_database()
    async with database.transaction(write=True):
        await database.execute("UPDATE meridian_jobs SET status = {}, finished_at = {}, last_error = {} WHERE id = {}",
                               status, time.time(), error, job_id)


async def retry_later(job_id: int, seconds: float, error: str) -> None:
    database = current_database()
    async with database.transaction(write=True):
        await database.execute(
            "UPDATE meridian_jobs SET status = 'todo', run_after = {}, last_error = {} WHERE id = {}",
            time.time() + seconds, error, job_id)


async def local_jobs(kind: str) -> list[dict[str, Any]]:
    """Every job of ``kind`` with its status and attempts (tests, operators)."""
    return await current_database().execute(
        "SELECT id, status, attempts, last_error FROM meridian_jobs WHERE kind = {} ORDER BY id", kind)


async def retry_stalled(stalled_seconds: float) -> list[dict[str, Any]]:
    """PostgreSQL: put back in line the running jobs of every worker whose heartbeat is older than
    ``stalled_seconds`` (or that was pruned): the worker stopped with its process. One statement that locks what it
    takes and skips what another replica is taking, so a job is put back once and never taken from a live worker."""
    return await current_database().execute(
        "UPDATE procrastinate_jobs SET status = 'todo', attempts = attempts + 1, scheduled_at = now() "
        "WHERE status = 'doing' AND id IN (SELECT job.id FROM procrastinate_jobs job "
        "LEFT JOIN procrastinate_workers worker ON worker.id = job.worker_id WHERE job.status = 'doing' "
        "AND (worker.id IS NULL OR worker.last_heartbeat < now() - make_interval(secs => {}::float8)) "
        "FOR UPDATE OF job SKIP LOCKED) RETURNING id, task_name, attempts", stalled_seconds)


async def delete_finished(kept_seconds: float) -> int:
    """Jobs that ended (succeeded, failed for good, cancelled) longer ago than ``kept_seconds``: kept a while for
    operators to look at, then gone. PostgreSQL reads the end from the job's events (deleted with it)."""
    database = current_database()
    if database.is_sqlite:
        async with database.transaction(write=True):
            rows = await database.execute(
                "DELETE FROM meridian_jobs WHERE status IN ('succeeded', 'failed') AND finished_at < {} RETURNING id",
                time.time() - kept_seconds)
    else:
        rows = await database.execute(
            "DELETE FROM procrastinate_jobs job WHERE job.status IN ('succeeded', 'failed', 'cancelled', 'aborted') "
            "AND NOT EXISTS (SELECT 1 FROM procrastinate_events event WHERE event.job_id = job.id "
            "AND event.at > now() - make_interval(secs => {}::float8)) RETURNING job.id", kept_seconds)
    return len(rows)
