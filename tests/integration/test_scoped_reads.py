"""On PostgreSQL a reading unit of work opens its transaction at its first statement, and a page read first scopes
its own statement (the session's own function for it, else ``meridian_scoped_page``; one round trip): row-level
security still sees exactly the unit of work's tenant, for that statement's transaction only, and what the unit of
work reads next is scoped too."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
import pytest

from domain.kernel import db
from domain.kernel.db import PageFunction, _as_json, current_database, fetch_views, unit_of_work
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.tenancy import service as tenancy
from domain.tenancy.model import LegalEntityPatch, LegalEntityView, NewLegalEntity
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


async def backend_and_tenant(tenant_id: uuid.UUID) -> tuple[int, str]:
    """Which server process the unit of work's connection talks to, and the tenant it carries before anything."""
    async with unit_of_work(tenant_id, write=False):
        raw = transaction().raw
        found = await raw.fetchrow("SELECT pg_backend_pid() AS pid, current_setting('app.tenant_id', true) AS tenant")
    return found["pid"], found["tenant"]


async def test_the_connection_a_unit_of_work_ended_on_serves_the_next_without_its_tenant(
    runtime: Any, tenant_a: uuid.UUID
) -> None:
    async with unit_of_work(tenant_a) as uow:  # a writing one: BEGIN with the tenant's scope
        await fetch_views(uow, LegalEntityView, EVERY_ENTITY, EPOCH, 1)
        written_on = await transaction().raw.fetchval("SELECT pg_backend_pid()")
    pid, tenant = await backend_and_tenant(tenant_a)
    assert pid == written_on, "the next unit of work did not take the connection just given back"
    assert tenant == "", "a kept connection carried the last unit of work's tenant into the next"


async def test_a_unit_of_work_cancelled_mid_query_leaves_no_connection_busy_for_the_next(
    runtime: Any, tenant_a: uuid.UUID
) -> None:
    async def slow() -> None:
        async with unit_of_work(tenant_a) as uow:
            await fetch_views(uow, LegalEntityView, EVERY_ENTITY, EPOCH, 1)
            await transaction().raw.execute("SELECT pg_sleep(5)")

    for _ in range(3):
        task = asyncio.create_task(slow())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    database = current_database()
    reads = [backend_and_tenant(tenant_a) for _ in range(database.pool_size * 3)]
    found = await asyncio.wait_for(asyncio.gather(*reads), timeout=30)
    assert {tenant or "" for _, tenant in found} == {""}  # None: a fresh connection never had one


async def test_units_of_work_beyond_the_pool_and_direct_pool_users_all_finish(
    runtime: Any, tenant_a: uuid.UUID
) -> None:
    database = current_database()

    async def direct() -> Any:  # outside any unit of work: straight from asyncpg's pool
        return await database.engine.pool.fetchval("SELECT 1")

    work = [backend_and_tenant(tenant_a) for _ in range(database.pool_size * 4)]
    work += [direct() for _ in range(database.pool_size * 2)]
    done = await asyncio.wait_for(asyncio.gather(*work), timeout=60)
    assert done.count(1) == database.pool_size * 2


async def test_kept_connections_go_back_before_the_pool_closes(runtime: Any) -> None:
    import asyncpg

    from domain.kernel.db import KeptConnections

    pool = await asyncpg.create_pool(runtime.settings.effective_migration_url, min_size=1, max_size=4)
    kept = KeptConnections(pool, limit=2)
    taken = [await kept.take() for _ in range(3)]
    for connection in taken:
        await kept.give_back(connection, reusable=True)
    again = await kept.take()
    assert again is taken[1], "the last connection kept (the limit is 2) is the first taken again"
    await kept.give_back(again, reusable=True)
    await kept.give_all_back()
    await asyncio.wait_for(pool.close(), timeout=10)  # waits forever for a connection still kept


