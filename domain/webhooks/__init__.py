"""Webhooks: tenants' endpoints, the outbox of events, signed delivery with retries, and the delivery log."""
