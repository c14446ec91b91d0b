"""Privacy: how long each kind of personal data is kept in each country, and the tenant's own periods; the
retention purge's runs and certificates; legal holds that stop it."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from api.openapi import renders
from api.problems import locale_of
from compliance.retention import DataClass, Trigger
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.privacy import certificates, holds, service
from domain.privacy.certificates import PurgeCertificate, PurgeView
from domain.privacy.holds import HoldRelease, LegalHoldView, NewLegalHold
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


class PurgeController(Controller):
    path = "/v1/privacy/purges"
    tags = ["Privacy"]

    @get("/", operation_id="listPrivacyPurges", opt=requires(Operation.PRIVACY_PURGES_READ),
         summary="Runs of the retention purge (daily, or on demand from the command line), newest first, with their "
                 "counts per country, data class and trigger")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[PurgeView]:
        return await certificates.list_purges(principal, cursor, limit)

    @get("/{purge_id:uuid}", operation_id="getPrivacyPurge", opt=requires(Operation.PRIVACY_PURGES_READ),
         summary="Read one purge run: what was erased or deleted, what legal holds kept, under which policies")
    async def read(self, principal: Caller, purge_id: FromPath[UUID]) -> PurgeView:
        return await certificates.get_purge(principal, purge_id)

    @get("/{purge_id:uuid}/certificate", operation_id="getPurgeCertificate",
         opt=requires(Operation.PRIVACY_PURGES_READ),
         responses=renders(PurgeCertificate, "The certificate, or with format=html the certificate as a page"),
         summary="The certificate of a completed purge: counts per class, policies and citations, and the audit "
                 "chain entry and hash it was recorded at; format=html gives a localised page")
    async def certificate(self, request: Request[Any, Any, Any], principal: Caller, purge_id: FromPath[UUID],
                          format: FromQuery[Literal["json", "html"]] = "json") -> Response[Any]:
        locale = locale_of(request)
        found = await certificates.certificate(principal, purge_id, locale)
        if format == "html":
            return Response(certificates.certificate_html(found, locale), media_type=MediaType.HTML)
        return Response(found)


class LegalHoldController(Controller):
    path = "/v1/privacy/legal-holds"
    tags = ["Privacy"]

    @post("/", operation_id="placeLegalHold", opt=requires(Operation.LEGAL_HOLDS_WRITE),
          summary="Place a legal hold on a person or a case: the retention purge skips what it covers (audited)")
    async def place(self, principal: Caller, data: JSONBody[NewLegalHold]) -> Response[LegalHoldView]:
        hold = await holds.place_hold(principal, data)
        return created(hold, f"/v1/privacy/legal-holds/{hold.id}")

    @get("/", operation_id="listLegalHolds", opt=requires(Operation.LEGAL_HOLDS_READ),
         summary="Legal holds in the order placed; active=true or false for active or released ones only")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   active: FromQuery[bool | None] = None) -> Page[LegalHoldView]:
        return await holds.list_holds(principal, cursor, limit, active)

    @get("/{hold_id:uuid}", operation_id="getLegalHold", opt=requires(Operation.LEGAL_HOLDS_READ),
         summary="Read a legal hold")
    async def read(self, principal: Caller, hold_id: FromPath[UUID]) -> Response[LegalHoldView]:
        return with_etag(await holds.get_hold(principal, hold_id))

    @post("/{hold_id:uuid}/release", operation_id="releaseLegalHold", opt=requires(Operation.LEGAL_HOLDS_WRITE),
          status_code=200, summary="Release a legal hold, with a reason (audited); the purge may then erase what it "
                                   "covered once its period has passed")
    async def release(self, principal: Caller, hold_id: FromPath[UUID],
                      data: JSONBody[HoldRelease]) -> Response[LegalHoldView]:
        return with_etag(await holds.release_hold(principal, hold_id, data))
