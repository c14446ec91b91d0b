"""Pay runs: groups and calendars, inputs, the calculation job, the enforced dual review, payslips.

The calculation runs as a background job writing payslips under a fresh batch id, chunk by chunk,
with progress on the run. Only when every payslip is written does one transaction switch the run to
that batch, record its results hash and void every approval, so an interrupted job leaves nothing
visible and can simply be started again. Every transition and every change is audited with before
and after (修改留痕).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from domain.audit.service import AuditEntryView, entries_of, record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, InvalidInput, NotFound
from domain.kernel.i18n import translate
from domain.kernel.ids import new_id
from domain.kernel.money import from_minor
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import pipeline, queries, workflow
from domain.payroll.calendar import PayGroupRule, PayPeriod, periods
from domain.payroll.correction import Replaced, difference
from domain.payroll.finance import AccountMapping as FinanceMapping
from domain.payroll.finance import ControlTotals, JournalEntry, Reconciliation, control_totals, journal, reconcile
from domain.payroll.payslip import PayslipDocument, payslip_from_result
from domain.payroll.pipeline import CORRECTION, CalculationBlocked, CalculationProblem
from domain.payroll.variance import VarianceThresholds
from domain.payroll.workflow import Actor, RunFacts, RunState
from domain.tenancy.service import legal_entity_in

STALLED_AFTER = timedelta(minutes=10)
log = logging.getLogger("meridian.payroll")


class PayGroupNotFound(NotFound):
    code = "pay_group_not_found"
    template = "There is no pay group with this id."


class PayRunNotFound(NotFound):
    code = "pay_run_not_found"
    template = "There is no pay run with this id."


class PayslipNotFound(NotFound):
    code = "payslip_not_found"
    template = "There is no payslip with this id."


class PayGroupNameTaken(Conflict):
    code = "pay_group_name_taken"
    title = "Pay group already exists"
    template = "A pay group called {name} already exists."


class CalculationRunning(Conflict):
    code = "pay_run_calculation_running"
    title = "Calculation running"
    template = "This pay run is being calculated; wait for it to finish."


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


class NewPayGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    legal_entity_id: UUID
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    rule: PayGroupRule


class PayGroupView(msgspec.Struct, frozen=True):
    id: UUID
    legal_entity_id: UUID
    name: str
    rule: PayGroupRule


class NewPayRun(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pay_group_id: UUID
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    period: Annotated[int, msgspec.Meta(ge=1, le=53)]


class NewCorrection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An off-cycle run recalculating a finalised period for the named employees."""

    employee_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=10000)]
    pay_date: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class NewPayInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee_id: UUID
    kind: Literal["overtime_hours", "bonus", "allowance", "unpaid_leave_days", "deduction"]
    amount: Annotated[str, msgspec.Meta(pattern=r"^\d{1,9}(\.\d{1,4})?$")]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


Ratio = Annotated[str, msgspec.Meta(pattern=r"^(10(\.0{1,4})?|\d(\.\d{1,4})?)$",
                                     description="a ratio from 0 to 10 with up to 4 decimals: 0.2 is 20%")]


class NewVarianceThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How far net pay and each line may move against the previous run before a reviewer must look."""

    net_change_ratio: Ratio = "0.2"
    line_change_ratio: Ratio = "0.5"


class CalculationProblemView(msgspec.Struct, frozen=True):
    employee_id: UUID
    employee: str
    problem: str


class PayRunView(msgspec.Struct, frozen=True):
    id: UUID
    pay_group_id: UUID
    kind: str
    corrects_run_id: UUID | None
    employee_scope: list[UUID] | None
    period_start: date
    period_end: date
    pay_date: date
    state: RunState
    preparer: str | None
    results_hash: str | None
    approvals: list[workflow.Approval]
    open_exceptions: int
    job_status: str
    progress_percent: int
    employees_done: int
    employees_total: int
    job_error: str | None
    #: every payslip the last calculation could not calculate (the first 100, in employee-id order), with the
    #: reason in the reader's language
    calculation_problems: list[CalculationProblemView]
    calculation_problems_total: int
    version: int


class PayslipView(msgspec.Struct, frozen=True):
    id: UUID
    run_id: UUID
    employee_id: UUID
    currency: str
    gross: Decimal
    net: Decimal
    employer_cost: Decimal
    result: dict[str, Any]


class Approve(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The reviewer approves exactly the results they reviewed, named by their hash."""

    results_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class Acknowledge(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


# -- groups and runs -----------------------------------------------------------------------------


async def create_group(principal: Principal, request: NewPayGroup) -> PayGroupView:
    group_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        if await legal_entity_in(uow, request.legal_entity_id) is None:
            raise NotFound(resource="legal entity", field="legal_entity_id")
        if await queries.group_named(uow, request.name):
            raise PayGroupNameTaken(name=request.name)
        await queries.insert_group(uow, group_id, request.legal_entity_id, request.name,
                                   msgspec.to_builtins(request.rule))
        await record(uow, principal, "pay_group.created", "pay_group", group_id, after=request)
    return PayGroupView(id=group_id, legal_entity_id=request.legal_entity_id, name=request.name, rule=request.rule)


async def calendar_of(principal: Principal, group_id: UUID, year: int) -> list[PayPeriod]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        group = await _group(uow, group_id)
    return periods(msgspec.convert(group["rule"], PayGroupRule), year)


async def _group(uow: UnitOfWork, group_id: UUID) -> dict[str, Any]:
    group = await queries.group(uow, group_id)
    if group is None:
        raise PayGroupNotFound()
    return group


async def create_run(principal: Principal, request: NewPayRun) -> PayRunView:
    run_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        group = await _group(uow, request.pay_group_id)
        rule = msgspec.convert(group["rule"], PayGroupRule)
        period = next((p for p in periods(rule, request.year) if p.number == request.period), None)
        if period is None:
            raise NoSuchPeriod(number=request.period, year=request.year, field="period")
        entity = await legal_entity_in(uow, group["legal_entity_id"])
        assert entity is not None
        region = f"{entity.country}-{entity.region}" if entity.region else entity.country
        facts = RunFacts(state=RunState.DRAFT, entity_region=region)
        await queries.insert_run(uow, run_id, {
            "pay_group_id": group["id"], "kind": "regular", "period_start": period.period_start,
            "period_end": period.period_end, "pay_date": period.pay_date, "state": facts.state.value,
            "facts": msgspec.to_builtins(facts), "created_by": principal.subject})
        await record(uow, principal, "pay_run.created", "pay_run", run_id, after={
            "pay_group_id": group["id"], "period": [period.period_start, period.period_end],
            "pay_date": period.pay_date})
        return await _run_view(uow, run_id, principal.locale)


async def create_correction(principal: Principal, run_id: UUID, request: NewCorrection) -> PayRunView:
    """Open an off-cycle run for a finalised period (a correction of a correction corrects the same
    period). It starts from the inputs behind each employee's payslip in force; add to them and
    calculate as for any run."""
    correction_id = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        base, facts = await _correctable(uow, run_id, request.pay_date)
        employees = sorted(set(request.employee_ids))
        in_force = await queries.current_payslips(uow, base["id"], employees)
        missing = [str(employee) for employee in employees if employee not in in_force]
        if missing:
            raise EmployeesNotInRun(employees=", ".join(missing), field="employee_ids")
        await queries.insert_run(uow, correction_id, {
            "pay_group_id": base["pay_group_id"], "kind": CORRECTION, "corrects_run_id": base["id"],
            "scope": [str(employee) for employee in employees], "period_start": base["period_start"],
            "period_end": base["period_end"], "pay_date": request.pay_date, "state": RunState.DRAFT.value,
            "facts": msgspec.to_builtins(RunFacts(state=RunState.DRAFT, entity_region=facts.entity_region)),
            "created_by": principal.subject})
        carried = await _carry_inputs(uow, correction_id, in_force)
        opened = {"corrects_run_id": base["id"], "employees": employees, "pay_date": request.pay_date,
                  "reason": request.reason, "inputs_carried": carried}
        await record(uow, principal, "pay_run.correction_created", "pay_run", correction_id, after=opened)
        await record(uow, principal, "pay_run.correction_opened", "pay_run", base["id"],
                     after={**opened, "correction_run_id": correction_id})
        return await _run_view(uow, correction_id, principal.locale)


async def _correctable(uow: UnitOfWork, run_id: UUID, pay_date: date) -> tuple[dict[str, Any], RunFacts]:
    row, facts = await _run(uow, run_id, lock=True)
    if row["kind"] == CORRECTION:
        row, facts = await _run(uow, row["corrects_run_id"], lock=True)
    if facts.state is not RunState.FINALISED:
        raise CorrectionNeedsFinalisedRun()
    if await queries.open_correction_of(uow, row["id"]):
        raise CorrectionOpen()
    if await queries.later_period_finalised(uow, row["pay_group_id"], row["period_end"]):
        raise LaterPeriodFinalised()
    if pay_date < row["pay_date"]:
        raise CorrectionPaidTooEarly(pay_date=row["pay_date"], field="pay_date")
    return row, facts


async def _carry_inputs(uow: UnitOfWork, correction_id: UUID, in_force: dict[UUID, dict[str, Any]]) -> int:
    carried = 0
    for source in {slip["run_id"] for slip in in_force.values()}:
        for row in await queries.inputs(uow, source):
            if row["employee_id"] in in_force and in_force[row["employee_id"]]["run_id"] == source:
                await queries.insert_input(uow, correction_id, {
                    key: row[key] for key in ("employee_id", "kind", "amount", "note", "created_by")})
                carried += 1
    return carried


async def get_run(principal: Principal, run_id: UUID) -> PayRunView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _run_view(uow, run_id, principal.locale)


async def _run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> tuple[dict[str, Any], RunFacts]:
    row = await queries.run(uow, run_id, lock=lock)
    if row is None:
        raise PayRunNotFound()
    return row, msgspec.convert(row["facts"], RunFacts)


async def _run_view(uow: UnitOfWork, run_id: UUID, locale: str) -> PayRunView:
    row, facts = await _run(uow, run_id)
    total = row["job_total"]
    return PayRunView(
        id=row["id"], pay_group_id=row["pay_group_id"], kind=row["kind"], corrects_run_id=row["corrects_run_id"],
        employee_scope=row["scope"],
        period_start=row["period_start"], period_end=row["period_end"], pay_date=row["pay_date"],
        state=facts.state, preparer=facts.preparer, results_hash=facts.results_hash,
        approvals=list(facts.approvals), open_exceptions=facts.open_exceptions, job_status=row["job_status"],
        progress_percent=100 if total == 0 and row["job_status"] == "done" else (row["job_done"] * 100 // total
                                                                                 if total else 0),
        employees_done=row["job_done"], employees_total=total, **_failure(row, locale), version=row["version"])


class _StoredProblems(msgspec.Struct):
    problems: list[CalculationProblem]
    total: int


def _failure(row: dict[str, Any], locale: str) -> dict[str, Any]:
    """Why the last calculation failed, in ``locale``: the first blocked payslip and the list, or the error."""
    if not row["job_problems"]:
        return {"job_error": row["job_error"], "calculation_problems": [], "calculation_problems_total": 0}
    stored = msgspec.json.decode(row["job_problems"], type=_StoredProblems)
    problems = [CalculationProblemView(employee_id=p.employee_id, employee=p.employee,
                                       problem=translate(p.template, locale, **p.params)) for p in stored.problems]
    first = problems[0]
    return {"job_error": translate(CalculationBlocked.template, locale, employee=first.employee,
                                   problem=first.problem),
            "calculation_problems": problems, "calculation_problems_total": stored.total}


async def _actor(uow: UnitOfWork, principal: Principal, facts: RunFacts) -> Actor:
    assigned = await queries.reviewer_regions(uow, principal.subject)
    country = facts.entity_region.split("-")[0]
    regions = assigned | ({facts.entity_region} if country in assigned else set())
    return Actor(subject=principal.subject, roles=principal.roles, regions=frozenset(regions))


async def _transition(uow: UnitOfWork, principal: Principal, run_id: UUID, action: str, facts: RunFacts,
                      after: RunFacts) -> None:
    await queries.update_run(uow, run_id, {"facts": msgspec.to_builtins(after), "state": after.state.value})
    await record(uow, principal, f"pay_run.{action}", "pay_run", run_id,
                 before={"state": facts.state, "results_hash": facts.results_hash,
                         "approvals": [a.reviewer for a in facts.approvals]},
                 after={"state": after.state, "results_hash": after.results_hash,
                        "approvals": [a.reviewer for a in after.approvals]})


# -- inputs --------------------------------------------------------------------------------------


async def add_input(principal: Principal, run_id: UUID, request: NewPayInput) -> PayRunView:
    """A change after calculation voids every approval: the run must be calculated and reviewed again."""
    async with unit_of_work(principal.tenant_id) as uow:
        row, facts = await _run(uow, run_id, lock=True)
        actor = await _actor(uow, principal, facts)
        after = workflow.changed(facts, actor) if facts.state is not RunState.DRAFT else facts
        await _supersede_job(uow, row)
        input_id = await queries.insert_input(uow, run_id, {
            "employee_id": request.employee_id, "kind": request.kind, "amount": request.amount,
            "note": request.note, "created_by": principal.subject})
        await record(uow, principal, "pay_run.input_added", "pay_run", run_id, after={
            "input": input_id, **msgspec.to_builtins(request)})
        if after is not facts:
            await _transition(uow, principal, run_id, "changed", facts, after)
        return await _run_view(uow, run_id, principal.locale)


# -- calculation ---------------------------------------------------------------------------------

_jobs: set[asyncio.Task[None]] = set()


Progress = Callable[[int, int], None]


async def start_calculation(principal: Principal, run_id: UUID) -> PayRunView:
    batch, view = await _begin_calculation(principal, run_id)
    task = asyncio.create_task(_calculate_guarded(principal, run_id, batch))
    _jobs.add(task)
    task.add_done_callback(_jobs.discard)
    return view


async def calculate_in_foreground(principal: Principal, run_id: UUID, on_progress: Progress) -> PayRunView:
    """The same calculation for the command line: here, reporting (done, total) after every chunk."""
    batch, _ = await _begin_calculation(principal, run_id)
    await _calculate_guarded(principal, run_id, batch, on_progress)
    return await get_run(principal, run_id)


async def _begin_calculation(principal: Principal, run_id: UUID) -> tuple[UUID, PayRunView]:
    batch = new_id()
    async with unit_of_work(principal.tenant_id) as uow:
        row, facts = await _run(uow, run_id, lock=True)
        actor = await _actor(uow, principal, facts)
        workflow.calculated(facts, actor, "0" * 64)  # refuses now, before any work, if this may not happen
        if _job_alive(row):
            raise CalculationRunning()
        await queries.update_run(uow, run_id, {"job_status": "running", "job_done": 0, "job_total": 0,
                                               "job_error": None, "job_problems": None, "job_batch": batch,
                                               "job_heartbeat": utc_now()})
        await queries.drop_unused_batches(uow, run_id)
        await record(uow, principal, "pay_run.calculation_started", "pay_run", run_id, after={"batch": batch})
        return batch, await _run_view(uow, run_id, principal.locale)


def _job_alive(row: dict[str, Any]) -> bool:
    """A running job reports after every chunk; one silent for longer stopped with its process."""
    heartbeat = row["job_heartbeat"]
    return row["job_status"] == "running" and heartbeat is not None and utc_now() - heartbeat < STALLED_AFTER


async def wait_for_jobs() -> None:
    """Let running calculations finish (tests, shutdown)."""
    while _jobs:
        await asyncio.gather(*list(_jobs), return_exceptions=True)


async def _calculate_guarded(principal: Principal, run_id: UUID, batch: UUID,
                             on_progress: Progress | None = None) -> None:
    try:
        await _calculate_run(principal, run_id, batch, on_progress)
    except Exception as exc:
        # The run keeps the results it had: the failed batch was never switched in.
        log.exception("pay run calculation failed", extra={"request_id": principal.request_id})
        reason = str(exc) if isinstance(exc, CalculationBlocked) else type(exc).__name__
        problems = ({"problems": exc.problems, "total": exc.total}
                    if isinstance(exc, CalculationBlocked) and exc.total else None)
        async with unit_of_work(principal.tenant_id) as uow:
            row, _ = await _run(uow, run_id, lock=True)
            if row["job_batch"] == batch:
                await queries.update_run(uow, run_id, {
                    "job_status": "failed", "job_error": reason[:2000],
                    "job_problems": msgspec.json.encode(problems).decode() if problems else None})


async def _calculate_run(principal: Principal, run_id: UUID, batch: UUID, on_progress: Progress | None = None) -> None:
    """Write every payslip under ``batch``, then switch the run to it in one transaction."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, _ = await _run(uow, run_id)
        group = await _group(uow, row["pay_group_id"])
        basis = pipeline.RunBasis(
            tenant_id=principal.tenant_id, run=await _calculation_basis(uow, row), entity_id=group["legal_entity_id"],
            rule=msgspec.convert(group["rule"], PayGroupRule),
            inputs=pipeline.inputs_by_employee(await queries.inputs(uow, run_id)), batch=batch,
            previous=await _checked_against(uow, row), thresholds=await _variance_thresholds(uow),
            earlier_periods=await queries.finalised_periods(uow, row["period_start"]))
    async with unit_of_work(principal.tenant_id) as uow:
        total = await queries.count_employed(uow, basis.entity_id, row["period_end"], only=row["scope"])
        await queries.update_run(uow, run_id, {"job_total": total})

    def report(done: int) -> None:
        if on_progress:
            on_progress(done, total)

    await _complete(principal, run_id, batch, await pipeline.calculate_all(basis, report))


async def _checked_against(uow: UnitOfWork, run: dict[str, Any]) -> UUID | None:
    """The results of the group's previous finalised regular run, which a regular run's are checked against."""
    if run["kind"] == CORRECTION:
        return None
    previous = await queries.previous_finalised_run(uow, run["pay_group_id"], run["pay_date"])
    return previous["results_batch"] if previous else None


async def _calculation_basis(uow: UnitOfWork, run: dict[str, Any]) -> dict[str, Any]:
    """The run as calculated: a correction recalculates its period under the law and year so far of
    the corrected run's pay date, whenever it is paid."""
    if run["kind"] != CORRECTION:
        return run
    base, _ = await _run(uow, run["corrects_run_id"])
    return {**run, "pay_date": base["pay_date"]}


async def _complete(principal: Principal, run_id: UUID, batch: UUID, calculated: pipeline.RunCalculated) -> None:
    """Switch the run to ``batch``, whose results hash was taken and variance checked as its payslips were
    written (finalising takes the hash again from what is stored)."""
    async with unit_of_work(principal.tenant_id) as uow:
        row, facts = await _run(uow, run_id, lock=True)
        if row["job_batch"] != batch:
            return  # overtaken by a change or a restart: these results never show
        actor = await _actor(uow, principal, facts)
        after = workflow.calculated(facts, actor, calculated.results_hash)
        await queries.replace_exceptions(uow, run_id, calculated.exceptions)
        open_count = sum(1 for e in await queries.exceptions(uow, run_id) if e["acknowledged_by"] is None)
        after = workflow.exceptions_changed(after, open_count)
        await queries.update_run(uow, run_id, {"results_batch": batch, "job_status": "done",
                                               "job_done": calculated.count, "job_total": calculated.count})
        await queries.record_calculation(uow, run_id, batch, calculated.results_hash, principal.subject)
        await queries.drop_unused_batches(uow, run_id)
        await _transition(uow, principal, run_id, "calculated", facts, after)


def _hashable(slips: list[dict[str, Any]]) -> list[Any]:
    return [pipeline.hash_entry(s["employee_id"], s["result"]) for s in slips]


# -- review --------------------------------------------------------------------------------------


async def submit(principal: Principal, run_id: UUID) -> PayRunView:
    return await _act(principal, run_id, "submitted", lambda facts, actor: workflow.submitted(facts, actor))


async def approve(principal: Principal, run_id: UUID, request: Approve) -> PayRunView:
    return await _act(principal, run_id, "approved",
                      lambda facts, actor: workflow.approved(facts, actor, request.results_hash, utc_now()))


async def finalise(principal: Principal, run_id: UUID) -> PayRunView:
    async with unit_of_work(principal.tenant_id) as uow:
        row, facts = await _run(uow, run_id, lock=True)
        slips = await queries.payslips(uow, run_id, row["results_batch"]) if row["results_batch"] else []
        recomputed = workflow.results_hash(_hashable(slips))
        actor = await _actor(uow, principal, facts)
        after = workflow.finalised(facts, actor, recomputed)
        await _transition(uow, principal, run_id, "finalised", facts, after)
        if row["kind"] == CORRECTION:
            await _void_later_results(uow, principal, actor, row)
        return await _run_view(uow, run_id, principal.locale)


async def _void_later_results(uow: UnitOfWork, principal: Principal, actor: Actor, correction: dict[str, Any]) -> None:
    """Later periods calculated before this correction built their year so far without it: their results
    and approvals are void until they are calculated again."""
    for later in await queries.open_runs_after(uow, correction["pay_group_id"], correction["period_end"]):
        facts = msgspec.convert(later["facts"], RunFacts)
        if facts.results_hash is not None:
            await _supersede_job(uow, later)
            await _transition(uow, principal, later["id"], "changed", facts, workflow.changed(facts, actor))


async def cancel(principal: Principal, run_id: UUID) -> PayRunView:
    """Close a run without paying it: a run opened by mistake, an abandoned correction."""
    async with unit_of_work(principal.tenant_id) as uow:
        row, facts = await _run(uow, run_id, lock=True)
        after = workflow.cancelled(facts, await _actor(uow, principal, facts))
        await _supersede_job(uow, row)
        await _transition(uow, principal, run_id, "cancelled", facts, after)
        return await _run_view(uow, run_id, principal.locale)


async def _supersede_job(uow: UnitOfWork, row: dict[str, Any]) -> None:
    """A running job's results would no longer match the run: they never show."""
    if row["job_status"] == "running":
        await queries.update_run(uow, row["id"], {"job_status": "superseded", "job_batch": None})


async def _act(principal: Principal, run_id: UUID, action: str, step: Any) -> PayRunView:
    async with unit_of_work(principal.tenant_id) as uow:
        _, facts = await _run(uow, run_id, lock=True)
        after = step(facts, await _actor(uow, principal, facts))
        await _transition(uow, principal, run_id, action, facts, after)
        return await _run_view(uow, run_id, principal.locale)


class ExceptionView(msgspec.Struct, frozen=True):
    id: UUID
    key: str
    detail: dict[str, Any]
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


class ExceptionNotOpen(NotFound):
    code = "variance_exception_not_open"
    template = "There is no open variance exception with this id."


async def exceptions_of(principal: Principal, run_id: UUID) -> list[ExceptionView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _run(uow, run_id)
        return [msgspec.convert(row, ExceptionView) for row in await queries.exceptions(uow, run_id)]


async def acknowledge(principal: Principal, run_id: UUID, exception_id: UUID, request: Acknowledge) -> PayRunView:
    """A reviewer acknowledges an exception with a note; approvals need every exception acknowledged."""
    async with unit_of_work(principal.tenant_id) as uow:
        _, facts = await _run(uow, run_id, lock=True)
        if not await queries.acknowledge(uow, exception_id, principal.subject, request.note):
            raise ExceptionNotOpen()
        open_count = sum(1 for e in await queries.exceptions(uow, run_id) if e["acknowledged_by"] is None)
        after = workflow.exceptions_changed(facts, open_count)
        await _transition(uow, principal, run_id, "exception_acknowledged", facts, after)
        return await _run_view(uow, run_id, principal.locale)


# -- payslips ------------------------------------------------------------------------------------


def _payslip_view(row: dict[str, Any]) -> PayslipView:
    return PayslipView(id=row["id"], run_id=row["run_id"], employee_id=row["employee_id"], currency=row["currency"],
                       gross=from_minor(row["gross_minor"], row["currency"]),
                       net=from_minor(row["net_minor"], row["currency"]),
                       employer_cost=from_minor(row["employer_cost_minor"], row["currency"]), result=row["result"])


async def payslips_of(principal: Principal, run_id: UUID) -> list[PayslipView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, _ = await _run(uow, run_id)
        if row["results_batch"] is None:
            return []
        return [_payslip_view(s) for s in await queries.payslips(uow, run_id, row["results_batch"])]


class RegionAssignment(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A payroll reviewer may approve runs of legal entities in this region: a country (CN) or a country
    and region (CN-SH), or * for all."""

    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    region: Annotated[str, msgspec.Meta(pattern=r"^(\*|[A-Z]{2}(-[A-Za-z0-9]{1,8})?)$")]


async def assign_region(principal: Principal, request: RegionAssignment) -> RegionAssignment:
    async with unit_of_work(principal.tenant_id) as uow:
        await queries.assign_region(uow, request.subject, request.region)
        await record(uow, principal, "payroll.reviewer_region_assigned", "user", request.subject, after=request)
    return request


# -- finance -------------------------------------------------------------------------------------


class RunNotFinalised(Conflict):
    code = "pay_run_not_finalised"
    title = "Run not finalised"
    template = "Exports to finance are made from finalised runs only."


class NoAccountMapping(NotFound):
    code = "gl_account_mapping_not_found"
    template = "No general-ledger account mapping is set for this tenant yet."


async def set_account_mapping(principal: Principal, mapping: FinanceMapping) -> FinanceMapping:
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.account_mapping(uow)
        await queries.save_account_mapping(uow, mapping.accounts)
        await record(uow, principal, "payroll.account_mapping_set", "gl_account_mapping", uow.tenant_id,
                     before=before, after=mapping.accounts)
    return mapping


async def variance_thresholds_of(principal: Principal) -> VarianceThresholds:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await _variance_thresholds(uow)


async def _variance_thresholds(uow: UnitOfWork) -> VarianceThresholds:
    stored = await queries.variance_thresholds(uow)
    return msgspec.convert(stored, VarianceThresholds, strict=False) if stored else VarianceThresholds()


async def set_variance_thresholds(principal: Principal, request: NewVarianceThresholds) -> VarianceThresholds:
    """The tenant's tolerances for the next calculations (a calculated run keeps the exceptions it found)."""
    thresholds = VarianceThresholds(net_change_ratio=Decimal(request.net_change_ratio),
                                    line_change_ratio=Decimal(request.line_change_ratio))
    async with unit_of_work(principal.tenant_id) as uow:
        before = await queries.variance_thresholds(uow)
        after = msgspec.structs.asdict(request)
        await queries.save_variance_thresholds(uow, after)
        await record(uow, principal, "payroll.variance_thresholds_set", "payroll_variance_thresholds",
                     uow.tenant_id, before=before, after=after)
    return thresholds


async def _finalised_results(uow: UnitOfWork, run_id: UUID) -> tuple[dict[str, Any], list[CalculationResult]]:
    row, facts = await _run(uow, run_id)
    if facts.state is not RunState.FINALISED:
        raise RunNotFinalised()
    slips = await queries.payslips(uow, run_id, row["results_batch"])
    return row, [_posted(s["result"]) for s in slips]


def _posted(result: dict[str, Any]) -> CalculationResult:
    """What finance posts for a payslip: all of it, or for a correction, the difference it makes."""
    calculated = msgspec.convert(result, CalculationResult)
    if "corrects" not in result:
        return calculated
    return difference(calculated, msgspec.convert(result["corrects"], Replaced))


async def journal_of(principal: Principal, run_id: UUID) -> list[JournalEntry]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, results = await _finalised_results(uow, run_id)
        accounts = await queries.account_mapping(uow)
    if accounts is None:
        raise NoAccountMapping()
    return journal(results, FinanceMapping(accounts=accounts), run_id, row["pay_date"])


async def control_totals_of(principal: Principal, run_id: UUID) -> ControlTotals:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        _, results = await _finalised_results(uow, run_id)
    return control_totals(results)


async def reconcile_with(principal: Principal, run_id: UUID, statement_csv: str) -> Reconciliation:
    entries = await journal_of(principal, run_id)
    result = reconcile(entries, statement_csv)
    async with unit_of_work(principal.tenant_id) as uow:
        await record(uow, principal, "pay_run.reconciled", "pay_run", run_id,
                     after={"matched": result.matched, "differences": len(result.differences)})
    return result


# -- payslips for people -------------------------------------------------------------------------


async def payslip_document(principal: Principal, payslip_id: UUID, locale: str, *,
                           own_only: UUID | None = None) -> PayslipDocument:
    """A payslip ready to print. ``own_only`` restricts it to one employee's own payslips, of finalised runs."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        slip = await queries.payslip(uow, payslip_id)
        if slip is None or (own_only is not None and slip["employee_id"] != own_only):
            raise PayslipNotFound()
        row, facts = await _run(uow, slip["run_id"])
        if slip["batch"] != row["results_batch"] or (own_only is not None and facts.state is not RunState.FINALISED):
            raise PayslipNotFound()
        group = await _group(uow, row["pay_group_id"])
        entity = await legal_entity_in(uow, group["legal_entity_id"])
    assert entity is not None
    result = msgspec.convert(slip["result"], CalculationResult)
    return payslip_from_result(result, entity_name=entity.name, employee_name=slip["result"]["name"],
                               period_start=row["period_start"], period_end=row["period_end"], locale=locale,
                               year_to_date=None)


class LineAmounts(msgspec.Struct, frozen=True):
    code: str
    employee: Decimal
    employer: Decimal


class LineChange(msgspec.Struct, frozen=True):
    """A line whose amounts differ from the version before (0 where the line was absent)."""

    code: str
    employee_before: Decimal
    employee_after: Decimal
    employer_before: Decimal
    employer_after: Decimal


class PayslipVersion(msgspec.Struct, frozen=True):
    payslip_id: UUID
    calculated_at: datetime
    calculated_by: str
    results_hash: str
    #: the version the run shows now (none is current while a change awaits recalculation)
    current: bool
    gross: Decimal
    net: Decimal
    employer_cost: Decimal
    lines: list[LineAmounts]
    changes: list[LineChange]


class PayslipHistory(msgspec.Struct, frozen=True):
    run_id: UUID
    employee_id: UUID
    versions: list[PayslipVersion]
    #: the run's transitions and the changes to this employee's inputs, with before and after
    events: list[AuditEntryView]


async def run_history(principal: Principal, run_id: UUID) -> list[AuditEntryView]:
    await get_run(principal, run_id)
    return await entries_of(principal, "pay_run", str(run_id))


async def payslip_history(principal: Principal, run_id: UUID, employee_id: UUID) -> PayslipHistory:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row, facts = await _run(uow, run_id)
        stored = await queries.payslip_versions(uow, run_id, employee_id)
    if not stored:
        raise PayslipNotFound()
    shown = row["results_batch"] if facts.results_hash is not None else None
    versions, before = [], None
    for slip in stored:
        lines = _line_amounts(slip["result"])
        versions.append(PayslipVersion(
            payslip_id=slip["id"], calculated_at=slip["calculation"]["completed_at"],
            calculated_by=slip["calculation"]["calculated_by"], results_hash=slip["calculation"]["results_hash"],
            current=slip["batch"] == shown, gross=from_minor(slip["gross_minor"], slip["currency"]),
            net=from_minor(slip["net_minor"], slip["currency"]),
            employer_cost=from_minor(slip["employer_cost_minor"], slip["currency"]),
            lines=list(lines.values()), changes=_line_changes(before, lines) if before is not None else []))
        before = lines
    events = [entry for entry in await entries_of(principal, "pay_run", str(run_id))
              if _concerns(entry, employee_id)]
    return PayslipHistory(run_id=run_id, employee_id=employee_id, versions=versions, events=events)


def _line_amounts(result: dict[str, Any]) -> dict[str, LineAmounts]:
    return {line["code"]: LineAmounts(code=line["code"], employee=Decimal(line["employee"]),
                                      employer=Decimal(line["employer"])) for line in result["lines"]}


def _line_changes(before: dict[str, LineAmounts], after: dict[str, LineAmounts]) -> list[LineChange]:
    absent = LineAmounts(code="", employee=Decimal(0), employer=Decimal(0))
    changes = []
    for code in [*after, *(code for code in before if code not in after)]:
        old, new = before.get(code, absent), after.get(code, absent)
        if (old.employee, old.employer) != (new.employee, new.employer):
            changes.append(LineChange(code=code, employee_before=old.employee, employee_after=new.employee,
                                      employer_before=old.employer, employer_after=new.employer))
    return changes


def _concerns(entry: AuditEntryView, employee_id: UUID) -> bool:
    """Run-wide entries concern everyone; an input concerns its employee."""
    named = entry.after.get("employee_id") if isinstance(entry.after, dict) else None
    return named is None or named == str(employee_id)


async def own_payslips(principal: Principal, employee_id: UUID) -> list[PayslipView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.payslips_of_employee(uow, employee_id)
    return [_payslip_view(row) for row in rows]
