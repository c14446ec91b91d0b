"""AI interview results over HTTP: vendors, signed deliveries, references, evaluations, comparisons."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api.bodies import require_json_media_type
from api.guards import Caller, requires
from api.http import Cursor, Limit
from api.openapi import renders, signed_by_vendor
from api.problems import locale_of
from domain.assessments import service
from domain.assessments.contract import InterviewResultBatchV1, InterviewResultV1
from domain.assessments.report import ComparisonReport
from domain.assessments.security_log import RefusalWindowView
from domain.assessments.service import (
    BatchDelivery,
    Delivery,
    EvaluationView,
    NewReference,
    NewVendor,
    ReferenceView,
    ResultStatus,
    ResultView,
    VendorSecret,
    VendorView,
)
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.subject_requests import service as subject_requests

#: A full v1 result (50 competencies with quoted evidence) can reach ~15 MB.
MAX_DELIVERY_BYTES = 16 * 1024 * 1024
#: A batch is for the common result of a few kilobytes: 100 of them fit many times over; very large results go singly.
MAX_BATCH_BYTES = 32 * 1024 * 1024


class ComparisonRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The applications to compare side by side against the job's competency model: 2 to 20 application ids."""

    application_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=20)]


class VendorController(Controller):
    path = "/v1/vendors"
    tags = ["AI interview results"]

    @get("/", operation_id="listVendors",
         opt=requires(Operation.VENDORS_READ), summary="Registered interview-AI vendors, in the order registered")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[VendorView]:
        return await service.list_vendors(principal, cursor, limit)

    @post("/", operation_id="registerVendor", opt=requires(Operation.VENDORS_WRITE),
          summary="Register a vendor; its HMAC secret is in this answer and never shown again")
    async def register(self, principal: Caller, data: JSONBody[NewVendor]) -> VendorSecret:
        return await service.register_vendor(principal, data)

    @post("/{vendor_id:uuid}/rotate-secret", operation_id="rotateVendorSecret",
          opt=requires(Operation.VENDORS_WRITE), status_code=200,
          summary="A new HMAC secret (shown once); the previous one stays valid until the next rotation")
    async def rotate(self, principal: Caller, vendor_id: FromPath[UUID]) -> VendorSecret:
        return await service.rotate_secret(principal, vendor_id)

    @post("/{vendor_id:uuid}/references", operation_id="mapVendorReference", opt=requires(Operation.RESULTS_WRITE),
          summary="Map the vendor's candidate or application reference to an application; parked results resolve")
    async def map_reference(self, principal: Caller, vendor_id: FromPath[UUID],
                            data: JSONBody[NewReference]) -> ReferenceView:
        return await service.map_reference(principal, vendor_id, data)

    @get("/{vendor_id:uuid}/refused-deliveries", operation_id="listRefusedDeliveries",
         opt=requires(Operation.DELIVERY_REFUSALS_READ),
         summary="The security log of the vendor's refused deliveries: counts per reason and hour (newest first, "
                 "kept 30 days), each with its first few samples (time, source address, body size and hash prefix)")
    async def refused_deliveries(self, principal: Caller, vendor_id: FromPath[UUID], limit: Limit = 50,
                                 cursor: Cursor = None) -> Page[RefusalWindowView]:
        return await service.refused_deliveries(principal, vendor_id, cursor, limit)


