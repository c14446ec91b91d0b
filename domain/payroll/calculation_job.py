"""The calculation job, the one home of its lifecycle: started, sized, progressing page by page, then
completed, failed or superseded.

Starting a calculation queues it on the durable job queue (:mod:`domain.jobs`) in the same transaction that marks
the run as calculating, so any worker of any replica runs it, once, and its progress on the run row reads the same
from every replica. The job writes payslips under a fresh batch id, page by page (see
:mod:`domain.payroll.pipeline`). Only when every payslip is written does one transaction switch the run to that
batch, record its results hash and void every approval, so an interrupted job leaves nothing visible: when the queue
runs it again (its worker was killed, or the server stopped mid-run) the job starts over under a batch of its own
and reaches the same results hash as an uninterrupted run. A run whose heartbeat stopped for longer than
``STALLED_AFTER`` may also be started again by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID, uuid5

import msgspec

from domain.audit.service import record
from domain.employees import read_model as employees
from domain.jobs import service as jobs
from domain.jobs.model import JobRun
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict
from domain.kernel.ids import new_id
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import pipeline, queries, settling, workflow
from domain.payroll.model import PayRunView
from domain.payroll.pipeline import CORRECTION, CalculationBlocked, PageWriter, RunBasis, RunCalculated, WorkersStopped
from domain.payroll.queries import CalculationProblems, NewPayslip, PayRunRow
from domain.payroll.runs import actor_of, load_group, load_run, run_view, transition
from domain.payroll.settings import variance_thresholds_in
from domain.regulation.service import law_layers_in

STALLED_AFTER = timedelta(minutes=10)
log = logging.getLogger("meridian.payroll")

#: Reports (done, total) after every page written.
Progress = Callable[[int, int], None]


class CalculationRunning(Conflict):
    code = "pay_run_calculation_running"
    title = "Calculation running"
    template = "This pay run is being calculated; wait for it to finish."


class CalculationOrder(msgspec.Struct, frozen=True):
    """A queued calculation: the run, the batch its start assigned, and who asked (the job acts as them)."""

    run_id: UUID
    batch: UUID
    subject: str
    roles: list[str]
    locale: str
    request_id: str

    def principal(self, tenant_id: UUID) -> Principal:
        return Principal(tenant_id=tenant_id, subject=self.subject, roles=frozenset(Role(r) for r in self.roles),
                         locale=self.locale, request_id=self.request_id)

    def batch_of(self, attempt: int) -> UUID:
        """Each attempt writes under a batch of its own, so a stopped attempt's pages never mix with the next."""
        return self.batch if attempt == 1 else uuid5(self.batch, f"attempt {attempt}")


async def start_calculation(principal: Principal, run_id: UUID) -> PayRunView:
    """Queue the calculation, in the transaction that marks the run as calculating; the run shows its progress."""
    async with unit_of_work(principal.tenant_id) as uow:
        batch, view = await _started(uow, principal, run_id)
        await jobs.enqueue(uow, CALCULATE, CalculationOrder(
            run_id=run_id, batch=batch, subject=principal.subject, roles=sorted(r.value for r in principal.roles),
            locale=principal.locale, request_id=principal.request_id))
    return view


async def calculate_in_foreground(principal: Principal, run_id: UUID, on_progress: Progress) -> PayRunView:
    """The same calculation for the command line: here, reporting (done, total) after every page."""
    async with unit_of_work(principal.tenant_id) as uow:
        batch, _ = await _started(uow, principal, run_id)
    await _run_job(principal, run_id, batch, on_progress)
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return await run_view(uow, run_id, principal.locale)


async def calculate_ordered(job: JobRun, order: CalculationOrder) -> None:
    """The queue's handler: calculate the run under this attempt's batch, unless the run stopped waiting for
    this order (a change superseded it, or a newer start replaced it)."""
    principal = order.principal(job.tenant_id)
    batch = await _taken_over(principal, order, job.attempt)
    if batch is not None:
        await _run_job(principal, order.run_id, batch)


CALCULATE = jobs.register("payroll.calculate", CalculationOrder, calculate_ordered)


async def wait_for_jobs() -> None:
    """Until queued calculations (and any other due job) have finished (tests, the command line)."""
    await jobs.wait_for_jobs()


async def supersede(uow: UnitOfWork, run: PayRunRow) -> None:
    """The run changed under a running job: its results would no longer match the run, so they never show."""
    if run.job_status == "running":
        await queries.job_superseded(uow, run.id)


def _alive(run: PayRunRow) -> bool:
    """A running job reports after every page; one silent for longer stopped with its process."""
    heartbeat = run.job_heartbeat
    return run.job_status == "running" and heartbeat is not None and utc_now() - heartbeat < STALLED_AFTER


async def _started(uow: UnitOfWork, principal: Principal, run_id: UUID) -> tuple[UUID, PayRunView]:
    """Refuses now, before any work, if the run may not be calculated or a live job is calculating it."""
    batch = new_id()
    run = await load_run(uow, run_id, lock=True)
    workflow.calculation_may_start(run.facts, await actor_of(uow, principal, run.facts))
    if _alive(run):
        raise CalculationRunning()
    await queries.job_started(uow, run_id, batch, utc_now())
    await queries.drop_unused_batches(uow, run_id)
    await record(uow, principal, "pay_run.calculation_started", "pay_run", run_id, after={"batch": batch})
    return batch, await run_view(uow, run_id, principal.locale)


