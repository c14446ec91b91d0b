"""Preparing a pay run: opening it for a calendar period, opening a correction of a finalised period, and
the inputs (overtime, bonuses, deductions...) its payslips are calculated from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.audit.service import AuditEntryView, Entry, list_entries, record, record_all
from domain.employees import read_model as employees
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, InvalidInput, UnknownReference
from domain.kernel.ids import new_id
from domain.kernel.pagination import DEFAULT_LIMIT, Page
from domain.kernel.principal import Principal
from domain.payroll import queries, workflow
from domain.payroll.calculation_job import supersede
from domain.payroll.calendar import periods
from domain.payroll.model import PAY_INPUT_LIMITS, NewCorrection, NewPayInput, NewPayRun, PayRunView
from domain.payroll.pipeline import CORRECTION
from domain.payroll.queries import PayInputRow, PayRunRow, PayslipRow
from domain.payroll.runs import PayGroupNotFound, actor_of, load_group, load_run, run_view, transition
from domain.payroll.workflow import RunFacts, RunState
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in


class EmployeeNotInRun(UnknownReference):
    code = "pay_input_employee_not_in_run"
    title = "Employee not in this pay run"
    template = "No employee with this id is employed at the pay group's legal entity by the end of this period."


class PayInputOutOfRange(InvalidInput):
    code = "pay_input_out_of_range"
    title = "Pay input out of range"
    template = "A {kind} input is at most {limit} in one pay period."


class NoSuchPeriod(InvalidInput):
    code = "pay_period_not_found"
    title = "No such pay period"
    template = "The pay calendar has no period {number} in {year}."


class CorrectionNeedsFinalisedRun(Conflict):
    code = "pay_run_correction_needs_finalised"
    title = "Run not finalised"
    template = "Only a finalised run is corrected by an off-cycle run; change this run's inputs instead."


class CorrectionOpen(Conflict):
    code = "pay_run_correction_open"
    title = "Correction already open"
    template = "A correction of this run is still open; finalise it before opening another."


class LaterPeriodFinalised(Conflict):
    code = "pay_run_later_period_finalised"
    title = "Later period finalised"
    template = ("A later period of this pay group is finalised and its year-to-date figures build on this one; "
                "correct the latest period instead.")


class EmployeesNotInRun(InvalidInput):
    code = "pay_run_employees_not_in_run"
    title = "Employees not in the run"
    template = "These employees have no payslip in the corrected run: {employees}."


class CorrectionPaidTooEarly(InvalidInput):
    code = "pay_run_correction_pay_date"
    title = "Pay date too early"
    template = "A correction is paid on or after the corrected run's pay date, {pay_date}."


async def create_run(principal: Principal, request: NewPayRun) -> PayRunView:
    run_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        group = await queries.group(uow, request.pay_group_id)
        if group is None:
            raise PayGroupNotFound(field="pay_group_id")
        period = next((p for p in periods(group.rule, request.year) if p.number == request.period), None)
        if period is None:
            raise NoSuchPeriod(number=request.period, year=request.year, field="period")
        entity = await legal_entity_in(uow, group.legal_entity_id)
        if entity is None:
            raise LegalEntityNotFound()
        region = f"{entity.country}-{entity.region}" if entity.region else entity.country
        await queries.insert_run(
            uow, run_id, group_id=group.id, kind="regular", period_start=period.period_start,
            period_end=period.period_end, pay_date=period.pay_date,
            facts=RunFacts(state=RunState.DRAFT, entity_region=region), created_by=principal.subject)
        await record(uow, principal, "pay_run.created", "pay_run", run_id, after={
            "pay_group_id": group.id, "period": [period.period_start, period.period_end],
            "pay_date": period.pay_date})
        return await run_view(uow, run_id, principal.locale)


async def create_correction(principal: Principal, run_id: UUID, request: NewCorrection) -> PayRunView:
    """Open an off-cycle run for a finalised period (a correction of a correction corrects the same
    period). It starts from the inputs behind each employee's payslip in force; add to them and
    calculate as for any run."""
    correction_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        base = await _correctable(uow, run_id, request.pay_date)
        employees = sorted(set(request.employee_ids))
        in_force = await queries.current_payslips(uow, base.id, employees)
        missing = [str(employee) for employee in employees if employee not in in_force]
        if missing:
            raise EmployeesNotInRun(employees=", ".join(missing), field="employee_ids")
        await queries.insert_run(
            uow, correction_id, group_id=base.pay_group_id, kind=CORRECTION, corrects_run_id=base.id,
            scope=employees, period_start=base.period_start, period_end=base.period_end, pay_date=request.pay_date,
            facts=RunFacts(state=RunState.DRAFT, entity_region=base.facts.entity_region),
            created_by=principal.subject)
        carried = await _carry_inputs(uow, correction_id, in_force)
        opened = {"corrects_run_id": base.id, "employees": employees, "pay_date": request.pay_date,
                  "reason": request.reason, "inputs_carried": carried}
        await record(uow, principal, "pay_run.correction_created", "pay_run", correction_id, after=opened)
        await record(uow, principal, "pay_run.correction_opened", "pay_run", base.id,
                     after={**opened, "correction_run_id": correction_id})
        return await run_view(uow, correction_id, principal.locale)


async def _correctable(uow: UnitOfWork, run_id: UUID, pay_date: date) -> PayRunRow:
    """The finalised run a correction of ``run_id`` corrects (a correction's own base, for a correction)."""
    run = await load_run(uow, run_id, lock=True)
    if run.kind == CORRECTION and run.corrects_run_id is not None:
        run = await load_run(uow, run.corrects_run_id, lock=True)
    if run.facts.state is not RunState.FINALISED:
        raise CorrectionNeedsFinalisedRun()
    if await queries.open_correction_of(uow, run.id):
        raise CorrectionOpen()
    if await queries.later_period_finalised(uow, run.pay_group_id, run.period_end):
        raise LaterPeriodFinalised()
    if pay_date < run.pay_date:
        raise CorrectionPaidTooEarly(pay_date=run.pay_date, field="pay_date")
    return run


async def _carry_inputs(uow: UnitOfWork, correction_id: UUID, in_force: dict[UUID, PayslipRow]) -> int:
    carried = 0
    for source in {slip.run_id for slip in in_force.values()}:
        for given in await queries.inputs(uow, source):
            if given.employee_id in in_force and in_force[given.employee_id].run_id == source:
                await queries.insert_input(uow, correction_id, given)
                carried += 1
    return carried


async def add_input(principal: Principal, run_id: UUID, request: NewPayInput) -> PayRunView:
    """A change after calculation voids every approval: the run must be calculated and reviewed again."""
    require_in_range(request)
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, run_id, lock=True)
        await _require_employed_in_run(uow, run, request.employee_id)
        await enter_inputs(uow, principal, run, [request])
        return await run_view(uow, run_id, principal.locale)


