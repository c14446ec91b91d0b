"""The queue's front door: register a kind of job with its handler, enqueue one inside the caller's unit of work,
run the queue's workers, wait for it to drain (tests, the command line).

    CALCULATE = jobs.register("payroll.calculate", CalculationOrder, calculate_ordered)
    ...
    async with unit_of_work(tenant) as uow:
        ...the change...
        await jobs.enqueue(uow, CALCULATE, CalculationOrder(run_id=run_id, ...))

The job is queued only if that transaction commits. A worker runs it once (one claim, even with several workers and
replicas); a handler that raises is retried with backoff up to the kind's attempts; a job whose worker stopped
(killed, crashed) is run again: at the next start on SQLite, once the worker's heartbeat is stale on PostgreSQL.
A handler may therefore run again after a partial run, and is written to start over or carry on safely.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

import msgspec

from domain.jobs import queries
from domain.jobs.model import Envelope, JobKind, JobRun, Payload, RunnerConfig
from domain.kernel.db import UnitOfWork, current_database

log = logging.getLogger("meridian.jobs")
#: How long a finished job stays in the queue's tables for operators to look at.
FINISHED_KEPT = timedelta(days=7)

_kinds: dict[str, JobKind[Any]] = {}
_periodic: dict[str, tuple[str, Callable[[], Awaitable[Any]]]] = {}
#: Local runners of this process, woken by an enqueue so they look for work at once instead of at their next poll.
_listening: set[asyncio.Event] = set()

__all__ = ["JobKind", "JobRun", "Runner", "RunnerConfig", "enqueue", "every", "purge_finished", "register",
           "start_runner", "wait_for_jobs"]


def register(name: str, payload: type[Payload], handler: Callable[[JobRun, Payload], Awaitable[None]], *,
             max_attempts: int = 5, retry_base: int = 2) -> JobKind[Payload]:
    """Declare a kind of job (at import time, in the module that owns the work)."""
    if name in _kinds:
        raise ValueError(f"a job kind named {name!r} is already registered")
    kind = JobKind(name=name, payload=payload, handler=handler, max_attempts=max_attempts, retry_base=retry_base)
    _kinds[name] = kind
    return kind


def every(name: str, cron: str, work: Callable[[], Awaitable[Any]]) -> None:
    """Platform housekeeping run on a schedule (a cron expression, UTC) by one worker of all, not per tenant: on
    PostgreSQL procrastinate's periodic deferrer queues each due run once across workers and replicas."""
    _periodic[name] = (cron, work)


def kinds() -> dict[str, JobKind[Any]]:
    return dict(_kinds)


def periodic() -> dict[str, tuple[str, Callable[[], Awaitable[Any]]]]:
    return dict(_periodic)


async def enqueue(uow: UnitOfWork, kind: JobKind[Payload], payload: Payload, *,
                  delay: timedelta | None = None) -> None:
    """Queue ``payload`` for ``kind``'s handler in ``uow``'s transaction, for ``uow``'s tenant; with ``delay``, the job
    waits that long before a worker may take it (a retry its own handler schedules)."""
    if _kinds.get(kind.name) is not kind:
        raise ValueError(f"job kind {kind.name!r} is not registered")
    args = msgspec.json.encode(Envelope(tenant_id=uow.tenant_id, payload=msgspec.to_builtins(payload)))
    await queries.insert_job(uow, kind.name, args, delay.total_seconds() if delay else 0.0)
    for wake in _listening:
        wake.set()  # on SQLite the runner's claim then waits for this transaction's write lock: it sees the commit


async def run_job(name: str, args: dict[str, Any] | str, attempt: int) -> None:
    """Decode a stored job and call its kind's handler (the runners' one way in)."""
    kind = _kinds.get(name)
    if kind is None:
        raise LookupError(f"no job kind named {name!r} is registered in this process")
    envelope = msgspec.json.decode(args, type=Envelope) if isinstance(args, str) else msgspec.convert(args, Envelope)
    payload = msgspec.convert(envelope.payload, kind.payload)
    await kind.handler(JobRun(tenant_id=envelope.tenant_id, attempt=attempt), payload)


class Runner(Protocol):
    async def stop(self) -> None: ...


async def start_runner(config: RunnerConfig) -> Runner:
    """This process's worker for the configured database, running until ``stop()``."""
    if current_database().is_sqlite:
        from domain.jobs.local import LocalRunner

        runner: Runner = await LocalRunner.started(config, _listening)
    else:
        from domain.jobs.shared import SharedRunner

        runner = await SharedRunner.started(config, current_database().url)
    return runner


async def purge_finished() -> int:
    """Delete jobs that ended more than ``FINISHED_KEPT`` ago; how many."""
    return await queries.delete_finished(FINISHED_KEPT.total_seconds())


async def wait_for_jobs(poll_seconds: float = 0.05) -> None:
    """Until no job is running or due (tests; the command line after queueing work). A retry waiting for its
    backoff is not waited for."""
    # The jobs may run in another process, so there is no event to await: the queue is read until it drains.
    while await queries.unfinished_due_jobs():  # noqa: ASYNC110
        await asyncio.sleep(poll_seconds)
