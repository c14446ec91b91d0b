"""The notification worker the server runs by itself: every few seconds it delivers each tenant's due outbox
messages by the channels the settings configure (SMTP for email, an SMS provider), as that tenant, in transactions
of its own. Without any channel configured it does not start, and messages wait in the outbox.

Like the purge, it stops between tenants when the server shuts down, never by cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from domain.kernel.pagination import MAX_LIMIT
from domain.kernel.settings import Settings
from domain.notifications import service as notifications
from domain.notifications.model import QuietHours
from domain.recruitment import service as recruitment
from domain.tenancy import service as tenancy

log = logging.getLogger("meridian.notifications")


def postman_from(settings: Settings) -> notifications.Postman:
    """The channels, quiet hours and recipients the settings describe; a channel left unset is None."""
    email = None
    if settings.smtp_host and settings.smtp_from:
        email = notifications.SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                                         username=settings.smtp_username, password=settings.smtp_password,
                                         starttls=settings.smtp_starttls)
    sms = None
    if settings.sms_provider == "twilio" and settings.twilio_account_sid and settings.twilio_auth_token \
            and settings.twilio_from:
        sms = notifications.TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from,
                                      base_url=settings.sms_base_url)
    return notifications.Postman(recipients={"candidate": recruitment.notification_recipient_in}, email=email,
                                 sms=sms, quiet_hours=QuietHours.parse(settings.notification_quiet_hours))


async def deliver_to_every_tenant(postman: notifications.Postman, stopping: asyncio.Event | None = None) -> int:
    """One pass over every tenant, or up to the first tenant after ``stopping`` is set; how many messages were
    sent, settled or tried."""
    handled, cursor = 0, None
    while True:
        page = await tenancy.list_tenants(cursor, MAX_LIMIT)
        for tenant in page.items:
            if stopping is not None and stopping.is_set():
                return handled
            handled += await notifications.deliver_due(tenant.id, postman, stopping=stopping)
        if page.next_cursor is None:
            return handled
        cursor = page.next_cursor


async def deliver_periodically(stopping: asyncio.Event, postman: notifications.Postman, every: timedelta) -> None:
    """A pass now, then one every ``every``, until ``stopping`` is set. A pass that fails is logged, and the next
    one tries again."""
    while not stopping.is_set():
        try:
            await deliver_to_every_tenant(postman, stopping)
        except Exception:
            log.exception("delivering notifications failed; the next pass tries again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every.total_seconds())


def start_delivery(settings: Settings) -> tuple[asyncio.Event, asyncio.Task[None]] | None:
    """The worker's stop signal and task, or None (logged) when no channel is configured."""
    postman = postman_from(settings)
    if not postman.sends_anything:
        log.info("no email or SMS channel is configured: candidate notifications stay in the outbox")
        return None
    stopping = asyncio.Event()
    every = timedelta(seconds=settings.notification_poll_seconds)
    return stopping, asyncio.create_task(deliver_periodically(stopping, postman, every))
