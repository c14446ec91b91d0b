"""AI interview results: vendors and their secrets, signed deliveries (``deliveries``), mapping the vendor's
references to applications, evaluation against the job's competency model, and comparisons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.contract import InterviewResultV1, decode_result
from domain.assessments.deliveries import (
    SignatureReplayed,
    attach_parked,
    evaluation_of,
    receive,
    receive_batch,
    scoring_model,
)
from domain.assessments.human_evaluations import human_evaluation_in, list_human_evaluations
from domain.assessments.model import CompetencyEvaluation, Evaluation, StoredEvaluation
from domain.assessments.queries import ResultRow, VendorRow
from domain.assessments.report import ComparisonEntry, ComparisonReport, compare, render_html, report_of
from domain.assessments.safeguards import (
    DecisionView,
    NoAiConsent,
    ProcessingRestricted,
    application_decisions_in,
    consented_applications,
    decisions_in,
    evaluation_in_use,
    record_decision_in,
    require_person,
    require_unrestricted,
    restricted_applications_in,
)
from domain.assessments.scoring import ModelVersion
from domain.assessments.security_log import RefusalWindowView, window_views
from domain.assessments.signatures import new_vendor_secret
from domain.assessments.views import (
    BatchDelivery,
    Delivery,
    EvaluationView,
    ResultStatus,
    ResultView,
    evaluation_view,
    result_view,
)
from domain.audit.service import Entry, record, record_all
from domain.identity.service import user_by_subject_in
from domain.kernel.crypto import Keyring, TenantCipher
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.reports import JobModelSubject, produced_now
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for, keyring_for
from domain.recruitment.model import ModelVersionView, pick_text
from domain.recruitment.service import (
    ApplicationNotFound,
    CandidateNotFound,
    JobNotFound,
    application_in,
    candidate_in,
    job_in,
    model_versions_in,
    tenant_default_locale,
    version_in_force,
)

#: Delivery use cases and views live in ``deliveries`` and ``views``; callers reach them here.
__all__ = ["BatchDelivery", "Delivery", "EvaluationView", "ResultStatus", "ResultView", "SignatureReplayed",
           "receive", "receive_batch"]
#: The AI-evaluation safeguards other contexts use (``safeguards``): consent gating and decisions by a person.
__all__ += ["DecisionView", "consented_applications", "decisions_in", "record_decision_in", "require_person"]
#: What a data-subject export reads about an application: decisions by a person, and people's own scores.
__all__ += ["application_decisions_in", "list_human_evaluations"]
#: Restriction of processing (a data-subject request), for the contexts above.
__all__ += ["ProcessingRestricted"]
#: A hire uses an AI evaluation only while it may be used, as a person's decision on it.
__all__ += ["evaluation_in_use"]
#: A data-subject export reads the vendor's results as delivered.
__all__ += ["delivered_results_in"]


class VendorNotFound(NotFound):
    code = "vendor_not_found"
    template = "There is no interview vendor with this id."


class VendorNameTaken(Conflict):
    code = "vendor_name_taken"
    title = "Vendor already registered"
    template = "An interview vendor called {name} is already registered."


class ReferenceTaken(Conflict):
    code = "external_reference_taken"
    title = "Reference already mapped"
    template = "The vendor's reference {reference} is already mapped."


class NoResultToEvaluate(NotFound):
    code = "no_result_to_evaluate"
    template = "This application has no interview result that can be evaluated."


class NewVendor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An interview-AI vendor to register, by name. The answer holds the HMAC secret its deliveries are signed with,
    shown that once."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class VendorView(msgspec.Struct, frozen=True):
    """A registered interview-AI vendor: its name, and whether its secret was rotated (`rotated`: the previous secret
    still verifies deliveries until the next rotation)."""

    id: UUID
    name: str
    rotated: bool
    version: int
    created_at: datetime
    updated_at: datetime


class VendorSecret(msgspec.Struct, frozen=True):
    """The HMAC secret is shown once, here; Meridian keeps it sealed and never shows it again."""

    vendor: VendorView
    secret: str
    signature_header: str = "Meridian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + body>"


class NewReference(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Map a vendor's own candidate or application reference to one of your applications. Results the vendor already
    delivered under that reference, parked until now, are attached to the application and evaluated at once. A reference
    can be mapped once."""

    kind: Literal["application", "candidate"]
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    application_id: UUID


