"""The notification outbox: every context queues its messages here, inside its own transaction, so a
message exists exactly when the change that caused it was committed."""

from __future__ import annotations

from uuid import UUID

from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.notifications import queries
from domain.notifications.model import Message, QueuedMessage


async def enqueue_in(uow: UnitOfWork, message: Message) -> UUID:
    """Queue ``message`` in the caller's unit of work; it is sent only if that work commits."""
    message_id = new_id()
    await queries.insert_message(uow, message_id, message)
    return message_id


async def messages_to_in(uow: UnitOfWork, recipient_id: UUID) -> list[QueuedMessage]:
    """The recipient's messages, oldest first."""
    return await queries.messages_to(uow, recipient_id)
