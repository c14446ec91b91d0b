from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxMessage(Table, tablename="notification_outbox"):
    """Messages committed with the change that caused them; a sender delivers them later."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    recipient_kind = Varchar(length=20)
    recipient_id = UUID()
    locale = Varchar(length=16)
    subject = Text()
    body = Text()
    status = Varchar(length=16)
    created_at = Timestamptz()
