"""The calculation job's pipeline: a run's staff, page by page, read, calculated and written under the
job's batch id.

Each page is read and each page is written in a transaction of its own. While one page is calculated in
a worker process, this process goes on reading the next page and writing the previous one, so reading,
calculating and writing share the machine's cores instead of taking turns. (A worker thread was tried
first: it held the GIL against the event loop, and each page's write took four times as long.) Each page
is checked for variance in the worker, against the previous run's payslips in the same stretch of
employee ids. The results hash is taken in employee-id order as pages come back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from compliance.errors import ComplianceError
from compliance.registry import all_packs
from domain.employees import read_model as employees
from domain.employees.read_model import EmploymentTerms, StaffMember
from domain.kernel.canonical import canonical_json
from domain.kernel.db import unit_of_work
from domain.kernel.errors import InvalidInput
from domain.kernel.ids import new_id
from domain.kernel.money import from_minor, to_minor
from domain.payroll import queries, workflow
from domain.payroll.calendar import PayGroupRule
from domain.payroll.correction import replaced_from
from domain.payroll.engine import INPUT_KINDS, Earning, PayContext, calculate
from domain.payroll.model import CalculationProblem, ProvisionalLaw, SettlementPeriodTotal
from domain.payroll.queries import NewPayslip, PayInputRow, PayRunRow, PayslipRow, PayslipSummaryRow
from domain.payroll.variance import PayslipSummary, StoredSummary, VarianceThresholds, check
from domain.regulation.model import LawLayers

PAGE_SIZE = 250
#: The first page is smaller, so the workers start sooner and a small run is not one page long.
FIRST_PAGE_SIZE = 60
CORRECTION = "correction"
#: One page in calculation per core. The workers share the cores with this event loop and, on the same machine,
#: the database server; on 2 cores, two workers still beat one by about 15%.
WORKERS = max(1, os.cpu_count() or 1)
DEFAULT_THRESHOLDS = VarianceThresholds()
#: A blocked calculation lists this many of its problems (and counts them all).
PROBLEMS_LISTED = 100


@dataclass(frozen=True)
class RunBasis:
    """What every page of one calculation shares: the run as calculated, its group's rule and its inputs."""

    tenant_id: UUID
    run: PayRunRow
    entity_id: UUID
    rule: PayGroupRule
    inputs: dict[UUID, dict[str, Decimal]]
    batch: UUID
    #: the results batch of the run a regular run is checked against (None for a group's first run and for
    #: corrections, which are checked against the payslips they replace)
    previous: UUID | None = None
    thresholds: VarianceThresholds = DEFAULT_THRESHOLDS
    #: the finalised results whose year-to-date figures this run builds on (batch -> period end)
    earlier_periods: dict[UUID, date] = field(default_factory=dict)
    #: the law as the tenant sees it: its own and bundled versions, what it carries forward and accepts
    law: LawLayers = field(default_factory=LawLayers)

    @property
    def is_correction(self) -> bool:
        return self.run.kind == CORRECTION


#: The reason listed for a payslip whose calculation raised something other than a law refusal (a defect
#: or figures no rule anticipated): the run lists it like any other blocked payslip.
UNEXPECTED_FAILURE = ("The calculation stopped unexpectedly ({error}); the other payslips are unaffected. "
                      "Check this employee's pay and inputs, or report the run id to support.")
PAYSLIP_FAILED = "payslip_calculation_failed"
PAYSLIP_FAILURE_MESSAGES = {PAYSLIP_FAILED: UNEXPECTED_FAILURE}


class CalculationBlocked(InvalidInput):
    """Some payslips cannot be calculated: the message names the first; ``problems`` lists the first
    :data:`PROBLEMS_LISTED` in employee-id order and ``total`` counts them all."""

    code = "pay_run_calculation_blocked"
    title = "Calculation blocked"
    template = "The payslip of {employee} cannot be calculated: {problem}"
    problems: tuple[CalculationProblem, ...] = ()
    total = 0

    @classmethod
    def listing(cls, problems: list[CalculationProblem], total: int) -> CalculationBlocked:
        error = cls(employee=problems[0].employee, problem=problems[0].problem)
        error.problems, error.total = tuple(problems), total
        return error


@dataclass(frozen=True)
class CalculatedPage:
    slips: list[NewPayslip]
    hash_entries: list[bytes]
    #: the page's variance exceptions by key, in their stored form
    exceptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked: list[CalculationProblem] = field(default_factory=list)
    #: the versions the page's payslips used provisionally
    provisional: list[ProvisionalLaw] = field(default_factory=list)


