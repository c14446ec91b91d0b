"""Tenancy use cases: provisioning and suspending tenants, tenant settings, legal entities."""

from __future__ import annotations

from uuid import UUID

from compliance.registry import all_packs
from domain.audit.service import record
from domain.kernel.db import UnitOfWork, platform_unit_of_work, unit_of_work
from domain.kernel.errors import Conflict, ErrorKind, InvalidInput, NotFound, StaleVersion
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.places import require_place, require_region
from domain.kernel.principal import Actor, Principal
from domain.kernel.versioning import changed_fields
from domain.keys.service import create_data_key
from domain.tenancy import queries
from domain.tenancy.model import (
    LegalEntityPatch,
    LegalEntityView,
    NewLegalEntity,
    NewTenant,
    TenantAccess,
    TenantKind,
    TenantSettingsPatch,
    TenantStatus,
    TenantView,
)


class TenantNotFound(NotFound):
    code = "tenant_not_found"
    template = "There is no tenant with this id."


class LegalEntityNotFound(NotFound):
    code = "legal_entity_not_found"
    template = "There is no legal entity with this id."


class EntityCurrencyNotPayrollCurrency(InvalidInput):
    code = "entity_currency_not_payroll_currency"
    kind = ErrorKind.UNPROCESSABLE
    title = "Not the country's payroll currency"
    template = "{country} payroll is calculated in {payroll_currency}, so a {country} legal entity pays in " \
               "{payroll_currency}, not {currency}."


class LegalEntityNameTaken(Conflict):
    code = "legal_entity_name_taken"
    title = "Name already used"
    template = "Another legal entity of this tenant is already called {name}."


async def provision_tenant(actor: Actor, request: NewTenant, kind: TenantKind = TenantKind.CUSTOMER) -> TenantView:
    tenant_id = new_id()
    async with platform_unit_of_work(tenant_id=tenant_id) as platform:
        tenant = await queries.insert_tenant(
            platform, tenant_id, request.name, kind, request.countries, request.timezone, request.default_locale
        )
        await create_data_key(platform)
        await record(platform, actor, "tenant.provisioned", "tenant", tenant_id, after=tenant)
    return tenant


async def list_tenants(cursor: str | None, limit: int) -> Page[TenantView]:
    after = decode_uuid_cursor(cursor)
    async with platform_unit_of_work(write=False) as platform:
        rows = await queries.all_tenants(platform, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda t: str(t.id))


async def platform_tenant(kind: TenantKind) -> TenantView | None:
    async with platform_unit_of_work(write=False) as platform:
        found = await queries.tenants_by_kind(platform, kind)
    return found[0] if found else None


async def customer_tenants() -> list[TenantView]:
    async with platform_unit_of_work(write=False) as platform:
        return await queries.tenants_by_kind(platform, TenantKind.CUSTOMER)


async def set_tenant_status(actor: Actor, tenant_id: UUID, status: TenantStatus) -> TenantView:
    async with platform_unit_of_work(tenant_id=tenant_id) as platform:
        before = await queries.tenant_by_id(platform, tenant_id)
        if before is None or before.kind is not TenantKind.CUSTOMER:
            raise TenantNotFound()
        await queries.set_tenant_status(platform, tenant_id, status)
        await record(platform, actor, f"tenant.{status.value}", "tenant", tenant_id,
                     before={"status": before.status}, after={"status": status})
        return await _tenant(platform, tenant_id)


async def tenant_status(tenant_id: UUID) -> TenantStatus | None:
    async with unit_of_work(tenant_id, write=False) as uow:
        tenant = await queries.own_tenant(uow)
    return tenant.status if tenant else None


async def get_settings(principal: Principal) -> TenantView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _own_tenant(uow)


async def update_settings(principal: Principal, patch: TenantSettingsPatch, expected_version: int) -> TenantView:
    values = changed_fields(patch)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _own_tenant(uow)
        await queries.update_own_tenant(uow, expected_version, values)
        after = await _own_tenant(uow)
        await record(uow, principal, "tenant.settings_updated", "tenant", uow.tenant_id,
                     before={k: getattr(before, k) for k in values}, after=values)
    return after