class ReferenceView(msgspec.Struct, frozen=True):
    """A vendor's candidate or application reference mapped to an application, with the parked results the mapping
    attached (`resolved_results`)."""

    id: UUID
    vendor_id: UUID
    kind: str
    reference: str
    application_id: UUID
    resolved_results: list[UUID]


# -- vendors -------------------------------------------------------------------------------------


def _vendor_view(row: VendorRow) -> VendorView:
    return VendorView(id=row.id, name=row.name, rotated=row.previous_secret_ciphertext is not None,
                      version=row.version, created_at=row.created_at, updated_at=row.updated_at)


def _seal_secret(cipher: TenantCipher, vendor_id: UUID, secret: str) -> str:
    return cipher.seal(secret, "vendors", "secret", vendor_id)


async def register_vendor(principal: Principal, request: NewVendor) -> VendorSecret:
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.vendor_named(uow, request.name):
            raise VendorNameTaken(name=request.name)
        vendor_id, secret = new_id(), new_vendor_secret()
        sealed = _seal_secret(await cipher_for(uow), vendor_id, secret)
        await queries.insert_vendor(uow, vendor_id, request.name, sealed)
        row = await _existing_vendor(uow, vendor_id)
        await record(uow, principal, "vendor.registered", "vendor", vendor_id, after={"name": request.name})
    return VendorSecret(vendor=_vendor_view(row), secret=secret)


async def _existing_vendor(uow: UnitOfWork, vendor_id: UUID) -> VendorRow:
    row = await queries.vendor(uow, vendor_id)
    if row is None:
        raise VendorNotFound()
    return row


async def rotate_secret(principal: Principal, vendor_id: UUID) -> VendorSecret:
    """A new secret; the one before stays valid until the next rotation, so deliveries in flight still verify."""
    async with unit_of_work(principal.tenant_id) as uow:
        row = await _existing_vendor(uow, vendor_id)
        secret = new_vendor_secret()
        cipher = await cipher_for(uow)
        previous = cipher.open(row.secret_ciphertext, "vendors", "secret", vendor_id)
        await queries.replace_secret(uow, vendor_id, row.version, _seal_secret(cipher, vendor_id, secret),
                                     cipher.seal(previous, "vendors", "previous_secret", vendor_id))
        await record(uow, principal, "vendor.secret_rotated", "vendor", vendor_id)
        rotated = await _existing_vendor(uow, vendor_id)
    return VendorSecret(vendor=_vendor_view(rotated), secret=secret)


