"""Pay groups and pay runs as list screens show them: pages in id order, filtered where people look for them."""

from __future__ import annotations

from uuid import UUID

from domain.kernel.db import unit_of_work
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.model import PayGroupSummary, PayRunSummary, RunFilter
from domain.payroll.queries import PayRunListRow
from domain.tenancy.service import legal_entities_in

__all__ = ["RunFilter", "list_groups", "list_runs"]


async def list_groups(principal: Principal, cursor: str | None, limit: int, legal_entity_id: UUID | None = None,
                      country: str | None = None) -> Page[PayGroupSummary]:
    """A group pays on its legal entity's country (checked when it is saved), so a country names entities."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        entities = {entity.id: entity for entity in await legal_entities_in(uow)}
        named = [entity_id for entity_id, entity in entities.items() if country in (None, entity.country)
                 and legal_entity_id in (None, entity_id)]
        rows = await queries.groups_page(uow, after=decode_uuid_cursor(cursor), limit=limit + 1,
                                         legal_entity_ids=named if legal_entity_id or country else None)
    return page_of([PayGroupSummary(id=row.id, name=row.name, legal_entity_id=row.legal_entity_id,
                                    legal_entity_name=entities[row.legal_entity_id].name, rule=row.rule)
                    for row in rows], limit, lambda group: str(group.id))


async def list_runs(principal: Principal, cursor: str | None, limit: int, only: RunFilter) -> Page[PayRunSummary]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.runs_page(uow, after=decode_uuid_cursor(cursor), limit=limit + 1, only=only)
        groups = await queries.group_names(uow, sorted({row.pay_group_id for row in rows}))
    return page_of([_summary(row, groups[row.pay_group_id]) for row in rows], limit, lambda run: str(run.id))


def _summary(run: PayRunListRow, group: queries.PayGroupRow) -> PayRunSummary:
    return PayRunSummary(
        id=run.id, pay_group_id=run.pay_group_id, pay_group_name=group.name, legal_entity_id=group.legal_entity_id,
        kind=run.kind, corrects_run_id=run.corrects_run_id, period_start=run.period_start,
        period_end=run.period_end, pay_date=run.pay_date, state=run.facts.state,
        open_exceptions=run.facts.open_exceptions, job_status=run.job_status, employees_total=run.job_total,
        version=run.version)
