from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from domain.bulk.model import ImportView, StoredRow
from domain.bulk.tables import Import, ImportExternalId, ImportRow
from domain.kernel.db import UnitOfWork, current_database, fetch
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now

_VIEW_COLUMNS = (Import.id, Import.kind, Import.format, Import.mode, Import.dry_run, Import.state, Import.rows_total,
                 Import.rows_done, Import.rows_created, Import.rows_unchanged, Import.rows_failed, Import.requested_by,
                 Import.created_at, Import.finished_at)


async def insert_import(uow: UnitOfWork, view: ImportView, sealed_source: str) -> None:
    await Import.insert(Import(tenant_id=uow.tenant_id, source_ciphertext=sealed_source,
                               **msgspec.structs.asdict(view)))


async def import_view(uow: UnitOfWork, import_id: UUID) -> ImportView | None:
    row = await Import.select(*_VIEW_COLUMNS).where(
        (Import.tenant_id == uow.tenant_id) & (Import.id == import_id)).first()
    return msgspec.convert(row, ImportView) if row else None


async def locked_import_view(uow: UnitOfWork, import_id: UUID) -> ImportView | None:
    """The import, its row locked until ``uow`` ends (PostgreSQL; SQLite's writing transactions run one at a time):
    two attempts of one import's job take turns at each step instead of writing side by side."""
    query = Import.select(*_VIEW_COLUMNS).where((Import.tenant_id == uow.tenant_id) & (Import.id == import_id))
    if not current_database().is_sqlite:
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return msgspec.convert(row, ImportView) if row else None


async def sealed_source(uow: UnitOfWork, import_id: UUID) -> str | None:
    row = await Import.select(Import.source_ciphertext).where(
        (Import.tenant_id == uow.tenant_id) & (Import.id == import_id)).first()
    return row["source_ciphertext"] if row else None


async def set_progress(uow: UnitOfWork, import_id: UUID, *, state: str, done: int, created: int, unchanged: int,
                       failed: int, finished: bool = False) -> None:
    values: dict[Any, Any] = {Import.state: state, Import.rows_done: done, Import.rows_created: created,
                              Import.rows_unchanged: unchanged, Import.rows_failed: failed}
    if finished:
        values[Import.finished_at] = utc_now()
        values[Import.source_ciphertext] = None  # the file's personal data is kept no longer than its import runs
    await Import.update(values).where((Import.tenant_id == uow.tenant_id) & (Import.id == import_id))


async def forget_rows(uow: UnitOfWork, import_id: UUID) -> None:
    """The outcomes of an interrupted attempt, which the next one works out again."""
    await ImportRow.delete().where((ImportRow.tenant_id == uow.tenant_id) & (ImportRow.import_id == import_id))


_ROW_COLUMNS = ("id", "tenant_id", "import_id", "line", "external_id", "outcome", "entity_id", "problems")


async def insert_rows(uow: UnitOfWork, import_id: UUID, rows: list[StoredRow]) -> None:
    if rows:
        tenant = uow.tenant_id
        await current_database().bulk_insert("import_rows", _ROW_COLUMNS, [
            (new_id(), tenant, import_id, row.line, row.external_id, row.outcome.value, row.entity_id,
             json.dumps(msgspec.to_builtins(row.problems), ensure_ascii=False)) for row in rows])


async def rows_page(uow: UnitOfWork, import_id: UUID, *, after: int, limit: int,
                    outcome: str | None) -> list[StoredRow]:
    query = ImportRow.select(ImportRow.line, ImportRow.external_id, ImportRow.outcome, ImportRow.entity_id,
                             ImportRow.problems).where(
        (ImportRow.tenant_id == uow.tenant_id) & (ImportRow.import_id == import_id) & (ImportRow.line > after))
    if outcome:
        query = query.where(ImportRow.outcome == outcome)
    rows = await query.order_by(ImportRow.line).limit(limit)
    return [msgspec.convert({**row, "problems": json.loads(row["problems"])}, StoredRow) for row in rows]


class KnownId(msgspec.Struct, frozen=True):
    entity_id: UUID
    digest: str
    import_id: UUID


_KNOWN_IDS = (
    "SELECT e.external_id, e.entity_id, e.digest, e.import_id FROM unnest({}::text[]) AS wanted(external_id) "
    "JOIN import_external_ids e ON e.tenant_id = {} AND e.kind = {} AND e.external_id = wanted.external_id"
)


async def known_external_ids(uow: UnitOfWork, kind: str, external_ids: list[str]) -> dict[str, KnownId]:
    """The ids of ``external_ids`` imported before. PostgreSQL looks each one up in the (tenant, kind, id) index in
    one statement: as ``IN`` lists of 500, a table never analysed was planned as a scan of every id the tenant had
    imported with each row tested against the list, which a file of 10,000 rows after another paid in seconds."""
    if not current_database().is_sqlite:
        rows = await fetch(uow, _KNOWN_IDS, external_ids, uow.tenant_id, kind)
        return {external_id: KnownId(entity_id=entity_id, digest=digest, import_id=import_id)
                for external_id, entity_id, digest, import_id in rows}
    found: dict[str, KnownId] = {}
    for start in range(0, len(external_ids), 500):
        rows = await ImportExternalId.select(
            ImportExternalId.external_id, ImportExternalId.entity_id, ImportExternalId.digest,
            ImportExternalId.import_id,
        ).where((ImportExternalId.tenant_id == uow.tenant_id) & (ImportExternalId.kind == kind)
                & ImportExternalId.external_id.is_in(external_ids[start:start + 500]))
        found.update({row["external_id"]: KnownId(entity_id=row["entity_id"], digest=row["digest"],
                                                  import_id=row["import_id"]) for row in rows})
    return found


_EXTERNAL_COLUMNS = ("id", "tenant_id", "kind", "external_id", "entity_id", "digest", "import_id", "created_at")


async def insert_external_ids(uow: UnitOfWork, kind: str, import_id: UUID,
                              written: list[tuple[str, UUID, str]]) -> None:
    """(external id, entity id, digest) of each row written."""
    if written:
        tenant, now = uow.tenant_id, utc_now()
        await current_database().bulk_insert("import_external_ids", _EXTERNAL_COLUMNS, [
            (new_id(), tenant, kind, external_id, entity_id, digest, import_id, now)
            for external_id, entity_id, digest in written])
