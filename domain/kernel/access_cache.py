"""What every authenticated request checks about its caller (the user's status, roles and scopes, the tenant's
status and kind), remembered between requests on PostgreSQL, and forgotten the moment it changes.

Reading it costs a transaction per request: three round trips to the database, the largest part of a small
request. So a process remembers what it read, per tenant and subject, and forgets a tenant's entries when told
that any of its users or its status changed:

* the change announces itself (:func:`announce_access_change`) inside its own transaction, with ``pg_notify``,
  which PostgreSQL delivers when that transaction commits, to every serving process (other workers, and the
  server when the CLI suspends a tenant) listening on a connection of their own;
* the announcing process also forgets at once, so its next request reads the change.

A read that began before a change was announced is never remembered (the cache's generation moved on), so a
reply delivered late cannot put an old answer back. Without a listening connection nothing is remembered: on
SQLite, before the listener is up, and from the moment it is lost until it is back (it is reopened on demand,
at most every few seconds). The listener is trusted only once it has heard a probe this process sent through
the pool: behind a pooler in transaction mode (PgBouncer) a LISTEN is lost with its server connection, the probe
goes unheard, and every request keeps reading the database. Entries also expire after :data:`MAX_AGE_SECONDS`,
which bounds what a change made outside Meridian (by hand in SQL, announcing nothing) can go unseen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from domain.kernel.db import Database, UnitOfWork, current_database

CHANNEL = "meridian_access"
MAX_AGE_SECONDS = 60.0
MAX_ENTRIES = 10_000
RELISTEN_AFTER_SECONDS = 5.0
PROBE_WAIT_SECONDS = 5.0
UNHEARD_PROBE_RETRY_SECONDS = 300.0

log = logging.getLogger("meridian.access_cache")
Entry = TypeVar("Entry")


class AccessCache(Generic[Entry]):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[UUID, str], tuple[float, Entry]] = {}
        self._generation = 0
        self.listening = False

    @property
    def generation(self) -> int:
        """Take it before reading the database; :meth:`remember` refuses a read older than the last change."""
        return self._generation

    def recall(self, tenant_id: UUID, subject: str) -> Entry | None:
        if not self.listening:
            return None
        found = self._entries.get((tenant_id, subject))
        if found is None:
            return None
        if found[0] <= self._clock():
            self._entries.pop((tenant_id, subject), None)
            return None
        return found[1]

    def remember(self, tenant_id: UUID, subject: str, entry: Entry, read_at_generation: int) -> None:
        if not self.listening or read_at_generation != self._generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(tenant_id, subject)] = (self._clock() + MAX_AGE_SECONDS, entry)

    def forget_tenant(self, tenant_id: UUID) -> None:
        self._generation += 1
        for key in [key for key in self._entries if key[0] == tenant_id]:
            del self._entries[key]

    def forget_all(self) -> None:
        self._generation += 1
        self._entries.clear()


#: The one cache of this process: users and tenants behind tokens.
access_cache: AccessCache[Any] = AccessCache()


async def announce_access_change(uow: UnitOfWork, tenant_id: UUID | None = None) -> None:
    """Call inside the transaction that changes a user or a tenant's status (``tenant_id``, by default the unit of
    work's): every serving process forgets the tenant's callers when it commits, this one at once."""
    tenant_id = tenant_id or uow.tenant_id
    access_cache.forget_tenant(tenant_id)
    database = current_database()
    if not database.is_sqlite:
        await database.execute("SELECT pg_notify({}, {})", CHANNEL, str(tenant_id))


class _Listener:
    """The connection on which this process hears about changes, opened on demand and reopened when lost."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.next_attempt = 0.0
        self.opening: asyncio.Task[None] | None = None
        self.probe = ""
        self.probe_heard = asyncio.Event()

    def ensure(self, database: Database) -> None:
        """Open the listener in the background; requests read the database until it is proven."""
        if database.is_sqlite or access_cache.listening or time.monotonic() < self.next_attempt:
            return
        self.next_attempt = time.monotonic() + RELISTEN_AFTER_SECONDS  # also keeps concurrent callers out
        self.opening = asyncio.get_running_loop().create_task(self._open(database))

    async def _open(self, database: Database) -> None:
        try:
            self.connection = await database.listen(CHANNEL, self._heard, self._lost)
            if not await self._hears_its_probe(database):
                log.warning("notifications sent through the pool do not reach the listener (a pooler in "
                            "transaction mode?); every request reads its caller from the database")
                self.next_attempt = time.monotonic() + UNHEARD_PROBE_RETRY_SECONDS
                await self.connection.close()
                return
        except Exception:  # without a listener nothing is cached; every request reads the database
            log.warning("cannot listen for access changes; every request reads its caller from the database")
            return
        access_cache.forget_all()
        access_cache.listening = True

    async def _hears_its_probe(self, database: Database) -> bool:
        self.probe, self.probe_heard = f"probe:{uuid4().hex}", asyncio.Event()
        await database.execute("SELECT pg_notify({}, {})", CHANNEL, self.probe)
        try:
            await asyncio.wait_for(self.probe_heard.wait(), PROBE_WAIT_SECONDS)
        except TimeoutError:
            return False
        return True

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == self.probe:
            self.probe_heard.set()
            return
        try:
            access_cache.forget_tenant(UUID(payload))
        except ValueError:
            access_cache.forget_all()

    def _lost(self, _connection: Any) -> None:
        was_listening, access_cache.listening = access_cache.listening, False
        access_cache.forget_all()
        self.connection = None
        if was_listening:
            self.next_attempt = 0.0  # reopen at the next request


_listener = _Listener()


def listen_for_access_changes(database: Database) -> None:
    """Start remembering callers once a listening connection is open and proven (PostgreSQL); cheap per request."""
    _listener.ensure(database)
