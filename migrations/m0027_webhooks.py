"""Webhooks: a tenant's endpoints (URL, events, sealed signing secret and the previous one during a rotation's
overlap), the outbox of events written in the same transaction as the change they describe, one delivery per event
and endpoint (its place in its resource's order, its status and next attempt), and the log of every attempt (kept
30 days with its delivery)."""

ID = "0027_webhooks"

TENANT_TABLES = ("webhook_endpoints", "webhook_events", "webhook_deliveries", "webhook_attempts")

STATEMENTS = [
    """CREATE TABLE webhook_endpoints (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        url TEXT NOT NULL,
        description TEXT NOT NULL,
        events TEXT NOT NULL,
        enabled BOOLEAN NOT NULL,
        secret_ciphertext TEXT NOT NULL,
        previous_secret_ciphertext TEXT,
        previous_secret_until TIMESTAMPTZ,
        failing_since TIMESTAMPTZ,
        disabled_reason VARCHAR(32),
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    """CREATE TABLE webhook_events (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        event_type VARCHAR(64) NOT NULL,
        resource_type VARCHAR(64) NOT NULL,
        resource_id VARCHAR(128) NOT NULL,
        seq BIGINT NOT NULL,
        data TEXT NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        once_key VARCHAR(200),
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX webhook_events_once ON webhook_events (tenant_id, once_key)",
    "CREATE INDEX webhook_events_resource ON webhook_events (tenant_id, resource_type, resource_id, seq)",
    "CREATE INDEX webhook_events_occurred ON webhook_events (tenant_id, occurred_at)",
    """CREATE TABLE webhook_deliveries (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        endpoint_id UUID NOT NULL,
        event_id UUID NOT NULL,
        event_type VARCHAR(64) NOT NULL,
        resource_key VARCHAR(200) NOT NULL,
        seq BIGINT NOT NULL,
        status VARCHAR(16) NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TIMESTAMPTZ NOT NULL,
        lease_until TIMESTAMPTZ,
        first_attempt_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        last_status_code INTEGER,
        last_error VARCHAR(200),
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events (tenant_id, id) ON DELETE CASCADE
    )""",
    "CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (tenant_id, endpoint_id, resource_key, seq)",
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, status, next_attempt_at)",
    "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (tenant_id, event_id)",
    """CREATE TABLE webhook_attempts (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        delivery_id UUID NOT NULL,
        attempted_at TIMESTAMPTZ NOT NULL,
        succeeded BOOLEAN NOT NULL,
        status_code INTEGER,
        latency_ms INTEGER NOT NULL,
        response_excerpt TEXT,
        error VARCHAR(200),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
    )""",
    "CREATE INDEX webhook_attempts_delivery ON webhook_attempts (tenant_id, delivery_id, attempted_at)",
]
