"""The job queue's worker in this process: started with the server (``meridian serve``), or alone
(``meridian worker``), beside any number of others on PostgreSQL.

The job kinds a worker runs are those registered by the modules it imports: the pay-run calculation (payroll's
service), and on PostgreSQL the purge of expired rows as a periodic job, which procrastinate queues once for all
workers and replicas every five minutes. On SQLite, one process, the server keeps purging in its own loop
(:mod:`api.maintenance`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Iterable

import anyio.to_thread

from api.maintenance import purge_expired
from api.runtime import Runtime, check_app_role
from domain.bulk import service as bulk  # registers the import job
from domain.jobs import service as jobs
from domain.jobs.model import RunnerConfig
from domain.kernel.settings import Settings
from domain.payroll import service as payroll  # registers the pay-run calculation job
from domain.payroll.pipeline import start_workers, stop_workers
from domain.privacy import purge as privacy_purge  # registers the daily retention purge and its job

log = logging.getLogger("meridian.jobs")
PURGE_CRON = "*/5 * * * *"



async def purge_everything_expired() -> None:
    """Expired idempotency answers of every tenant, and the queue's own finished jobs past their keeping."""
    await purge_expired()
    await jobs.purge_finished()


jobs.every("purge_expired", PURGE_CRON, purge_everything_expired)
__all__ = ["bulk", "payroll", "privacy_purge", "run_worker_until_stopped", "start_jobs", "stop_jobs"]


def runner_config(settings: Settings) -> RunnerConfig:
    return RunnerConfig(concurrency=settings.job_concurrency, stalled_seconds=float(settings.job_stalled_seconds))


async def start_jobs(settings: Settings, modules: Iterable[str] = ()) -> jobs.Runner:
    """This process's worker; ``modules`` are imported first so the job kinds they register run here too."""
    for module in modules:
        importlib.import_module(module)
    return await jobs.start_runner(runner_config(settings))


async def stop_jobs(runner: jobs.Runner) -> None:
    """Stop taking jobs, stop the payroll workers (a calculation in progress ends at its next page and is queued to
    run again), and wait for the running jobs to end."""
    await asyncio.gather(runner.stop(), anyio.to_thread.run_sync(stop_workers))


#: What ``meridian worker`` logs once it takes jobs.
WORKER_RUNNING = "worker running jobs until stopped"


async def run_worker_until_stopped(runtime: Runtime, modules: Iterable[str] = ()) -> None:
    """``meridian worker``: run jobs until SIGTERM or SIGINT, then stop as the server does."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # first: a stop asked for while starting is a stop, not a kill
        loop.add_signal_handler(sig, stopping.set)
    await check_app_role(runtime.database)
    if stopping.is_set():
        return
    start_workers()
    runner = await start_jobs(runtime.settings, modules)
    log.info(WORKER_RUNNING)
    await stopping.wait()
    await stop_jobs(runner)
