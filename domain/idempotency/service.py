"""Idempotency keys: a POST retried with the same key replays the first answer.

The key is claimed before the use case runs, so two concurrent retries cannot both execute;
the response is stored once the use case has committed. A server error releases the claim so
the client may retry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from domain.idempotency import queries
from domain.kernel.db import unit_of_work
from domain.kernel.errors import DomainError, ErrorKind


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    kind = ErrorKind.UNPROCESSABLE
    title = "Idempotency key reused"
    template = "This Idempotency-Key was already used with a different request body."


class IdempotentRequestInProgress(DomainError):
    code = "idempotent_request_in_progress"
    kind = ErrorKind.CONFLICT
    title = "Request in progress"
    template = "A request with this Idempotency-Key is still being processed; retry shortly."


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


async def claim_or_replay(tenant_id: UUID, principal: str, key: str, request_hash: str) -> StoredResponse | None:
    """None when this request may run now; the stored response when it already ran."""
    async with unit_of_work(tenant_id) as uow:
        existing = await queries.find(uow, principal, key)
        if existing is None:
            await queries.claim(uow, principal, key, request_hash)
            return None
    if existing.request_hash != request_hash:
        raise IdempotencyKeyReused()
    if existing.response is None:
        raise IdempotentRequestInProgress()
    stored = existing.response
    return StoredResponse(status=stored.status, body=stored.body.encode(), headers=stored.headers)


async def remember(tenant_id: UUID, principal: str, key: str, response: StoredResponse) -> None:
    async with unit_of_work(tenant_id) as uow:
        await queries.store_response(
            uow, principal, key, response.status, response.body.decode(), json.dumps(response.headers)
        )


async def release(tenant_id: UUID, principal: str, key: str) -> None:
    async with unit_of_work(tenant_id) as uow:
        await queries.release(uow, principal, key)
