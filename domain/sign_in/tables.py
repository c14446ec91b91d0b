from __future__ import annotations

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdentityProvider(Table, tablename="identity_providers"):
    """A tenant's OpenID Connect provider; its client secret is sealed with the tenant's data key."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    issuer = Varchar(length=500)
    client_id = Varchar(length=500)
    client_secret_sealed = Text()
    subject_claim = Varchar(length=100)
    enabled = Boolean()
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SignInCode(Table, tablename="sign_in_codes"):
    """A one-time local sign-in code an admin issued for a person (SHA-256 of the code only)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    subject = Varchar(length=200)
    code_hash = Varchar(length=64)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class AuthorizationRequest(Table, tablename="authorization_requests"):
    """An app's /oauth/authorize in progress: the person signing in, then consenting."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    client_id = Varchar(length=200)
    redirect_uri = Text()
    scope = Text()
    state = Text(null=True, default=None)
    code_challenge = Varchar(length=128)
    nonce = Text(null=True, default=None)
    locale = Varchar(length=16)
    browser_hash = Varchar(length=64)
    idp_state_hash = Varchar(length=64, null=True, default=None)
    idp_nonce = Varchar(length=64, null=True, default=None)
    idp_verifier = Varchar(length=128, null=True, default=None)
    subject = Varchar(length=200, null=True, default=None)
    csrf_hash = Varchar(length=64, null=True, default=None)
    failed_attempts = Integer()
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz()
    created_at = Timestamptz()


class AuthorizationCode(Table, tablename="authorization_codes"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    code_hash = Varchar(length=64)
    client_id = Varchar(length=200)
    redirect_uri = Text()
    scope = Text()
    subject = Varchar(length=200)
    code_challenge = Varchar(length=128)
    code_challenge_method = Varchar(length=8)
    nonce = Text(null=True, default=None)
    family_id = UUID(null=True, default=None)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class RefreshToken(Table, tablename="refresh_tokens"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    family_id = UUID()
    token_hash = Varchar(length=64)
    client_id = Varchar(length=200)
    subject = Varchar(length=200)
    scope = Text()
    access_jti = Varchar(length=64)
    access_expires_at = Timestamptz()
    expires_at = Timestamptz()
    rotated_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class OAuthConsent(Table, tablename="oauth_consents"):
    """The scopes a person allowed a client to use for them, remembered until they revoke it."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    subject = Varchar(length=200)
    api_client_id = UUID()
    client_id = Varchar(length=200)
    scope = Text()
    granted_at = Timestamptz()
    updated_at = Timestamptz()
