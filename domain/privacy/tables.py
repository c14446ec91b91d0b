from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class RetentionOverride(Table, tablename="retention_overrides"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    country = Varchar(length=2)
    data_class = Varchar(length=32)
    trigger_event = Varchar(length=32)
    #: null: the tenant went back to the default of its country's law data
    period_months = Integer(null=True, default=None)
    reason = Text()
    set_by = Varchar(length=200)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()
