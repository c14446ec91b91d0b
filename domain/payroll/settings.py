"""A tenant's payroll settings: who reviews which region, the general-ledger account mapping and the
variance tolerances. Each change is audited with before and after."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.places import require_place
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.finance import AccountMapping as FinanceMapping
from domain.payroll.model import NewVarianceThresholds, RegionAssignment
from domain.payroll.queries import ThresholdsRow
from domain.payroll.variance import VarianceThresholds
from domain.payroll.workflow import ALL_REGIONS


async def assign_region(principal: Principal, request: RegionAssignment) -> RegionAssignment:
    if request.region != ALL_REGIONS:
        # A country (CN) or a country and one of its regions (CN-SH), as a run names its entity's region.
        country, _, region = request.region.partition("-")
        require_place(country, region or None, country_field="region", region_field="region")
    async with unit_of_work(principal.tenant_id) as uow:
        await queries.assign_region(uow, request.subject, request.region)
        await record(uow, principal, "payroll.reviewer_region_assigned", "user", request.subject, after=request)
    return request


async def set_account_mapping(principal: Principal, mapping: FinanceMapping) -> FinanceMapping:
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.account_mapping(uow)
        await queries.save_account_mapping(uow, mapping.accounts)
        await record(uow, principal, "payroll.account_mapping_set", "gl_account_mapping", uow.tenant_id,
                     before=before, after=mapping.accounts)
    return mapping


async def variance_thresholds_of(principal: Principal) -> VarianceThresholds:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await variance_thresholds_in(uow)


async def variance_thresholds_in(uow: UnitOfWork) -> VarianceThresholds:
    """The tenant's tolerances, or the defaults while none are set."""
    stored = await queries.variance_thresholds(uow)
    if stored is None:
        return VarianceThresholds()
    return VarianceThresholds(net_change_ratio=Decimal(stored.net_change_ratio),
                              line_change_ratio=Decimal(stored.line_change_ratio))


async def set_variance_thresholds(principal: Principal, request: NewVarianceThresholds) -> VarianceThresholds:
    """The tenant's tolerances for the next calculations (a calculated run keeps the exceptions it found)."""
    thresholds = VarianceThresholds(net_change_ratio=Decimal(request.net_change_ratio),
                                    line_change_ratio=Decimal(request.line_change_ratio))
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.variance_thresholds(uow)
        after = ThresholdsRow(net_change_ratio=request.net_change_ratio, line_change_ratio=request.line_change_ratio)
        await queries.save_variance_thresholds(uow, after)
        await record(uow, principal, "payroll.variance_thresholds_set", "payroll_variance_thresholds",
                     uow.tenant_id, before=msgspec.structs.asdict(before) if before else None,
                     after=msgspec.structs.asdict(after))
    return thresholds
