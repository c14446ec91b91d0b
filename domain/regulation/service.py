"""Law that stays current: the tenant's regulation layer (four eyes), its written choices, the installed bundles,
and the packs as one tenant's calculations see them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult, Earnings
from compliance.coverage import CoverageRow, coverage
from compliance.errors import ComplianceError, NoParametersInForce, UnknownCountry
from compliance.pack import Pack
from compliance.parameters import (
    EffectiveSeries,
    Origin,
    ParameterChange,
    ParameterVersion,
    diff_versions,
    read_version,
)
from compliance.registry import law_pack_for, law_packs
from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyDecimals
from domain.kernel.ids import new_id
from domain.kernel.money import exact
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of, page_of_sorted
from domain.kernel.principal import Actor, Principal
from domain.kernel.storage import object_store
from domain.kernel.time import utc_now
from domain.keys.service import cipher_for
from domain.regulation import bundles, queries
from domain.regulation.model import (
    ChoiceKind,
    LawChoiceView,
    LawDecision,
    LawLayers,
    LawVersionStatus,
    LawVersionView,
    NewLawChoice,
    NewLawVersion,
    with_exact_amounts,
)
from domain.webhooks import service as webhooks


class LawVersionNotFound(NotFound):
    code = "law_version_not_found"
    template = "There is no such law version."


class LawChoiceNotFound(NotFound):
    code = "law_choice_not_found"
    template = "There is no such law choice."


class InvalidLawVersion(InvalidInput):
    code = "invalid_law_version"
    title = "Invalid law version"
    template = "The {country} {series} version is not valid: {problem}"


class LawVersionOutsideRegions(InvalidLawVersion):
    template = "The {country} {series} version names the region {region}, which the rule pack does not have."


class NoLawPack(InvalidInput):
    code = "no_law_pack"
    title = "No law for this country"
    template = UnknownCountry.template


class UnknownSeries(InvalidInput):
    code = "unknown_law_series"
    title = "Unknown series"
    template = "The {country} rule pack has no series {series}."


class LawVersionTaken(Conflict):
    code = "law_version_taken"
    template = "This tenant already has a {series} version named {version}."


class LawVersionNotPending(Conflict):
    code = "law_version_not_pending"
    template = "Only a proposed law version can be approved or rejected; this one is {status}."


class LawVersionOverlaps(Conflict):
    code = "law_version_overlaps"
    template = "The version overlaps the tenant's approved {series} version {other} for the same region."


class FourEyesRequired(Forbidden):
    code = "law_version_four_eyes"
    title = "Second person required"
    template = "A law version is approved by someone other than the person who proposed it."


class CarryForwardNotOffered(InvalidInput):
    code = "carry_forward_not_offered"
    title = "Carry forward not offered"
    template = "The {country} {series} series is not one whose figures may be carried forward provisionally."


# -- the server's bundle layer -------------------------------------------------------------------

_law_dir: Path | None = None
_bundle_cache: tuple[float, dict[tuple[str, str], list[ParameterVersion[Any]]]] | None = None


def use_law_directory(path: Path) -> None:
    """Where this server keeps installed law bundles (``<data dir>/law``); set once at start-up."""
    global _law_dir, _bundle_cache
    _law_dir, _bundle_cache = path, None


def bundle_layer() -> dict[tuple[str, str], list[ParameterVersion[Any]]]:
    """The installed bundles' versions, re-read when another process has imported a bundle since."""
    global _bundle_cache
    if _law_dir is None:
        return {}
    current = _law_dir / "current"
    stamp = max((p.stat().st_mtime for p in current.glob("*/*")), default=0.0) if current.is_dir() else 0.0
    if _bundle_cache is None or _bundle_cache[0] != stamp:
        _bundle_cache = (stamp, bundles.installed_versions(_law_dir))
    return _bundle_cache[1]