class DeliveryController(Controller):
    path = "/v1/vendor-deliveries"
    tags = ["AI interview results"]

    @post("/{tenant_id:uuid}/{vendor_id:uuid}/results", operation_id="deliverInterviewResult",
          opt=signed_by_vendor(InterviewResultV1), security=[{}], status_code=200,
          request_max_body_size=MAX_DELIVERY_BYTES,
          summary="A vendor delivers one result (contract meridian.interview-result.v1), signed with "
                  "Meridian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + body>; 5-minute window; "
                  "idempotent by result_id; a key repeated in any object is refused (duplicate_json_key); emotion, "
                  "facial expression, sentiment of the face, micro-expressions or personality from voice or face "
                  "(as a field, evidence_kind or competency code) are refused as prohibited_evidence_kind (EU AI Act "
                  "art. 5(1)(f): no emotion recognition at work); a result whose candidate has not consented to "
                  "AI-assisted evaluation is stored but parked (parked_reason no_ai_consent) and used nowhere; past "
                  "30 refusals for a vendor in an hour, further ones are answered 429 with Retry-After")
    async def deliver(self, request: Request[Any, Any, Any], tenant_id: FromPath[UUID],
                      vendor_id: FromPath[UUID]) -> Delivery:
        # The signature is checked over the exact bytes received, before anything in them is believed.
        require_json_media_type(request)
        return await service.receive(tenant_id, vendor_id, request.headers.get("meridian-signature"),
                                     await request.body(), int(time.time()),
                                     request.client.host if request.client else None)

    @post("/{tenant_id:uuid}/{vendor_id:uuid}/result-batches", operation_id="deliverInterviewResultBatch",
          opt=signed_by_vendor(InterviewResultBatchV1), security=[{}], status_code=200,
          request_max_body_size=MAX_BATCH_BYTES,
          summary="A vendor delivers up to 100 results in one request (contract meridian.interview-result-batch.v1), "
                  "signed like a single result over the raw body. Not all-or-nothing: the valid results are stored "
                  "in one transaction and each is answered accepted, parked (with the reason: reference_not_mapped "
                  "or no_ai_consent) or duplicate (by result_id, also within the batch); an invalid one is refused "
                  "with its code and a JSON pointer and nothing of it is stored, and one carrying a prohibited "
                  "evidence kind (prohibited_evidence_kind, EU AI Act art. 5(1)(f)) is also counted in the vendor's "
                  "security log. A bad signature, a replay, a repeated key, a document that is not a "
                  "batch or more than 100 results (422 result_batch_too_large) refuse the whole batch")
    async def deliver_batch(self, request: Request[Any, Any, Any], tenant_id: FromPath[UUID],
                            vendor_id: FromPath[UUID]) -> BatchDelivery:
        require_json_media_type(request)
        return await service.receive_batch(tenant_id, vendor_id, request.headers.get("meridian-signature"),
                                           await request.body(), int(time.time()),
                                           request.client.host if request.client else None, locale_of(request))


class ResultController(Controller):
    path = "/v1/interview-results"
    tags = ["AI interview results"]

    @post("/contract-checks", operation_id="checkInterviewResult",
          opt=requires(Operation.VENDORS_READ), status_code=200,
          summary="Check a result against the canonical contract meridian.interview-result.v1 without storing it")
    async def check_contract(self, data: JSONBody[InterviewResultV1]) -> InterviewResultV1:
        return data

    @post("/contract-checks/batches", operation_id="checkInterviewResultBatch",
          opt=requires(Operation.VENDORS_READ), status_code=200,
          summary="Check a batch against the contract meridian.interview-result-batch.v1 without storing it")
    async def check_batch_contract(self, data: JSONBody[InterviewResultBatchV1]) -> InterviewResultBatchV1:
        return data

    @get("/", operation_id="listInterviewResults",
         opt=requires(Operation.RESULTS_READ),
         summary="Received results, in the order received; status=parked lists unmapped ones")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None,
                   status: FromQuery[ResultStatus | None] = None) -> Page[ResultView]:
        return await service.list_results(principal, cursor, limit, status)


class EvaluationController(Controller):
    path = "/v1/applications/{application_id:uuid}/evaluations"
    tags = ["AI interview results"]

    @get("/", operation_id="listEvaluations",
         opt=requires(Operation.RESULTS_READ), summary="Every evaluation, oldest first, each with its model version")
    async def list(self, principal: Caller, application_id: FromPath[UUID], limit: Limit = 50,
                   cursor: Cursor = None) -> Page[EvaluationView]:
        return await service.list_evaluations(principal, application_id, cursor, limit)

    @post("/recompute", operation_id="recomputeEvaluation", opt=requires(Operation.RESULTS_WRITE), status_code=201,
          summary="Evaluate again against the model version in force today (explicit, audited)")
    async def recompute(self, principal: Caller, application_id: FromPath[UUID]) -> EvaluationView:
        return await service.recompute(principal, application_id)


class ComparisonController(Controller):
    path = "/v1/jobs/{job_id:uuid}/comparisons"
    tags = ["AI interview results"]

    @post("/", operation_id="compareCandidates", opt=requires(Operation.RESULTS_READ), status_code=200,
          responses=renders(ComparisonReport, "The comparison, or with format=html the report as a page"),
          summary="Compare 2-20 applications: scores per competency, ranking, gaps, missing evidence. "
                  "format=html gives a localised report with a radar chart per candidate")
    async def compare(self, request: Request[Any, Any, Any], principal: Caller, job_id: FromPath[UUID],
                      data: JSONBody[ComparisonRequest],
                      format: FromQuery[Literal["json", "html"]] = "json") -> Response[Any]:
        # A candidate who restricted processing (a data-subject request) is left out of comparison and ranking.
        restricted = await subject_requests.restricted_applications(principal, data.application_ids)
        compared = [a for a in data.application_ids if a not in restricted]
        result, versions = await service.comparison(principal, job_id, compared, locale_of(request))
        if format == "html":
            return Response(service.comparison_html(result, versions, locale_of(request)), media_type=MediaType.HTML)
        return Response(result)


