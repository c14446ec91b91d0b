"""What finance takes from a finalised run: the journal, the control totals, and the reconciliation of
the journal with a bank statement."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.correction import Replaced, difference
from domain.payroll.finance import AccountMapping as FinanceMapping
from domain.payroll.finance import ControlTotals, Journal, Reconciliation, control_totals, journal, reconcile
from domain.payroll.queries import PayRunRow
from domain.payroll.runs import load_run
from domain.payroll.settlement import settled_difference, settlement_of
from domain.payroll.workflow import RunState


class RunNotFinalised(Conflict):
    code = "pay_run_not_finalised"
    title = "Run not finalised"
    template = "Exports to finance are made from finalised runs only."


class NoAccountMapping(NotFound):
    code = "gl_account_mapping_not_found"
    template = "No general-ledger account mapping is set for this tenant yet."


async def journal_of(principal: Principal, run_id: UUID) -> Journal:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        run, results = await _finalised_results(uow, run_id)
        accounts = await queries.account_mapping(uow)
    if accounts is None:
        raise NoAccountMapping()
    entries = journal(results, FinanceMapping(accounts=accounts), run_id, run.pay_date)
    return Journal(run_id=run_id, pay_date=run.pay_date, entries=entries)


async def control_totals_of(principal: Principal, run_id: UUID) -> ControlTotals:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        _, results = await _finalised_results(uow, run_id)
    return control_totals(results)


async def reconcile_with(principal: Principal, run_id: UUID, statement_csv: str) -> Reconciliation:
    result = reconcile((await journal_of(principal, run_id)).entries, statement_csv)
    async with unit_of_work(principal.tenant_id) as uow:
        await record(uow, principal, "pay_run.reconciled", "pay_run", run_id,
                     after={"matched": result.matched, "differences": len(result.differences)})
    return result


async def _finalised_results(uow: UnitOfWork, run_id: UUID) -> tuple[PayRunRow, list[CalculationResult]]:
    run = await load_run(uow, run_id)
    if run.facts.state is not RunState.FINALISED or run.results_batch is None:
        raise RunNotFinalised()
    slips = await queries.payslips(uow, run_id, run.results_batch)
    return run, [_posted(slip.result) for slip in slips]


def _posted(result: dict[str, Any]) -> CalculationResult:
    """What finance posts for a payslip: all of it; for a correction, the difference it makes; for a
    settlement, the differences of every period it recalculated, added up."""
    calculated = msgspec.convert(result, CalculationResult)
    settled = settlement_of(result)
    if settled is not None:
        return settled_difference(calculated, settled)
    if "corrects" not in result:
        return calculated
    return difference(calculated, msgspec.convert(result["corrects"], Replaced))