@dataclass(frozen=True)
class BundleEffect:
    """What importing a bundle would change, before anything is installed."""

    bundle_id: str
    publisher: str
    changes: list[ParameterChange]
    #: (country, series, region, first day) of each bundled version, for finding the pay groups it reaches
    covers: list[tuple[str, str, str | None, date]]


def bundle_effect(bundle: bundles.Bundle) -> BundleEffect:
    """Each bundled version against what is in force on its first day today (shipped and installed)."""
    installed = bundle_layer()
    changes: list[ParameterChange] = []
    covers: list[tuple[str, str, str | None, date]] = []
    for (country, name), versions in sorted(bundle.series.items()):
        current = law_pack_for(country).series[name].layered(installed.get((country, name), ()), False)
        for version in versions:
            changes += diff_versions(name, _in_force_or_none(current, version), version)
            covers.append((country, name, version.region, version.effective_from))
    return BundleEffect(bundle_id=bundle.manifest.bundle_id, publisher=bundle.manifest.publisher,
                        changes=changes, covers=covers)


def install_bundle(bundle: bundles.Bundle) -> None:
    if _law_dir is None:
        raise RuntimeError("use_law_directory() names where law bundles are installed")
    bundles.install(bundle, _law_dir)


async def record_bundle_import(actor: Actor, tenant_id: UUID, effect: BundleEffect) -> None:
    """The tenant's audit trail shows which law arrived, from whom, and what it changed."""
    async with unit_of_work(tenant_id) as uow:
        await record(uow, actor, "law_bundle.imported", "law_bundle", effect.bundle_id, after={
            "publisher": effect.publisher, "changes": len(effect.changes),
            "series": sorted({f"{c}/{s}" for c, s, _, _ in effect.covers})})
        await webhooks.publish(uow, webhooks.EventType.COMPLIANCE_PARAMETERS_CHANGED, "law_bundle", effect.bundle_id,
                               {"change": "law_bundle.imported",
                                "series": sorted({f"{c}/{s}" for c, s, _, _ in effect.covers})})


def _in_force_or_none(series: EffectiveSeries[Any], version: ParameterVersion[Any]) -> ParameterVersion[Any] | None:
    try:
        return series.in_force(version.effective_from, version.region)
    except NoParametersInForce:
        return None


# -- the law as one tenant sees it -----------------------------------------------------------------

async def law_layers_in(uow: UnitOfWork) -> LawLayers:
    """Everything the tenant's calculations need to see the law as the tenant does, inside its unit of work."""
    versions: dict[tuple[str, str], list[ParameterVersion[Any]]] = {
        key: list(found) for key, found in bundle_layer().items()}
    for view in await queries.versions(uow, status=LawVersionStatus.APPROVED):
        versions.setdefault((view.country, view.series), []).append(_as_version(law_pack_for(view.country), view))
    choices = await queries.choices(uow)
    return LawLayers(
        versions={key: tuple(found) for key, found in versions.items()},
        carried_forward=frozenset((c.country, c.series) for c in choices if c.kind is ChoiceKind.CARRY_FORWARD),
        accepted_unverified=frozenset(
            (c.country, c.series) for c in choices if c.kind is ChoiceKind.ACCEPT_UNVERIFIED))


async def law_layers(principal: Principal) -> LawLayers:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await law_layers_in(uow)


async def calculate(principal: Principal, country: str, earnings: Earnings, **inputs: Any) -> CalculationResult:
    """A stateless gross to net with the law as the tenant sees it (its own approved and bundled versions, the
    series it carries forward). Its amounts are money in the pack's currency, so earnings finer than that
    currency's minor unit are refused, pointing at the field."""
    pack = (await law_layers(principal)).pack(country)
    for name in Earnings.__struct_fields__:
        try:
            exact(getattr(earnings, name), pack.currency)
        except TooManyDecimals as exc:
            raise TooManyDecimals(**exc.params, field=f"earnings.{name}") from None
    return with_exact_amounts(pack.calculate_raw(earnings=earnings, **inputs))


