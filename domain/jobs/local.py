"""SQLite's runner: on-prem Meridian is one process, and this runs its jobs in it.

Jobs wait in ``meridian_jobs``. The runner claims the next due one in a write transaction of its own (SQLite has one
writer, so a claim is never shared), runs up to ``concurrency`` at once, records each outcome, and retries a failed
job after its kind's backoff. At start, whatever the previous process left running is put back in line first: it
stopped with that process.

It stops between jobs, never by cancellation: a task cancelled inside a transaction leaves, on SQLite, the
connection's thread running, and the process cannot exit. Stopping lets running jobs finish; the server stops the
payroll workers first, so a long calculation ends early and is retried at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from domain.jobs import queries
from domain.jobs.model import RunnerConfig
from domain.jobs.service import kinds, purge_finished, run_job

log = logging.getLogger("meridian.jobs")
POLL_SECONDS = 1.0


class LocalRunner:
    def __init__(self, config: RunnerConfig, listening: set[asyncio.Event]) -> None:
        self.config = config
        self._listening = listening
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._slots = asyncio.Semaphore(config.concurrency)
        self._running: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    @classmethod
    async def started(cls, config: RunnerConfig, listening: set[asyncio.Event]) -> LocalRunner:
        runner = cls(config, listening)
        await purge_finished()  # one process, often restarted: its start is its housekeeping time
        resumed = await queries.requeue_interrupted()
        if resumed:
            log.info("resuming %d job(s) the previous process left running", resumed)
        listening.add(runner._wake)
        runner._loop = asyncio.create_task(runner._claim_until_stopped(), name="meridian jobs")
        return runner

    async def stop(self) -> None:
        self._listening.discard(self._wake)
        self._stopping.set()
        self._wake.set()
        if self._loop is not None:
            await self._loop
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _claim_until_stopped(self) -> None:
        woken = True  # at start, whatever is due
        while not self._stopping.is_set():
            free = await self._free_slots()
            try:
                claimed = [] if self._stopping.is_set() else await queries.claim_next(
                    list(kinds()), free, look_first=not woken)
            except Exception:
                log.exception("claiming jobs failed; trying again shortly")
                claimed = []
            for _ in range(free - len(claimed)):
                self._slots.release()
            for job in claimed:
                task = asyncio.create_task(self._run(job), name=f"job {job.kind}[{job.id}]")
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            woken = bool(claimed)  # a full claim may have left more due: claim again at once
            if not claimed and not self._stopping.is_set():
                woken = await self._idle()

    async def _free_slots(self) -> int:
        """Waits for one free slot, then takes every other one free now: one claim fills them all."""
        await self._slots.acquire()
        taken = 1
        while not self._slots.locked():
            await self._slots.acquire()
            taken += 1
        return taken

    async def _idle(self) -> bool:
        """Until an enqueue or a finished job wakes the runner (True), or the next poll (False)."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
        return self._wake.is_set()

    async def _run(self, job: queries.LocalJob) -> None:
        try:
            await run_job(job.kind, job.args, job.attempts)
        except Exception as exc:
            kind = kinds().get(job.kind)
            reason = f"{type(exc).__name__}: {exc}"[:200]
            if kind is not None and kind.may_retry(job.attempts):
                log.warning("job %s[%d] failed (attempt %d), retrying", job.kind, job.id, job.attempts,
                            exc_info=True)
                await queries.retry_later(job.id, kind.retry_in_seconds(job.attempts), reason)
            else:
                log.exception("job %s[%d] failed for good after %d attempt(s)", job.kind, job.id, job.attempts)
                await queries.finished(job.id, "failed", reason)
        else:
            await queries.finished(job.id, "succeeded")
        finally:
            self._slots.release()
            self._wake.set()
