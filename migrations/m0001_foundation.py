"""Tenants, legal entities, users, the audit chain and idempotency keys.

The DDL is written once in types both SQLite (through Piccolo's converters) and PostgreSQL
understand. Uniqueness is created with CREATE UNIQUE INDEX, which SQLite accepts, and every
tenant-owned unique key leads with tenant_id.
"""

ID = "0001_foundation"

#: Tables whose rows belong to one tenant: row-level security, forced, on PostgreSQL.
TENANT_TABLES = ("legal_entities", "users", "audit_entries", "idempotency_keys")
#: The app role may read and insert these rows, never change or remove them.
APPEND_ONLY_TABLES = ("audit_entries",)

STATEMENTS = [
    """CREATE TABLE tenants (
        id UUID PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        default_locale VARCHAR(16) NOT NULL,
        timezone VARCHAR(64) NOT NULL,
        countries TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE legal_entities (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        name VARCHAR(200) NOT NULL,
        country VARCHAR(2) NOT NULL,
        region VARCHAR(16),
        currency VARCHAR(3) NOT NULL,
        timezone VARCHAR(64) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX legal_entities_tenant_name ON legal_entities (tenant_id, name)",
    """CREATE TABLE users (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        subject VARCHAR(200) NOT NULL,
        display_name VARCHAR(200) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        roles TEXT NOT NULL,
        scopes TEXT NOT NULL,
        timezone VARCHAR(64) NOT NULL,
        locale VARCHAR(16) NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX users_tenant_subject ON users (tenant_id, subject)",
    """CREATE TABLE audit_entries (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        seq BIGINT NOT NULL,
        prev_hash VARCHAR(64) NOT NULL,
        hash VARCHAR(64) NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        actor VARCHAR(200) NOT NULL,
        action VARCHAR(100) NOT NULL,
        entity_type VARCHAR(100) NOT NULL,
        entity_id VARCHAR(100) NOT NULL,
        before TEXT,
        after TEXT,
        request_id VARCHAR(100) NOT NULL
    )""",
    "CREATE UNIQUE INDEX audit_entries_tenant_seq ON audit_entries (tenant_id, seq)",
    "CREATE INDEX audit_entries_tenant_entity ON audit_entries (tenant_id, entity_type, entity_id)",
    """CREATE TABLE idempotency_keys (
        id UUID PRIMARY KEY,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        principal VARCHAR(200) NOT NULL,
        key VARCHAR(200) NOT NULL,
        request_hash VARCHAR(64) NOT NULL,
        status_code INTEGER,
        response_body TEXT,
        response_headers TEXT,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX idempotency_keys_tenant_key ON idempotency_keys (tenant_id, principal, key)",
]

POSTGRES_STATEMENTS = [
    # The tenant registry: a tenant sees its own row; only a platform unit of work sees all.
    "ALTER TABLE tenants ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE tenants FORCE ROW LEVEL SECURITY",
    """CREATE POLICY tenant_registry ON tenants
        USING (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
               OR current_setting('app.platform', true) = 'on')
        WITH CHECK (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
               OR current_setting('app.platform', true) = 'on')""",
    # Append-only even for the owner: history is changed by nobody, through any role.
    """CREATE FUNCTION meridian_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit entries are append-only' USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION meridian_refuse_change()""",
]
