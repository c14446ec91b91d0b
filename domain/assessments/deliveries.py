"""Signed deliveries of AI-interview results: one result, or a batch of up to 100 in one signed request.

A delivery is authenticated by its HMAC signature, not by a bearer token: the tenant and vendor named in the URL
are only believed once the raw body verifies under that vendor's secret. Refused deliveries are not audited (anyone
could grow the chain without credentials): they are counted in the bounded security log of ``security_log``, in
their own transaction, since the delivery itself is refused.

Every delivery is one transaction, and its queries are batched: one round trip per kind of lookup or write whatever
the number of results (the vendor, the replay guard, the results already stored, the mapped references, their
applications, their jobs' model versions, then one INSERT each for results, evaluations and audit entries).

A batch is not all-or-nothing. Its signature, its envelope and its size are checked first, and any of them wrong
refuses the whole batch (logged like a refused single delivery, nothing stored). Past that, each result is decoded
on its own: the valid ones are stored together, each invalid one is refused and reported with its index, a stable
code and a JSON pointer, and nothing of it is stored. Each result is idempotent by its result_id, within a batch too.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from compliance.rounding import half_up
from domain.assessments import queries
from domain.assessments.contract import (
    InterviewResultV1,
    InvalidResultPayload,
    ProhibitedEvidenceKind,
    decode_result,
    decode_signed_result,
    refuse_duplicate_keys,
    refuse_prohibited_evidence,
)
from domain.assessments.model import StoredEvaluation
from domain.assessments.queries import ResultRow
from domain.assessments.safeguards import consented_applications, restricted_applications_in
from domain.assessments.scoring import ModelVersion, evaluate
from domain.assessments.security_log import DeliveriesThrottled, RefusedDelivery, log_refusal
from domain.assessments.signatures import SignatureMismatch, SignatureMissing, VendorSignatureError, verify
from domain.assessments.views import (
    PROCESSING_RESTRICTED,
    BatchDelivery,
    BatchItem,
    Delivery,
    ItemProblem,
    ResultStatus,
    batch_delivery,
    batch_item,
    evaluation_view,
    parked_reason,
    result_view,
)
from domain.audit.service import Entry, record_all
from domain.kernel.crypto import TenantCipher
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import ErrorKind
from domain.kernel.i18n import translate
from domain.kernel.ids import new_id
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for, person_ciphers
from domain.recruitment.model import ModelVersionView
from domain.recruitment.service import (
    ApplicationNotFound,
    applications_by_id_in,
    model_versions_of_jobs_in,
    version_in_force,
)
from domain.webhooks import service as webhooks

BATCH_SCHEMA_V1 = "meridian.interview-result-batch.v1"
MAX_RESULTS_PER_BATCH = 100


class SignatureReplayed(VendorSignatureError):
    code = "vendor_signature_replayed"
    kind = ErrorKind.UNAUTHENTICATED
    title = "Delivery replayed"
    template = "This signed delivery was already received; sign each delivery anew."


class InvalidResultBatch(InvalidResultPayload):
    code = "invalid_interview_result_batch"
    title = "Invalid batch of interview results"
    template = "The batch does not follow the contract meridian.interview-result-batch.v1: {problem}"


class ResultBatchTooLarge(InvalidResultPayload):
    code = "result_batch_too_large"
    kind = ErrorKind.UNPROCESSABLE
    title = "Too many results in one batch"
    template = "A batch carries at most {limit} results; this one carries {count}. Send the rest in another batch."


class _BatchEnvelope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The batch as first read: its results kept as raw bytes, so each is decoded, refused and sealed on its own."""

    schema: Literal["meridian.interview-result-batch.v1"]
    results: Annotated[list[msgspec.Raw], msgspec.Meta(min_length=1)]


class _NamedResult(msgspec.Struct, frozen=True):
    """Just the result_id of an item that does not decode, to name it in the answer when it can."""

    result_id: str | None = None


class _Item(msgspec.Struct, frozen=True):
    """A decoded result of a delivery, with the exact bytes it arrived as (sealed as its payload)."""

    index: int
    result: InterviewResultV1
    payload: bytes


