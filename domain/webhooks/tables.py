from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class WebhookEndpoint(Table, tablename="webhook_endpoints"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    url = Text()
    description = Text()
    #: JSON list of event types
    events = Text()
    enabled = Boolean()
    secret_ciphertext = Text()
    previous_secret_ciphertext = Text(null=True, default=None)
    previous_secret_until = Timestamptz(null=True, default=None)
    failing_since = Timestamptz(null=True, default=None)
    disabled_reason = Varchar(length=32, null=True, default=None)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WebhookEvent(Table, tablename="webhook_events"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    event_type = Varchar(length=64)
    resource_type = Varchar(length=64)
    resource_id = Varchar(length=128)
    seq = BigInt()
    #: JSON object: ids and the minimum a subscriber needs, never personal data
    data = Text()
    occurred_at = Timestamptz()
    #: set for events published once only (an onboarding item falling due)
    once_key = Varchar(length=200, null=True, default=None)


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    endpoint_id = UUID()
    event_id = UUID()
    event_type = Varchar(length=64)
    resource_key = Varchar(length=200)
    seq = BigInt()
    status = Varchar(length=16)
    attempts = Integer()
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    first_attempt_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_error = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()


class WebhookAttempt(Table, tablename="webhook_attempts"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    delivery_id = UUID()
    attempted_at = Timestamptz()
    succeeded = Boolean()
    status_code = Integer(null=True, default=None)
    latency_ms = Integer()
    response_excerpt = Text(null=True, default=None)
    error = Varchar(length=200, null=True, default=None)
