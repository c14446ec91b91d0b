"""On PostgreSQL a reading unit of work opens its transaction at its first statement, and a page read first scopes
its own statement (``meridian_scoped_page``, one round trip): row-level security still sees exactly the unit of
work's tenant, for that statement's transaction only, and what the unit of work reads next is scoped too."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.kernel.db import current_database, fetch_views, unit_of_work
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.tenancy import service as tenancy
from domain.tenancy.model import LegalEntityView, NewLegalEntity
from domain.tenancy.tables import LegalEntity

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

FIELDS = ", ".join(f'"{name}"' for name in LegalEntityView.__struct_fields__)
#: No tenant filter on purpose: only row-level security can keep the other tenant's entities out.
EVERY_ENTITY = f'SELECT {FIELDS} FROM "legal_entities" WHERE "created_at" > {{}} ORDER BY "id" LIMIT {{}}'
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def entity_of(tenant_id: uuid.UUID) -> uuid.UUID:
    owner = Principal(tenant_id=tenant_id, subject="scoped-reads", roles=frozenset({Role.TENANT_ADMIN}))
    return (await tenancy.create_legal_entity(owner, NewLegalEntity(
        name=f"Scoped {uuid.uuid4().hex[:8]}", country="DE", currency="EUR", timezone="Europe/Berlin"))).id


def transaction() -> Any:
    return current_database().engine.current_transaction.get()


async def test_a_first_page_read_scopes_its_own_statement_to_the_tenant(
    runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    own, foreign = await entity_of(tenant_a), await entity_of(tenant_b)
    async with unit_of_work(tenant_a, write=False) as uow:
        page = await fetch_views(uow, LegalEntityView, EVERY_ENTITY, EPOCH, 10_000)
        assert not transaction().opened, "the page was read through BEGIN, not by the scoped statement"
        left_behind = await transaction().raw.fetchval("SELECT current_setting('app.tenant_id', true)")
    ids = {view.id for view in page}
    assert own in ids
    assert foreign not in ids
    assert left_behind == "", "the tenant outlived the page's own transaction"


async def test_what_a_unit_of_work_reads_after_a_scoped_page_is_scoped_too(
    runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    own, foreign = await entity_of(tenant_a), await entity_of(tenant_b)
    async with unit_of_work(tenant_a, write=False) as uow:
        await fetch_views(uow, LegalEntityView, EVERY_ENTITY, EPOCH, 1)
        rows = await LegalEntity.select(LegalEntity.id)  # no filter either
        assert transaction().opened
    ids = {row["id"] for row in rows}
    assert own in ids
    assert foreign not in ids


async def test_reading_units_of_work_that_fail_before_any_statement_give_their_connections_back(
    runtime: Any, tenant_a: uuid.UUID
) -> None:
    await entity_of(tenant_a)
    database = current_database()
    for _ in range(database.pool_size + 5):  # a connection kept by each would leave the pool empty
        with pytest.raises(LookupError):
            async with unit_of_work(tenant_a, write=False):
                raise LookupError("nothing read")

    async def read() -> list[LegalEntityView]:
        async with unit_of_work(tenant_a, write=False) as uow:
            return await fetch_views(uow, LegalEntityView, EVERY_ENTITY, EPOCH, 1)

    assert len(await asyncio.wait_for(read(), timeout=30)) == 1  # waits forever on an exhausted pool
