"""OAuth clients of a tenant (partner integrations) and the access tokens revoked before they expire.

A client's secret is stored only as a salted scrypt hash; after a rotation the previous hash stays valid until
``previous_secret_until``. A client acts as its service user (``service_subject``, a user of kind ``client``), whose
roles and scopes bound every token it holds. A revoked token's ``jti`` is kept until the token would have expired."""

ID = "0025_api_clients"

TENANT_TABLES = ("api_clients", "oauth_revoked_tokens")

STATEMENTS = [
    """CREATE TABLE api_clients (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        name VARCHAR(200) NOT NULL,
        confidential BOOLEAN NOT NULL,
        grant_types TEXT NOT NULL,
        scopes TEXT NOT NULL,
        roles TEXT NOT NULL,
        redirect_uris TEXT NOT NULL,
        service_subject VARCHAR(200) NOT NULL,
        secret_hash TEXT,
        previous_secret_hash TEXT,
        previous_secret_until TIMESTAMPTZ,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    """CREATE TABLE oauth_revoked_tokens (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        jti VARCHAR(64) NOT NULL,
        client_id UUID NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX oauth_revoked_tokens_jti ON oauth_revoked_tokens (tenant_id, jti)",
]