_envelope = msgspec.json.Decoder(_BatchEnvelope)
_named = msgspec.json.Decoder(_NamedResult)
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MSGSPEC_FIELD = re.compile(r"Object (?:missing required|contains unknown) field `(?P<field>[^`]+)`")


# -- the two front doors ----------------------------------------------------------------------------


async def receive(tenant_id: UUID, vendor_id: UUID, signature_header: str | None, body: bytes,
                  now: int, source_ip: str | None = None) -> Delivery:
    """One signed result (contract meridian.interview-result.v1)."""
    actor = SystemActor(subject=f"vendor:{vendor_id}")
    try:
        _require_well_formed(signature_header, body, now)
        async with unit_of_work(tenant_id) as uow:
            cipher = await _verified(uow, vendor_id, signature_header, body, now)
            item = _Item(index=0, result=decode_signed_result(body), payload=body)
            return (await _store_all(uow, actor, vendor_id, [item], cipher))[0]
    except (VendorSignatureError, InvalidResultPayload) as refused:
        await log_refusal(tenant_id, vendor_id, refused.code, RefusedDelivery.of(body, source_ip, now), now)
        raise


async def receive_batch(tenant_id: UUID, vendor_id: UUID, signature_header: str | None, body: bytes, now: int,
                        source_ip: str | None = None, locale: str = "en") -> BatchDelivery:
    """Up to 100 signed results (contract meridian.interview-result-batch.v1), stored in one transaction, each
    reported with its outcome; refused items' problems are written in ``locale``."""
    actor = SystemActor(subject=f"vendor:{vendor_id}")
    try:
        _require_well_formed(signature_header, body, now)
        async with unit_of_work(tenant_id) as uow:
            cipher = await _verified(uow, vendor_id, signature_header, body, now)
            raws = _batch_results(body)
            items, refused = _decoded_items(raws, locale)
            stored = await _store_all(uow, actor, vendor_id, items, cipher)
    except (VendorSignatureError, InvalidResultPayload) as refusal:
        await log_refusal(tenant_id, vendor_id, refusal.code, RefusedDelivery.of(body, source_ip, now), now)
        raise
    if any(item.problem and item.problem.code == ProhibitedEvidenceKind.code for item in refused.values()):
        # The batch was answered, but a prohibited evidence kind is a security event: counted in the vendor's log
        # once per batch, the stored results kept.
        with contextlib.suppress(DeliveriesThrottled):
            await log_refusal(tenant_id, vendor_id, ProhibitedEvidenceKind.code,
                              RefusedDelivery.of(body, source_ip, now), now)
    return batch_delivery([refused[index] if index in refused else batch_item(index, stored[index])
                           for index in range(len(raws))])


# -- checking what arrived ----------------------------------------------------------------------------


def _require_well_formed(header: str | None, body: bytes, now: int) -> None:
    """A missing or malformed header is refused before any lookup, so it says nothing about the vendor."""
    try:
        verify(header, body, [], now)
    except SignatureMismatch:
        return


async def _verified(uow: UnitOfWork, vendor_id: UUID, header: str | None, body: bytes, now: int) -> TenantCipher:
    """The tenant's cipher, once the raw body verifies under the vendor's secret and was not delivered before."""
    vendor = await queries.vendor(uow, vendor_id)
    if vendor is None:
        raise SignatureMismatch()  # an unknown vendor or tenant answers like a wrong signature: no oracle
    cipher = await cipher_for(uow)
    secrets = [cipher.open(vendor.secret_ciphertext, "vendors", "secret", vendor_id).encode()]
    if vendor.previous_secret_ciphertext:
        secrets.append(cipher.open(vendor.previous_secret_ciphertext, "vendors", "previous_secret",
                                   vendor_id).encode())
    if header is None:
        raise SignatureMissing()  # unreachable: _require_well_formed refused it already
    verify(header, body, secrets, now)
    if not await queries.remember_signature(uow, vendor_id, hashlib.sha256(header.encode()).hexdigest()):
        raise SignatureReplayed()
    return cipher


