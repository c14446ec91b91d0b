"""Interview recordings and attachments: metadata here, content encrypted in the object store."""

ID = "0006_recordings"

TENANT_TABLES = ("recordings",)

STATEMENTS = [
    """CREATE TABLE recordings (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        application_id UUID NOT NULL REFERENCES applications (id),
        filename VARCHAR(255) NOT NULL,
        content_type VARCHAR(100) NOT NULL,
        size BIGINT NOT NULL,
        sha256 VARCHAR(64) NOT NULL,
        storage_key VARCHAR(300) NOT NULL,
        uploaded_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX recordings_application ON recordings (tenant_id, application_id)",
]
