"""Bulk imports: each import a caller sent (kind, format, mode, its progress, the file sealed under the tenant's
key until the job has read it), each row's outcome with its problems (codes, fields and message templates with
their parameters, never the row's values, so they read in the reader's language), and the external ids already
imported per kind, which make a second run of the same file write nothing."""

ID = "0028_imports"

TENANT_TABLES = ("imports", "import_rows", "import_external_ids")

STATEMENTS = [
    """CREATE TABLE imports (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        kind VARCHAR(32) NOT NULL,
        format VARCHAR(16) NOT NULL,
        mode VARCHAR(32) NOT NULL,
        dry_run BOOLEAN NOT NULL,
        state VARCHAR(16) NOT NULL,
        rows_total INTEGER NOT NULL,
        rows_done INTEGER NOT NULL,
        rows_created INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL,
        rows_failed INTEGER NOT NULL,
        source_ciphertext TEXT,
        requested_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE INDEX imports_by_time ON imports (tenant_id, created_at)",
    """CREATE TABLE import_rows (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        import_id UUID NOT NULL,
        line INTEGER NOT NULL,
        external_id VARCHAR(200),
        outcome VARCHAR(32) NOT NULL,
        entity_id UUID,
        problems TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX import_rows_line ON import_rows (tenant_id, import_id, line)",
    """CREATE TABLE import_external_ids (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        kind VARCHAR(32) NOT NULL,
        external_id VARCHAR(200) NOT NULL,
        entity_id UUID NOT NULL,
        digest VARCHAR(64) NOT NULL,
        import_id UUID NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX import_external_ids_key ON import_external_ids (tenant_id, kind, external_id)",
]
