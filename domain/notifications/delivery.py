"""Delivering the outbox of one tenant: what is due is decided in one transaction (suppressed, deferred to the end
of the recipient's quiet hours, or claimed for sending), sent outside any transaction, and each attempt recorded in
a transaction of its own, so a slow mail server never holds the database.

Delivery is at least once: a worker that dies after sending and before recording leaves its claim to expire, and
the message is sent again with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.personal_data import mask_email, mask_phone
from domain.kernel.time import to_utc, utc_now
from domain.notifications import queries
from domain.notifications.channels import DeliveryFailed, EmailSender, Letter, SmsProvider
from domain.notifications.model import (
    DeliveryProblem,
    DeliveryStatus,
    NotificationChannel,
    QueuedMessage,
    QuietHours,
    Recipient,
    RetryPolicy,
)

#: Finds where a recipient's messages go, inside the delivering unit of work; None when the recipient is gone.
RecipientLookup = Callable[[UnitOfWork, UUID], Awaitable[Recipient | None]]
log = logging.getLogger("meridian.notifications")


@dataclass(frozen=True)
class Postman:
    """What delivery needs: a lookup per recipient kind (passed in by the edge, since the contexts that know the
    people stand above this one), the configured channels, the quiet hours and the retry schedule."""

    recipients: Mapping[str, RecipientLookup]
    email: EmailSender | None = None
    sms: SmsProvider | None = None
    quiet_hours: QuietHours | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch: int = 50
    #: How long a claimed message is held; past it another worker may send it (the first one died).
    lease: timedelta = timedelta(minutes=5)

    @property
    def sends_anything(self) -> bool:
        return self.email is not None or self.sms is not None


@dataclass(frozen=True)
class Parcel:
    """A claimed message with its recipient's address in clear: held in memory only while it is sent."""

    message: QueuedMessage
    channel: NotificationChannel
    address: str


async def deliver_due(tenant_id: UUID, postman: Postman, now: datetime | None = None,
                      stopping: asyncio.Event | None = None) -> int:
    """Deliver the tenant's due messages, batch after batch, until none is due or ``stopping`` is set; how many
    messages were settled or attempted."""
    moment = to_utc(now) if now is not None else utc_now()
    handled = 0
    while stopping is None or not stopping.is_set():
        settled, parcels = await _sort_due(tenant_id, postman, moment)
        for position, parcel in enumerate(parcels):
            if stopping is not None and stopping.is_set():
                await _release(tenant_id, [p.message.id for p in parcels[position:]])
                return handled + settled + position
            await _record(tenant_id, parcel.message.id, await _send(postman, parcel, moment))
        handled += settled + len(parcels)
        if settled + len(parcels) < postman.batch:
            return handled
    return handled


async def _sort_due(tenant_id: UUID, postman: Postman, now: datetime) -> tuple[int, list[Parcel]]:
    """Settle what needs no sending and claim the rest; how many were settled, and the claimed parcels."""
    settled, parcels = 0, []
    async with unit_of_work(tenant_id) as uow:
        for message in await queries.due_messages(uow, now, postman.batch):
            decision = await _decide(uow, postman, message, now)
            if isinstance(decision, Parcel):
                if await queries.claim(uow, message.id, now, now + postman.lease):
                    parcels.append(decision)
            else:
                await queries.record_delivery(uow, message.id, decision)
                settled += 1
    return settled, parcels


