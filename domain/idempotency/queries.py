from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import msgspec

from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now


class StoredResponse(msgspec.Struct, frozen=True):
    """A finished answer; its body is the sealed token, opened only by the service."""

    status: int
    sealed_body: str
    headers: dict[str, str]


class Claim(msgspec.Struct, frozen=True):
    """A claimed key; its response is None until the request that claimed it has finished."""

    id: UUID
    request_hash: str
    created_at: datetime
    response: StoredResponse | None
    #: When the request's use case committed a change, though its answer may never have been stored.
    changed_at: datetime | None = None


def _this_key(uow: UnitOfWork, principal: str, key: str) -> object:
    return (
        (IdempotencyRecord.tenant_id == uow.tenant_id)
        & (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
    )


async def find(uow: UnitOfWork, principal: str, key: str) -> Claim | None:
    row = await IdempotencyRecord.select(
        IdempotencyRecord.id, IdempotencyRecord.request_hash, IdempotencyRecord.status_code,
        IdempotencyRecord.response_body, IdempotencyRecord.response_headers, IdempotencyRecord.created_at,
        IdempotencyRecord.changed_at,
    ).where(_this_key(uow, principal, key)).first()
    if row is None:
        return None
    response = None if row["status_code"] is None else StoredResponse(
        status=row["status_code"], sealed_body=row["response_body"] or "",
        headers=json.loads(row["response_headers"]))
    return Claim(id=UUID(str(row["id"])), request_hash=row["request_hash"], created_at=row["created_at"],
                 response=response, changed_at=row["changed_at"])


async def claim(uow: UnitOfWork, principal: str, key: str, request_hash: str) -> None:
    await IdempotencyRecord.insert(IdempotencyRecord(
        id=new_id(), tenant_id=uow.tenant_id, principal=principal, key=key, request_hash=request_hash,
        created_at=utc_now(),
    ))


async def store_response(uow: UnitOfWork, principal: str, key: str, status: int, sealed_body: str,
                         headers: str) -> None:
    await IdempotencyRecord.update({
        IdempotencyRecord.status_code: status,
        IdempotencyRecord.response_body: sealed_body,
        IdempotencyRecord.response_headers: headers,
    }).where(_this_key(uow, principal, key))


async def take_over(uow: UnitOfWork, principal: str, key: str, claimed_at: datetime) -> bool:
    """Claim an abandoned key afresh; False when another retry took it over first (the claim time is compared and
    set in one statement, so two retries never both run)."""
    taken = await IdempotencyRecord.update({IdempotencyRecord.created_at: utc_now()}).where(
        _this_key(uow, principal, key) & (IdempotencyRecord.created_at == claimed_at)
        & IdempotencyRecord.status_code.is_null()  # type: ignore[operator]
        & IdempotencyRecord.changed_at.is_null()  # type: ignore[operator]
    ).returning(IdempotencyRecord.id)
    return bool(taken)


async def mark_changed(uow: UnitOfWork, principal: str, key: str) -> None:
    """In the use case's own transaction: this key's request changed something, whether or not it answers."""
    await IdempotencyRecord.update({IdempotencyRecord.changed_at: utc_now()}).where(
        _this_key(uow, principal, key) & IdempotencyRecord.changed_at.is_null()  # type: ignore[operator]
    )


async def release(uow: UnitOfWork, principal: str, key: str) -> None:
    """Free an unanswered claim for a retry, unless its request already changed something (a retry must not)."""
    await IdempotencyRecord.delete().where(
        _this_key(uow, principal, key) & IdempotencyRecord.status_code.is_null()  # type: ignore[operator]
        & IdempotencyRecord.changed_at.is_null()  # type: ignore[operator]
    )


async def forget_some_claimed_before(uow: UnitOfWork, cutoff: datetime, limit: int) -> int:
    """Up to ``limit`` of the tenant's rows past the replay window; how many were deleted."""
    rows = await IdempotencyRecord.select(IdempotencyRecord.id).where(
        (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.created_at < cutoff)
    ).limit(limit)
    ids = [row["id"] for row in rows]
    if ids:
        await IdempotencyRecord.delete().where(
            (IdempotencyRecord.tenant_id == uow.tenant_id) & IdempotencyRecord.id.is_in(ids)
        )
    return len(ids)


async def forget_claimed_before(uow: UnitOfWork, cutoff: datetime) -> None:
    """Rows past the replay window, answered or abandoned: the tenant's index on the key keeps this cheap."""
    await IdempotencyRecord.delete().where(
        (IdempotencyRecord.tenant_id == uow.tenant_id) & (IdempotencyRecord.created_at < cutoff)
    )
