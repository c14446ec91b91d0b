"""Writing to and checking the per-tenant audit chain.

``record`` is called by every use case inside its own unit of work, so the entry commits or
rolls back with the change it describes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.audit import queries
from domain.audit.chain import GENESIS_HASH, BrokenLink, Link, first_broken_link, snapshot
from domain.kernel.canonical import canonical_json
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_cursor, page_of
from domain.kernel.principal import Actor, Principal


async def record(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    before: Any = None,
    after: Any = None,
) -> int:
    head = await queries.lock_chain_head(uow)
    link = Link(
        tenant_id=uow.tenant_id,
        seq=(head.seq + 1) if head else 1,
        prev_hash=head.hash if head else GENESIS_HASH,
        occurred_at=datetime.now(UTC),
        actor=actor.subject,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=None if before is None else canonical_json(snapshot(before)),
        after=None if after is None else canonical_json(snapshot(after)),
        request_id=actor.request_id,
    )
    await queries.append(uow, new_id(), link, link.digest())
    return link.seq


class Entry(msgspec.Struct, frozen=True):
    """One entry of several that a use case records at once (``record_all``)."""

    action: str
    entity_type: str
    entity_id: Any
    before: Any = None
    after: Any = None


async def record_all(uow: UnitOfWork, actor: Actor, entries: list[Entry]) -> None:
    """``record`` for many entries, in order: the chain is locked and read once and the links are written in one
    statement, so a delivery of a hundred results costs three round trips here instead of three hundred."""
    if not entries:
        return
    head = await queries.lock_chain_head(uow)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    links: list[tuple[UUID, Link, str]] = []
    for entry in entries:
        seq += 1
        link = Link(
            tenant_id=uow.tenant_id, seq=seq, prev_hash=prev_hash, occurred_at=datetime.now(UTC), actor=actor.subject,
            action=entry.action, entity_type=entry.entity_type, entity_id=str(entry.entity_id),
            before=None if entry.before is None else canonical_json(snapshot(entry.before)),
            after=None if entry.after is None else canonical_json(snapshot(entry.after)),
            request_id=actor.request_id,
        )
        prev_hash = link.digest()
        links.append((new_id(), link, prev_hash))
    await queries.append_all(uow, links)


class ChainReport(msgspec.Struct, frozen=True):
    """The check of your tenant's audit chain from its first entry: whether every link holds, how many entries were
    checked, and the first broken link, if any."""

    valid: bool
    entries_checked: int
    first_broken: BrokenLink | None = None


async def verify_chain(tenant_id: Any, locale: str = "en") -> ChainReport:
    """Walk the chain from the start; report the first entry whose link does not hold, why in ``locale``."""
    async with unit_of_work(tenant_id, write=False) as uow:
        expected_prev, checked = GENESIS_HASH, 0
        async for entry in queries.chain_in_order(uow):
            broken = first_broken_link(checked + 1, expected_prev, entry.link, entry.hash, locale)
            if broken:
                return ChainReport(valid=False, entries_checked=checked, first_broken=broken)
            expected_prev, checked = entry.hash, checked + 1
        return ChainReport(valid=True, entries_checked=checked)


class AuditEntryView(msgspec.Struct, frozen=True):
    """One entry of your tenant's tamper-evident audit chain: its sequence number, when and by whom (the actor's
    subject) what was done (`action`) to which entity, the values before and after, the request id, and the hashes that
    link it to the entry before."""

    id: UUID
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    request_id: str
    prev_hash: str
    hash: str


HISTORY_PAGE = 500


async def list_entries(principal: Principal, cursor: str | None, limit: int, entity_type: str | None,
                       entity_id: str | None) -> Page[AuditEntryView]:
    position = decode_cursor(cursor)
    after_seq = int(position) if position and position.isdigit() else 0
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.entries_page(uow, after_seq=after_seq, limit=limit + 1, entity_type=entity_type,
                                          entity_id=entity_id)
    views = [_entry_view(entry) for entry in rows]
    return page_of(views, limit, lambda e: str(e.seq))


async def entries_of(principal: Principal, entity_type: str, entity_id: str) -> list[AuditEntryView]:
    """Every entry about one entity, oldest first: its whole history, however long."""
    entries: list[AuditEntryView] = []
    cursor: str | None = None
    while True:
        page = await list_entries(principal, cursor, HISTORY_PAGE, entity_type, entity_id)
        entries += page.items
        if page.next_cursor is None:
            return entries
        cursor = page.next_cursor


def _entry_view(entry: queries.StoredEntry) -> AuditEntryView:
    link = entry.link
    return AuditEntryView(id=entry.id, seq=link.seq, occurred_at=link.occurred_at, actor=link.actor,
                          action=link.action, entity_type=link.entity_type, entity_id=link.entity_id,
                          before=_parsed(link.before), after=_parsed(link.after), request_id=link.request_id,
                          prev_hash=link.prev_hash, hash=entry.hash)


def _parsed(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)
