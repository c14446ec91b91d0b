"""Identity use cases: who may call the API, and tenant admins managing users."""

from __future__ import annotations

from uuid import UUID

from domain.audit.service import record
from domain.identity import queries
from domain.identity.model import (
    NewUser,
    UserKind,
    UserPatch,
    UserStatus,
    UserView,
    effective_roles,
    require_unmanaged,
)
from domain.kernel.access_cache import access_cache, listen_for_access_changes
from domain.kernel.db import UnitOfWork, current_database, unit_of_work
from domain.kernel.errors import Conflict, DomainError, ErrorKind, InvalidInput, NotFound
from domain.kernel.i18n import locale_code
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.permissions import Role
from domain.kernel.principal import Actor, Principal
from domain.kernel.versioning import changed_fields
from domain.tenancy.model import TenantAccess, TenantKind, TenantStatus
from domain.tenancy.service import tenant_access_in


class NotAuthenticated(DomainError):
    code = "unauthenticated"
    kind = ErrorKind.UNAUTHENTICATED
    title = "Authentication required"
    template = "A valid bearer token is required."


class UserNotFound(NotFound):
    code = "user_not_found"
    template = "There is no user with this id."


class SubjectTaken(Conflict):
    code = "user_subject_taken"
    title = "Subject already used"
    template = "This tenant already has a user with the subject {subject}."


class RoleNotAllowedHere(InvalidInput):
    code = "role_not_allowed"
    title = "Role not allowed"
    template = "The role {role} cannot be held by users of this tenant."


async def authenticate(
    tenant_id: UUID, subject: str, token_roles: frozenset[str], token_scopes: frozenset[str] | None, request_id: str
) -> Principal:
    """Turn a verified token into a principal, or refuse: unknown or disabled users and suspended
    tenants are refused on every request, so disabling takes effect at once (the access cache forgets a
    tenant's callers when any of its users or its status changes)."""
    tenant, user = await _active_caller(tenant_id, subject)
    roles = effective_roles(token_roles, tuple(user.roles))
    if tenant.kind != TenantKind.PLATFORM:
        roles -= {Role.PLATFORM_OPERATOR}
    scopes = token_scopes
    if user.kind is UserKind.CLIENT:
        granted = frozenset(user.scopes)
        scopes = granted if token_scopes is None else token_scopes & granted
    return Principal(tenant_id=tenant_id, subject=subject, roles=roles, scopes=scopes, request_id=request_id,
                     locale=locale_code(user.locale), timezone=user.timezone,
                     platform=tenant.kind == TenantKind.PLATFORM)


async def _active_caller(tenant_id: UUID, subject: str) -> tuple[TenantAccess, UserView]:
    listen_for_access_changes(current_database())
    remembered = access_cache.recall(tenant_id, subject)
    if remembered is not None:
        return remembered  # type: ignore[no-any-return]
    generation = access_cache.generation
    async with unit_of_work(tenant_id, write=False) as uow:
        tenant = await tenant_access_in(uow)
        user = await queries.user_by_subject(uow, subject) if tenant else None
    if tenant is None or tenant.status != TenantStatus.ACTIVE or user is None:
        raise NotAuthenticated()
    if user.status is not UserStatus.ACTIVE:
        raise NotAuthenticated()
    access_cache.remember(tenant_id, subject, (tenant, user), generation)
    return tenant, user


async def ensure_user(actor: Actor, tenant_id: UUID, subject: str, roles: list[Role]) -> UserView:
    """Create the user if absent, else grant the missing roles. Used by ``meridian tokens issue``."""
    async with unit_of_work(tenant_id) as uow:
        tenant = await tenant_access_in(uow)
        if tenant is None:
            raise NotFound(resource="tenant")
        _check_roles(roles, tenant.kind == TenantKind.PLATFORM)
        existing = await queries.user_by_subject(uow, subject)
        if existing is None:
            user = await queries.insert_user(uow, new_id(), queries.UserRecord(
                subject=subject, display_name=subject, kind=UserKind.PERSON, status=UserStatus.ACTIVE, roles=roles,
                scopes=[], timezone="UTC", locale="en"))
            await record(uow, actor, "user.created", "user", user.id, after=user)
            return user
        wanted = sorted({*existing.roles, *roles})
        if wanted != sorted(existing.roles):
            await queries.update_user(uow, existing.id, existing.version, {"roles": wanted})
            await record(uow, actor, "user.updated", "user", existing.id,
                         before={"roles": existing.roles}, after={"roles": wanted})
        return await _user(uow, existing.id)


