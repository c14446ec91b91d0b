"""Idempotency keys: a POST retried with the same key replays the first answer.

The key is claimed before the use case runs, so two concurrent retries cannot both execute;
the response is stored once the use case has committed. A server error releases the claim so
the client may retry.

A stored answer can carry the personal data of the record it created, so it is sealed under the
tenant's data key like the columns it came from, and kept only for the replay window: after it a
retry is a new request. Older rows are deleted whenever the tenant claims a key, and by
:func:`purge_expired`, which the server runs for every tenant every few minutes, so a tenant that
stops sending keys does not keep its last day's answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from domain.idempotency import queries
from domain.kernel.crypto import SealedValueUnreadable, TenantCipher
from domain.kernel.db import UnitOfWork, before_commits, unit_of_work
from domain.kernel.errors import DomainError, ErrorKind
from domain.kernel.time import utc_now

REPLAY_WINDOW = timedelta(hours=24)
#: A claim still unanswered this long after it was made belongs to a request whose process died (a killed worker):
#: a retry takes it over and runs. Longer than any buffered JSON request takes (streamed uploads claim nothing).
#: If the process died after its use case committed but before the answer was stored, the claim says so (its
#: ``changed_at``, written in the use case's transaction) and the retry is told, never run again.
ABANDONED_AFTER = timedelta(seconds=30)
#: Rows deleted per transaction by the purge: short transactions, so requests never wait long behind it.
PURGE_BATCH = 500
_TABLE, _COLUMN = "idempotency_keys", "response_body"

#: The tenant cipher's source, passed in by the edge: the keys context is a sibling, not a dependency.
CipherSource = Callable[[UnitOfWork], Awaitable[TenantCipher]]


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    kind = ErrorKind.UNPROCESSABLE
    title = "Idempotency key reused"
    template = "This Idempotency-Key was already used for a different request: another body or query string."


class IdempotentRequestInProgress(DomainError):
    code = "idempotent_request_in_progress"
    kind = ErrorKind.CONFLICT
    title = "Request in progress"
    template = "A request with this Idempotency-Key is still being processed; retry shortly."


class IdempotentRequestAnswerLost(DomainError):
    code = "idempotent_request_answer_lost"
    kind = ErrorKind.CONFLICT
    title = "Request done, answer lost"
    template = ("The request with this Idempotency-Key was carried out, but the server stopped before its answer "
                "was kept; it is not run again. Read the resource to see the result.")


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


async def claim_or_replay(tenant_id: UUID, principal: str, key: str, request_hash: str,
                          cipher_for: CipherSource) -> StoredResponse | None:
    """None when this request may run now; the stored response when it already ran inside the window."""
    async with unit_of_work(tenant_id) as uow:
        await queries.forget_claimed_before(uow, utc_now() - REPLAY_WINDOW)
        existing = await queries.find(uow, principal, key)
        if existing is None:
            await queries.claim(uow, principal, key, request_hash)
            return None
        if existing.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if existing.response is None:
            if existing.changed_at is not None and existing.created_at <= utc_now() - ABANDONED_AFTER:
                raise IdempotentRequestAnswerLost()
            if existing.created_at > utc_now() - ABANDONED_AFTER or not await queries.take_over(
                    uow, principal, key, existing.created_at):
                raise IdempotentRequestInProgress()
            return None  # its process died with it (a killed worker): this retry runs it
        body = _open(await cipher_for(uow), existing.response.sealed_body, existing.id)
    return StoredResponse(status=existing.response.status, body=body, headers=existing.response.headers)


async def remember(tenant_id: UUID, principal: str, key: str, response: StoredResponse,
                   cipher_for: CipherSource) -> None:
    async with unit_of_work(tenant_id) as uow:
        claimed = await queries.find(uow, principal, key)
        if claimed is None:
            return  # the claim outlived the window and was purged: nothing to replay
        sealed = (await cipher_for(uow)).seal(response.body.decode(), _TABLE, _COLUMN, claimed.id)
        await queries.store_response(uow, principal, key, response.status, sealed, json.dumps(response.headers))


def changes_marked(tenant_id: UUID, principal: str, key: str) -> AbstractContextManager[None]:
    """While the claimed request runs: each of its writing units of work marks the claim as it commits, so a retry
    that finds the claim unanswered knows whether the request already changed something."""

    async def mark(uow: UnitOfWork) -> None:
        if uow._tenant_id == tenant_id:
            await queries.mark_changed(uow, principal, key)

    return before_commits(mark)


async def purge_expired(tenant_id: UUID, batch: int = PURGE_BATCH) -> int:
    """Delete the tenant's rows past the replay window, ``batch`` rows per transaction; how many were deleted.
    Each transaction is the tenant's own, so on PostgreSQL row-level security scopes it like any request."""
    cutoff, purged = utc_now() - REPLAY_WINDOW, 0
    while True:
        async with unit_of_work(tenant_id) as uow:
            deleted = await queries.forget_some_claimed_before(uow, cutoff, batch)
        purged += deleted
        if deleted < batch:
            return purged


async def release(tenant_id: UUID, principal: str, key: str) -> None:
    async with unit_of_work(tenant_id) as uow:
        await queries.release(uow, principal, key)


def _open(cipher: TenantCipher, sealed_body: str, row_id: UUID) -> bytes:
    if not sealed_body:
        return b""
    try:
        return cipher.open(sealed_body, _TABLE, _COLUMN, row_id).encode()
    except (SealedValueUnreadable, ValueError):
        if sealed_body[0] in "{[":
            return sealed_body.encode()  # stored in clear before answers were sealed; purged with its window
        raise
