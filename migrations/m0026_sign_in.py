"""Signing a person in for a partner's app (OAuth authorization code with PKCE): the tenant's OpenID Connect provider
(its client secret sealed with the tenant's data key), one-time local sign-in codes for installations without one,
the authorisation requests in progress (between the app's /oauth/authorize and the consent), the authorization codes
(single use, 60 seconds) and the refresh tokens, grouped in families so that a reused one revokes them all. Codes and
tokens are stored only as SHA-256 digests."""

ID = "0026_sign_in"

TENANT_TABLES = ("identity_providers", "sign_in_codes", "authorization_requests", "authorization_codes",
                 "refresh_tokens")

STATEMENTS = [
    """CREATE TABLE identity_providers (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        issuer VARCHAR(500) NOT NULL,
        client_id VARCHAR(500) NOT NULL,
        client_secret_sealed TEXT NOT NULL,
        subject_claim VARCHAR(100) NOT NULL,
        enabled BOOLEAN NOT NULL,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX identity_providers_tenant ON identity_providers (tenant_id)",
    """CREATE TABLE sign_in_codes (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        subject VARCHAR(200) NOT NULL,
        code_hash VARCHAR(64) NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        created_by VARCHAR(200) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX sign_in_codes_hash ON sign_in_codes (tenant_id, code_hash)",
    """CREATE TABLE authorization_requests (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        client_id VARCHAR(200) NOT NULL,
        redirect_uri TEXT NOT NULL,
        scope TEXT NOT NULL,
        state TEXT,
        code_challenge VARCHAR(128) NOT NULL,
        nonce TEXT,
        locale VARCHAR(16) NOT NULL,
        browser_hash VARCHAR(64) NOT NULL,
        idp_state_hash VARCHAR(64),
        idp_nonce VARCHAR(64),
        idp_verifier VARCHAR(128),
        subject VARCHAR(200),
        csrf_hash VARCHAR(64),
        failed_attempts INTEGER NOT NULL,
        finished_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    """CREATE TABLE authorization_codes (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        code_hash VARCHAR(64) NOT NULL,
        client_id VARCHAR(200) NOT NULL,
        redirect_uri TEXT NOT NULL,
        scope TEXT NOT NULL,
        subject VARCHAR(200) NOT NULL,
        code_challenge VARCHAR(128) NOT NULL,
        code_challenge_method VARCHAR(8) NOT NULL,
        nonce TEXT,
        family_id UUID,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX authorization_codes_hash ON authorization_codes (tenant_id, code_hash)",
    """CREATE TABLE refresh_tokens (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        family_id UUID NOT NULL,
        token_hash VARCHAR(64) NOT NULL,
        client_id VARCHAR(200) NOT NULL,
        subject VARCHAR(200) NOT NULL,
        scope TEXT NOT NULL,
        access_jti VARCHAR(64) NOT NULL,
        access_expires_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        rotated_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id)
    )""",
    "CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (tenant_id, token_hash)",
    "CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id)",
]
