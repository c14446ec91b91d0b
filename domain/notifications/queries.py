from __future__ import annotations

from uuid import UUID

import msgspec

from domain.kernel.db import UnitOfWork
from domain.kernel.time import utc_now
from domain.notifications.model import Message, QueuedMessage
from domain.notifications.tables import OutboxMessage


async def insert_message(uow: UnitOfWork, message_id: UUID, message: Message) -> None:
    await OutboxMessage.insert(OutboxMessage(id=message_id, tenant_id=uow.tenant_id, status="pending",
                                             created_at=utc_now(), **msgspec.structs.asdict(message)))


async def messages_to(uow: UnitOfWork, recipient_id: UUID) -> list[QueuedMessage]:
    rows = await OutboxMessage.select().where(
        (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.recipient_id == recipient_id)
    ).order_by(OutboxMessage.created_at)
    return [QueuedMessage(**row) for row in rows]