@dataclass(frozen=True)
class RunCalculated:
    count: int
    results_hash: str
    exceptions: dict[str, dict[str, Any]]
    provisional: list[ProvisionalLaw] = field(default_factory=list)
    #: a settlement's differences by period
    settlement: list[SettlementPeriodTotal] = field(default_factory=list)


@dataclass(frozen=True)
class StaffPage:
    staff: list[StaffMember]
    employments: dict[UUID, list[EmploymentTerms]]
    attributes: dict[tuple[UUID, str], dict[str, Any]]
    year_to_date: dict[UUID, dict[str, Any]]
    replaced: dict[UUID, PayslipRow]
    after: UUID | None
    #: the previous run's payslips with ids in this page's stretch of the id space, or None when the run has
    #: no previous run
    previous: list[PayslipSummaryRow] | None = None


#: Writes a calculated page's payslips and the count written so far, in one transaction.
PageWriter = Callable[[list[NewPayslip], int], Awaitable[None]]


def inputs_by_employee(inputs: list[PayInputRow]) -> dict[UUID, dict[str, Decimal]]:
    """Each employee's run inputs, summed by kind."""
    totals: dict[UUID, dict[str, Decimal]] = {}
    for given in inputs:
        kinds = totals.setdefault(given.employee_id, dict.fromkeys(INPUT_KINDS, Decimal(0)))
        kinds[given.kind] += Decimal(given.amount)
    return totals


async def calculate_all(basis: RunBasis, write_page: PageWriter) -> RunCalculated:
    """Write every payslip of the run under the basis's batch with ``write_page``; returns how many, their
    results hash and the variance exceptions, each page checked against the previous run as it is calculated.
    Up to one page per worker is being calculated at a time; pages are hashed and written in order.

    A payslip that cannot be calculated stops the writing, not the calculating: the job goes on to find
    every other one, so the preparer can fix them all before starting again."""
    digest, done, problems, blocked = workflow.ResultsHasher(), 0, list[CalculationProblem](), 0
    exceptions: dict[str, dict[str, Any]] = {}
    provisional: set[ProvisionalLaw] = set()
    reading: asyncio.Task[StaffPage] | None = asyncio.create_task(read_page(basis, None))
    calculating: deque[tuple[asyncio.Task[CalculatedPage], int]] = deque()
    writing: asyncio.Task[None] | None = None
    try:
        while reading is not None or calculating:
            if reading is not None and len(calculating) < WORKERS:
                page = await reading
                reading = asyncio.create_task(read_page(basis, page.after)) if page.after else None
                calculating.append((asyncio.create_task(_in_worker(basis, page)), len(page.staff)))
                continue
            next_calculation, count = calculating.popleft()
            calculated = await next_calculation
            if calculated.blocked or blocked:
                blocked += len(calculated.blocked)
                problems.extend(calculated.blocked[:PROBLEMS_LISTED - len(problems)])
                continue
            for entry in calculated.hash_entries:
                digest.add_encoded(entry)
            exceptions.update(calculated.exceptions)
            provisional.update(calculated.provisional)
            await _written(writing)
            done += count
            writing = asyncio.create_task(write_page(calculated.slips, done))
        await _written(writing)
    finally:
        await _settle(reading, writing, *(task for task, _ in calculating))
    if blocked:
        raise CalculationBlocked.listing(problems, blocked)
    return RunCalculated(done, digest.hexdigest(), exceptions, provisional=in_order(provisional))


async def _in_worker(basis: RunBasis, page: StaffPage) -> CalculatedPage:
    """The page calculated in a worker process, given only its own employees' inputs."""
    own_inputs = {e.id: basis.inputs[e.id] for e in page.staff if e.id in basis.inputs}
    try:
        calculated = await asyncio.get_running_loop().run_in_executor(
            _pool(), calculate_page, replace(basis, inputs=own_inputs), page)
    except BrokenProcessPool:
        shutdown_workers()  # a worker died (killed, out of memory): the next job starts a fresh pool
        raise
    return calculated


_workers: ProcessPoolExecutor | None = None
#: Set while the server shuts down, so a job still running cannot start a fresh pool that would outlive it.
_stopped = False


class WorkersStopped(RuntimeError):
    """The server is shutting down: a calculation still running fails and may be started again later."""


