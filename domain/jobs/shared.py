"""PostgreSQL's runner: procrastinate's worker, in the server process (``meridian serve``) or alone
(``meridian worker``), in as many processes and replicas as run.

procrastinate claims each job with ``FOR UPDATE SKIP LOCKED``, so one worker runs it; LISTEN/NOTIFY wakes the workers
as a job commits, and they also poll. Each worker keeps a heartbeat; a job left running by a worker whose heartbeat
stopped (a killed process, a lost replica) is put back in line by whichever live worker looks next, and runs again.
Its connections are psycopg's (procrastinate 3), a small pool beside the app's asyncpg pool, as the app role.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import procrastinate

from domain.jobs import queries
from domain.jobs.model import JobKind, RunnerConfig
from domain.jobs.service import kinds, periodic, run_job

log = logging.getLogger("meridian.jobs")
#: procrastinate can miss a notification that arrives while it looks for work (it clears its wake-up after
#: each look), so a job waits at most this long for a worker that is free.
POLL_SECONDS = 0.5
WORKER_NAME = "worker"


class SharedRunner:
    def __init__(self, app: procrastinate.App, config: RunnerConfig) -> None:
        self.app = app
        self.config = config
        self._stopping = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._rescuer: asyncio.Task[None] | None = None

    @classmethod
    async def started(cls, config: RunnerConfig, database_url: str) -> SharedRunner:
        quiet_procrastinate_logs()
        runner = cls(_procrastinate_app(database_url, config), config)
        await runner.app.open_async()
        runner._rescuer = asyncio.create_task(runner._rescue_stalled_until_stopped(), name="meridian stalled jobs")
        runner._worker = asyncio.create_task(runner.app.run_worker_async(
            queues=[*kinds(), queries.PERIODIC_QUEUE], concurrency=config.concurrency, install_signal_handlers=False,
            fetch_job_polling_interval=POLL_SECONDS,
            update_heartbeat_interval=config.heartbeat_seconds, stalled_worker_timeout=config.stalled_seconds,
            name=WORKER_NAME,
        ), name="meridian jobs")
        return runner

    async def stop(self) -> None:
        """Stop fetching, let running jobs end (procrastinate's graceful shutdown), then close the connections."""
        self._stopping.set()
        for task in (self._worker, self._rescuer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.app.close_async()

    async def _rescue_stalled_until_stopped(self) -> None:
        while not self._stopping.is_set():
            try:
                for job in await queries.retry_stalled(self.config.stalled_seconds):
                    log.warning("job %s[%s] stopped with its worker; queued again (attempt %s next)",
                                job["task_name"], job["id"], job["attempts"] + 1)
            except Exception:
                log.exception("looking for stalled jobs failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.config.heartbeat_seconds)


def _procrastinate_app(database_url: str, config: RunnerConfig) -> procrastinate.App:
    conninfo = database_url.replace("postgresql+asyncpg://", "postgresql://")
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(
        conninfo=conninfo, min_size=1, max_size=config.concurrency + 2))
    for kind in kinds().values():
        retry = procrastinate.RetryStrategy(max_attempts=kind.max_attempts - 1, exponential_wait=kind.retry_base) \
            if kind.max_attempts > 1 else None
        app.task(name=kind.name, pass_context=True, retry=retry, queue=kind.name)(_task_of(kind))
    for name, (cron, work) in periodic().items():
        app.periodic(cron=cron, periodic_id=name)(app.task(name=f"periodic.{name}", queue=queries.PERIODIC_QUEUE)(
            _periodic_task_of(work)))
    return app


def _task_of(kind: JobKind[Any]) -> Any:
    async def run(context: procrastinate.JobContext, tenant_id: str, payload: dict[str, Any]) -> None:
        job, attempt = context.job, context.job.attempts + 1
        try:
            await run_job(kind.name, {"tenant_id": tenant_id, "payload": payload}, attempt)
        except Exception:
            retried = kind.may_retry(attempt)
            log.log(logging.WARNING if retried else logging.ERROR, "job %s[%s] failed on attempt %d%s", kind.name,
                    job.id, attempt, ", retrying" if retried else " for good", exc_info=True)
            raise

    return run


class WithoutJobArguments(logging.Filter):
    """procrastinate's records about a job carry its arguments, which name the people a job acts for: Meridian logs
    each outcome itself, by kind, id and attempt."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not hasattr(record, "job")


def quiet_procrastinate_logs() -> None:
    """Its warnings and errors only, and none about a job (a logger's filter sees only its own records, so each
    logger that writes about jobs gets one: the worker module's and the worker's own)."""
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    for name in ("procrastinate.worker", f"procrastinate.worker.{WORKER_NAME}"):
        worker_log = logging.getLogger(name)
        if not any(isinstance(f, WithoutJobArguments) for f in worker_log.filters):
            worker_log.addFilter(WithoutJobArguments())


def _periodic_task_of(work: Any) -> Any:
    async def run(timestamp: int) -> None:
        await work()

    return run
