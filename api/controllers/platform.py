"""The platform operator's tenant registry (shared mode): provision, list, suspend, reactivate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from api.guards import PUBLIC, Caller, requires
from api.http import Cursor, Limit, with_etag
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.kernel.settings import Mode, Settings
from domain.tenancy import service
from domain.tenancy.model import NewTenant, TenantStatus, TenantView


class PlatformTenantController(Controller):
    path = "/v1/platform/tenants"
    tags = ["Platform"]

    @get("/", operation_id="listTenants", opt=requires(Operation.PLATFORM_TENANTS_READ), summary="List tenants")
    async def list(self, limit: Limit = 50, cursor: Cursor = None) -> Page[TenantView]:
        return await service.list_tenants(cursor, limit)

    @post("/", operation_id="createTenant",
          opt=requires(Operation.PLATFORM_TENANTS_WRITE), summary="Provision a tenant")
    async def create(self, principal: Caller, data: JSONBody[NewTenant]) -> Response[TenantView]:
        # On-prem has no operators' tenant, so no principal there holds this operation.
        return with_etag(await service.provision_tenant(principal, data), status_code=201)

    @post("/{tenant_id:uuid}/suspend", operation_id="suspendTenant",
          opt=requires(Operation.PLATFORM_TENANTS_WRITE), status_code=200,
          summary="Suspend a tenant: its tokens stop working at once")
    async def suspend(self, principal: Caller, tenant_id: FromPath[UUID]) -> TenantView:
        return await service.set_tenant_status(principal, tenant_id, TenantStatus.SUSPENDED)

    @post("/{tenant_id:uuid}/reactivate", operation_id="reactivateTenant",
          opt=requires(Operation.PLATFORM_TENANTS_WRITE), status_code=200,
          summary="Reactivate a suspended tenant")
    async def reactivate(self, principal: Caller, tenant_id: FromPath[UUID]) -> TenantView:
        return await service.set_tenant_status(principal, tenant_id, TenantStatus.ACTIVE)


class Health(msgspec.Struct, frozen=True):
    """Whether the service answers (`status` is `ok`), how it is deployed (`mode`) and which database it runs on
    (`sqlite` or `postgresql`). Public: no token needed."""

    status: str
    mode: Mode
    database: str


class HealthController(Controller):
    path = "/v1/health"
    tags = ["Platform"]

    @get("/", operation_id="getHealth",
         opt=PUBLIC, summary="Liveness, deployment mode and database kind", security=[{}])
    async def health(self, request: Request[Any, Any, Any]) -> Health:
        settings: Settings = request.app.state.settings
        return Health(status="ok", mode=settings.mode, database="sqlite" if settings.is_sqlite else "postgresql")