def _batch_results(body: bytes) -> list[msgspec.Raw]:
    """The batch's results as raw bytes; a batch that is not one, or is too large, is refused whole."""
    refuse_duplicate_keys(body)
    try:
        results = _envelope.decode(body).results
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise InvalidResultBatch(problem=str(exc)) from None
    except (UnicodeDecodeError, RecursionError):
        raise InvalidResultBatch(problem="the body is not valid UTF-8, or is nested too deeply") from None
    if len(results) > MAX_RESULTS_PER_BATCH:
        raise ResultBatchTooLarge(field="results", limit=MAX_RESULTS_PER_BATCH, count=len(results))
    return results


def _decoded_items(raws: list[msgspec.Raw], locale: str) -> tuple[list[_Item], dict[int, BatchItem]]:
    items: list[_Item] = []
    refused: dict[int, BatchItem] = {}
    for index, raw in enumerate(raws):
        payload = bytes(raw)
        try:
            refuse_prohibited_evidence(payload)
            items.append(_Item(index=index, result=decode_result(payload), payload=payload))
        except InvalidResultPayload as problem:
            refused[index] = BatchItem(index=index, result_id=_result_id_of(payload), outcome="refused",
                                       problem=_item_problem(problem, index, locale))
    return items, refused


def _result_id_of(payload: bytes) -> str | None:
    try:
        return _named.decode(payload).result_id
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def _item_problem(problem: InvalidResultPayload, index: int, locale: str) -> ItemProblem:
    """The refused item's problem, pointing into the batch document at what msgspec found wrong."""
    if isinstance(problem, ProhibitedEvidenceKind):
        params = {**problem.params, "pointer": f"/results/{index}{problem.params['pointer']}"}
        return ItemProblem(code=problem.code, title=translate(problem.title, locale), pointer=str(params["pointer"]),
                           detail=translate(problem.template, locale, **params))
    message = str(problem.params.get("problem", ""))
    at = _MSGSPEC_PATH.search(message)
    path = re.findall(r"[^.\[\]]+", at.group("path")) if at else []
    if named := _MSGSPEC_FIELD.search(message):  # a missing or unknown field: point at the field itself
        path.append(named.group("field"))
    pointer = "/".join(["", "results", str(index), *(p.replace("~", "~0").replace("/", "~1") for p in path)])
    return ItemProblem(code=problem.code, title=translate(problem.title, locale), pointer=pointer,
                       detail=translate(problem.template, locale, problem=message[: at.start()] if at else message))


# -- storing, in one round trip per kind of query --------------------------------------------------------------


async def _store_all(uow: UnitOfWork, actor: SystemActor, vendor_id: UUID, items: list[_Item],
                     cipher: TenantCipher) -> dict[int, Delivery]:
    """Each item's delivery by index: results already stored (before, or earlier in this batch) are answered as
    duplicates, the others stored, attached or parked, evaluated and audited together."""
    existing = {row.vendor_result_id: row for row in await queries.results_by_vendor_ids(
        uow, vendor_id, [item.result.result_id for item in items])}
    first: dict[str, _Item] = {}
    for item in items:
        if item.result.result_id not in existing:
            first.setdefault(item.result.result_id, item)
    stored = await _store_new(uow, actor, vendor_id, list(first.values()), cipher)
    latest = await queries.latest_evaluations(uow, list({row.application_id for row in existing.values()
                                                         if row.application_id}))
    answers: dict[int, Delivery] = {}
    for item in items:
        result_id = item.result.result_id
        if result_id in existing:
            row = existing[result_id]
            found = latest.get(row.application_id) if row.application_id else None
            answers[item.index] = Delivery(result=result_view(row), duplicate=True,
                                           evaluation=evaluation_view(found) if found else None)
        else:
            earlier = stored[result_id]
            answers[item.index] = earlier if first[result_id] is item else Delivery(
                result=earlier.result, duplicate=True, evaluation=earlier.evaluation)
    return answers


