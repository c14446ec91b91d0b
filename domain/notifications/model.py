"""The messages other contexts hand to the outbox, and the queued messages they may read back."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """A message to one recipient, already written in the recipient's language."""

    recipient_kind: str
    recipient_id: UUID
    locale: str
    subject: str
    body: str


class QueuedMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    recipient_kind: str
    recipient_id: UUID
    locale: str
    subject: str
    body: str
    status: str
    created_at: datetime
