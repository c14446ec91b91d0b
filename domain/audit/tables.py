from __future__ import annotations

from piccolo.columns import UUID, BigInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entries"):
    """One link of a tenant's append-only hash chain. ``before``/``after`` are canonical JSON."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    seq = BigInt()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    occurred_at = Timestamptz()
    actor = Varchar(length=200)
    action = Varchar(length=100)
    entity_type = Varchar(length=100)
    entity_id = Varchar(length=100)
    before = Text(null=True, default=None)
    after = Text(null=True, default=None)
    request_id = Varchar(length=100)