async def _store_new(uow: UnitOfWork, actor: SystemActor, vendor_id: UUID, items: list[_Item],
                     cipher: TenantCipher) -> dict[str, Delivery]:
    if not items:
        return {}
    targets = await _applications_for(uow, vendor_id, [item.result for item in items])
    models = await _model_versions_for(uow, {application for application in targets.values() if application})
    # A result is used only where its candidate consented to AI-assisted evaluation; without it, it is parked.
    consented = await consented_applications(uow, {application for application in targets.values() if application})
    # Nor is it used while the candidate's processing is restricted (a data-subject request): parked, with that reason.
    restricted = await restricted_applications_in(uow, {application for application in targets.values()
                                                        if application})
    # A result of a known application is sealed under its candidate's key, so erasing the candidate shreds it.
    candidates = {application.id: application.candidate_id for application in (await applications_by_id_in(
        uow, sorted({application for application in targets.values() if application}))).values()}
    people = await person_ciphers(uow, {("candidate", candidate) for candidate in candidates.values()}, create=True)
    received_at, scoring = utc_now(), _ScoringModels()
    results: list[ResultRow] = []
    evaluations: list[StoredEvaluation] = []
    entries: list[Entry] = []
    answers: dict[str, Delivery] = {}
    for item in items:
        result, result_id = item.result, new_id()
        application_id = targets[result.result_id]
        held = application_id is not None and application_id in restricted
        usable = application_id is not None and application_id in consented and not held
        model = scoring.in_force(models[application_id], result.completed_at) if application_id and usable else None
        status: ResultStatus = "parked" if not usable else "evaluated" if model else "received"
        row = ResultRow(
            id=result_id, tenant_id=uow.tenant_id, vendor_id=vendor_id, vendor_result_id=result.result_id,
            status=status, application_id=application_id, candidate_reference=result.reference.candidate_reference,
            application_reference=result.reference.application_reference,
            completed_at=result.completed_at.astimezone(UTC), received_at=received_at,
            parked_reason=PROCESSING_RESTRICTED if held else None,
            payload_ciphertext=(people[("candidate", candidates[application_id])] if application_id in candidates
                                else cipher).seal(item.payload.decode(), "interview_results", "payload", result_id))
        results.append(row)
        evaluation = None
        if application_id is not None and model is not None:
            stored, entry = evaluation_of(uow, actor, result_id, application_id, result, model, "received")
            evaluations.append(stored)
            entries.append(entry)
            evaluation = evaluation_view(stored)
        await webhooks.publish(uow, webhooks.EventType.INTERVIEW_RESULT_PARKED if status == "parked"
                               else webhooks.EventType.INTERVIEW_RESULT_RECEIVED, "interview_result", result_id,
                               {"vendor_id": vendor_id, "application_id": application_id, "status": status})
        entries.append(Entry("interview_result.received", "interview_result", result_id,
                             after={"vendor_result_id": result.result_id, "application_id": application_id,
                                    "parked": not usable,
                                    "parked_reason": parked_reason(status, application_id, row.parked_reason)}))
        answers[result.result_id] = Delivery(result=result_view(row), duplicate=False, evaluation=evaluation)
    await queries.insert_results(uow, results)
    await queries.insert_evaluations(uow, evaluations)
    await record_all(uow, actor, entries)
    return answers


async def _applications_for(uow: UnitOfWork, vendor_id: UUID,
                            results: list[InterviewResultV1]) -> dict[str, UUID | None]:
    """Each result's application through the vendor's mapped references: its application reference first, else its
    candidate reference; None (parked) when neither is mapped. A reference mapped in another tenant is not seen."""
    application_references = sorted({r.reference.application_reference for r in results
                                     if r.reference.application_reference})
    candidate_references = sorted({r.reference.candidate_reference for r in results
                                   if r.reference.candidate_reference})
    mapped = {(row.kind, row.reference): row.application_id for row in await queries.references_named(
        uow, vendor_id, application_references, candidate_references)}
    targets: dict[str, UUID | None] = {}
    for result in results:
        by_application = ("application", result.reference.application_reference)
        by_candidate = ("candidate", result.reference.candidate_reference)
        targets[result.result_id] = mapped[by_application] if by_application in mapped else mapped.get(by_candidate)
    return targets