async def _taken_over(principal: Principal, order: CalculationOrder, attempt: int) -> UUID | None:
    """The batch this attempt writes under, the run switched to it (and an earlier attempt's pages dropped); or
    None when the run's job is no longer this order's."""
    batch = order.batch_of(attempt)
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, order.run_id, lock=True)
        earlier = {order.batch_of(number) for number in range(1, attempt + 1)}
        if run.job_status != "running" or run.job_batch not in earlier:
            return None
        if run.job_batch != batch:
            log.info("pay run calculation resumed from the start", extra={"request_id": principal.request_id})
            await queries.job_started(uow, run.id, batch, utc_now())
            await queries.drop_unused_batches(uow, run.id)
    return batch


async def _run_job(principal: Principal, run_id: UUID, batch: UUID, on_progress: Progress | None = None) -> None:
    try:
        basis = await _basis(principal, run_id, batch)
        total = await _sized(principal, basis)
        writer = _page_writer(basis, total, on_progress)
        calculated = await (settling.calculate_settlement(basis, writer) if basis.run.is_settlement
                            else pipeline.calculate_all(basis, writer))
        await _complete(principal, run_id, batch, calculated)
    except WorkersStopped:
        raise  # the server is stopping: the queue runs the job again, and the run stays calculating meanwhile
    except Exception as exc:
        # The run keeps the results it had: the failed batch was never switched in.
        log.exception("pay run calculation failed", extra={"request_id": principal.request_id})
        await _fail(principal, run_id, batch, exc)


async def _basis(principal: Principal, run_id: UUID, batch: UUID) -> RunBasis:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        run = await load_run(uow, run_id)
        group = await load_group(uow, run.pay_group_id)
        return RunBasis(
            tenant_id=principal.tenant_id, run=await _as_calculated(uow, run), entity_id=group.legal_entity_id,
            rule=group.rule, inputs=pipeline.inputs_by_employee(await queries.inputs(uow, run_id)), batch=batch,
            previous=await _checked_against(uow, run), thresholds=await variance_thresholds_in(uow),
            earlier_periods=await queries.finalised_periods(uow, run.period_start), law=await law_layers_in(uow))


async def _as_calculated(uow: UnitOfWork, run: PayRunRow) -> PayRunRow:
    """The run as calculated: a correction recalculates its period under the law and year so far of
    the corrected run's pay date, whenever it is paid."""
    if run.kind != CORRECTION or run.corrects_run_id is None:
        return run
    base = await load_run(uow, run.corrects_run_id)
    return msgspec.structs.replace(run, pay_date=base.pay_date)


async def _checked_against(uow: UnitOfWork, run: PayRunRow) -> UUID | None:
    """The results of the group's previous finalised regular run, which a regular run's are checked against."""
    if run.kind == CORRECTION:
        return None
    previous = await queries.previous_finalised_run(uow, run.pay_group_id, run.pay_date)
    return previous.results_batch if previous else None


async def _sized(principal: Principal, basis: RunBasis) -> int:
    run = basis.run
    async with unit_of_work(principal.tenant_id) as uow:
        total = await employees.count_employed(uow, basis.entity_id, run.period_end, only=run.scope)
        await queries.job_sized(uow, run.id, total)
    return total


def _page_writer(basis: RunBasis, total: int, on_progress: Progress | None) -> PageWriter:
    """Each page's payslips and the job's progress in one transaction: progress counts only what is stored."""

    async def write(slips: list[NewPayslip], done: int) -> None:
        async with unit_of_work(basis.tenant_id) as uow:
            await queries.insert_payslips(uow, slips)
            await queries.job_progressed(uow, basis.run.id, basis.batch, done)
        if on_progress:
            on_progress(done, total)

    return write


async def _complete(principal: Principal, run_id: UUID, batch: UUID, calculated: RunCalculated) -> None:
    """Switch the run to ``batch``, whose results hash was taken and variance checked as its payslips were
    written (finalising takes the hash again from what is stored)."""
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, run_id, lock=True)
        if run.job_batch != batch:
            return  # overtaken by a change or a restart: these results never show
        facts = run.facts
        after = workflow.calculated(facts, await actor_of(uow, principal, facts), calculated.results_hash)
        await queries.replace_exceptions(uow, run_id, calculated.exceptions)
        after = workflow.exceptions_changed(after, await queries.open_exception_count(uow, run_id))
        await queries.job_completed(uow, run_id, batch, calculated.count, calculated.provisional,
                                    calculated.settlement)
        await queries.record_calculation(uow, run_id, batch, calculated.results_hash, principal.subject)
        await queries.drop_unused_batches(uow, run_id)
        await transition(uow, principal, run_id, "calculated", facts, after)


async def _fail(principal: Principal, run_id: UUID, batch: UUID, exc: Exception) -> None:
    """Record why, unless a newer job took the run over meanwhile."""
    blocked = exc if isinstance(exc, CalculationBlocked) else None
    reason = str(exc) if blocked else type(exc).__name__
    problems = CalculationProblems(list(blocked.problems), blocked.total) if blocked and blocked.total else None
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, run_id, lock=True)
        if run.job_batch == batch:
            await queries.job_failed(uow, run_id, reason[:2000], problems)
