"""Every Piccolo table of every context, so the kernel can bind them to the configured engine."""

from __future__ import annotations

from piccolo.table import Table


def all_tables() -> list[type[Table]]:
    from domain.audit.tables import AuditEntry
    from domain.idempotency.tables import IdempotencyRecord
    from domain.identity.tables import User
    from domain.tenancy.tables import LegalEntity, Tenant

    return [Tenant, LegalEntity, User, AuditEntry, IdempotencyRecord]