async def _model_versions_for(uow: UnitOfWork, application_ids: set[UUID]) -> dict[UUID, list[ModelVersionView]]:
    """Every competency model version of each application's job, oldest first (none when the job has no model)."""
    if not application_ids:
        return {}
    applications = await applications_by_id_in(uow, sorted(application_ids))
    if len(applications) != len(application_ids):
        raise ApplicationNotFound()  # a mapped reference always names an application of the tenant
    versions = await model_versions_of_jobs_in(uow, sorted({a.job_id for a in applications.values()}))
    return {application_id: versions.get(application.job_id, [])
            for application_id, application in applications.items()}


class _ScoringModels:
    """The model version in force on a day, as scoring reads it, converted once per version for a whole delivery."""

    def __init__(self) -> None:
        self._converted: dict[tuple[UUID, int], ModelVersion] = {}

    def in_force(self, versions: list[ModelVersionView], on: datetime) -> ModelVersion | None:
        """The version in force on the day ``on`` falls on (in its own offset), else the latest."""
        if not versions:
            return None
        version = version_in_force(versions, on.date()) or versions[-1]
        key = (version.model_id, version.number)
        if key not in self._converted:
            self._converted[key] = scoring_model(version)
        return self._converted[key]


async def attach_parked(uow: UnitOfWork, actor: Principal, application_id: UUID,
                        parked: list[tuple[UUID, InterviewResultV1]]) -> list[Entry]:
    """Attach parked results (stored id, result) to the application a new mapping names, and evaluate each against
    the model version in force when its interview was completed: one query each for the application's model
    versions, the attachment and the evaluations, whatever the number of results. The audit entries of the
    evaluations are returned, for the caller to record with its own."""
    if not parked:
        return []
    if await restricted_applications_in(uow, {application_id}):
        # Attached, still parked: the candidate's processing is restricted (processing_restricted).
        await queries.attach_results(uow, [result_id for result_id, _ in parked], application_id, "parked",
                                     PROCESSING_RESTRICTED)
        return []
    if application_id not in await consented_applications(uow, {application_id}):
        # Attached, still parked: the candidate has not consented to AI-assisted evaluation (no_ai_consent).
        await queries.attach_results(uow, [result_id for result_id, _ in parked], application_id, "parked")
        return []
    versions = (await _model_versions_for(uow, {application_id}))[application_id]
    await queries.attach_results(uow, [result_id for result_id, _ in parked], application_id,
                                 "evaluated" if versions else "received")
    scoring = _ScoringModels()
    evaluations: list[StoredEvaluation] = []
    entries: list[Entry] = []
    for result_id, result in parked:
        model = scoring.in_force(versions, result.completed_at)
        if model is not None:
            stored, entry = evaluation_of(uow, actor, result_id, application_id, result, model, "mapped")
            evaluations.append(stored)
            entries.append(entry)
    await queries.insert_evaluations(uow, evaluations)
    return entries


def scoring_model(version: ModelVersionView) -> ModelVersion:
    """The job's model version as scoring reads it (weights and thresholds as Decimals)."""
    return msgspec.convert({
        "model_id": version.model_id, "number": version.number,
        "overall_pass_threshold": version.overall_pass_threshold,
        "competencies": [{"code": c.code, "weight": c.weight,
                          "pass_threshold": half_up(c.threshold_on_0_to_100())}
                         for c in version.competencies],
    }, ModelVersion)


def evaluation_of(uow: UnitOfWork, actor: Principal | SystemActor, result_id: UUID, application_id: UUID,
                  result: InterviewResultV1, model: ModelVersion, reason: str) -> tuple[StoredEvaluation, Entry]:
    """The result evaluated against the model version, as it is stored, and the audit entry that records it."""
    evaluation = evaluate(result, model)
    stored = StoredEvaluation(
        id=new_id(), tenant_id=uow.tenant_id, result_id=result_id, application_id=application_id,
        model_id=model.model_id, model_version=model.number,
        overall=None if evaluation.overall is None else str(evaluation.overall), passed=evaluation.passed,
        detail=evaluation, reason=reason, created_by=actor.subject, created_at=utc_now())
    entry = Entry("evaluation.created", "application", application_id,
                  after={"evaluation": stored.id, "model_version": model.number, "overall": stored.overall,
                         "passed": evaluation.passed, "reason": reason})
    return stored, entry

