from __future__ import annotations

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ApiClient(Table, tablename="api_clients"):
    """An OAuth client of a tenant. Lists (grant types, scopes, roles, redirect URIs) are sorted JSON arrays."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    confidential = Boolean()
    grant_types = Text()
    scopes = Text()
    roles = Text()
    redirect_uris = Text()
    service_subject = Varchar(length=200)
    secret_hash = Text(null=True)
    previous_secret_hash = Text(null=True)
    previous_secret_until = Timestamptz(null=True)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RevokedToken(Table, tablename="oauth_revoked_tokens"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    jti = Varchar(length=64)
    client_id = UUID()
    expires_at = Timestamptz()
    revoked_at = Timestamptz()
