"""A pay run as the use cases load it, show it and move it through the review workflow: the pieces every
payroll use case shares. Every transition is audited with before and after (修改留痕)."""

from __future__ import annotations

from uuid import UUID

from domain.audit.service import record
from domain.kernel.db import UnitOfWork
from domain.kernel.errors import NotFound
from domain.kernel.i18n import translate
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.model import CalculationProblemView, PayRunView
from domain.payroll.pipeline import CalculationBlocked
from domain.payroll.queries import CalculationProblems, PayGroupRow, PayRunRow
from domain.payroll.workflow import Actor, RunFacts
from domain.webhooks import service as webhooks

JOB_STOPPED = ("The calculation stopped ({error}); nothing of it was saved and the run keeps what it had. "
               "Calculate the run again, or report its id to support if this happens again.")
RUN_MESSAGES = {"pay_run_calculation_stopped": JOB_STOPPED}


class PayGroupNotFound(NotFound):
    code = "pay_group_not_found"
    template = "There is no pay group with this id."


class PayRunNotFound(NotFound):
    code = "pay_run_not_found"
    template = "There is no pay run with this id."


async def load_group(uow: UnitOfWork, group_id: UUID) -> PayGroupRow:
    group = await queries.group(uow, group_id)
    if group is None:
        raise PayGroupNotFound()
    return group


async def load_run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> PayRunRow:
    run = await queries.run(uow, run_id, lock=lock)
    if run is None:
        raise PayRunNotFound()
    return run


async def run_view(uow: UnitOfWork, run_id: UUID, locale: str) -> PayRunView:
    run = await load_run(uow, run_id)
    facts = run.facts
    error, problems, problems_total = _failure(run, locale)
    return PayRunView(
        id=run.id, pay_group_id=run.pay_group_id, kind=run.kind, corrects_run_id=run.corrects_run_id,
        employee_scope=run.scope, period_start=run.period_start, period_end=run.period_end, pay_date=run.pay_date,
        state=facts.state, preparer=facts.preparer, results_hash=facts.results_hash,
        approvals=list(facts.approvals), open_exceptions=facts.open_exceptions, job_status=run.job_status,
        progress_percent=_progress_percent(run), employees_done=run.job_done, employees_total=run.job_total,
        job_error=error,
        calculation_problems=problems, calculation_problems_total=problems_total, version=run.version,
        settles_from=run.settles_from, provisional_law=(run.provisional_law or []) if run.results_batch else [],
        settlement_periods=run.settlement_periods if run.results_batch else [])


def _progress_percent(run: PayRunRow) -> int:
    """A job done with nobody to pay is complete; a job not yet sized has made no progress."""
    if run.job_total == 0:
        return 100 if run.job_status == "done" else 0
    return run.job_done * 100 // run.job_total


def _failure(run: PayRunRow, locale: str) -> tuple[str | None, list[CalculationProblemView], int]:
    """Why the last calculation failed, in ``locale``: the first blocked payslip and the list, or what stopped
    the job (kept as the name of the error)."""
    if run.job_problems is None:
        return (translate(JOB_STOPPED, locale, error=run.job_error) if run.job_error else None), [], 0
    stored: CalculationProblems = run.job_problems
    problems = [p.shown(locale) for p in stored.problems]
    first = problems[0]
    return (translate(CalculationBlocked.template, locale, employee=first.employee, problem=first.problem), problems,
            stored.total)


async def actor_of(uow: UnitOfWork, principal: Principal, facts: RunFacts) -> Actor:
    assigned = await queries.reviewer_regions(uow, principal.subject)
    country = facts.entity_region.split("-")[0]
    regions = assigned | ({facts.entity_region} if country in assigned else set())
    return Actor(subject=principal.subject, roles=principal.roles, regions=frozenset(regions))


#: The pay-run transitions published as webhook events.
PUBLISHED = {"calculated": webhooks.EventType.PAY_RUN_CALCULATED, "approved": webhooks.EventType.PAY_RUN_APPROVED,
             "finalised": webhooks.EventType.PAY_RUN_FINALISED}


async def transition(uow: UnitOfWork, principal: Principal, run_id: UUID, action: str, facts: RunFacts,
                     after: RunFacts) -> None:
    await queries.save_facts(uow, run_id, after)
    await record(uow, principal, f"pay_run.{action}", "pay_run", run_id,
                 before={"state": facts.state, "results_hash": facts.results_hash,
                         "approvals": [a.reviewer for a in facts.approvals]},
                 after={"state": after.state, "results_hash": after.results_hash,
                        "approvals": [a.reviewer for a in after.approvals]})
    if action in PUBLISHED:
        await webhooks.publish(uow, PUBLISHED[action], "pay_run", run_id, {
            "state": after.state, "results_hash": after.results_hash, "approvals": len(after.approvals)})