async def coverage_for(principal: Principal, today: date, country: str | None = None) -> list[CoverageRow]:
    """Every series of every pack (or one country's) as this tenant runs on it, with its status today."""
    countries = [law_pack_for(country).country] if country else list(law_packs())
    layers = await law_layers(principal)
    return [row for c in countries for row in coverage(layers.pack(c), today)]


async def list_coverage(principal: Principal, today: date, country: str | None, cursor: str | None,
                        limit: int) -> Page[CoverageRow]:
    """Coverage by country, series and region."""
    rows = await coverage_for(principal, today, country)
    return page_of_sorted(rows, limit, cursor, lambda row: (row.country, row.series, row.region or ""))


async def changes_for(principal: Principal, country: str, since: date) -> list[ParameterChange]:
    pack = (await law_layers(principal)).pack(country)
    return [change for series in pack.series.values() for change in series.changes(since)]


async def list_changes(principal: Principal, country: str, since: date, cursor: str | None,
                       limit: int) -> Page[ParameterChange]:
    """By the day each takes effect, then series, region, parameter and origin (which together name one change:
    versions of one origin never overlap in a series and region)."""
    return page_of_sorted(await changes_for(principal, country, since), limit, cursor, _change_key)


def _change_key(change: ParameterChange) -> tuple[str, ...]:
    return change.effective_from.isoformat(), change.series, change.region or "", change.parameter, change.origin


# -- the tenant's own versions: proposed by one person, approved by another -------------------------

async def propose_version(principal: Principal, request: NewLawVersion) -> LawVersionView:
    pack = _pack(request.country)
    version = _validated(pack, request)
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.version_named(uow, pack.country, request.series, version.version):
            raise LawVersionTaken(series=request.series, version=version.version)
        view = LawVersionView(
            id=new_id(), country=pack.country, series=request.series, region=version.region,
            version=version.version, effective_from=version.effective_from, effective_to=version.effective_to,
            verification=version.verification, status=LawVersionStatus.PROPOSED, proposed_by=principal.subject,
            proposed_at=utc_now(), decided_by=None, decided_at=None, decision_reason=None, data=request.data,
            version_number=1)
        await queries.insert_version(uow, view)
        await record(uow, principal, "law_version.proposed", "law_version", view.id, after=_audit_view(view))
    return view


async def _parameters_changed(uow: UnitOfWork, change: str, version_id: UUID, view: LawVersionView) -> None:
    """The tenant's law changed for the days a version covers: ``compliance.parameters_changed``."""
    await webhooks.publish(uow, webhooks.EventType.COMPLIANCE_PARAMETERS_CHANGED, "law_version", version_id,
                           {"change": change, "series": [f"{view.country}/{view.series}"]})


async def approve_version(principal: Principal, version_id: UUID, decision: LawDecision) -> LawVersionView:
    """From approval on, the tenant's calculations use the version for the days it covers."""
    async with unit_of_work(principal.tenant_id) as uow:
        view = await _pending(uow, version_id)
        if view.proposed_by == principal.subject:
            raise FourEyesRequired()
        await _reject_overlap(uow, view)
        await queries.decide(uow, version_id, LawVersionStatus.APPROVED, principal.subject, decision.reason)
        decided = await _version(uow, version_id)
        await record(uow, principal, "law_version.approved", "law_version", version_id,
                     before=_audit_view(view), after=_audit_view(decided))
        await _parameters_changed(uow, "law_version.approved", version_id, decided)
    return decided


async def reject_version(principal: Principal, version_id: UUID, decision: LawDecision) -> LawVersionView:
    async with unit_of_work(principal.tenant_id) as uow:
        view = await _pending(uow, version_id)
        await queries.decide(uow, version_id, LawVersionStatus.REJECTED, principal.subject, decision.reason)
        decided = await _version(uow, version_id)
        await record(uow, principal, "law_version.rejected", "law_version", version_id,
                     before=_audit_view(view), after=_audit_view(decided))
    return decided


