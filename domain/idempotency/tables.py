from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdempotencyRecord(Table, tablename="idempotency_keys"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    principal = Varchar(length=200)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    status_code = Integer(null=True, default=None)
    response_body = Text(null=True, default=None)
    response_headers = Text(null=True, default=None)
    created_at = Timestamptz()
    changed_at = Timestamptz(null=True, default=None)
