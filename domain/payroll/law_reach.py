"""Which pay groups and finalised periods a change of law reaches, before it is installed: for the dry run of a
law bundle. A finalised period paid on provisional figures of a changed series will be proposed for settlement."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.kernel.db import unit_of_work
from domain.payroll import queries
from domain.payroll.queries import PayGroupRow, PayRunRow
from domain.tenancy.service import legal_entity_in


class LawChange(msgspec.Struct, frozen=True):
    country: str
    series: str
    region: str | None
    effective_from: date


class ReachedPeriod(msgspec.Struct, frozen=True):
    run_id: UUID
    kind: str
    period_start: date
    period_end: date
    pay_date: date
    #: paid on provisional figures of a changed series: a settlement will be proposed
    settlement_expected: bool


class ReachedGroup(msgspec.Struct, frozen=True):
    group_id: UUID
    name: str
    country: str
    region: str | None
    finalised_periods: list[ReachedPeriod]


async def reach_of(tenant_id: UUID, changes: list[LawChange]) -> list[ReachedGroup]:
    """Every pay group in a country and region the changes cover, with its finalised periods paid on or after the
    earliest change that applies to it."""
    reached: list[ReachedGroup] = []
    async with unit_of_work(tenant_id, write=False) as uow:
        for group in await queries.groups(uow):
            entity = await legal_entity_in(uow, group.legal_entity_id)
            region = entity.region if entity else None
            applying = [c for c in changes if _applies(c, group, region)]
            if not applying:
                continue
            runs = await queries.finalised_runs_of_group(uow, group.id)
            reached.append(ReachedGroup(
                group_id=group.id, name=group.name, country=group.rule.country, region=region,
                finalised_periods=[_period(run, applying) for run in runs
                                   if any(run.pay_date >= c.effective_from for c in applying)]))
    return reached


def _applies(change: LawChange, group: PayGroupRow, region: str | None) -> bool:
    return change.country == group.rule.country and change.region in (None, region)


def _period(run: PayRunRow, changes: list[LawChange]) -> ReachedPeriod:
    changed = {(c.country, c.series) for c in changes if run.pay_date >= c.effective_from}
    provisional = {(law.country, law.series) for law in run.provisional_law or []}
    return ReachedPeriod(run_id=run.id, kind=run.kind, period_start=run.period_start, period_end=run.period_end,
                         pay_date=run.pay_date, settlement_expected=bool(changed & provisional))
