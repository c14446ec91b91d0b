"""A kind of background job: its name, the typed payload it carries and the handler that does the work.

A job carries its tenant beside the payload; the handler opens its own unit of work for that tenant, so the work
runs under the same row-level security as a request. Payloads hold ids and small values, never personal data: the
queue's rows are the platform's, readable by every worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

Payload = TypeVar("Payload", bound=msgspec.Struct)


class JobRun(msgspec.Struct, frozen=True):
    """What a handler is told about the run it is doing: whose work, and which attempt (1 the first time; a
    retry after a failure or a stopped worker counts up)."""

    tenant_id: UUID
    attempt: int


class Envelope(msgspec.Struct, frozen=True):
    """A job's arguments as the queue stores them."""

    tenant_id: UUID
    payload: dict[str, Any]


@dataclass(frozen=True)
class JobKind(Generic[Payload]):
    """A registered kind of job. ``max_attempts`` counts the first run; each retry waits ``retry_base`` to the power
    of the attempts so far, in seconds (2, 4, 8, … by default)."""

    name: str
    payload: type[Payload]
    handler: Callable[[JobRun, Payload], Awaitable[None]]
    max_attempts: int = 5
    retry_base: int = 2

    def retry_in_seconds(self, attempts_so_far: int) -> int:
        return int(self.retry_base ** attempts_so_far)

    def may_retry(self, attempts_so_far: int) -> bool:
        return attempts_so_far < self.max_attempts


@dataclass(frozen=True)
class RunnerConfig:
    """How a process runs jobs: how many at once, and after how long without a worker's heartbeat its running
    jobs are taken to have stopped with it (PostgreSQL; SQLite's one process resumes them at start)."""

    concurrency: int = 4
    stalled_seconds: float = 30.0

    @property
    def heartbeat_seconds(self) -> float:
        return max(self.stalled_seconds / 3, 0.5)
