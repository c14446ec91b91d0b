"""Privacy: how long each kind of personal data is kept in each country, and the tenant's own periods."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, expected_version, with_etag
from compliance.retention import DataClass, Trigger
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.privacy import service
from domain.privacy.model import CountryCode, RetentionPolicyChange, RetentionPolicyView

ONE_POLICY = "/{country:str}/{data_class:str}/{trigger:str}"


class RetentionPolicyController(Controller):
    path = "/v1/privacy/retention-policies"
    tags = ["Privacy"]

    @get("/", operation_id="listRetentionPolicies", opt=requires(Operation.RETENTION_POLICIES_READ),
         summary="How long each kind of personal data is kept after its trigger, in each country of your legal "
                 "entities: the period in force, where it comes from and the law it rests on")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   country: FromQuery[CountryCode | None] = None) -> Page[RetentionPolicyView]:
        return await service.list_policies(principal, cursor, limit, country)

    @get(ONE_POLICY, operation_id="getRetentionPolicy", opt=requires(Operation.RETENTION_POLICIES_READ),
         summary="Read one retention policy: a country, data class and trigger")
    async def read(self, principal: Caller, country: FromPath[CountryCode], data_class: FromPath[DataClass],
                   trigger: FromPath[Trigger]) -> Response[RetentionPolicyView]:
        return with_etag(await service.get_policy(principal, country, data_class, trigger))

    @put(ONE_POLICY, operation_id="setRetentionPolicy", opt=requires(Operation.RETENTION_POLICIES_WRITE),
         summary="Set your own period (If-Match): longer up to the legal maximum, shorter down to the statutory "
                 "minimum, or null for the default (audited)")
    async def set(self, request: Request[Any, Any, Any], principal: Caller, country: FromPath[CountryCode],
                  data_class: FromPath[DataClass], trigger: FromPath[Trigger],
                  data: JSONBody[RetentionPolicyChange]) -> Response[RetentionPolicyView]:
        version = expected_version(request)
        return with_etag(await service.set_policy(principal, country, data_class, trigger, data, version))
