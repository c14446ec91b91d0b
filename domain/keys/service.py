"""Each tenant's data key: created with the tenant, unwrapped on first use, kept in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.kernel.crypto import MasterKey, TenantCipher
from domain.kernel.db import UnitOfWork
from domain.keys import queries

if TYPE_CHECKING:
    from domain.keys.reseal import ResealReport

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
    await queries.insert_wrapped_key(uow, _master_key().new_wrapped_data_key(uow.tenant_id))


async def cipher_for(uow: UnitOfWork) -> TenantCipher:
    """The tenant's cipher; its data key is created on first need (tenants from before keys existed)."""
    tenant_id = uow.tenant_id
    cached = _ciphers.get(tenant_id)
    if cached is not None:
        return cached
    wrapped = await queries.wrapped_key(uow)
    if wrapped is None:
        wrapped = _master_key().new_wrapped_data_key(tenant_id)
        await queries.insert_wrapped_key(uow, wrapped)
    cipher = TenantCipher(tenant_id, _master_key().unwrap(wrapped, tenant_id))
    _ciphers[tenant_id] = cipher
    return cipher


# Per-person keys (erasure by crypto-shredding), published through this front door; importing them also registers
# the audit chain's personal sealer.
from domain.keys.person import (  # noqa: E402
    PersonErased,
    PersonRef,
    all_person_ciphers,
    ciphers_by_key_id,
    destroy_person_key,
    keyring_for,
    living_person_ciphers,
    masked_generation,
    person_cipher,
    person_ciphers,
    recall_masked,
    remember_masked,
    remembers_masked,
)


async def reseal_tenant(tenant_id: UUID) -> ResealReport:
    """Move the tenant's personal data sealed under its tenant key to each person's own key (``domain.keys.reseal``)."""
    from domain.keys import reseal

    return await reseal.reseal_tenant(tenant_id)


__all__ = [
    "PersonErased",
    "PersonRef",
    "all_person_ciphers",
    "cipher_for",
    "ciphers_by_key_id",
    "configure",
    "create_data_key",
    "destroy_person_key",
    "keyring_for",
    "living_person_ciphers",
    "masked_generation",
    "person_cipher",
    "person_ciphers",
    "recall_masked",
    "remember_masked",
    "remembers_masked",
    "reseal_tenant",
]
