from __future__ import annotations

from typing import Any

from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now


async def find(uow: UnitOfWork, principal: str, key: str) -> dict[str, Any] | None:
    return await IdempotencyRecord.select().where(
        (IdempotencyRecord.tenant_id == uow.tenant_id)
        & (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
    ).first()


async def claim(uow: UnitOfWork, principal: str, key: str, request_hash: str) -> None:
    await IdempotencyRecord.insert(IdempotencyRecord(
        id=new_id(), tenant_id=uow.tenant_id, principal=principal, key=key, request_hash=request_hash,
        created_at=utc_now(),
    ))


async def store_response(uow: UnitOfWork, principal: str, key: str, status: int, body: str, headers: str) -> None:
    await IdempotencyRecord.update({
        IdempotencyRecord.status_code: status,
        IdempotencyRecord.response_body: body,
        IdempotencyRecord.response_headers: headers,
    }).where(
        (IdempotencyRecord.tenant_id == uow.tenant_id)
        & (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
    )


async def release(uow: UnitOfWork, principal: str, key: str) -> None:
    await IdempotencyRecord.delete().where(
        (IdempotencyRecord.tenant_id == uow.tenant_id)
        & (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
        & IdempotencyRecord.status_code.is_null()
    )
