"""Variance exceptions, reviewers' regions and the tenant's payroll settings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from domain.kernel.db import UnitOfWork
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.payroll.tables import (
    AccountMapping,
    ReviewerRegion,
    VarianceException,
    VarianceThresholdSetting,
)

# -- variance exceptions -------------------------------------------------------------------------


class VarianceExceptionRow(msgspec.Struct, frozen=True):
    id: UUID
    key: str
    #: the exception as the variance check found it (variance.VarianceException, in its stored form)
    detail: dict[str, Any]
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


async def exceptions(uow: UnitOfWork, run_id: UUID, *, after: str | None = None, limit: int | None = None,
                     acknowledged: bool | None = None) -> list[VarianceExceptionRow]:
    """By key, which is unique in the run."""
    query = VarianceException.select(
        VarianceException.id, VarianceException.key, VarianceException.detail, VarianceException.acknowledged_by,
        VarianceException.acknowledged_at, VarianceException.note).where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id))
    if after is not None:
        query = query.where(VarianceException.key > after)
    if acknowledged is not None:
        query = query.where(VarianceException.acknowledged_by.is_not_null() if acknowledged
                            else VarianceException.acknowledged_by.is_null())
    query = query.order_by(VarianceException.key)
    rows = await (query.limit(limit) if limit else query)
    return [VarianceExceptionRow(**{**row, "detail": json.loads(row["detail"])}) for row in rows]


async def open_exception_count(uow: UnitOfWork, run_id: UUID) -> int:
    return sum(1 for exception in await exceptions(uow, run_id) if exception.acknowledged_by is None)


async def replace_exceptions(uow: UnitOfWork, run_id: UUID, found: dict[str, dict[str, Any]]) -> None:
    """Keep acknowledged exceptions that still apply (same key), drop the gone ones, add the new ones."""
    current = {row.key for row in await exceptions(uow, run_id)}
    gone = [key for key in current if key not in found]
    if gone:
        await VarianceException.delete().where(
            (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id)
            & VarianceException.key.is_in(gone))
    new = [VarianceException(id=new_id(), tenant_id=uow.tenant_id, run_id=run_id, key=key,
                             detail=json.dumps(detail, ensure_ascii=False), created_at=utc_now())
           for key, detail in found.items() if key not in current]
    if new:
        await VarianceException.insert(*new)


async def acknowledge(uow: UnitOfWork, exception_id: UUID, by: str, note: str) -> bool:
    changed = await VarianceException.update({
        VarianceException.acknowledged_by: by, VarianceException.acknowledged_at: utc_now(),
        VarianceException.note: note}).where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.id == exception_id)
        & VarianceException.acknowledged_by.is_null()).returning(VarianceException.id)
    return bool(changed)


# -- reviewers and tenant settings ---------------------------------------------------------------


async def reviewer_regions(uow: UnitOfWork, subject: str) -> set[str]:
    rows = await ReviewerRegion.select(ReviewerRegion.region).where(
        (ReviewerRegion.tenant_id == uow.tenant_id) & (ReviewerRegion.subject == subject))
    return {row["region"] for row in rows}


async def assign_region(uow: UnitOfWork, subject: str, region: str) -> None:
    if region not in await reviewer_regions(uow, subject):
        await ReviewerRegion.insert(ReviewerRegion(id=new_id(), tenant_id=uow.tenant_id, subject=subject,
                                                   region=region, created_at=utc_now()))


async def account_mapping(uow: UnitOfWork) -> dict[str, str] | None:
    row = await AccountMapping.select(AccountMapping.mapping).where(AccountMapping.tenant_id == uow.tenant_id).first()
    return msgspec.json.decode(row["mapping"], type=dict[str, str]) if row else None


async def save_account_mapping(uow: UnitOfWork, accounts: dict[str, str]) -> None:
    await _save_tenant_setting(uow, AccountMapping, {"mapping": json.dumps(accounts)})


class ThresholdsRow(msgspec.Struct, frozen=True):
    """A tenant's variance tolerances as stored: ratios as exact decimal strings."""

    net_change_ratio: str
    line_change_ratio: str


async def variance_thresholds(uow: UnitOfWork) -> ThresholdsRow | None:
    row = await VarianceThresholdSetting.select(
        VarianceThresholdSetting.net_change_ratio, VarianceThresholdSetting.line_change_ratio,
    ).where(VarianceThresholdSetting.tenant_id == uow.tenant_id).first()
    return ThresholdsRow(**row) if row else None


async def save_variance_thresholds(uow: UnitOfWork, ratios: ThresholdsRow) -> None:
    await _save_tenant_setting(uow, VarianceThresholdSetting, msgspec.structs.asdict(ratios))


async def _save_tenant_setting(uow: UnitOfWork, table: type[Table], values: dict[str, Any]) -> None:
    """A setting the tenant has once (one row per tenant, versioned): created the first time, updated after."""
    now = utc_now()
    if await table.exists().where(table.tenant_id == uow.tenant_id):
        await table.update({**values, "updated_at": now, "version": table.version + 1}).where(
            table.tenant_id == uow.tenant_id)
    else:
        await table.insert(table(id=new_id(), tenant_id=uow.tenant_id, version=1, created_at=now, updated_at=now,
                                 **values))
