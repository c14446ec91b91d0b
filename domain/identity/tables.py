from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class User(Table, tablename="users"):
    """A person or partner client known to a tenant. ``subject`` is the token's ``sub``."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    subject = Varchar(length=200)
    display_name = Varchar(length=200)
    kind = Varchar(length=16)
    status = Varchar(length=16)
    roles = Text()
    scopes = Text()
    timezone = Varchar(length=64)
    locale = Varchar(length=16)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()
