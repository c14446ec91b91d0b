"""The security log of refused vendor deliveries: counts per vendor, reason and hour, with a few samples each.

A refused delivery used to add an entry to the tenant's audit chain, which anyone holding a tenant id and a
vendor id could do without credentials. The log is bounded instead: one row per vendor, reason and hour, at most
a few samples per row, and rows older than the retention period are pruned as new ones are written.

Like every reference to a tenant row, the vendor and the parent row are named with the tenant
(``(tenant_id, vendor_id) REFERENCES vendors (tenant_id, id)``, on the index migration 0013 gave every tenant table).
"""

ID = "0014_delivery_security_log"

TENANT_TABLES = ("delivery_refusals", "delivery_refusal_samples")

STATEMENTS = [
    """CREATE TABLE delivery_refusals (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        vendor_id UUID NOT NULL,
        reason VARCHAR(64) NOT NULL,
        window_start TIMESTAMPTZ NOT NULL,
        refused INTEGER NOT NULL,
        throttled INTEGER NOT NULL,
        first_at TIMESTAMPTZ NOT NULL,
        last_at TIMESTAMPTZ NOT NULL,
        FOREIGN KEY (tenant_id, vendor_id) REFERENCES vendors (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX delivery_refusals_tenant_key ON delivery_refusals (tenant_id, id)",
    "CREATE UNIQUE INDEX delivery_refusals_window ON delivery_refusals (tenant_id, vendor_id, window_start, reason)",
    "CREATE INDEX delivery_refusals_age ON delivery_refusals (tenant_id, window_start)",
    """CREATE TABLE delivery_refusal_samples (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        refusal_id UUID NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        source_ip VARCHAR(45),
        body_bytes INTEGER NOT NULL,
        body_sha256 VARCHAR(16) NOT NULL,
        FOREIGN KEY (tenant_id, refusal_id) REFERENCES delivery_refusals (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX delivery_refusal_samples_tenant_key ON delivery_refusal_samples (tenant_id, id)",
    "CREATE INDEX delivery_refusal_samples_refusal ON delivery_refusal_samples (tenant_id, refusal_id)",
]