async def enter_inputs(uow: UnitOfWork, principal: Principal, run: PayRunRow,
                       requests: list[NewPayInput]) -> list[UUID]:
    """Inputs already checked (:func:`require_in_range`, :func:`employed_in_run`) written to ``run``, read with its
    lock: a run past changing refuses them, a calculated one goes back to draft with its approvals void, and each
    input is audited. Their ids, in order."""
    facts = run.facts
    actor = await actor_of(uow, principal, facts)
    after = workflow.changed(facts, actor) if facts.state is not RunState.DRAFT else facts
    await supersede(uow, run)
    ids = await queries.insert_inputs(uow, run.id, [PayInputRow(
        employee_id=request.employee_id, kind=request.kind, amount=request.amount, note=request.note,
        created_by=principal.subject) for request in requests])
    await record_all(uow, principal, [
        Entry(action="pay_run.input_added", entity_type="pay_run", entity_id=run.id,
              after={"input": input_id, **msgspec.to_builtins(request)})
        for input_id, request in zip(ids, requests, strict=True)])
    if after is not facts:
        await transition(uow, principal, run.id, "changed", facts, after)
    return ids


async def changeable(uow: UnitOfWork, principal: Principal, run: PayRunRow) -> None:
    """Whether :func:`enter_inputs` would take inputs for ``run`` now; the run's own refusal if not."""
    if run.facts.state is not RunState.DRAFT:
        workflow.changed(run.facts, await actor_of(uow, principal, run.facts))


def require_in_range(request: NewPayInput) -> None:
    limit = PAY_INPUT_LIMITS.get(request.kind)
    if limit is not None and Decimal(request.amount) > limit:
        raise PayInputOutOfRange(field="amount", kind=request.kind, limit=str(limit))


async def employed_in_run(uow: UnitOfWork, run: PayRunRow, employee_ids: list[UUID]) -> set[UUID]:
    """Those of ``employee_ids`` who may have inputs in ``run``: employed at the pay group's legal entity by the end
    of its period, looked up in the caller's tenant."""
    group = await load_group(uow, run.pay_group_id)
    return await employees.employed_among(uow, group.legal_entity_id, run.period_end, employee_ids)


async def _require_employed_in_run(uow: UnitOfWork, run: PayRunRow, employee_id: UUID) -> None:
    """Looked up in the caller's tenant, so another tenant's employee answers exactly like a random id."""
    if employee_id not in await employed_in_run(uow, run, [employee_id]):
        raise EmployeeNotInRun(field="employee_id")


async def get_run(principal: Principal, run_id: UUID) -> PayRunView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await run_view(uow, run_id, principal.locale)


async def run_history(principal: Principal, run_id: UUID, cursor: str | None = None,
                      limit: int = DEFAULT_LIMIT) -> Page[AuditEntryView]:
    """The run's entries of the audit chain, in the chain's order."""
    await get_run(principal, run_id)
    return await list_entries(principal, cursor, limit, "pay_run", str(run_id))
