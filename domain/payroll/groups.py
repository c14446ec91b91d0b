"""Pay groups: a legal entity's staff paid on one calendar rule, and the periods that rule gives a year."""

from __future__ import annotations

from uuid import UUID

from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict
from domain.kernel.ids import new_id
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import queries
from domain.payroll.calendar import periods
from domain.payroll.group_rules import require_calendar_of_entity
from domain.payroll.law_gaps import law_gaps
from domain.payroll.model import NewPayGroup, PayCalendar, PayGroupView
from domain.payroll.queries import PayGroupRow
from domain.payroll.runs import load_group
from domain.regulation.service import law_layers_in
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in


class PayGroupNameTaken(Conflict):
    code = "pay_group_name_taken"
    title = "Pay group already exists"
    template = "A pay group called {name} already exists."


async def create_group(principal: Principal, request: NewPayGroup) -> PayGroupView:
    group_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        if await legal_entity_in(uow, request.legal_entity_id) is None:
            raise LegalEntityNotFound(field="legal_entity_id")
        await require_calendar_of_entity(uow, request.legal_entity_id, request.rule)
        if await queries.group_named(uow, request.name):
            raise PayGroupNameTaken(name=request.name)
        await queries.insert_group(uow, group_id, request.legal_entity_id, request.name, request.rule)
        await record(uow, principal, "pay_group.created", "pay_group", group_id, after=request)
        return await _view(uow, await load_group(uow, group_id))


async def get_group(principal: Principal, group_id: UUID) -> PayGroupView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _view(uow, await load_group(uow, group_id))


async def _view(uow: UnitOfWork, group: PayGroupRow) -> PayGroupView:
    """The group with the law its next runs would miss, as this tenant sees the law today."""
    entity = await legal_entity_in(uow, group.legal_entity_id)
    region = entity.region if entity else None
    gaps = law_gaps(group.rule, region, await law_layers_in(uow), utc_now().date())
    return PayGroupView(id=group.id, legal_entity_id=group.legal_entity_id, name=group.name, rule=group.rule,
                        law_gaps=gaps)


async def calendar_of(principal: Principal, group_id: UUID, year: int) -> PayCalendar:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        group = await load_group(uow, group_id)
    return PayCalendar(pay_group_id=group.id, year=year, periods=periods(group.rule, year))
