from __future__ import annotations

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Import(Table, tablename="imports"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    kind = Varchar(length=32)
    format = Varchar(length=16)
    mode = Varchar(length=32)
    dry_run = Boolean()
    state = Varchar(length=16)
    rows_total = Integer()
    rows_done = Integer()
    rows_created = Integer()
    rows_unchanged = Integer()
    rows_failed = Integer()
    #: The file as sent, sealed under the tenant's key; dropped once the import has finished.
    source_ciphertext = Text(null=True, default=None)
    requested_by = Varchar(length=200)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class ImportRow(Table, tablename="import_rows"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    import_id = UUID()
    line = Integer()
    external_id = Varchar(length=200, null=True, default=None)
    outcome = Varchar(length=32)
    entity_id = UUID(null=True, default=None)
    #: JSON list of {code, field, template, params}: never the row's values.
    problems = Text()


class ImportExternalId(Table, tablename="import_external_ids"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    kind = Varchar(length=32)
    external_id = Varchar(length=200)
    entity_id = UUID()
    digest = Varchar(length=64)
    import_id = UUID()
    created_at = Timestamptz()
