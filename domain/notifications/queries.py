from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork
from domain.kernel.pagination import rows_after
from domain.kernel.time import utc_now
from domain.notifications.model import OPEN_STATUSES, DeliveryStatus, Message, QueuedMessage
from domain.notifications.tables import OutboxMessage


async def insert_message(uow: UnitOfWork, message_id: UUID, message: Message) -> None:
    await OutboxMessage.insert(OutboxMessage(id=message_id, tenant_id=uow.tenant_id,
                                             status=DeliveryStatus.PENDING.value, attempts=0,
                                             created_at=utc_now(), **msgspec.structs.asdict(message)))


async def messages_to(uow: UnitOfWork, recipient_id: UUID) -> list[QueuedMessage]:
    rows = await OutboxMessage.select().where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.recipient_id == recipient_id)
    ).order_by(OutboxMessage.created_at)
    return [QueuedMessage(**row) for row in rows]


async def messages_about(uow: UnitOfWork, about_kind: str, about_id: UUID, *,
                         after: tuple[datetime, UUID] | None, limit: int) -> list[QueuedMessage]:
    """The messages about one thing, oldest first, after a (created_at, id) position."""
    query = OutboxMessage.select().where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.about_kind == about_kind)
        & (OutboxMessage.about_id == about_id))
    if after is not None:
        query = query.where(rows_after(OutboxMessage, OutboxMessage.created_at, after))
    rows = await query.order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)
    return [QueuedMessage(**row) for row in rows]


async def due_messages(uow: UnitOfWork, now: datetime, limit: int) -> list[QueuedMessage]:
    """Open messages whose time has come and that no worker holds, oldest first."""
    rows = await OutboxMessage.select().where(
        (OutboxMessage.tenant_id == uow.tenant_id) & OutboxMessage.status.is_in(list(OPEN_STATUSES))
        & (OutboxMessage.next_attempt_at.is_null() | (OutboxMessage.next_attempt_at <= now))
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until <= now))
    ).order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)
    return [QueuedMessage(**row) for row in rows]


async def claim(uow: UnitOfWork, message_id: UUID, now: datetime, until: datetime) -> bool:
    """Hold a due message until ``until``; False when another worker got it first."""
    claimed = await OutboxMessage.update({OutboxMessage.claimed_until: until}).where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.id == message_id)
        & OutboxMessage.status.is_in(list(OPEN_STATUSES))
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until <= now))
    ).returning(OutboxMessage.id)
    return bool(claimed)


async def record_delivery(uow: UnitOfWork, message_id: UUID, values: dict[str, Any]) -> None:
    """Write what an attempt (or a decision not to attempt) found, and release the claim."""
    await OutboxMessage.update({**values, "claimed_until": None}).where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.id == message_id))
