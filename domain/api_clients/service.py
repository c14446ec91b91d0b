"""API client use cases: tenant admins registering, changing, rotating and deleting OAuth clients (each audited),
and what the authorisation server reads and writes about them (the client behind a client_id, whether a token is
still in force, revoking one)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.api_clients import queries
from domain.api_clients.model import (
    SCOPES,
    ApiClientNotFound,
    ApiClientPatch,
    ApiClientView,
    ApiClientWithSecret,
    ClientRoleExceedsYours,
    NewApiClient,
    NotConfidential,
    ScopeCatalogue,
    ScopeView,
    SecretRotation,
    check_client,
    hash_secret,
    new_secret,
    parse_client_id,
    secret_matches,
)
from domain.audit.service import record
from domain.identity.service import save_client_user
from domain.kernel.access_cache import access_cache, announce_access_change, listen_for_access_changes
from domain.kernel.db import UnitOfWork, current_database, unit_of_work
from domain.kernel.errors import StaleVersion
from domain.kernel.i18n import translate
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.permissions import SCOPE_MESSAGES, Role, role_operations
from domain.kernel.principal import Actor, Principal
from domain.kernel.time import utc_now
from domain.kernel.versioning import changed_fields
from domain.tenancy.model import TenantStatus
from domain.tenancy.service import tenant_access_in

ENTITY = "api_client"


def service_subject(client_id: UUID) -> str:
    """The subject of the user a client acts as when it holds a client-credentials token."""
    return f"client:{client_id}"


def scope_catalogue(locale: str) -> ScopeCatalogue:
    return ScopeCatalogue(items=[ScopeView(name=name, description=translate(SCOPE_MESSAGES[name], locale))
                                 for name in SCOPES])


def _check_roles_within(principal: Principal, roles: list[Role]) -> None:
    """A client never gets a role that allows an operation its admin's own roles do not."""
    own = role_operations(principal.roles)
    for role in roles:
        if not role_operations(frozenset({role})) <= own:
            raise ClientRoleExceedsYours(role=role.value, field="roles")


async def create_client(principal: Principal, request: NewApiClient) -> ApiClientWithSecret:
    _check_roles_within(principal, request.roles)
    secret = new_secret() if request.confidential else None
    client_id = new_id()
    subject = service_subject(client_id)
    async with unit_of_work(principal.tenant_id) as uow:
        await save_client_user(uow, subject, request.name, request.roles, request.scopes)
        view = await queries.insert_client(uow, client_id, queries.ClientRecord(
            name=request.name, confidential=request.confidential, grant_types=request.grant_types,
            scopes=request.scopes, roles=request.roles, redirect_uris=request.redirect_uris, service_subject=subject,
            secret_hash=hash_secret(secret) if secret else None))
        await record(uow, principal, "api_client.created", ENTITY, client_id, after=view)
    return ApiClientWithSecret(client=view, client_secret=secret)


async def get_client(principal: Principal, client_id: UUID) -> ApiClientView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _client(uow, client_id)


async def list_clients(principal: Principal, cursor: str | None, limit: int) -> Page[ApiClientView]:
    after = decode_uuid_cursor(cursor)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.clients(uow, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda c: str(c.id))


async def update_client(principal: Principal, client_id: UUID, patch: ApiClientPatch,
                        expected_version: int) -> ApiClientView:
    if patch.roles is not None:
        _check_roles_within(principal, patch.roles)
    values = changed_fields(patch)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _client(uow, client_id)
        merged = msgspec.structs.replace(before, **values)  # type: ignore[arg-type]
        check_client(merged.confidential, merged.grant_types, merged.scopes, merged.redirect_uris)
        await queries.update_client(uow, client_id, expected_version, values)
        after = await _client(uow, client_id)
        if {"name", "roles", "scopes"} & set(values):
            await save_client_user(uow, after.service_subject, after.name, after.roles, after.scopes)
        await record(uow, principal, "api_client.updated", ENTITY, client_id,
                     before={k: getattr(before, k) for k in values}, after={k: getattr(after, k) for k in values})
    return after


async def delete_client(principal: Principal, client_id: UUID, expected_version: int) -> None:
    """The client is gone and every token it holds is refused from its next request: its service user is disabled
    and every serving process forgets what it remembered about the tenant's callers and tokens."""
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _client(uow, client_id)
        if before.version != expected_version:
            raise StaleVersion(resource="API client")
        await queries.delete_client(uow, client_id)
        await save_client_user(uow, before.service_subject, before.name, before.roles, before.scopes, active=False)
        await announce_access_change(uow)
        await record(uow, principal, "api_client.deleted", ENTITY, client_id, before=before)


