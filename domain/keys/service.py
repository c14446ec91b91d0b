"""Each tenant's data key: created with the tenant, unwrapped on first use, kept in memory."""

from __future__ import annotations

from uuid import UUID

from domain.kernel.crypto import MasterKey, TenantCipher
from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.keys.tables import TenantKey

_master: MasterKey | None = None
_ciphers: dict[UUID, TenantCipher] = {}


def configure(master: MasterKey) -> None:
    global _master
    _master = master
    _ciphers.clear()


def _master_key() -> MasterKey:
    if _master is None:
        raise RuntimeError("the master key is not configured; call domain.keys.service.configure() at startup")
    return _master


async def create_data_key(uow: UnitOfWork) -> None:
    await TenantKey.insert(TenantKey(id=new_id(), tenant_id=uow.tenant_id, created_at=utc_now(),
                                     wrapped_key=_master_key().new_wrapped_data_key(uow.tenant_id)))


async def cipher_for(uow: UnitOfWork) -> TenantCipher:
    """The tenant's cipher; its data key is created on first need (tenants from before keys existed)."""
    tenant_id = uow.tenant_id
    cached = _ciphers.get(tenant_id)
    if cached is not None:
        return cached
    row = await TenantKey.select(TenantKey.wrapped_key).where(TenantKey.tenant_id == tenant_id).first()
    if row is None:
        await create_data_key(uow)
        row = await TenantKey.select(TenantKey.wrapped_key).where(TenantKey.tenant_id == tenant_id).first()
    cipher = TenantCipher(tenant_id, _master_key().unwrap(row["wrapped_key"], tenant_id))
    _ciphers[tenant_id] = cipher
    return cipher
