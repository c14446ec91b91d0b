"""Housekeeping the server does by itself: what has outlived its keeping is deleted for every tenant, at start
and every few minutes after (today: idempotency answers past their 24-hour replay window).
``meridian maintenance purge`` runs the same pass once.

The pass walks the tenant registry and purges each tenant in transactions of its own, as that tenant: on
PostgreSQL the app role stays under row-level security, with no role that sees every tenant at once. Every
replica may run it; deleting what another replica already deleted is nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from domain.idempotency import service as idempotency
from domain.kernel.pagination import MAX_LIMIT
from domain.tenancy import service as tenancy

PURGE_EVERY = timedelta(minutes=5)
log = logging.getLogger("meridian.maintenance")


async def purge_expired(stopping: asyncio.Event | None = None) -> int:
    """One pass over every tenant, or up to the first tenant after ``stopping`` is set; how many rows it
    deleted."""
    purged, cursor = 0, None
    while True:
        page = await tenancy.list_tenants(cursor, MAX_LIMIT)
        for tenant in page.items:
            if stopping is not None and stopping.is_set():
                return purged
            purged += await idempotency.purge_expired(tenant.id)
        if page.next_cursor is None:
            return purged
        cursor = page.next_cursor


async def purge_periodically(stopping: asyncio.Event, every: timedelta = PURGE_EVERY) -> None:
    """A pass now, then one every ``every``, until ``stopping`` is set by the server's shutdown. It stops between
    tenants, never by cancellation: a task cancelled inside a transaction leaves, on SQLite, the connection's
    thread running, and the process cannot exit. A pass that fails is logged, and the next one tries again."""
    while not stopping.is_set():
        try:
            purged = await purge_expired(stopping)
        except Exception:
            log.exception("the purge of expired rows failed; the next pass tries again")
        else:
            if purged:
                log.info("purged %d expired idempotency answers", purged)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every.total_seconds())
