from __future__ import annotations

import json

import msgspec

from domain.idempotency.tables import IdempotencyRecord
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now


class StoredResponse(msgspec.Struct, frozen=True):
    status: int
    body: str
    headers: dict[str, str]


class Claim(msgspec.Struct, frozen=True):
    """A claimed key; its response is None until the request that claimed it has finished."""

    request_hash: str
    response: StoredResponse | None


async def find(uow: UnitOfWork, principal: str, key: str) -> Claim | None:
    row = await IdempotencyRecord.select(
        IdempotencyRecord.request_hash, IdempotencyRecord.status_code, IdempotencyRecord.response_body,
        IdempotencyRecord.response_headers,
    ).where(
        (IdempotencyRecord.tenant_id == uow.tenant_id)
        & (IdempotencyRecord.principal == principal)
        & (IdempotencyRecord.key == key)
    ).first()
    if row is None:
        return None
    response = None if row["status_code"] is None else StoredResponse(
        status=row["status_code"], body=row["response_body"], headers=json.loads(row["response_headers"]))
    return Claim(request_hash=row["request_hash"], response=response)


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
