"""The notification outbox: every context queues its messages here, inside its own transaction, so a
message exists exactly when the change that caused it was committed. The delivery worker (``delivery``) sends them
by email or SMS (``channels``); the edge starts it with the server and passes in who the recipients are."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.kernel.db import UnitOfWork
from domain.kernel.i18n import translate
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_keyed_cursor, instant, keyed_position, map_page, page_of
from domain.kernel.time import rfc3339, to_local
from domain.notifications import queries
from domain.notifications.channels import DeliveryFailed, EmailSender, Letter, SmsProvider, SmtpSender, TwilioSms
from domain.notifications.delivery import Postman, RecipientLookup, deliver_due, masked
from domain.notifications.model import (
    PROBLEM_TEXTS,
    DeliveryProblem,
    DeliveryStatus,
    Message,
    NotificationChannel,
    NotificationView,
    QueuedMessage,
)

__all__ = [
    "DeliveryFailed", "EmailSender", "Letter", "Postman", "RecipientLookup", "SmsProvider", "SmtpSender", "TwilioSms",
    "deliver_due", "masked",
]


async def enqueue_in(uow: UnitOfWork, message: Message) -> UUID:
    """Queue ``message`` in the caller's unit of work; it is sent only if that work commits."""
    message_id = new_id()
    await queries.insert_message(uow, message_id, message)
    return message_id


async def messages_to_in(uow: UnitOfWork, recipient_id: UUID) -> list[QueuedMessage]:
    """The recipient's messages, oldest first."""
    return await queries.messages_to(uow, recipient_id)


async def notifications_about_in(uow: UnitOfWork, about_kind: str, about_id: UUID, cursor: str | None, limit: int,
                                 *, timezone: str, locale: str) -> Page[NotificationView]:
    """A page of the messages about one thing (an application), oldest first, with their delivery, times also in
    the recipient's ``timezone`` and errors in the reader's ``locale``."""
    rows = await queries.messages_about(uow, about_kind, about_id, after=decode_keyed_cursor(cursor, instant),
                                        limit=limit + 1)
    page = page_of(rows, limit, lambda row: keyed_position(row.created_at.isoformat(), row.id))
    return map_page(page, lambda row: notification_view(row, timezone, locale))


def notification_view(row: QueuedMessage, timezone: str, locale: str) -> NotificationView:
    problem = DeliveryProblem(row.last_error) if row.last_error else None
    return NotificationView(
        id=row.id, channel=NotificationChannel(row.channel) if row.channel else None,
        status=DeliveryStatus(row.status), destination=row.destination, locale=row.locale, subject=row.subject,
        attempts=row.attempts, timezone=timezone, created_at=row.created_at,
        created_local=rfc3339(to_local(row.created_at, timezone)),
        last_attempt_at=row.last_attempt_at, last_attempt_local=_local(row.last_attempt_at, timezone),
        next_attempt_at=row.next_attempt_at, next_attempt_local=_local(row.next_attempt_at, timezone),
        sent_at=row.sent_at, sent_local=_local(row.sent_at, timezone), last_error=problem,
        last_error_message=translate(PROBLEM_TEXTS[problem], locale) if problem else None)


def _local(moment: datetime | None, timezone: str) -> str | None:
    return rfc3339(to_local(moment, timezone)) if moment is not None else None