async def retire_version(principal: Principal, version_id: UUID, decision: LawDecision) -> LawVersionView:
    """The tenant goes back to the published law for the version's days (for example once the shipped or
    bundled figures for the same period arrive and the tenant prefers them)."""
    async with unit_of_work(principal.tenant_id) as uow:
        view = await _version(uow, version_id)
        if view.status is not LawVersionStatus.APPROVED:
            raise LawVersionNotPending(status=view.status.value)
        await queries.decide(uow, version_id, LawVersionStatus.RETIRED, principal.subject, decision.reason)
        decided = await _version(uow, version_id)
        await record(uow, principal, "law_version.retired", "law_version", version_id,
                     before=_audit_view(view), after=_audit_view(decided))
        await _parameters_changed(uow, "law_version.retired", version_id, decided)
    return decided


async def get_version(principal: Principal, version_id: UUID) -> LawVersionView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _version(uow, version_id)


async def list_versions(principal: Principal, cursor: str | None, limit: int, country: str | None,
                        status: LawVersionStatus | None) -> Page[LawVersionView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.versions(uow, country=country, status=status, after=decode_uuid_cursor(cursor),
                                      limit=limit + 1)
    return page_of(rows, limit, lambda v: str(v.id))


# -- the source document behind a tenant's version ---------------------------------------------

#: The notice or gazette a tenant's version is taken from: a PDF or a picture of it.
DOCUMENT_TYPE = re.compile(r"^application/pdf$|^image/(png|jpeg)$")


class UnsupportedDocumentType(InvalidInput):
    code = "unsupported_law_document_type"
    title = "Unsupported file type"
    template = "The source document of a law version is a PDF, PNG or JPEG, not {content_type}."


class NoLawDocument(NotFound):
    code = "law_document_not_found"
    template = "This law version has no source document."


async def attach_document(principal: Principal, version_id: UUID, content_type: str,
                          chunks: AsyncIterator[bytes], max_bytes: int) -> LawVersionView:
    """Seal the source document into the object store and link it to a version still awaiting approval, so the
    approver reads the notice the figures came from."""
    if not DOCUMENT_TYPE.match(content_type):
        raise UnsupportedDocumentType(content_type=content_type)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _pending(uow, version_id)
        object_key = (await cipher_for(uow)).object_key
    document_id = new_id()
    key = _document_key(principal.tenant_id, document_id)
    stored = await object_store().write(key, chunks, cipher_key=object_key,
                                        context=_document_context(principal.tenant_id, document_id),
                                        max_bytes=max_bytes)
    try:
        async with unit_of_work(principal.tenant_id) as uow:
            await _pending(uow, version_id)
            await queries.attach_document(uow, version_id, document_id, content_type)
            await record(uow, principal, "law_version.document_attached", "law_version", version_id,
                         after={"document_id": document_id, "content_type": content_type, "size": stored.size,
                                "sha256": stored.sha256})
            return await _version(uow, version_id)
    except BaseException:
        await object_store().delete(key)
        raise


async def open_document(principal: Principal, version_id: UUID) -> tuple[str, AsyncIterator[bytes]]:
    """The version's source document, decrypted; the read is audited before a byte is sent."""
    async with unit_of_work(principal.tenant_id) as uow:
        view = await _version(uow, version_id)
        if view.document_id is None or view.document_type is None:
            raise NoLawDocument()
        object_key = (await cipher_for(uow)).object_key
        await record(uow, principal, "law_version.document_read", "law_version", version_id)
    content = object_store().read(_document_key(principal.tenant_id, view.document_id), cipher_key=object_key,
                                  context=_document_context(principal.tenant_id, view.document_id))
    return view.document_type, content


def _document_key(tenant_id: UUID, document_id: UUID) -> str:
    return f"{tenant_id}/law-documents/{document_id}"


def _document_context(tenant_id: UUID, document_id: UUID) -> bytes:
    return f"tenant:{tenant_id}:law_document:{document_id}".encode()


# -- written choices ------------------------------------------------------------------------------

async def make_choice(principal: Principal, request: NewLawChoice) -> LawChoiceView:
    pack = _pack(request.country)
    series = pack.series.get(request.series)
    if series is None:
        raise UnknownSeries(country=pack.country, series=request.series, field="series")
    if request.kind is ChoiceKind.CARRY_FORWARD and not series.carry_forward:
        raise CarryForwardNotOffered(country=pack.country, series=request.series, field="series")
    async with unit_of_work(principal.tenant_id) as uow:
        existing = await queries.choice(uow, pack.country, request.series, request.kind)
        if existing is not None:
            return existing
        view = LawChoiceView(id=new_id(), country=pack.country, series=request.series, kind=request.kind,
                             reason=request.reason, chosen_by=principal.subject, chosen_at=utc_now())
        await queries.insert_choice(uow, view)
        await record(uow, principal, "law_choice.made", "law_choice", view.id, after=view)
    return view


async def withdraw_choice(principal: Principal, choice_id: UUID) -> None:
    async with unit_of_work(principal.tenant_id) as uow:
        found = await queries.choice_by_id(uow, choice_id)
        if found is None:
            raise LawChoiceNotFound()
        await queries.delete_choice(uow, choice_id)
        await record(uow, principal, "law_choice.withdrawn", "law_choice", choice_id, before=found)


async def list_choices(principal: Principal, cursor: str | None, limit: int) -> Page[LawChoiceView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.choices_page(uow, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of(rows, limit, lambda choice: str(choice.id))


# -- helpers ----------------------------------------------------------------------------------------

def _pack(country: str) -> Pack:
    try:
        return law_pack_for(country)
    except UnknownCountry as exc:
        raise NoLawPack(country=country, field="country") from exc


def _validated(pack: Pack, request: NewLawVersion) -> ParameterVersion[Any]:
    types = pack.all_series_types()
    if request.series not in types:
        raise UnknownSeries(country=pack.country, series=request.series, field="series")
    try:
        version = read_version(request.data, types[request.series], Origin.TENANT)
    except (msgspec.ValidationError, ValueError, ComplianceError) as exc:
        raise InvalidLawVersion(country=pack.country, series=request.series, problem=str(exc),
                                field="data") from exc
    if version.region is not None and version.region not in pack.regions:
        raise LawVersionOutsideRegions(country=pack.country, series=request.series, region=version.region,
                                       field="data.region")
    return version


def _as_version(pack: Pack, view: LawVersionView) -> ParameterVersion[Any]:
    return read_version(view.data, pack.all_series_types()[view.series], Origin.TENANT)


async def _version(uow: UnitOfWork, version_id: UUID) -> LawVersionView:
    view = await queries.version(uow, version_id)
    if view is None:
        raise LawVersionNotFound()
    return view


async def _pending(uow: UnitOfWork, version_id: UUID) -> LawVersionView:
    view = await queries.version(uow, version_id, lock=True)
    if view is None:
        raise LawVersionNotFound()
    if view.status is not LawVersionStatus.PROPOSED:
        raise LawVersionNotPending(status=view.status.value)
    return view


async def _reject_overlap(uow: UnitOfWork, view: LawVersionView) -> None:
    for other in await queries.versions(uow, country=view.country, status=LawVersionStatus.APPROVED):
        if other.series != view.series or other.region != view.region:
            continue
        if _overlap(view.effective_from, view.effective_to, other.effective_from, other.effective_to):
            raise LawVersionOverlaps(series=view.series, other=other.version)


def _overlap(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def _audit_view(view: LawVersionView) -> dict[str, Any]:
    """The audit trail keeps what was decided about which figures; the figures are in the version itself."""
    return {"country": view.country, "series": view.series, "region": view.region, "version": view.version,
            "effective_from": view.effective_from.isoformat(), "status": view.status.value,
            "verification": view.verification.value}