async def create_legal_entity(principal: Principal, request: NewLegalEntity) -> LegalEntityView:
    require_place(request.country, request.region)
    _require_payroll_currency(request.country, request.currency)
    async with unit_of_work(principal.tenant_id) as uow:
        if await queries.legal_entity_name_taken(uow, request.name):
            raise LegalEntityNameTaken(name=request.name)
        entity = await queries.insert_legal_entity(uow, new_id(), request)
        await record(uow, principal, "legal_entity.created", "legal_entity", entity.id, after=entity)
    return entity


async def get_legal_entity(principal: Principal, entity_id: UUID) -> LegalEntityView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _legal_entity(uow, entity_id)


async def list_legal_entities(
    principal: Principal, cursor: str | None, limit: int, country: str | None = None
) -> Page[LegalEntityView]:
    after = decode_uuid_cursor(cursor)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.legal_entities(uow, after=after, limit=limit + 1, country=country)
    return page_of(rows, limit, lambda e: str(e.id))


async def update_legal_entity(
    principal: Principal, entity_id: UUID, patch: LegalEntityPatch, expected_version: int
) -> LegalEntityView:
    values = changed_fields(patch)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _legal_entity(uow, entity_id)
        if patch.region is not None:
            require_region(before.country, patch.region)
        if patch.currency is not None:
            _require_payroll_currency(before.country, patch.currency)
        if "name" in values and await queries.legal_entity_name_taken(uow, str(values["name"]), entity_id):
            raise LegalEntityNameTaken(name=values["name"])
        await queries.update_legal_entity(uow, entity_id, expected_version, values)
        after = await _legal_entity(uow, entity_id)
        await record(uow, principal, "legal_entity.updated", "legal_entity", entity_id,
                     before={k: getattr(before, k) for k in values}, after=values)
    return after


async def delete_legal_entity(principal: Principal, entity_id: UUID, expected_version: int) -> None:
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _legal_entity(uow, entity_id)
        if before.version != expected_version:
            raise StaleVersion(resource="legal entity")
        await queries.delete_legal_entity(uow, entity_id)
        await record(uow, principal, "legal_entity.deleted", "legal_entity", entity_id, before=before)


def _require_payroll_currency(country: str, currency: str) -> None:
    """An entity whose country a payroll pack covers pays in the pack's currency: its employees' pay is
    recorded in the entity's currency, and a payslip is calculated in the pack's."""
    pack = all_packs().get(country)
    if pack is not None and currency != pack.currency:
        raise EntityCurrencyNotPayrollCurrency(country=country, currency=currency, payroll_currency=pack.currency,
                                               field="currency")


async def _tenant(platform: UnitOfWork, tenant_id: UUID) -> TenantView:
    tenant = await queries.tenant_by_id(platform, tenant_id)
    if tenant is None:
        raise TenantNotFound()
    return tenant


async def _own_tenant(uow: UnitOfWork) -> TenantView:
    tenant = await queries.own_tenant(uow)
    if tenant is None:
        raise TenantNotFound()
    return tenant


async def _legal_entity(uow: UnitOfWork, entity_id: UUID) -> LegalEntityView:
    entity = await queries.legal_entity(uow, entity_id)
    if entity is None:
        raise LegalEntityNotFound()
    return entity


# -- reads other contexts make inside their own unit of work ------------------------------------

async def tenant_access_in(uow: UnitOfWork) -> TenantAccess | None:
    return await queries.tenant_access(uow)


async def own_tenant_in(uow: UnitOfWork) -> TenantView | None:
    return await queries.own_tenant(uow)


async def legal_entity_in(uow: UnitOfWork, entity_id: UUID) -> LegalEntityView | None:
    """The caller's legal entity, or None for another tenant's id as for a random one."""
    return await queries.legal_entity(uow, entity_id)


async def legal_entities_in(uow: UnitOfWork, country: str | None = None) -> list[LegalEntityView]:
    """The caller's legal entities (a tenant has a handful, not thousands), of one country when named."""
    return await queries.legal_entities(uow, after=None, limit=10_000, country=country)


async def countries_in_use(tenant_id: UUID) -> list[str]:
    """The countries the tenant employs in: those of its legal entities."""
    async with unit_of_work(tenant_id, write=False) as uow:
        entities = await queries.legal_entities(uow, after=None, limit=10_000)
    return sorted({entity.country for entity in entities})