def _pool() -> ProcessPoolExecutor:
    global _workers
    if _stopped:
        raise WorkersStopped("the calculation workers are stopped: the server is shutting down")
    if _workers is None:
        # spawn, not fork: a forked child would inherit the event loop and the database connections
        _workers = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))
    return _workers


def start_workers() -> None:
    """Start the worker processes and load the rule packs in them now, so the first pay run does not wait."""
    global _stopped
    _stopped = False
    for _ in range(WORKERS):
        _pool().submit(all_packs)


def shutdown_workers() -> None:
    """Drop a broken pool without waiting for it; the next job starts a fresh one."""
    global _workers
    if _workers is not None:
        _workers.shutdown(wait=False, cancel_futures=True)
        _workers = None


def stop_workers() -> None:
    """The server's shutdown: let the pages in calculation finish (one per worker at most), then wait until
    every worker process has exited. Waiting matters: after a SIGTERM the server process is ended by the
    signal itself, without the interpreter's exit handlers that would otherwise join the workers, so any
    worker still running then would be orphaned, and with it multiprocessing's resource tracker."""
    global _workers, _stopped
    _stopped = True
    if _workers is not None:
        workers, _workers = _workers, None
        workers.shutdown(wait=True)


async def _written(writing: asyncio.Task[None] | None) -> None:
    if writing is not None:
        await writing


async def _settle(*tasks: asyncio.Task[Any] | None) -> None:
    """A page still in flight when the job fails is let finish or fail before the job reports: nothing
    of this batch may be written after the failure is recorded."""
    await asyncio.gather(*(task for task in tasks if task is not None), return_exceptions=True)


async def read_page(basis: RunBasis, after: UUID | None) -> StaffPage:
    """The page of staff after ``after`` with what calculating them needs, and the previous run's payslips in
    the page's stretch of the id space: above ``after`` and up to the page's last employee (the last page's
    stretch is open above, so a payslip of someone no longer paid is always in some page's)."""
    run = basis.run
    async with unit_of_work(basis.tenant_id, write=False) as uow:
        staff, following = await employees.staff_page(uow, basis.entity_id, run.period_start, run.period_end,
                                                      after, PAGE_SIZE if after else FIRST_PAGE_SIZE,
                                                      only=run.scope)
        previous = (await queries.payslip_summaries(uow, basis.previous, above=after,
                                                    up_to=staff[-1].id if following else None)
                    if basis.previous else None)
        if not staff:
            return StaffPage(staff, {}, {}, {}, {}, following, previous)
        first, last = staff[0].id, staff[-1].id
        employments: dict[UUID, list[EmploymentTerms]] = {}
        for employment in await employees.employments_between(uow, first, last):
            employments.setdefault(employment.employee_id, []).append(employment)
        attributes = {(row.employee_id, row.country): row.attributes
                      for row in await employees.tax_attributes_between(uow, first, last, run.pay_date)}
        year_to_date = await queries.year_to_date_between(uow, first, last, basis.earlier_periods)
        replaced = (await queries.current_payslips(uow, run.corrects_run_id, [e.id for e in staff])
                    if basis.is_correction and run.corrects_run_id else {})
    return StaffPage(staff, employments, attributes, year_to_date, replaced, following, previous)


def calculate_page(basis: RunBasis, page: StaffPage) -> CalculatedPage:
    """Every payslip of the page, in employee-id order, with what the results hash covers of each and the
    page's variance exceptions; or, if any cannot be calculated, each of those. Pure: runs in a worker
    process."""
    slips, entries, summaries, blocked, results = [], [], [], [], []
    for employee in page.staff:
        context = pay_context(basis, page, employee)
        try:
            figures = calculate(context, basis.law.pack(context.country))
        except ComplianceError as exc:
            blocked.append(_problem(employee, exc.code, exc.template, exc.params))
            continue
        except Exception as exc:  # one payslip's failure is listed; it never fails the run
            blocked.append(_problem(employee, PAYSLIP_FAILED, UNEXPECTED_FAILURE, {"error": type(exc).__name__}))
            continue
        refusal = basis.law.refusal(figures.result)
        if refusal is not None:
            blocked.append(_problem(employee, refusal.code, refusal.template, refusal.params))
            continue
        slip, payload, summary = payslip_row(employee, figures.result, basis, figures.earnings)
        if basis.is_correction:
            slip = _as_correction(slip, payload, page.replaced[employee.id])
        slips.append(slip)
        results.append(figures.result)
        entries.append(canonical_json(hash_entry(employee.id, payload)).encode())
        summaries.append(summary.for_employee(employee.id, slip.currency, terminated_on=employee.left_on))
    if blocked:
        return CalculatedPage([], [], blocked=blocked)
    found = check(summaries, _previous_of(basis, page), basis.run.pay_date, basis.thresholds)
    return CalculatedPage(slips, entries, {e.key: msgspec.to_builtins(e) for e in found},
                          provisional=provisional_of(results))


