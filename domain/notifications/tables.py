from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxMessage(Table, tablename="notification_outbox"):
    """Messages committed with the change that caused them, and their delivery: the worker claims a due message
    (``claimed_until``), sends it outside any transaction, and records the attempt."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    recipient_kind = Varchar(length=20)
    recipient_id = UUID()
    locale = Varchar(length=16)
    subject = Text()
    body = Text()
    status = Varchar(length=16)
    created_at = Timestamptz()
    about_kind = Varchar(length=20, null=True, default=None)
    about_id = UUID(null=True, default=None)
    channel = Varchar(length=8, null=True, default=None)
    destination = Varchar(length=80, null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    last_attempt_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=40, null=True, default=None)
    last_error_detail = Varchar(length=200, null=True, default=None)
    provider_message_id = Varchar(length=100, null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
