"""The caller's tenant settings and its legal entities."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.tenancy import service
from domain.tenancy.model import (
    CountryCode,
    LegalEntityPatch,
    LegalEntityView,
    NewLegalEntity,
    TenantSettingsPatch,
    TenantView,
)


class TenantController(Controller):
    path = "/v1/tenant"
    tags = ["Tenant"]

    @get("/", operation_id="getTenant", opt=requires(Operation.TENANT_READ), summary="Read your tenant's settings")
    async def read(self, principal: Caller) -> Response[TenantView]:
        return with_etag(await service.get_settings(principal))

    @patch("/", operation_id="updateTenant",
           opt=requires(Operation.TENANT_UPDATE), summary="Change your tenant's settings (If-Match)")
    async def update(
        self, request: Request[Any, Any, Any], principal: Caller, data: JSONBody[TenantSettingsPatch]
    ) -> Response[TenantView]:
        return with_etag(await service.update_settings(principal, data, expected_version(request)))


class LegalEntityController(Controller):
    path = "/v1/legal-entities"
    tags = ["Legal entities"]

    @get("/", operation_id="listLegalEntities",
         opt=requires(Operation.LEGAL_ENTITIES_READ), summary="List legal entities")
    async def list(
        self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
        country: FromQuery[CountryCode | None] = None,
    ) -> Page[LegalEntityView]:
        return await service.list_legal_entities(principal, cursor, limit, country)

    @post("/", operation_id="createLegalEntity",
          opt=requires(Operation.LEGAL_ENTITIES_WRITE), summary="Create a legal entity")
    async def create(
        self, principal: Caller, data: JSONBody[NewLegalEntity]
    ) -> Response[LegalEntityView]:
        entity = await service.create_legal_entity(principal, data)
        return created(entity, f"/v1/legal-entities/{entity.id}")

    @get("/{entity_id:uuid}", operation_id="getLegalEntity",
         opt=requires(Operation.LEGAL_ENTITIES_READ), summary="Read a legal entity")
    async def read(self, principal: Caller, entity_id: FromPath[UUID]) -> Response[LegalEntityView]:
        return with_etag(await service.get_legal_entity(principal, entity_id))

    @patch("/{entity_id:uuid}", operation_id="updateLegalEntity", opt=requires(Operation.LEGAL_ENTITIES_WRITE),
           summary="Change a legal entity (If-Match)")
    async def update(
        self, request: Request[Any, Any, Any], principal: Caller,
        entity_id: FromPath[UUID], data: JSONBody[LegalEntityPatch]
    ) -> Response[LegalEntityView]:
        return with_etag(await service.update_legal_entity(principal, entity_id, data, expected_version(request)))

    @delete("/{entity_id:uuid}", operation_id="deleteLegalEntity", opt=requires(Operation.LEGAL_ENTITIES_WRITE),
            summary="Delete a legal entity (If-Match)")
    async def remove(self, request: Request[Any, Any, Any], principal: Caller, entity_id: FromPath[UUID]) -> None:
        await service.delete_legal_entity(principal, entity_id, expected_version(request))