async def rotate_secret(principal: Principal, client_id: UUID, rotation: SecretRotation) -> ApiClientWithSecret:
    secret = new_secret()
    async with unit_of_work(principal.tenant_id) as uow:
        current = await queries.client_secrets(uow, client_id)
        if current is None:
            raise ApiClientNotFound()
        if not current.client.confidential:
            raise NotConfidential()
        until = utc_now() + timedelta(seconds=rotation.overlap_seconds) if rotation.overlap_seconds else None
        await queries.replace_secret(uow, client_id, current.client.version, hash_secret(secret),
                                     current.secret_hash if until else None, until)
        after = await _client(uow, client_id)
        await record(uow, principal, "api_client.secret_rotated", ENTITY, client_id,
                     after={"previous_secret_until": until, "overlap_seconds": rotation.overlap_seconds})
    return ApiClientWithSecret(client=after, client_secret=secret)


async def client_in(uow: UnitOfWork, client_id: UUID) -> ApiClientView | None:
    """A client of the unit of work's tenant, inside the caller's unit of work (sign-in: an authorised app's name)."""
    return await queries.client(uow, client_id)


async def _client(uow: UnitOfWork, client_id: UUID) -> ApiClientView:
    found = await queries.client(uow, client_id)
    if found is None:
        raise ApiClientNotFound()
    return found


# -- what the authorisation server reads and writes ------------------------------------------------------------


class TokenEndpointClient(msgspec.Struct, frozen=True):
    """A client as the token endpoint sees it: its settings, its tenant, and its secret hashes (never shown)."""

    tenant_id: UUID
    client: ApiClientView
    secret_hash: str | None
    previous_secret_hash: str | None
    previous_secret_until: datetime | None

    def secret_matches(self, secret: str) -> bool:
        """The current secret, or the one a rotation replaced while its overlap lasts. Costs an scrypt each."""
        if secret_matches(secret, self.secret_hash):
            return True
        until = self.previous_secret_until
        return until is not None and utc_now() < until and secret_matches(secret, self.previous_secret_hash)


async def client_for_token_endpoint(public_id: str, home_tenant: UUID | None) -> TokenEndpointClient | None:
    """The client a ``client_id`` names, or None when it names none (or a client of a tenant that is not active,
    or, on-prem, of another tenant than the installation's)."""
    parsed = parse_client_id(public_id)
    if parsed is None:
        return None
    tenant_id, client_id = parsed
    if home_tenant is not None and tenant_id != home_tenant:
        return None
    async with unit_of_work(tenant_id, write=False) as uow:
        tenant = await tenant_access_in(uow)
        if tenant is None or tenant.status != TenantStatus.ACTIVE:
            return None
        found = await queries.client_secrets(uow, client_id)
    if found is None:
        return None
    return TokenEndpointClient(tenant_id=tenant_id, client=found.client, secret_hash=found.secret_hash,
                               previous_secret_hash=found.previous_secret_hash,
                               previous_secret_until=found.client.previous_secret_until)


async def token_in_force(tenant_id: UUID, public_id: str, jti: str | None) -> bool:
    """Whether a client's token is still in force: its client exists and it was not revoked. Remembered like the
    callers of the access cache, which every process forgets when a revocation or deletion is announced."""
    parsed = parse_client_id(public_id)
    if parsed is None or parsed[0] != tenant_id or not jti:
        return False
    listen_for_access_changes(current_database())
    key = f"oauth-token {jti}"
    if access_cache.recall(tenant_id, key) is not None:
        return True
    generation = access_cache.generation
    async with unit_of_work(tenant_id, write=False) as uow:
        in_force = await queries.client_exists(uow, parsed[1]) and not await queries.revoked(uow, jti)
    if in_force:
        access_cache.remember(tenant_id, key, True, generation)
    return in_force


async def revoke_token(actor: Actor, tenant_id: UUID, public_id: str, jti: str, expires_at: datetime) -> None:
    """Revoke one token of a client (RFC 7009): refused from the next request in every process."""
    parsed = parse_client_id(public_id)
    if parsed is None or parsed[0] != tenant_id:
        return
    async with unit_of_work(tenant_id) as uow:
        if await queries.revoke(uow, jti, parsed[1], expires_at):
            await announce_access_change(uow)
            await record(uow, actor, "oauth_token.revoked", ENTITY, parsed[1], after={"jti": jti})


#: A revocation is kept this long past its token's expiry, beyond the verifier's clock leeway.
REVOCATION_KEPT_AFTER_EXPIRY = timedelta(minutes=5)


async def purge_expired(tenant_id: UUID) -> int:
    """Housekeeping: the tenant's revocations of tokens that expired since (``api.maintenance``)."""
    async with unit_of_work(tenant_id) as uow:
        return await queries.purge_revocations(uow, utc_now() - REVOCATION_KEPT_AFTER_EXPIRY)
