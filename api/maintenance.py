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

from domain.api_clients import service as api_clients
from domain.employees import service as employees
from domain.idempotency import service as idempotency
from domain.kernel.pagination import MAX_LIMIT
from domain.privacy.purge import schedule_daily_purges
from domain.sign_in import service as sign_in
from domain.tenancy import service as tenancy
from domain.webhooks import service as webhooks

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
            purged += await sign_in.purge_expired(tenant.id)  # expired sign-ins, codes and refresh tokens
            purged += await webhooks.housekeep(tenant.id)  # webhook log past 30 days; lost deliveries
            purged += await api_clients.purge_expired(tenant.id)  # revocations of tokens since expired
            await employees.publish_due_onboarding_items(tenant.id)  # onboarding.item_due, once per item
        if page.next_cursor is None:
            return purged
        cursor = page.next_cursor


async def purge_periodically(stopping: asyncio.Event, every: timedelta = PURGE_EVERY) -> None:
    """A pass now, then one every ``every``, until ``stopping`` is set by the server's shutdown. It stops between
    tenants, never by cancellation: a task cancelled inside a transaction leaves, on SQLite, the connection's
    thread running, and the process cannot exit. A pass that fails is logged, and the next one tries again."""
    while not stopping.is_set():
        try:  # SQLite's one process: the day's retention purge is queued here, on PostgreSQL by a periodic job
            await schedule_daily_purges()
        except Exception:
            log.exception("queueing the daily retention purge failed; the next pass tries again")
        try:
            purged = await purge_expired(stopping)
        except Exception:
            log.exception("the purge of expired rows failed; the next pass tries again")
        else:
            if purged:
                log.info("purged %d expired idempotency answers", purged)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every.total_seconds())
