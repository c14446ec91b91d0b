"""Delivering the notification outbox: each queued message keeps its delivery state (channel, masked
destination, attempts, the next attempt, the last error's code, when it was sent), names what it is about (an
application) so the application can show it, and a worker's claim on it; candidates choose their channel.

Columns are added, never rewritten: rows queued before this migration are ``pending`` with no next attempt, which
the worker reads as due now. ``notification_channel`` null means the default (email when the candidate has one).
"""

ID = "0018_notification_delivery"

STATEMENTS = [
    "ALTER TABLE notification_outbox ADD COLUMN about_kind VARCHAR(20)",
    "ALTER TABLE notification_outbox ADD COLUMN about_id UUID",
    "ALTER TABLE notification_outbox ADD COLUMN channel VARCHAR(8)",
    "ALTER TABLE notification_outbox ADD COLUMN destination VARCHAR(80)",
    "ALTER TABLE notification_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE notification_outbox ADD COLUMN next_attempt_at TIMESTAMPTZ",
    "ALTER TABLE notification_outbox ADD COLUMN last_attempt_at TIMESTAMPTZ",
    "ALTER TABLE notification_outbox ADD COLUMN sent_at TIMESTAMPTZ",
    "ALTER TABLE notification_outbox ADD COLUMN last_error VARCHAR(40)",
    "ALTER TABLE notification_outbox ADD COLUMN last_error_detail VARCHAR(200)",
    "ALTER TABLE notification_outbox ADD COLUMN provider_message_id VARCHAR(100)",
    "ALTER TABLE notification_outbox ADD COLUMN claimed_until TIMESTAMPTZ",
    "CREATE INDEX notification_outbox_due ON notification_outbox (tenant_id, status, next_attempt_at)",
    "CREATE INDEX notification_outbox_about ON notification_outbox (tenant_id, about_kind, about_id, created_at, id)",
    "ALTER TABLE candidates ADD COLUMN notification_channel VARCHAR(8)",
]
