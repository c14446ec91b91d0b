"""Per-person data keys: created with the person's first sealed value, read a page at a time, destroyed by erasure.

Erasure leaves the person's row behind emptied of its key (a tombstone): reads find no key and open nothing, and
nothing makes the person a key again. A write that would seal a new value for them is refused (:class:`PersonErased`);
the audit chain records what it is told about them without details (:class:`_AuditSealer`).

A list of fifty candidates opens fifty people's values, so keys are never read one by one: :func:`keyring_for`
takes every token of a page and unwraps the keys they name in one query. A process keeps unwrapped keys for a
short while (:data:`MAX_AGE_SECONDS`), and only while it hears the platform's change notifications (the access
cache's proven ``LISTEN`` connection, PostgreSQL): an erasure announces itself with ``pg_notify`` in its own
transaction, and every serving process drops what it remembers when that commits. Without a listener (SQLite, or
a lost connection) nothing is kept between calls.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from domain.kernel import personal_seal
from domain.kernel.access_cache import access_cache, announce_access_change
from domain.kernel.crypto import (
    KEY_BYTES,
    Keyring,
    PersonCipher,
    PersonKeyDestroyed,
    TenantCipher,
    person_key_ids,
)
from domain.kernel.db import UnitOfWork, current_database, fetch
from domain.kernel.errors import Conflict
from domain.kernel.ids import new_id
from domain.kernel.personal_seal import Opener
from domain.kernel.time import utc_now
from domain.keys.tables import PersonKey

PersonRef = tuple[str, UUID]  # ("candidate" | "employee", id)

#: What an erased person's row holds in place of a wrapped key.
ERASED = ""


class PersonErased(Conflict):
    """Something new was to be sealed for a person whose key an erasure destroyed: a new key would make what is
    recorded about them readable again."""

    code = "person_erased"
    title = "Person erased"
    template = "This person was erased: nothing new can be recorded about them."

MAX_AGE_SECONDS = 60.0
MAX_ENTRIES = 20_000
MAX_PAGES = 1_000


class _Cache:
    """Unwrapped person keys by (tenant, key id), and key ids by (tenant, kind, person), valid for one generation of
    the access cache (which moves on every announced change, this process's or another's) and a minute at most."""

    def __init__(self) -> None:
        self.keys: dict[tuple[UUID, UUID], tuple[float, PersonCipher]] = {}
        self.people: dict[tuple[UUID, str, UUID], UUID] = {}
        #: Masked views by (tenant, table) and row id (as an int, hashed in C), see :func:`recall_masked`.
        self.masked: dict[tuple[UUID, str], dict[int, tuple[float, Hashable, Any]]] = {}
        #: The last page recalled whole, by (tenant, table): its rows, their views, and when the first of them expires.
        self.pages: dict[tuple[UUID, str], tuple[list[Hashable], list[Any], float]] = {}
        self.generation = -1

    def _valid(self) -> bool:
        if not access_cache.listening:
            return False
        if access_cache.generation != self.generation:
            self.forget()
            self.generation = access_cache.generation
        return True

    def key(self, tenant_id: UUID, key_id: UUID) -> PersonCipher | None:
        if not self._valid():
            return None
        found = self.keys.get((tenant_id, key_id))
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]

    def key_of(self, tenant_id: UUID, kind: str, person_id: UUID) -> PersonCipher | None:
        key_id = self.people.get((tenant_id, kind, person_id)) if self._valid() else None
        return self.key(tenant_id, key_id) if key_id else None

    def remember(self, tenant_id: UUID, kind: str, person_id: UUID, cipher: PersonCipher,
                 read_at_generation: int) -> None:
        if not self._valid() or read_at_generation != access_cache.generation:
            return
        if len(self.keys) >= MAX_ENTRIES:
            self.keys.clear()
            self.people.clear()
        self.keys[(tenant_id, cipher.key_id)] = (time.monotonic() + MAX_AGE_SECONDS, cipher)
        self.people[(tenant_id, kind, person_id)] = cipher.key_id

    def forget(self) -> None:
        self.keys.clear()
        self.people.clear()
        self.masked.clear()
        self.pages.clear()


_cache = _Cache()


def masked_generation() -> int:
    """What :func:`remember_masked` is given: read before the keys that open the values are."""
    return access_cache.generation


def remembers_masked() -> bool:
    """Whether :func:`recall_masked` can recall anything now: only while this process hears the platform's change
    notifications (on PostgreSQL, once its listener is up)."""
    return _cache._valid()


def recall_masked(tenant_id: UUID, table: str, rows: Sequence[Hashable]) -> list[Any | None]:
    """For each of ``rows`` (stored rows or what stands for them, compared whole) of that tenant's ``table``, what a
    masked read showed for exactly that row, if this process showed it within the last minute; None for the others.
    It is kept by the rule the person keys are kept by (only while this process hears the platform's change
    notifications, forgotten on every announced change, an erasure's key destruction included), so a masked list
    shows from memory only what it could open now; a row changed since compares unequal. Only masked views are
    kept, never clear values. A page is looked up at once: per row, the checks cost more than the lookup; and a
    page equal to the last one recalled whole (a list polled unchanged) is compared in one step."""
    if not _cache._valid():
        return [None] * len(rows)
    key, now = (tenant_id, table), time.monotonic()
    last = _cache.pages.get(key)
    if last is not None and last[2] > now and last[0] == rows:
        return list(last[1])
    shown = _cache.masked.get(key, {})
    recalled: list[Any | None] = []
    expires = float("inf")
    for row in rows:
        found = shown.get(row.id.int)  # type: ignore[attr-defined]
        fresh = found is not None and found[0] > now and (found[1] is row or found[1] == row)
        recalled.append(found[2] if fresh else None)  # type: ignore[index]
        if fresh:
            expires = min(expires, found[0])  # type: ignore[index]
    if None not in recalled:
        if len(_cache.pages) >= MAX_PAGES:
            _cache.pages.clear()
        _cache.pages[key] = (list(rows), list(recalled), expires)
    return recalled


def remember_masked(tenant_id: UUID, table: str, row: Hashable, shown: Any, read_at_generation: int) -> None:
    """Keeps ``shown``, the masked view of ``row`` (which has an ``id``), for :func:`recall_masked`."""
    if not _cache._valid() or read_at_generation != access_cache.generation:
        return
    rows = _cache.masked.setdefault((tenant_id, table), {})
    if len(rows) >= MAX_ENTRIES:
        rows.clear()
    rows[row.id.int] = (time.monotonic() + MAX_AGE_SECONDS, row, shown)  # type: ignore[attr-defined]


async def cipher_for(uow: UnitOfWork) -> TenantCipher:
    from domain.keys.service import cipher_for as tenant_cipher  # the service re-exports this module

    return await tenant_cipher(uow)


async def _unwrapped(uow: UnitOfWork, rows: list[Any]) -> list[tuple[str, UUID, PersonCipher]]:
    """The keys of ``rows``; an erased person's row (no key left) is none."""
    tenant = await cipher_for(uow)
    return [(row["person_kind"], row["person_id"], tenant.unwrap_person_key(row["wrapped_key"], row["id"]))
            for row in rows if row["wrapped_key"] != ERASED]


def _erased_in(rows: list[Any]) -> set[PersonRef]:
    return {(row["person_kind"], UUID(str(row["person_id"]))) for row in rows if row["wrapped_key"] == ERASED}


async def person_ciphers(uow: UnitOfWork, people: Iterable[PersonRef], *,
                         create: bool = False) -> dict[PersonRef, PersonCipher]:
    """The ciphers of ``people`` (kind, id), read in one query; people without a key are left out. With ``create``
    (a write sealing new values, inside its transaction) a living person without a key gets one, and an erased one
    raises :class:`PersonErased`."""
    found, erased = await _ciphers(uow, people, create=create)
    if create and erased:
        raise PersonErased()
    return found


async def living_person_ciphers(uow: UnitOfWork,
                                people: Iterable[PersonRef]) -> tuple[dict[PersonRef, PersonCipher], set[PersonRef]]:
    """The ciphers of the living among ``people``, a key created for any without one, and the erased, who get
    none: for a caller that carries on for the others (the audit chain, the re-seal)."""
    return await _ciphers(uow, people, create=True)


async def _ciphers(uow: UnitOfWork, people: Iterable[PersonRef], *,
                   create: bool) -> tuple[dict[PersonRef, PersonCipher], set[PersonRef]]:
    """Reads never make a key; a key is made (with ``create``) only for a person who never had one, never for one
    whose row an erasure emptied."""
    tenant_id = uow.tenant_id
    erased: set[PersonRef] = set()
    wanted = set(people)
    made = _made.get(uow, {})
    found: dict[PersonRef, PersonCipher] = {ref: made[ref] for ref in wanted if ref in made}
    for kind, person_id in wanted - set(found):
        cached = _cache.key_of(tenant_id, kind, person_id)
        if cached is not None:
            found[(kind, person_id)] = cached
    missing = wanted - set(found)
    if missing:
        generation = access_cache.generation
        rows = await _key_rows(uow, missing)
        erased |= _erased_in(rows) & missing
        for kind, person_id, cipher in await _unwrapped(uow, rows):
            if (kind, person_id) in missing:
                found[(kind, person_id)] = cipher
                _cache.remember(tenant_id, kind, person_id, cipher, generation)
    if create:
        tenant, new_keys, ciphers = await cipher_for(uow), [], {}
        now = utc_now()
        for kind, person_id in sorted(wanted - set(found) - erased, key=lambda ref: (ref[0], str(ref[1]))):
            key_id, data_key = new_id(), secrets.token_bytes(KEY_BYTES)
            new_keys.append((key_id, tenant_id, kind, person_id, tenant.wrap_person_key(data_key, key_id), now))
            ciphers[(kind, person_id)] = PersonCipher(tenant_id, key_id, data_key)
        if new_keys:  # one statement for all of them: a bulk import creates thousands at once
            inserted = await _insert_keys(uow, new_keys)
            own = _made.setdefault(uow, {})
            for key_id, _, kind, person_id, _, _ in new_keys:
                if key_id in inserted:
                    found[(kind, person_id)] = own[(kind, person_id)] = ciphers[(kind, person_id)]
            lost = {(kind, person_id) for key_id, _, kind, person_id, _, _ in new_keys if key_id not in inserted}
            if lost:  # another transaction gave them a key meanwhile, or erased them (and has committed)
                rows = await _key_rows(uow, lost)
                erased |= _erased_in(rows) & lost
                for kind, person_id, cipher in await _unwrapped(uow, rows):
                    if (kind, person_id) in lost:
                        found[(kind, person_id)] = cipher
    return found, erased


#: The keys a unit of work made, while it lasts: its later seals (the audit details of the people it has just
#: written) take them from here instead of reading and unwrapping them again. Nothing outlives the transaction.
_made: WeakKeyDictionary[UnitOfWork, dict[PersonRef, PersonCipher]] = WeakKeyDictionary()


_KEY_ROWS = (
    "SELECT k.id, k.person_kind, k.person_id, k.wrapped_key FROM unnest({}::varchar[], {}::uuid[]) AS wanted(kind, "
    "person) JOIN person_keys k ON k.tenant_id = {} AND k.person_kind = wanted.kind AND k.person_id = wanted.person"
)


async def _key_rows(uow: UnitOfWork, people: set[PersonRef]) -> list[Any]:
    """The stored keys of ``people``, each looked up in the (tenant, kind, person) index. On PostgreSQL one statement
    joins the wanted pairs: a long ``IN`` list on a table never analysed was planned as a scan of all the tenant's
    keys with each tested against the list (a chunk of 500 new employees, 0.1 s of the server's CPU)."""
    if not current_database().is_sqlite:
        kinds, persons = zip(*sorted(people, key=lambda ref: (ref[0], str(ref[1]))), strict=True)
        return list(await fetch(uow, _KEY_ROWS, list(kinds), list(persons), uow.tenant_id))
    return await PersonKey.select(PersonKey.id, PersonKey.person_kind, PersonKey.person_id,
                                  PersonKey.wrapped_key).where(
        (PersonKey.tenant_id == uow.tenant_id) & PersonKey.person_kind.is_in(sorted({kind for kind, _ in people}))
        & PersonKey.person_id.is_in(list({person_id for _, person_id in people})))


_INSERT_KEYS = (
    "INSERT INTO person_keys (id, tenant_id, person_kind, person_id, wrapped_key, created_at) "
    "SELECT * FROM unnest({}::uuid[], {}::uuid[], {}::varchar[], {}::uuid[], {}::text[], {}::timestamptz[]) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


async def _insert_keys(uow: UnitOfWork, keys: list[tuple[UUID, UUID, str, UUID, str, datetime]]) -> set[UUID]:
    """Insert (id, tenant, kind, person, wrapped key, created) rows, skipping a person who has a key by now; the ids
    inserted. PostgreSQL takes them as one statement over arrays, whatever their number."""
    if current_database().is_sqlite:
        rows = await PersonKey.insert(*[
            PersonKey(id=key_id, tenant_id=tenant_id, person_kind=kind, person_id=person_id, wrapped_key=wrapped,
                      created_at=created) for key_id, tenant_id, kind, person_id, wrapped, created in keys
        ]).on_conflict(action="DO NOTHING").returning(PersonKey.id)
        return {UUID(str(row["id"])) for row in rows}
    return {row[0] for row in await fetch(uow, _INSERT_KEYS, *(list(column) for column in zip(*keys, strict=True)))}


async def person_cipher(uow: UnitOfWork, kind: str, person_id: UUID) -> PersonCipher:
    """The person's cipher, its key created on first need: what sealing a new value uses (:class:`PersonErased` for
    an erased person)."""
    return (await person_ciphers(uow, [(kind, person_id)], create=True))[(kind, person_id)]


async def keyring_for(uow: UnitOfWork, tokens: Iterable[str | None]) -> Keyring:
    """A keyring that opens every one of ``tokens`` whose key still exists: the person keys they name are read in
    one query (v1 tokens need only the tenant's cipher)."""
    key_ids = person_key_ids(tokens)
    return Keyring(await cipher_for(uow), await ciphers_by_key_id(uow, key_ids))


async def ciphers_by_key_id(uow: UnitOfWork, key_ids: Iterable[UUID]) -> dict[UUID, PersonCipher]:
    """The person ciphers of ``key_ids`` that still exist, by key id, read in one query."""
    tenant_id = uow.tenant_id
    key_ids = set(key_ids)
    persons: dict[UUID, PersonCipher] = {}
    for key_id in key_ids:
        cached = _cache.key(tenant_id, key_id)
        if cached is not None:
            persons[key_id] = cached
    missing = list(key_ids - set(persons))
    if missing:
        generation = access_cache.generation
        rows = await PersonKey.select(PersonKey.id, PersonKey.person_kind, PersonKey.person_id,
                                      PersonKey.wrapped_key).where(
            (PersonKey.tenant_id == tenant_id) & PersonKey.id.is_in(missing))
        for kind, person_id, cipher in await _unwrapped(uow, rows):
            persons[cipher.key_id] = cipher
            _cache.remember(tenant_id, kind, person_id, cipher, generation)
    return persons


async def destroy_person_key(uow: UnitOfWork, kind: str, person_id: UUID) -> bool:
    """Overwrite the person's key with nothing and keep the emptied row as the mark that they were erased (a person
    who never had a key gets the mark too), so no later read or write makes them a new key; tell every process to
    forget the key when this transaction commits. True if there was a key."""
    existed = await _emptied(uow, kind, person_id)
    if not existed and not await _insert_keys(uow, [(new_id(), uow.tenant_id, kind, person_id, ERASED, utc_now())]):
        existed = await _emptied(uow, kind, person_id)  # a write made them a key meanwhile, and committed first
    _made.get(uow, {}).pop((kind, person_id), None)
    _cache.forget()
    await announce_access_change(uow)
    return bool(existed)


async def _emptied(uow: UnitOfWork, kind: str, person_id: UUID) -> bool:
    """Overwrite the person's wrapped key with nothing; True if it held a key."""
    return bool(await PersonKey.update({PersonKey.wrapped_key: ERASED}).where(
        (PersonKey.tenant_id == uow.tenant_id) & (PersonKey.person_kind == kind) & (PersonKey.person_id == person_id)
        & (PersonKey.wrapped_key != ERASED)).returning(PersonKey.id))


async def all_person_ciphers(uow: UnitOfWork) -> list[PersonCipher]:
    """Every person key the tenant still has (for checks that nothing of an erased person opens)."""
    rows = await PersonKey.select(PersonKey.id, PersonKey.person_kind, PersonKey.person_id,
                                  PersonKey.wrapped_key).where(PersonKey.tenant_id == uow.tenant_id)
    return [cipher for _, _, cipher in await _unwrapped(uow, rows)]


class _AuditSealer:
    """Seals and opens audit details under the person's key (registered with the kernel for the audit chain). For an
    erased person there is no key and none is made: the entry is recorded, its details are not (None)."""

    async def seal(self, uow: UnitOfWork, person: PersonRef, text: str, column: str) -> str | None:
        return (await self.seal_many(uow, [(person, text, column)]))[0]

    async def seal_many(self, uow: UnitOfWork, items: list[tuple[PersonRef, str, str]]) -> list[str | None]:
        ciphers, _ = await living_person_ciphers(uow, {person for person, _, _ in items})
        return [ciphers[person].seal(text, "audit_entries", column, person[1]) if person in ciphers else None
                for person, text, column in items]

    async def opener(self, uow: UnitOfWork, tokens: list[str]) -> Opener:
        ring = await keyring_for(uow, tokens)

        def open_one(token: str, column: str, person_id: UUID) -> str | None:
            try:
                return ring.open(token, "audit_entries", column, person_id)
            except PersonKeyDestroyed:
                return None

        return open_one


personal_seal.register(_AuditSealer())
