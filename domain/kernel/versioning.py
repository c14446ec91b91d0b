"""Optimistic concurrency shared by every updatable resource: a row's ``version`` is its ETag."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from domain.kernel.db import UnitOfWork
from domain.kernel.errors import NotFound, StaleVersion
from domain.kernel.time import utc_now


async def update_versioned(
    uow: UnitOfWork, table: type[Table], row_id: UUID, expected_version: int, values: dict[str, Any], resource: str
) -> None:
    """Apply ``values`` only if nobody changed the row since ``expected_version`` was read."""
    # The tenants table is scoped by its own id; every other table by its tenant_id column.
    owner_column = getattr(table, "tenant_id", None) or table.id  # type: ignore[attr-defined]
    tenant = owner_column == uow.tenant_id
    changed = await (
        table.update({**values, "version": expected_version + 1, "updated_at": utc_now()})
        .where(tenant & (table.id == row_id) & (table.version == expected_version))  # type: ignore[attr-defined]
        .returning(table.id)  # type: ignore[attr-defined]
    )
    if changed:
        return
    exists = await table.exists().where(tenant & (table.id == row_id))  # type: ignore[attr-defined]
    raise StaleVersion(resource=resource) if exists else NotFound(resource=resource)


def changed_fields(patch: msgspec.Struct) -> dict[str, object]:
    """The fields a PATCH body names: an omitted field is left as it is."""
    return {name: value for name, value in msgspec.structs.asdict(patch).items() if value is not None}
