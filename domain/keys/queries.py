from __future__ import annotations

from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.keys.tables import TenantKey


async def insert_wrapped_key(uow: UnitOfWork, wrapped_key: str) -> None:
    await TenantKey.insert(TenantKey(id=new_id(), tenant_id=uow.tenant_id, created_at=utc_now(),
                                     wrapped_key=wrapped_key))


async def wrapped_key(uow: UnitOfWork) -> str | None:
    row = await TenantKey.select(TenantKey.wrapped_key).where(TenantKey.tenant_id == uow.tenant_id).first()
    return row["wrapped_key"] if row else None
