from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz
from piccolo.table import Table


class TenantKey(Table, tablename="tenant_keys"):
    """A tenant's data key, wrapped by the master key; the plaintext key is never stored."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    wrapped_key = Text()
    created_at = Timestamptz()
