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
from domain.kernel import personal_seal
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
    person: personal_seal.PersonRef | None = None,
) -> int:
    """Append an entry. Its details (before/after) are sealed under the person's own key when the entry is about a
    candidate or an employee (or ``person`` names whose details they are), so an erasure leaves them unreadable."""
    person = person or _person_of(entity_type, entity_id)
    before_text = await _details(uow, person, before, "before")
    after_text = await _details(uow, person, after, "after")
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
        before=before_text,
        after=after_text,
        request_id=actor.request_id,
    )
    await queries.append(uow, new_id(), link, link.digest())
    return link.seq


#: Entity types whose entries hold one person's details, sealed under that person's key.
PERSONAL_ENTITIES = ("candidate", "employee")
SEALED_FOR, SEALED = "sealed_for", "sealed"


def _person_of(entity_type: str, entity_id: Any) -> personal_seal.PersonRef | None:
    if entity_type not in PERSONAL_ENTITIES:
        return None
    if isinstance(entity_id, UUID):
        return entity_type, entity_id
    try:
        return entity_type, UUID(str(entity_id))
    except ValueError:  # "list" and other non-person ids
        return None


async def _details(uow: UnitOfWork, person: personal_seal.PersonRef | None, value: Any, column: str) -> str | None:
    if value is None:
        return None
    text = canonical_json(snapshot(value))
    if person is None:
        return text
    return _sealed_text(person, await personal_seal.sealer().seal(uow, person, text, column))


#: What an entry about an already erased person holds in place of its details: what a reader of an entry sealed
#: before the erasure sees too.
ERASED_DETAILS = {"erased": True}


def _sealed_text(person: personal_seal.PersonRef, token: str | None) -> str:
    if token is None:
        return canonical_json(ERASED_DETAILS)
    return canonical_json({SEALED_FOR: f"{person[0]}:{person[1]}", SEALED: token})


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
    links: list[tuple[UUID, Link, str]] = []
    details = await _details_of_all(uow, entries)
    head = await queries.lock_chain_head(uow)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    for entry, (before_text, after_text) in zip(entries, details, strict=True):
        seq += 1
        link = Link(
            tenant_id=uow.tenant_id, seq=seq, prev_hash=prev_hash, occurred_at=datetime.now(UTC), actor=actor.subject,
            action=entry.action, entity_type=entry.entity_type, entity_id=str(entry.entity_id),
            before=before_text, after=after_text, request_id=actor.request_id,
        )
        prev_hash = link.digest()
        links.append((new_id(), link, prev_hash))
    await queries.append_all(uow, links)


async def _details_of_all(uow: UnitOfWork, entries: list[Entry]) -> list[tuple[str | None, str | None]]:
    """Each entry's (before, after) text; the personal ones sealed together, their keys read in one query."""
    texts: list[list[str | None]] = []
    to_seal: list[tuple[int, int, personal_seal.PersonRef, str, str]] = []
    for position, entry in enumerate(entries):
        person = _person_of(entry.entity_type, entry.entity_id)
        pair: list[str | None] = []
        for side, (column, value) in enumerate((("before", entry.before), ("after", entry.after))):
            text = None if value is None else canonical_json(snapshot(value))
            if text is not None and person is not None:
                to_seal.append((position, side, person, text, column))
            pair.append(text)
        texts.append(pair)
    if to_seal:
        tokens = await personal_seal.sealer().seal_many(uow, [(p, t, c) for _, _, p, t, c in to_seal])
        for (position, side, person, _, _), token in zip(to_seal, tokens, strict=True):
            texts[position][side] = _sealed_text(person, token)
    return [(before, after) for before, after in texts]


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
        opener = await _opener(uow, rows)
    views = [_entry_view(entry, opener) for entry in rows]
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


async def _opener(uow: UnitOfWork, rows: list[queries.StoredEntry]) -> personal_seal.Opener | None:
    """What opens the page's sealed details: the person keys they name, read in one query."""
    tokens = [sealed[SEALED] for row in rows for text in (row.link.before, row.link.after)
              if (sealed := _sealed(_parsed_raw(text))) is not None]
    return await personal_seal.sealer().opener(uow, tokens) if tokens else None


def _entry_view(entry: queries.StoredEntry, opener: personal_seal.Opener | None = None) -> AuditEntryView:
    link = entry.link
    return AuditEntryView(id=entry.id, seq=link.seq, occurred_at=link.occurred_at, actor=link.actor,
                          action=link.action, entity_type=link.entity_type, entity_id=link.entity_id,
                          before=_parsed(link.before, "before", opener), after=_parsed(link.after, "after", opener),
                          request_id=link.request_id, prev_hash=link.prev_hash, hash=entry.hash)


def _parsed_raw(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)


def _sealed(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and set(value) == {SEALED_FOR, SEALED}:
        return value
    return None


def _parsed(text: str | None, column: str, opener: personal_seal.Opener | None) -> Any:
    """The details as recorded; sealed ones opened while the person's key exists, ``{"erased": true}`` after."""
    value = _parsed_raw(text)
    sealed = _sealed(value)
    if sealed is None or opener is None:
        return value
    person_id = UUID(sealed[SEALED_FOR].partition(":")[2])
    opened = opener(sealed[SEALED], column, person_id)
    return {"erased": True} if opened is None else msgspec.json.decode(opened)
