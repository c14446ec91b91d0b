from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.table import Table


class TenantKey(Table, tablename="tenant_keys"):
    """A tenant's data key, wrapped by the master key; the plaintext key is never stored."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    wrapped_key = Text()
    created_at = Timestamptz()


class PersonKey(Table, tablename="person_keys"):
    """One person's data key (a candidate's or an employee's), wrapped by the tenant's data key. Erasing the person
    overwrites the wrapped key with nothing: whatever was sealed under the key, wherever a copy of it lies, no longer
    opens, and the emptied row marks the person erased, so no key is ever made for them again."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    person_kind = Varchar(length=16)
    person_id = UUID()
    wrapped_key = Text()
    created_at = Timestamptz()
