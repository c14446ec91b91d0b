from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec

from domain.audit.chain import Link
from domain.audit.tables import AuditEntry
from domain.kernel.db import UnitOfWork, current_database, fetch, insert

_LINK_COLUMNS = (
    AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash, AuditEntry.occurred_at, AuditEntry.actor,
    AuditEntry.action, AuditEntry.entity_type, AuditEntry.entity_id, AuditEntry.before, AuditEntry.after,
    AuditEntry.request_id,
)


class ChainHead(msgspec.Struct, frozen=True):
    seq: int
    hash: str


class StoredEntry(msgspec.Struct, frozen=True):
    """An entry as stored: its link keeps ``before``/``after`` as the canonical text its hash covers."""

    id: UUID
    hash: str
    link: Link


async def lock_chain_head(uow: UnitOfWork) -> ChainHead | None:
    """The tenant's last entry, with the chain locked until this transaction ends.

    On SQLite the write lock already serialises writers; on PostgreSQL an advisory lock keyed by
    the tenant makes concurrent appends queue instead of racing for the same seq.
    """
    if not current_database().is_sqlite:
        # A statement of its own: the head must be read in a snapshot taken after the lock is granted, so that it
        # sees the entry of the writer the lock waited for.
        await fetch(uow, "SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", f"audit:{uow.tenant_id}")
    rows = await fetch(uow, _CHAIN_HEAD, uow.tenant_id)
    return ChainHead(seq=rows[0][0], hash=rows[0][1]) if rows else None


_CHAIN_HEAD = 'SELECT "seq", "hash" FROM "audit_entries" WHERE "tenant_id" = {} ORDER BY "seq" DESC LIMIT 1'


async def append(uow: UnitOfWork, entry_id: UUID, link: Link, digest: str) -> None:
    await insert(uow, "audit_entries", {
        "id": entry_id, "tenant_id": uow.tenant_id, "seq": link.seq, "prev_hash": link.prev_hash, "hash": digest,
        "occurred_at": link.occurred_at, "actor": link.actor, "action": link.action,
        "entity_type": link.entity_type, "entity_id": link.entity_id, "before": link.before, "after": link.after,
        "request_id": link.request_id})


_ENTRY_COLUMNS = ("id", "tenant_id", "seq", "prev_hash", "hash", "occurred_at", "actor", "action", "entity_type",
                  "entity_id", "before", "after", "request_id")


async def append_all(uow: UnitOfWork, links: list[tuple[UUID, Link, str]]) -> None:
    """Many entries (id, link, digest) in one statement."""
    rows = [(entry_id, uow.tenant_id, link.seq, link.prev_hash, digest, link.occurred_at, link.actor, link.action,
             link.entity_type, link.entity_id, link.before, link.after, link.request_id)
            for entry_id, link, digest in links]
    await current_database().bulk_insert("audit_entries", _ENTRY_COLUMNS, rows)


async def entries_page(
    uow: UnitOfWork, *, after_seq: int, limit: int, entity_type: str | None = None, entity_id: str | None = None
) -> list[StoredEntry]:
    query = AuditEntry.select(AuditEntry.id, *_LINK_COLUMNS).where(
        (AuditEntry.tenant_id == uow.tenant_id) & (AuditEntry.seq > after_seq)
    )
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return [_stored(uow, row) for row in await query.order_by(AuditEntry.seq).limit(limit)]


def _stored(uow: UnitOfWork, row: dict[str, Any]) -> StoredEntry:
    link = Link(tenant_id=uow.tenant_id, seq=row["seq"], prev_hash=row["prev_hash"], occurred_at=row["occurred_at"],
                actor=row["actor"], action=row["action"], entity_type=row["entity_type"],
                entity_id=row["entity_id"], before=row["before"], after=row["after"], request_id=row["request_id"])
    return StoredEntry(id=row["id"], hash=row["hash"], link=link)


async def chain_in_order(uow: UnitOfWork, batch: int = 1000) -> AsyncIterator[StoredEntry]:
    after = 0
    while True:
        rows = await entries_page(uow, after_seq=after, limit=batch)
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].link.seq
