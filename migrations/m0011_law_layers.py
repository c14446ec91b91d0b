"""Law that stays current without a release: a tenant's own effective-dated versions of pack series (proposed
by one person, approved by another), and the tenant's written choices about law it runs on: carrying a series
forward provisionally until the issuer publishes, and accepting an unverified series."""

ID = "0011_law_layers"

TENANT_TABLES = ("law_versions", "law_choices")

STATEMENTS = [
    """CREATE TABLE law_versions (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        country VARCHAR(2) NOT NULL,
        series VARCHAR(64) NOT NULL,
        region VARCHAR(16),
        version VARCHAR(100) NOT NULL,
        effective_from DATE NOT NULL,
        effective_to DATE,
        data TEXT NOT NULL,
        verification VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        proposed_by VARCHAR(200) NOT NULL,
        proposed_at TIMESTAMPTZ NOT NULL,
        decided_by VARCHAR(200),
        decided_at TIMESTAMPTZ,
        decision_reason TEXT,
        document_id UUID,
        document_type VARCHAR(64),
        version_number INTEGER NOT NULL
    )""",
    "CREATE UNIQUE INDEX law_versions_tenant_version ON law_versions (tenant_id, country, series, version)",
    "CREATE INDEX law_versions_tenant_series ON law_versions (tenant_id, country, series, status)",
    """CREATE TABLE law_choices (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        country VARCHAR(2) NOT NULL,
        series VARCHAR(64) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        reason TEXT NOT NULL,
        chosen_by VARCHAR(200) NOT NULL,
        chosen_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX law_choices_tenant_kind ON law_choices (tenant_id, country, series, kind)",
]
