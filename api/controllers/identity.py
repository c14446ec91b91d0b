"""Users of the tenant, and the caller's own identity."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from domain.identity import service
from domain.identity.model import NewUser, UserPatch, UserView
from domain.kernel.i18n import LocaleTag, show_locales
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation, Role, allowed


class Me(msgspec.Struct, frozen=True):
    """Who the bearer token speaks for: the tenant, the subject, the roles, the token's scopes (null when it has none
    and its roles alone decide), the operations it may perform, and the user's own language (BCP 47 tag) and time zone
    (IANA name)."""

    tenant_id: UUID
    subject: str
    roles: list[Role]
    scopes: list[str] | None
    operations: list[Operation]
    locale: LocaleTag
    timezone: str

    def __post_init__(self) -> None:
        show_locales(self, "locale")


@functools.lru_cache(maxsize=1024)
def _operations(roles: frozenset[Role], scopes: frozenset[str] | None) -> tuple[Operation, ...]:
    """What these roles and scopes may do (:func:`allowed`, as the guard decides), worked out once per combination:
    the matrix and the scope catalogue are fixed while the process serves."""
    return tuple(op for op in Operation if allowed(roles, op, scopes))


class MeController(Controller):
    path = "/v1/me"
    tags = ["Identity"]

    @get("/", operation_id="getMe", opt=requires(Operation.ME_READ), summary="Who you are and what you may do")
    async def read(self, request: Request[Any, Any, Any], principal: Caller) -> Me:
        return Me(
            tenant_id=principal.tenant_id, subject=principal.subject, roles=sorted(principal.roles),
            scopes=sorted(principal.scopes) if principal.scopes is not None else None,
            operations=list(_operations(principal.roles, principal.scopes)),
            locale=caller(request).locale,  # the user's own, whichever language this request reads in
            timezone=principal.timezone,
        )


class UserController(Controller):
    path = "/v1/users"
    tags = ["Identity"]

    @get("/", operation_id="listUsers", opt=requires(Operation.USERS_READ), summary="List users")
    async def list(
        self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
        role: FromQuery[Role | None] = None,
    ) -> Page[UserView]:
        return await service.list_users(principal, cursor, limit, role)

    @post("/", operation_id="createUser",
          opt=requires(Operation.USERS_WRITE), summary="Create a user or partner client")
    async def create(self, principal: Caller, data: JSONBody[NewUser]) -> Response[UserView]:
        user = await service.create_user(principal, data)
        return created(user, f"/v1/users/{user.id}")

    @get("/{user_id:uuid}", operation_id="getUser", opt=requires(Operation.USERS_READ), summary="Read a user")
    async def read(self, principal: Caller, user_id: FromPath[UUID]) -> Response[UserView]:
        return with_etag(await service.get_user(principal, user_id))

    @patch("/{user_id:uuid}", operation_id="updateUser", opt=requires(Operation.USERS_WRITE),
           summary="Change a user's roles, scopes or status (If-Match); disabling takes effect at once")
    async def update(
        self, request: Request[Any, Any, Any], principal: Caller, user_id: FromPath[UUID], data: JSONBody[UserPatch]
    ) -> Response[UserView]:
        return with_etag(await service.update_user(principal, user_id, data, expected_version(request)))
