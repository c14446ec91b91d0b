from __future__ import annotations

from piccolo.columns import UUID, BigInt, Timestamptz, Varchar
from piccolo.table import Table


class Recording(Table, tablename="recordings"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    application_id = UUID()
    filename = Varchar(length=255)
    content_type = Varchar(length=100)
    size = BigInt()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=300)
    uploaded_by = Varchar(length=200)
    created_at = Timestamptz()
    #: the person key the object is sealed under (the candidate's); null: the tenant's object key
    key_id = UUID(null=True, default=None)