async def test_a_page_read_again_unchanged_reuses_its_structs_and_a_changed_row_is_read_afresh(
    runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    entity = await entity_of(tenant_a)
    await entity_of(tenant_b)
    one_entity = f'SELECT {FIELDS} FROM "legal_entities" WHERE "id" = {{}}'

    async def page(tenant_id: uuid.UUID, statement: str, *args: Any) -> list[LegalEntityView]:
        async with unit_of_work(tenant_id, write=False) as uow:
            return await fetch_views(uow, LegalEntityView, statement, *args)

    first, again = await page(tenant_a, one_entity, entity), await page(tenant_a, one_entity, entity)
    assert again == first and again[0] is first[0]
    again.clear()  # each reader gets its own list: what one does to it is not what the next reads
    assert (await page(tenant_a, one_entity, entity)) == first

    owner = Principal(tenant_id=tenant_a, subject="scoped-reads", roles=frozenset({Role.TENANT_ADMIN}))
    await tenancy.update_legal_entity(owner, entity, LegalEntityPatch(name="Renamed GmbH"), first[0].version)
    assert [view.name for view in await page(tenant_a, one_entity, entity)] == ["Renamed GmbH"]
    assert await page(tenant_b, one_entity, entity) == []  # the same read for another tenant: its own rows


class NamesView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    names: list[str]


async def test_a_page_whose_views_hold_lists_is_decoded_for_each_reader(runtime: Any, tenant_a: uuid.UUID) -> None:
    entity = await entity_of(tenant_a)
    statement = 'SELECT "id", ARRAY["name"] AS "names" FROM "legal_entities" WHERE "id" = {}'

    async def page() -> list[NamesView]:
        async with unit_of_work(tenant_a, write=False) as uow:
            return await fetch_views(uow, NamesView, statement, entity)

    first = await page()
    first[0].names.append("changed by one reader")
    assert len((await page())[0].names) == 1


async def page_functions_of(connection: Any) -> int:
    return int(await connection.fetchval(
        "SELECT count(*) FROM pg_proc WHERE pronamespace = pg_my_temp_schema() AND proname LIKE 'meridian_page_%'"))


async def test_a_page_is_read_through_the_sessions_own_function_created_at_its_first_read(
    runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    own, foreign = await entity_of(tenant_a), await entity_of(tenant_b)
    statement = EVERY_ENTITY.replace("ORDER BY", "AND \"id\" IS NOT NULL ORDER BY")  # a statement no test read before
    pages = []
    for _ in range(2):
        async with unit_of_work(tenant_a, write=False) as uow:
            pages.append(await fetch_views(uow, LegalEntityView, statement, EPOCH, 10_000))
            connection = transaction().raw
            created = await page_functions_of(connection)
    assert created >= 1
    for page in pages:
        ids = {view.id for view in page}
        assert own in ids and foreign not in ids


async def test_a_page_function_dropped_from_the_session_is_created_again(
    runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    own, foreign = await entity_of(tenant_a), await entity_of(tenant_b)
    statement = EVERY_ENTITY.replace("ORDER BY", "AND \"version\" > 0 ORDER BY")
    async with unit_of_work(tenant_a, write=False) as uow:
        first = await fetch_views(uow, LegalEntityView, statement, EPOCH, 10_000)
        await transaction().raw.execute("DISCARD TEMP")  # as a pooler's reset or an operator might
        assert await page_functions_of(transaction().raw) == 0
        again = await fetch_views(uow, LegalEntityView, statement, EPOCH, 10_000)
        assert await page_functions_of(transaction().raw) == 1
    assert again == first and own in {view.id for view in again} and foreign not in {view.id for view in again}


async def test_where_temporary_functions_are_denied_pages_are_read_through_the_shared_function(
    settings: Any, runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID
) -> None:
    own, foreign = await entity_of(tenant_a), await entity_of(tenant_b)
    database = urlsplit(settings.effective_database_url).path.lstrip("/")
    owner = await asyncpg.connect(settings.effective_migration_url.replace("postgresql+asyncpg://", "postgresql://"))
    await owner.execute(f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC')
    denied = await asyncpg.connect(settings.effective_database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert not await db._page_functions.ready(denied, PageFunction.of(_as_json(EVERY_ENTITY, "id")))
        assert not db._page_functions.allowed
        async with unit_of_work(tenant_a, write=False) as uow:
            page = await fetch_views(uow, LegalEntityView, EVERY_ENTITY.replace("ORDER BY", "AND TRUE ORDER BY"),
                                     EPOCH, 10_000)
            assert not transaction().opened
        ids = {view.id for view in page}
        assert own in ids and foreign not in ids
    finally:
        db._page_functions.allowed = True
        await denied.close()
        await owner.execute(f'GRANT TEMPORARY ON DATABASE "{database}" TO PUBLIC')
        await owner.close()