async def grant_self_service(
    uow: UnitOfWork, subject: str, display_name: str, role: Role, timezone: str, locale: str
) -> None:
    """A candidate or employee may sign in to their own portal: a person user holding only ``role``, created
    once inside the caller's unit of work."""
    if await queries.user_by_subject(uow, subject) is None:
        await queries.insert_user(uow, new_id(), queries.UserRecord(
            subject=subject, display_name=display_name, kind=UserKind.PERSON, status=UserStatus.ACTIVE, roles=[role],
            scopes=[], timezone=timezone, locale=locale))


async def save_client_user(uow: UnitOfWork, subject: str, display_name: str, roles: list[Role], scopes: list[str],
                           active: bool = True) -> None:
    """A partner client's service user, inside the caller's unit of work: created with the client, its roles,
    scopes and status following the client's (a change announces itself, so every process forgets the old ones)."""
    status = UserStatus.ACTIVE if active else UserStatus.DISABLED
    existing = await queries.user_by_subject(uow, subject)
    if existing is None:
        await queries.insert_user(uow, new_id(), queries.UserRecord(
            subject=subject, display_name=display_name, kind=UserKind.CLIENT, status=status, roles=roles,
            scopes=scopes, timezone="UTC", locale="en"))
        return
    await queries.update_user(uow, existing.id, existing.version, {
        "display_name": display_name, "roles": list(roles), "scopes": list(scopes), "status": status.value})


async def create_user(principal: Principal, request: NewUser) -> UserView:
    _check_roles(request.roles, principal.platform)
    require_unmanaged(request.subject)
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.user_by_subject(uow, request.subject):
            raise SubjectTaken(subject=request.subject)
        user = await queries.insert_user(uow, new_id(), queries.UserRecord(
            subject=request.subject, display_name=request.display_name, kind=request.kind, status=UserStatus.ACTIVE,
            roles=request.roles, scopes=request.scopes, timezone=request.timezone, locale=request.locale))
        await record(uow, principal, "user.created", "user", user.id, after=user)
    return user


async def get_user(principal: Principal, user_id: UUID) -> UserView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _user(uow, user_id)


async def list_users(principal: Principal, cursor: str | None, limit: int, role: Role | None) -> Page[UserView]:
    after = decode_uuid_cursor(cursor)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.users(uow, after=after, limit=limit + 1, role=role.value if role else None)
    return page_of(rows, limit, lambda u: str(u.id))


async def update_user(principal: Principal, user_id: UUID, patch: UserPatch, expected_version: int) -> UserView:
    if patch.roles is not None:
        _check_roles(patch.roles, principal.platform)
    values = changed_fields(patch)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _user(uow, user_id)
        if {"display_name", "roles", "scopes", "status"} & set(values):
            require_unmanaged(before.subject)  # the client's definition alone sets these
        await queries.update_user(uow, user_id, expected_version, values)
        after = await _user(uow, user_id)
        await record(uow, principal, "user.updated", "user", user_id,
                     before={k: getattr(before, k) for k in values}, after=values)
    return after


async def _user(uow: UnitOfWork, user_id: UUID) -> UserView:
    user = await queries.user(uow, user_id)
    if user is None:
        raise UserNotFound()
    return user


def _check_roles(roles: list[Role], platform_tenant: bool) -> None:
    for role in roles:
        if (role is Role.PLATFORM_OPERATOR) != platform_tenant:
            raise RoleNotAllowedHere(role=role.value)


# -- reads other contexts run inside their own unit of work (interviews: who may interview) -----


async def user_in(uow: UnitOfWork, user_id: UUID) -> UserView | None:
    return await queries.user(uow, user_id)


async def existing_users_in(uow: UnitOfWork, user_ids: list[UUID]) -> set[UUID]:
    """Which of ``user_ids`` are users of the unit of work's tenant."""
    return await queries.existing_user_ids(uow, user_ids)


async def user_by_subject_in(uow: UnitOfWork, subject: str) -> UserView | None:
    return await queries.user_by_subject(uow, subject)


async def users_with_role_in(uow: UnitOfWork, role: Role) -> list[UserView]:
    """The tenant's active users holding ``role`` (webhooks: the tenant admins told of a disabled endpoint)."""
    found: list[UserView] = []
    after: UUID | None = None
    while True:
        page = await queries.users(uow, after=after, limit=200, role=role.value)
        found += [user for user in page if user.status is UserStatus.ACTIVE]
        if len(page) < 200:
            return found
        after = page[-1].id