async def _decide(uow: UnitOfWork, postman: Postman, message: QueuedMessage,
                  now: datetime) -> Parcel | dict[str, Any]:
    """The parcel to send now, or the delivery state to record without sending."""
    if now - message.created_at > postman.retry.give_up_after:
        return _given_up(DeliveryStatus.FAILED, DeliveryProblem.EXPIRED)
    lookup = postman.recipients.get(message.recipient_kind)
    recipient = await lookup(uow, message.recipient_id) if lookup else None
    if recipient is None:
        return _given_up(DeliveryStatus.SUPPRESSED, DeliveryProblem.RECIPIENT_MISSING)
    if recipient.channel is NotificationChannel.NONE:
        return _given_up(DeliveryStatus.SUPPRESSED, DeliveryProblem.NO_CHANNEL, recipient.channel)
    if not recipient.address:
        return _given_up(DeliveryStatus.SUPPRESSED, DeliveryProblem.NO_ADDRESS, recipient.channel)
    where = {"channel": recipient.channel.value, "destination": masked(recipient.channel, recipient.address)}
    if _transport(postman, recipient.channel) is None:
        # Kept open: the operator may configure the channel; the message expires if nobody does.
        return {**where, "status": DeliveryStatus.PENDING.value, "next_attempt_at": now + postman.retry.cap,
                "last_error": DeliveryProblem.CHANNEL_NOT_CONFIGURED.value, "last_error_detail": None}
    quiet_until = postman.quiet_hours.ends_after(now, recipient.timezone) if postman.quiet_hours else None
    if quiet_until is not None:
        return {**where, "status": DeliveryStatus.DEFERRED.value, "next_attempt_at": quiet_until}
    return Parcel(message=message, channel=recipient.channel, address=recipient.address)


def _given_up(status: DeliveryStatus, problem: DeliveryProblem,
              channel: NotificationChannel | None = None) -> dict[str, Any]:
    return {"status": status.value, "channel": channel.value if channel else None, "next_attempt_at": None,
            "last_error": problem.value, "last_error_detail": None}


def _transport(postman: Postman, channel: NotificationChannel) -> EmailSender | SmsProvider | None:
    return postman.email if channel is NotificationChannel.EMAIL else postman.sms


def masked(channel: NotificationChannel, address: str) -> str:
    return mask_email(address) if channel is NotificationChannel.EMAIL else mask_phone(address)


async def _send(postman: Postman, parcel: Parcel, now: datetime) -> dict[str, Any]:
    """One attempt, and the delivery state it leaves."""
    message, attempts = parcel.message, parcel.message.attempts + 1
    tried = {"attempts": attempts, "last_attempt_at": now, "channel": parcel.channel.value,
             "destination": masked(parcel.channel, parcel.address)}
    try:
        provider_id = await _hand_over(postman, parcel)
    except Exception as exc:  # an unforeseen failure is retried like any other, never left holding its claim
        failure = exc if isinstance(exc, DeliveryFailed) else DeliveryFailed(DeliveryProblem.REJECTED,
                                                                              type(exc).__name__)
        final = failure.permanent or attempts >= postman.retry.max_attempts
        log.warning("notification %s: attempt %d by %s failed: %s", message.id, attempts, parcel.channel.value,
                    failure)
        return {**tried, "status": (DeliveryStatus.FAILED if final else DeliveryStatus.PENDING).value,
                "next_attempt_at": None if final else now + postman.retry.delay_after(attempts),
                "last_error": failure.problem.value, "last_error_detail": failure.detail}
    log.info("notification %s sent by %s after %d attempt(s)", message.id, parcel.channel.value, attempts)
    return {**tried, "status": DeliveryStatus.SENT.value, "sent_at": now, "next_attempt_at": None,
            "provider_message_id": provider_id[:100], "last_error": None, "last_error_detail": None}


async def _hand_over(postman: Postman, parcel: Parcel) -> str:
    message = parcel.message
    if parcel.channel is NotificationChannel.EMAIL and postman.email is not None:
        return await postman.email.send(Letter(message_id=message.id, to=parcel.address, subject=message.subject,
                                               body=message.body, locale=message.locale))
    if parcel.channel is NotificationChannel.SMS and postman.sms is not None:
        return await postman.sms.send(parcel.address, message.body)
    raise DeliveryFailed(DeliveryProblem.CHANNEL_NOT_CONFIGURED, parcel.channel.value)


async def _record(tenant_id: UUID, message_id: UUID, values: dict[str, Any]) -> None:
    async with unit_of_work(tenant_id) as uow:
        await queries.record_delivery(uow, message_id, values)


async def _release(tenant_id: UUID, message_ids: list[UUID]) -> None:
    """Give back claims the worker will not use (the server is stopping), so the next start sends at once."""
    async with unit_of_work(tenant_id) as uow:
        for message_id in message_ids:
            await queries.record_delivery(uow, message_id, {})
