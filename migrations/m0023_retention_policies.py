"""A tenant's own retention periods: one row per country, data class and trigger where the tenant lengthened or
shortened the period its country's law data gives (``compliance/retention``). The row stays when the tenant goes
back to the default (``period_months`` null), so its version, the ETag, keeps counting and a stale If-Match is
refused. Every change is in the audit chain; the row holds only the current choice."""

ID = "0023_retention_policies"

TENANT_TABLES = ("retention_overrides",)

STATEMENTS = [
    """CREATE TABLE retention_overrides (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        country VARCHAR(2) NOT NULL,
        data_class VARCHAR(32) NOT NULL,
        trigger_event VARCHAR(32) NOT NULL,
        period_months INTEGER,
        reason TEXT NOT NULL,
        set_by VARCHAR(200) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX retention_overrides_rule ON retention_overrides (tenant_id, country, data_class, "
    "trigger_event)",
]
