from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Tenant(Table, tablename="tenants"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=16)
    status = Varchar(length=16)
    default_locale = Varchar(length=16)
    timezone = Varchar(length=64)
    countries = Text()
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class LegalEntity(Table, tablename="legal_entities"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    country = Varchar(length=2)
    region = Varchar(length=16, null=True, default=None)
    currency = Varchar(length=3)
    timezone = Varchar(length=64)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()