def provisional_of(results: Iterable[CalculationResult]) -> list[ProvisionalLaw]:
    """The versions the results used provisionally (carried forward past their end), each once, in order."""
    return in_order({ProvisionalLaw(country=result.country, series=used.series, version=used.version,
                                    region=used.region) for result in results for used in result.law
                     if used.provisional})


def in_order(found: Iterable[ProvisionalLaw]) -> list[ProvisionalLaw]:
    return sorted(set(found), key=lambda law: (law.country, law.series, law.region or "", law.version))


def _problem(employee: StaffMember, code: str, template: str, params: dict[str, Any]) -> CalculationProblem:
    return CalculationProblem(employee.id, employee.full_name, template,
                              {name: str(value) for name, value in params.items()}, code)


def _previous_of(basis: RunBasis, page: StaffPage) -> list[PayslipSummary] | None:
    """What the page is checked against: the payslips a correction replaces, or the previous run's."""
    if basis.is_correction:
        return [StoredSummary.of(slip.result).for_employee(employee_id, slip.currency)
                for employee_id, slip in page.replaced.items()]
    if page.previous is None:
        return None
    return [msgspec.json.decode(row.summary, type=StoredSummary).for_employee(row.employee_id, row.currency)
            for row in page.previous]


def pay_context(basis: RunBasis, page: StaffPage, employee: StaffMember) -> PayContext:
    run, history = basis.run, page.employments[employee.id]
    current = [e for e in history if e.effective_from <= run.period_end][-1]
    return PayContext(
        employee_id=employee.id, country=current.country, region=current.region,
        pay_amount=from_minor(current.pay_minor, current.currency), pay_unit=current.pay_unit,
        weekly_hours=Decimal(current.weekly_hours), joined_on=history[0].effective_from,
        left_on=employee.left_on, period_start=run.period_start, period_end=run.period_end,
        pay_date=run.pay_date, frequency=basis.rule.frequency,
        attributes=page.attributes.get((employee.id, current.country), {}),
        year_to_date=page.year_to_date.get(employee.id, {}),
        inputs=basis.inputs.get(employee.id, dict.fromkeys(INPUT_KINDS, Decimal(0))), currency=current.currency)


def payslip_row(employee: StaffMember, result: CalculationResult, basis: RunBasis,
                earnings: list[Earning] | None = None) -> tuple[NewPayslip, dict[str, Any], StoredSummary]:
    """The payslip's row, the result it stores (with the earnings item by item, where the calculation itemised
    them) and its variance summary."""
    payload = msgspec.to_builtins(result)
    payload["name"] = employee.full_name
    if earnings is not None:
        payload["earnings"] = msgspec.to_builtins(earnings)
    summary = StoredSummary.of(payload)
    return NewPayslip(
        id=new_id(), run_id=basis.run.id, batch=basis.batch, employee_id=employee.id,
        currency=result.currency, gross_minor=to_minor(result.totals.gross, result.currency),
        net_minor=to_minor(result.totals.net, result.currency),
        employer_cost_minor=to_minor(result.totals.employer_cost, result.currency),
        result=msgspec.json.encode(payload).decode(),
        summary=msgspec.json.encode(summary).decode(),
        year_to_date=msgspec.json.encode(payload["year_to_date"]).decode(),
    ), payload, summary


def _as_correction(slip: NewPayslip, payload: dict[str, Any], replaced: PayslipRow) -> NewPayslip:
    corrected = {**payload, "corrects": replaced_from(replaced)}
    return msgspec.structs.replace(slip, result=msgspec.json.encode(corrected).decode())


def hash_entry(employee_id: UUID, result: dict[str, Any]) -> list[Any]:
    """What the results hash covers of a payslip, in employee-id order: every line and every total, a
    settlement's difference in each period it pays, and the earnings item by item where they are kept."""
    entry = [str(employee_id), result["lines"], result["totals"]]
    if "settlement" in result:
        entry.append([[p["period_start"], p["lines"], p["totals"]] for p in result["settlement"]])
    if "earnings" in result:
        entry.append(result["earnings"])
    return entry
