"""Per-person data keys for erasure by crypto-shredding: each candidate's and employee's sealed fields, interview
results and audit details are sealed under a key of their own, stored here wrapped by the tenant's data key. An
erasure deletes the person's row (with SQLite's secure_delete on, the freed bytes are zeroed). Recordings note the
key their object was sealed under (null: the tenant's object key, as before this migration)."""

ID = "0031_person_keys"

TENANT_TABLES = ("person_keys",)

STATEMENTS = [
    """CREATE TABLE person_keys (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        person_kind VARCHAR(16) NOT NULL,
        person_id UUID NOT NULL,
        wrapped_key TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX person_keys_person ON person_keys (tenant_id, person_kind, person_id)",
    "ALTER TABLE recordings ADD COLUMN key_id UUID",
]
