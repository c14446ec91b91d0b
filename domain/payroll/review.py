"""The enforced dual review: submission, two approvals of the exact results, variance exceptions
acknowledged, finalisation (which takes the results hash again from what is stored), and cancellation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import pipeline, queries, workflow
from domain.payroll.calculation_job import supersede
from domain.payroll.model import Acknowledge, Approve, ExceptionView, PayRunView
from domain.payroll.pipeline import CORRECTION
from domain.payroll.queries import PayRunRow, PayslipRow
from domain.payroll.runs import actor_of, load_run, run_view, transition
from domain.payroll.variance import shown
from domain.payroll.workflow import Actor, RunFacts

Step = Callable[[RunFacts, Actor], RunFacts]


class ExceptionNotOpen(NotFound):
    code = "variance_exception_not_open"
    template = "There is no open variance exception with this id."


async def submit(principal: Principal, run_id: UUID) -> PayRunView:
    return await _act(principal, run_id, "submitted", workflow.submitted)


async def approve(principal: Principal, run_id: UUID, request: Approve) -> PayRunView:
    return await _act(principal, run_id, "approved",
                      lambda facts, actor: workflow.approved(facts, actor, request.results_hash, utc_now()))


async def _act(principal: Principal, run_id: UUID, action: str, step: Step) -> PayRunView:
    async with unit_of_work(principal.tenant_id) as uow:
        facts = (await load_run(uow, run_id, lock=True)).facts
        after = step(facts, await actor_of(uow, principal, facts))
        await transition(uow, principal, run_id, action, facts, after)
        return await run_view(uow, run_id, principal.locale)


async def finalise(principal: Principal, run_id: UUID) -> PayRunView:
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, run_id, lock=True)
        slips = await queries.payslips(uow, run_id, run.results_batch) if run.results_batch else []
        actor = await actor_of(uow, principal, run.facts)
        after = workflow.finalised(run.facts, actor, workflow.results_hash(hashable(slips)))
        await transition(uow, principal, run_id, "finalised", run.facts, after)
        if run.kind == CORRECTION:
            await _void_later_results(uow, principal, actor, run)
        return await run_view(uow, run_id, principal.locale)


def hashable(slips: list[PayslipRow]) -> list[Any]:
    """What the results hash covers of stored payslips, as the calculation hashed them."""
    return [pipeline.hash_entry(slip.employee_id, slip.result) for slip in slips]


async def _void_later_results(uow: UnitOfWork, principal: Principal, actor: Actor, correction: PayRunRow) -> None:
    """Later periods calculated before this correction built their year so far without it: their results
    and approvals are void until they are calculated again."""
    for later in await queries.open_runs_after(uow, correction.pay_group_id, correction.period_end):
        if later.facts.results_hash is not None:
            await supersede(uow, later)
            await transition(uow, principal, later.id, "changed", later.facts, workflow.changed(later.facts, actor))


async def cancel(principal: Principal, run_id: UUID) -> PayRunView:
    """Close a run without paying it: a run opened by mistake, an abandoned correction."""
    async with unit_of_work(principal.tenant_id) as uow:
        run = await load_run(uow, run_id, lock=True)
        after = workflow.cancelled(run.facts, await actor_of(uow, principal, run.facts))
        await supersede(uow, run)
        await transition(uow, principal, run_id, "cancelled", run.facts, after)
        return await run_view(uow, run_id, principal.locale)


async def exceptions_of(principal: Principal, run_id: UUID, cursor: str | None = None, limit: int = DEFAULT_LIMIT,
                        acknowledged: bool | None = None) -> Page[ExceptionView]:
    """The run's variance exceptions by key (an employee's together), the open or acknowledged ones if asked,
    each written in the reader's language."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await load_run(uow, run_id)
        rows = await queries.exceptions(uow, run_id, after=decode_cursor(cursor), limit=limit + 1,
                                        acknowledged=acknowledged)
    return page_of([ExceptionView(id=row.id, key=row.key, detail=shown(row.detail, principal.locale),
                                  acknowledged_by=row.acknowledged_by,
                                  acknowledged_at=row.acknowledged_at, note=row.note) for row in rows],
                   limit, lambda exception: exception.key)


async def acknowledge(principal: Principal, run_id: UUID, exception_id: UUID, request: Acknowledge) -> PayRunView:
    """A reviewer acknowledges an exception with a note; approvals need every exception acknowledged."""
    async with unit_of_work(principal.tenant_id) as uow:
        facts = (await load_run(uow, run_id, lock=True)).facts
        if not await queries.acknowledge(uow, exception_id, principal.subject, request.note):
            raise ExceptionNotOpen()
        after = workflow.exceptions_changed(facts, await queries.open_exception_count(uow, run_id))
        await transition(uow, principal, run_id, "exception_acknowledged", facts, after)
        return await run_view(uow, run_id, principal.locale)