async def list_vendors(principal: Principal, cursor: str | None, limit: int) -> Page[VendorView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.vendors(uow, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of([_vendor_view(row) for row in rows], limit, lambda vendor: str(vendor.id))


async def map_reference(principal: Principal, vendor_id: UUID, request: NewReference) -> ReferenceView:
    """Map a vendor's own id to a Meridian application; results parked under it are evaluated now."""
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.vendor(uow, vendor_id) is None:
            raise VendorNotFound()
        if await application_in(uow, request.application_id) is None:
            raise ApplicationNotFound(field="application_id")
        if await queries.reference(uow, vendor_id, request.kind, request.reference):
            raise ReferenceTaken(reference=request.reference)
        reference_id = await queries.insert_reference(uow, {
            "vendor_id": vendor_id, "kind": request.kind, "reference": request.reference,
            "application_id": request.application_id, "created_by": principal.subject})
        parked = await queries.parked_for(uow, vendor_id, request.kind, request.reference)
        cipher = await keyring_for(uow, [row.payload_ciphertext for row in parked])
        evaluated = await attach_parked(uow, principal, request.application_id,
                                        [(row.id, _opened(cipher, row)) for row in parked])
        resolved = [row.id for row in parked]
        await record_all(uow, principal, [*evaluated, Entry(
            "vendor.reference_mapped", "vendor", vendor_id,
            after={**msgspec.to_builtins(request), "resolved_results": [str(r) for r in resolved]})])
    return ReferenceView(id=reference_id, vendor_id=vendor_id, kind=request.kind, reference=request.reference,
                         application_id=request.application_id, resolved_results=resolved)


# -- evaluating again on request ------------------------------------------------------------------


async def _evaluate_and_store(uow: UnitOfWork, actor: Principal | SystemActor, result_id: UUID,
                              application_id: UUID, result: InterviewResultV1, model: ModelVersion,
                              reason: str) -> EvaluationView:
    stored, entry = evaluation_of(uow, actor, result_id, application_id, result, model, reason)
    await queries.insert_evaluations(uow, [stored])
    await record_all(uow, actor, [entry])
    return evaluation_view(stored)


async def _model_for(uow: UnitOfWork, application_id: UUID, on: datetime) -> ModelVersion | None:
    """The competency model version of the application's job in force on ``on`` (else the latest)."""
    application = await application_in(uow, application_id)
    if application is None:
        raise ApplicationNotFound()
    found = await _job_model(uow, application.job_id, on)
    return found[0] if found else None


async def _job_model(uow: UnitOfWork, job_id: UUID,
                     on: datetime) -> tuple[ModelVersion, list[ModelVersionView]] | None:
    versions = await model_versions_in(uow, job_id)
    if not versions:
        return None
    return scoring_model(version_in_force(versions, on.date()) or versions[-1]), versions


async def _open_result(uow: UnitOfWork, row: ResultRow) -> InterviewResultV1:
    return _opened(await keyring_for(uow, [row.payload_ciphertext]), row)


def _opened(cipher: Keyring, row: ResultRow) -> InterviewResultV1:
    return decode_result(cipher.open(row.payload_ciphertext, "interview_results", "payload", row.id).encode())


# -- reading, recomputing, comparing -------------------------------------------------------------


async def refused_deliveries(principal: Principal, vendor_id: UUID, cursor: str | None,
                             limit: int) -> Page[RefusalWindowView]:
    """The vendor's security log: refused deliveries per reason and hour, newest first, with their samples."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _existing_vendor(uow, vendor_id)
        rows = await queries.refusal_windows(uow, vendor_id, decode_uuid_cursor(cursor), limit + 1)
        samples = await queries.refusal_samples(uow, [row.id for row in rows[:limit]])
    return page_of(window_views(rows, samples), limit, lambda window: str(window.id))


async def list_results(principal: Principal, cursor: str | None, limit: int,
                       status: ResultStatus | None) -> Page[ResultView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.results_page(uow, after=decode_uuid_cursor(cursor), limit=limit + 1, status=status)
    return page_of([result_view(row) for row in rows], limit, lambda result: str(result.id))


async def evaluations_of(principal: Principal, application_id: UUID) -> list[EvaluationView]:
    """Every evaluation of the application, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        return [evaluation_view(row) for row in await queries.evaluations(uow, application_id)]


async def list_evaluations(principal: Principal, application_id: UUID, cursor: str | None,
                           limit: int) -> Page[EvaluationView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        rows = await queries.evaluations_page(uow, application_id, after=decode_uuid_cursor(cursor),
                                              limit=limit + 1)
    return page_of([evaluation_view(row) for row in rows], limit, lambda evaluation: str(evaluation.id))


async def recompute(principal: Principal, application_id: UUID) -> EvaluationView:
    """Evaluate the application's latest result against the model version in force today. Explicit and
    audited: publishing a new model version never rewrites an evaluation by itself."""
    async with unit_of_work(principal.tenant_id) as uow:
        if await application_in(uow, application_id) is None:
            raise ApplicationNotFound()
        await require_unrestricted(uow, application_id)  # a restricted candidate's data is not processed further
        rows = [row for row in await queries.results(uow, None, application_id) if row.status != "parked"]
        if rows and application_id not in await consented_applications(uow, {application_id}):
            raise NoAiConsent()  # consent withdrawn since: the AI result is not used again
        model = await _model_for(uow, application_id, utc_now())
        if not rows or model is None:
            raise NoResultToEvaluate()
        result = await _open_result(uow, rows[-1])
        return await _evaluate_and_store(uow, principal, rows[-1].id, application_id, result, model, "recomputed")


async def comparison(principal: Principal, job_id: UUID, application_ids: list[UUID],
                     locale: str | None = None) -> tuple[ComparisonReport, list[ModelVersionView]]:
    """Each application's latest evaluation against the job's model version in force today, side by side, as a
    report naming the job (in ``locale``, by default the caller's language), the model version and its producer."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        job = await job_in(uow, job_id)
        if job is None:
            raise JobNotFound()
        found = await _job_model(uow, job_id, utc_now())
        if found is None:
            raise NoResultToEvaluate()
        model, versions = found
        # A candidate whose processing is restricted (a data-subject request) is left out of comparison and ranking.
        restricted = await restricted_applications_in(uow, set(application_ids))
        entries = [await _comparison_entry(uow, job_id, application_id, model) for application_id in application_ids
                   if application_id not in restricted]
        version = next(v for v in versions if v.number == model.number)
        subject = JobModelSubject(
            job_id=job_id, job_title=pick_text(job.title, locale or principal.locale, await tenant_default_locale(uow)),
            model_id=version.model_id, model_name=version.name, model_version=version.number,
            model_effective_from=version.effective_from)
        user = await user_by_subject_in(uow, principal.subject)
        produced = produced_now(principal, user.display_name if user else None)
    return report_of(compare(model, entries), subject, produced), versions


async def _comparison_entry(uow: UnitOfWork, job_id: UUID, application_id: UUID,
                            model: ModelVersion) -> ComparisonEntry:
    application = await application_in(uow, application_id)
    if application is None or application.job_id != job_id:
        raise ApplicationNotFound(field="application_ids")
    # An AI evaluation counts only while the candidate's consent to AI-assisted evaluation is in force; else a
    # person's scores, else nothing scored.
    consented = application_id in await consented_applications(uow, {application_id})
    latest = [e for e in await queries.evaluations(uow, application_id)
              if e.model_version == model.number and e.model_id == model.model_id][-1:] if consented else []
    candidate = await candidate_in(uow, application.candidate_id)
    if candidate is None:
        raise CandidateNotFound()
    human = None if latest else await human_evaluation_in(uow, application_id, model)
    evaluation = latest[0].detail if latest else human or _unscored(model)
    source = "ai" if latest else "human" if human else "none"
    return ComparisonEntry(application_id=application_id, candidate_label=candidate.full_name,
                           evaluation=evaluation, evaluation_source=source)


def _unscored(model: ModelVersion) -> Evaluation:
    """An application not yet evaluated against this model version: every competency unscored."""
    competencies = [CompetencyEvaluation(code=c.code, score=None, weight=c.weight, pass_threshold=c.pass_threshold,
                                         passed=None, gap=None, evidence_count=0, confidence=None)
                    for c in model.competencies]
    return Evaluation(result_id="", model_id=model.model_id, model_version=model.number, competencies=competencies,
                      overall=None, overall_pass_threshold=model.overall_pass_threshold, passed=False,
                      missing=[c.code for c in model.competencies], unmapped=[])


def comparison_html(result: ComparisonReport, versions: list[ModelVersionView], locale: str) -> str:
    names = {c.code: pick_text(c.names, locale, "en") for v in versions for c in v.competencies}
    return render_html(result, names, locale)


# -- reads other contexts run inside their own unit of work ----------------------------------------


async def evaluations_in(uow: UnitOfWork, application_id: UUID) -> list[StoredEvaluation]:
    """The application's evaluations, oldest first."""
    return await queries.evaluations(uow, application_id)


async def delivered_results_in(uow: UnitOfWork, application_id: UUID) -> list[dict[str, Any]]:
    """Every vendor result of the application (parked ones too) as stored, with the vendor's payload opened (its
    scores and quoted passages; none once an erasure cleared it), oldest first: what a data-subject export shows."""
    rows = await queries.results(uow, None, application_id)
    cipher = await keyring_for(uow, [row.payload_ciphertext for row in rows if row.payload_ciphertext])
    return [{**msgspec.to_builtins(result_view(row)),
             "payload": msgspec.to_builtins(_opened(cipher, row)) if row.payload_ciphertext else None}
            for row in rows]


async def latest_evaluation_in(uow: UnitOfWork, application_id: UUID) -> StoredEvaluation | None:
    evaluations = await queries.evaluations(uow, application_id)
    return evaluations[-1] if evaluations else None
