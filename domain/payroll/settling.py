"""Settling provisional pay (补差) for a pay group: the proposal, opening the settlement, and calculating it.

Both the proposal and the settlement's calculation build the same chains: for each affected employee, every
finalised period from the first one paid on provisional law that is now known to the group's latest finalised
period, each with the employee's inputs, employment and tax attributes of that period (read by the
pipeline's page reader) and recalculated in order by the engine (see :mod:`domain.payroll.settlement`).
A settlement is a correction of the latest period: the one way to correct across later finalised periods.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from compliance.errors import ComplianceError
from compliance.registry import pack_for
from domain.audit.service import record
from domain.employees.read_model import StaffMember
from domain.kernel.canonical import canonical_json
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import Conflict, DomainError, InvalidInput
from domain.kernel.ids import new_id
from domain.kernel.money import exact
from domain.kernel.principal import Principal
from domain.payroll import queries, workflow
from domain.payroll.correction import replaced_from
from domain.payroll.engine import INPUT_KINDS
from domain.payroll.model import (
    CalculationProblem,
    EmployeeSettlement,
    LawReplacement,
    LineChange,
    NewSettlement,
    PayRunView,
    SettlementPeriodTotal,
    SettlementPeriodView,
    SettlementProposal,
)
from domain.payroll.pipeline import (
    CORRECTION,
    PROBLEMS_LISTED,
    CalculationBlocked,
    PageWriter,
    RunBasis,
    RunCalculated,
    StaffPage,
    hash_entry,
    inputs_by_employee,
    pay_context,
    payslip_row,
    provisional_of,
    read_page,
)
from domain.payroll.queries import PayGroupRow, PayRunRow, PayslipRow
from domain.payroll.runs import load_group, load_run, run_view
from domain.payroll.settlement import (
    Paid,
    PeriodRecord,
    PeriodStep,
    Replacement,
    SettledPeriod,
    first_affected,
    paid_from_payslip,
    paid_from_settlement,
    recalculate,
    records_by_employee,
    replacements,
)
from domain.payroll.variance import StoredSummary, VarianceThresholds, check
from domain.payroll.workflow import RunFacts, RunState
from domain.regulation.model import LawLayers
from domain.regulation.service import law_layers_in

ZERO = Decimal(0)


class NothingToSettle(Conflict):
    code = "pay_group_nothing_to_settle"
    title = "Nothing to settle"
    template = "Nothing this pay group paid rests on provisional law whose figures are now known."


class SettlementCorrectionOpen(Conflict):
    code = "pay_group_settlement_open"
    title = "Correction already open"
    template = "A correction or settlement of the group's latest finalised period is still open; finalise or " \
               "cancel it first."


class SettlementOvertaken(Conflict):
    code = "pay_run_settlement_overtaken"
    title = "Later period finalised"
    template = ("A later period of this pay group was finalised after the settlement was opened; cancel the "
                "settlement and open a new one.")


class SettlementPaidTooEarly(InvalidInput):
    code = "pay_run_settlement_pay_date"
    title = "Pay date too early"
    template = "A settlement is paid on or after the latest finalised period's pay date, {pay_date}."


class NotPaidInLatestPeriod(InvalidInput):
    """An affected employee without a payslip in the latest period: a settlement corrects that period."""

    code = "pay_run_settlement_not_in_latest"
    title = "Not paid in the latest period"
    template = ("{employee} was not paid in the group's latest finalised period, which a settlement corrects; "
                "settle their pay by a correction of their last period.")


@dataclass
class Chain:
    """One employee's settlement: the periods recalculated and what each paid and should have paid."""

    employee: StaffMember
    steps: list[PeriodStep]
    #: the payslip in force for the latest period, which the settlement's payslip replaces
    latest_slip: PayslipRow
    replaced: list[Replacement]
    results: list[tuple[CalculationResult, SettledPeriod]] = field(default_factory=list)


@dataclass
class Chains:
    latest: PayRunRow | None
    chains: list[Chain]
    problems: list[CalculationProblem]


@dataclass(frozen=True)
class _Wanted:
    """An employee's periods to recalculate, before their pages are read."""

    employee_id: UUID
    records: list[PeriodRecord]
    before: PeriodRecord | None
    replaced: list[Replacement]


# -- the proposal --------------------------------------------------------------------------------------------


async def settlement_proposal(principal: Principal, group_id: UUID) -> SettlementProposal:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        group = await load_group(uow, group_id)
        law = await law_layers_in(uow)
    found = await build_chains(principal.tenant_id, group, law)
    return proposal_of(group, found, principal.locale)


def proposal_of(group: PayGroupRow, found: Chains, locale: str) -> SettlementProposal:
    currency = next((result.currency for chain in found.chains for result, _ in chain.results),
                    pack_for(group.rule.country).currency)
    employees = [_employee_settlement(chain, currency) for chain in found.chains]
    law: dict[tuple[str, str, str | None, str, str, str], set[date]] = defaultdict(set)
    for chain in found.chains:
        for used in chain.replaced:
            key = (used.country, used.series, used.region, used.provisional, used.replaced_by.version,
                   used.replaced_by.origin.value)
            law[key].add(used.pay_date)
    return SettlementProposal(
        pay_group_id=group.id,
        settles_from=min((chain.steps[0].run.period_start for chain in found.chains), default=None),
        corrects_run_id=found.latest.id if found.chains and found.latest else None, currency=currency,
        employees=employees, net_difference=exact(sum((e.net_difference for e in employees), ZERO), currency),
        employer_cost_difference=exact(sum((e.employer_cost_difference for e in employees), ZERO), currency),
        law=[LawReplacement(country=c, series=s, region=r, provisional_version=p, replaced_by=v,
                            replaced_by_origin=o, pay_dates=sorted(dates))
             for (c, s, r, p, v, o), dates in sorted(law.items(), key=lambda item: str(item[0]))],
        problems=[p.shown(locale) for p in found.problems])


def _employee_settlement(chain: Chain, currency: str) -> EmployeeSettlement:
    periods = [_period_view(step, settled, currency)
               for step, (_, settled) in zip(chain.steps, chain.results, strict=True)]
    return EmployeeSettlement(
        employee_id=chain.employee.id, employee=chain.employee.full_name, periods=periods,
        net_difference=exact(sum((p.net_difference for p in periods), ZERO), currency),
        employer_cost_difference=exact(sum((p.employer_cost_difference for p in periods), ZERO), currency))


def _period_view(step: PeriodStep, settled: SettledPeriod, currency: str) -> SettlementPeriodView:
    before = {line.code: line for line in step.paid.figures.lines}
    after = {line.code: line for line in settled.corrected.lines}
    changes = []
    for line in settled.lines:
        old, new = before.get(line.code), after.get(line.code)
        changes.append(LineChange(code=line.code, employee_before=exact(old.employee if old else ZERO, currency),
                                  employee_after=exact(new.employee if new else ZERO, currency),
                                  employer_before=exact(old.employer if old else ZERO, currency),
                                  employer_after=exact(new.employer if new else ZERO, currency)))
    return SettlementPeriodView(
        period_start=settled.period_start, period_end=settled.period_end, pay_date=settled.pay_date,
        run_id=settled.run_id, paid_net=exact(settled.net_before, currency),
        corrected_net=exact(settled.net_after, currency), net_difference=exact(settled.net_difference, currency),
        employer_cost_difference=exact(settled.employer_cost_difference, currency), lines=changes)


# -- the chains ----------------------------------------------------------------------------------------------


async def build_chains(tenant_id: UUID, group: PayGroupRow, law: LawLayers, *, scope: list[UUID] | None = None,
                       settles_from: date | None = None,
                       own_inputs: tuple[UUID, dict[UUID, dict[str, Decimal]]] | None = None) -> Chains:
    """Every affected employee's chain (only ``scope``'s, from their first affected period or else from
    ``settles_from``), recalculated; ``own_inputs`` are a settlement run's own inputs (by its id), which it
    recalculates the latest period with."""
    async with unit_of_work(tenant_id, write=False) as uow:
        runs = _from_first_provisional(await queries.finalised_runs_of_group(uow, group.id))
        regular = [run for run in runs if run.kind == "regular"]
        corrections = [run for run in runs if run.kind == CORRECTION]
        slips = await queries.slip_laws(uow, [run.results_batch for run in runs if run.results_batch])
        records = records_by_employee(regular, corrections, slips)
        latest = regular[-1] if regular else None
        wanted = _wanted(records, group.rule.country, law, scope, settles_from)
        if not wanted:
            return Chains(latest, [], [])
        held = await queries.payslips_by_id(uow, sorted({r.payslip_id for w in wanted for r in _held(w)}))
        paid = {(w.employee_id, r.run.id): _paid(held[r.payslip_id], r) for w in wanted for r in _held(w)}
        starts = await _starting_points(uow, wanted, paid)
        inputs = await _inputs(uow, {p.inputs_run_id for p in paid.values()})
    if own_inputs is not None and latest is not None:
        inputs[own_inputs[0]] = own_inputs[1]
        paid = {key: _inputs_from(held, own_inputs[0]) if key[1] == latest.id else held
                for key, held in paid.items()}
    steps, staff = await _steps(tenant_id, group, law, wanted, paid, inputs)
    found = Chains(latest, [], [])
    for w in wanted:
        if w.employee_id in staff:
            _recalculated(found, w, staff[w.employee_id], steps[w.employee_id], held, starts[w.employee_id], law)
    return found


def _recalculated(found: Chains, wanted: _Wanted, member: StaffMember, steps: list[PeriodStep],
                  held: dict[UUID, PayslipRow], start: dict[str, Any], law: LawLayers) -> None:
    """The employee's chain recalculated, or why it cannot be: the settlement's payslip belongs to the latest
    period, so an employee not paid in it is settled by a correction of their own last period instead."""
    latest = found.latest
    if latest is None or wanted.records[-1].run.id != latest.id or len(steps) != len(wanted.records):
        found.problems.append(_problem(member, NotPaidInLatestPeriod(employee=member.full_name)))
        return
    chain = Chain(member, steps, held[wanted.records[-1].payslip_id], wanted.replaced)
    try:
        chain.results = recalculate(chain.steps, start, law)
    except (ComplianceError, DomainError) as exc:
        found.problems.append(_problem(member, exc))
        return
    found.chains.append(chain)


def _from_first_provisional(runs: list[PayRunRow]) -> list[PayRunRow]:
    """The runs of the periods from the first whose calculation read provisional law (or did not record whether
    it did), with the group's latest finalised regular run: only their payslips are read."""
    suspect = [run.period_start for run in runs if run.provisional_law is None or run.provisional_law]
    latest = [run for run in runs if run.kind == "regular"][-1:]
    if not suspect:
        return latest
    return [run for run in runs if run.period_start >= min(suspect)] or latest


def _wanted(records: dict[UUID, list[PeriodRecord]], country: str, law: LawLayers, scope: list[UUID] | None,
            settles_from: date | None) -> list[_Wanted]:
    wanted = []
    for employee_id in sorted(scope if scope is not None else records):
        chain = records.get(employee_id, [])
        start = first_affected(chain, country, law)
        if start is None and settles_from is not None:
            start = next((i for i, r in enumerate(chain) if r.run.period_start >= settles_from), None)
        if start is None:
            continue
        replaced = [used for r in chain[start:] for used in replacements(r, country, law)]
        wanted.append(_Wanted(employee_id, chain[start:], chain[start - 1] if start else None, replaced))
    return wanted


def _inputs_from(held: Paid, run_id: UUID) -> Paid:
    return Paid(held.payslip_id, run_id, held.figures, held.year_to_date)


def _held(wanted: _Wanted) -> list[PeriodRecord]:
    """The records whose payslips the chain reads: its periods and, where a settlement holds it, the one before."""
    before = [wanted.before] if wanted.before is not None and wanted.before.settled_later else []
    return [*before, *wanted.records]


def _paid(slip: PayslipRow, held: PeriodRecord) -> Paid:
    return paid_from_settlement(slip, held.run.period_start) if held.settled_later else paid_from_payslip(slip)


async def _starting_points(uow: UnitOfWork, wanted: list[_Wanted], paid: dict[tuple[UUID, UUID], Paid]
                           ) -> dict[UUID, dict[str, Any]]:
    """The year to date each chain starts from: what its first period was calculated from, which is the year
    to date of the latest finalised payslip before it (or a settlement's recalculation of the period before)."""
    starts: dict[UUID, dict[str, Any]] = {}
    by_start: dict[date, list[UUID]] = defaultdict(list)
    for w in wanted:
        if w.before is not None and w.before.settled_later:
            starts[w.employee_id] = paid[(w.employee_id, w.before.run.id)].year_to_date
        else:
            by_start[w.records[0].run.period_start].append(w.employee_id)
    for start, employees in by_start.items():
        periods = await queries.finalised_periods(uow, start)
        found = await queries.year_to_date_between(uow, min(employees), max(employees), periods)
        starts.update({employee: found.get(employee, {}) for employee in employees})
    return starts


async def _inputs(uow: UnitOfWork, run_ids: set[UUID]) -> dict[UUID, dict[UUID, dict[str, Decimal]]]:
    return {run_id: inputs_by_employee(await queries.inputs(uow, run_id)) for run_id in run_ids}


async def _steps(tenant_id: UUID, group: PayGroupRow, law: LawLayers, wanted: list[_Wanted],
                 paid: dict[tuple[UUID, UUID], Paid], inputs: dict[UUID, dict[UUID, dict[str, Decimal]]]
                 ) -> tuple[dict[UUID, list[PeriodStep]], dict[UUID, StaffMember]]:
    """Each period's context for the employees recalculated in it, read page by page as a run reads them."""
    needed: dict[UUID, list[UUID]] = defaultdict(list)
    runs: dict[UUID, PayRunRow] = {}
    for w in wanted:
        for held in w.records:
            needed[held.run.id].append(w.employee_id)
            runs[held.run.id] = held.run
    contexts: dict[tuple[UUID, UUID], PeriodStep] = {}
    staff: dict[UUID, StaffMember] = {}
    for run_id, employees in needed.items():
        run = msgspec.structs.replace(runs[run_id], kind="regular", corrects_run_id=None, scope=sorted(employees))
        period_inputs = {e: inputs[paid[(e, run_id)].inputs_run_id].get(e, dict.fromkeys(INPUT_KINDS, ZERO))
                         for e in employees}
        basis = RunBasis(tenant_id=tenant_id, run=run, entity_id=group.legal_entity_id, rule=group.rule,
                         inputs=period_inputs, batch=new_id(), law=law)
        after: UUID | None = None
        while True:
            page: StaffPage = await read_page(basis, after)
            for member in page.staff:
                staff[member.id] = member
                contexts[(member.id, run_id)] = PeriodStep(run, pay_context(basis, page, member),
                                                           paid[(member.id, run_id)])
            if page.after is None:
                break
            after = page.after
    steps = {w.employee_id: [contexts[(w.employee_id, r.run.id)] for r in w.records
                             if (w.employee_id, r.run.id) in contexts] for w in wanted}
    return steps, staff


def _problem(member: StaffMember, exc: ComplianceError | DomainError) -> CalculationProblem:
    return CalculationProblem(member.id, member.full_name, exc.template,
                              {name: str(value) for name, value in exc.params.items()}, exc.code)


# -- opening a settlement ------------------------------------------------------------------------------------


async def open_settlement(principal: Principal, group_id: UUID, request: NewSettlement) -> PayRunView:
    """One off-cycle correction of the group's latest finalised period, for the employees the proposal names,
    recalculating from the first affected period. It is calculated, reviewed and finalised like any run."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        group = await load_group(uow, group_id)
        law = await law_layers_in(uow)
    found = await build_chains(principal.tenant_id, group, law)
    if not found.chains or found.latest is None:
        raise NothingToSettle()
    proposal = proposal_of(group, found, principal.locale)
    settlement_id, employees = new_id(), sorted(chain.employee.id for chain in found.chains)
    async with unit_of_work(principal.tenant_id) as uow:
        latest = await load_run(uow, found.latest.id, lock=True)
        if latest.facts.state is not RunState.FINALISED:
            raise SettlementOvertaken()
        if await queries.open_correction_of(uow, latest.id):
            raise SettlementCorrectionOpen()
        if request.pay_date < latest.pay_date:
            raise SettlementPaidTooEarly(pay_date=latest.pay_date, field="pay_date")
        await queries.insert_run(
            uow, settlement_id, group_id=group_id, kind=CORRECTION, corrects_run_id=latest.id, scope=employees,
            period_start=latest.period_start, period_end=latest.period_end, pay_date=request.pay_date,
            facts=RunFacts(state=RunState.DRAFT, entity_region=latest.facts.entity_region),
            created_by=principal.subject, settles_from=proposal.settles_from)
        carried = await _carry_latest_inputs(uow, settlement_id, {c.employee.id: c.latest_slip for c in found.chains})
        opened = {"corrects_run_id": latest.id, "settles_from": proposal.settles_from, "employees": employees,
                  "pay_date": request.pay_date, "reason": request.reason, "inputs_carried": carried,
                  "net_difference": proposal.net_difference,
                  "law": [f"{r.country}/{r.series}/{r.region or '-'}: {r.provisional_version} -> {r.replaced_by}"
                          for r in proposal.law]}
        await record(uow, principal, "pay_run.settlement_created", "pay_run", settlement_id, after=opened)
        await record(uow, principal, "pay_run.settlement_opened", "pay_run", latest.id,
                     after={**opened, "settlement_run_id": settlement_id})
        return await run_view(uow, settlement_id, principal.locale)


async def _carry_latest_inputs(uow: UnitOfWork, settlement_id: UUID, latest: dict[UUID, PayslipRow]) -> int:
    """The inputs behind each employee's payslip of the latest period, which the settlement recalculates."""
    carried = 0
    for source in {slip.run_id for slip in latest.values()}:
        for given in await queries.inputs(uow, source):
            slip = latest.get(given.employee_id)
            if slip is not None and slip.run_id == source:
                await queries.insert_input(uow, settlement_id, given)
                carried += 1
    return carried


# -- calculating a settlement --------------------------------------------------------------------------------


async def calculate_settlement(basis: RunBasis, write_page: PageWriter) -> RunCalculated:
    """The settlement's payslips: each with the full corrected figures of the latest period, the payslip it
    replaces, and every period's difference; written as one page."""
    run = basis.run
    async with unit_of_work(basis.tenant_id, write=False) as uow:
        group = await load_group(uow, run.pay_group_id)
    found = await build_chains(basis.tenant_id, group, basis.law, scope=run.scope, settles_from=run.settles_from,
                               own_inputs=(run.id, basis.inputs))
    if found.latest is None or found.latest.id != run.corrects_run_id:
        raise SettlementOvertaken()
    if found.problems:
        raise CalculationBlocked.listing(found.problems[:PROBLEMS_LISTED], len(found.problems))
    digest, slips, current, previous = workflow.ResultsHasher(), [], [], []
    for chain in sorted(found.chains, key=lambda c: c.employee.id):
        slip, payload = _settlement_payslip(basis, chain)
        slips.append(slip)
        digest.add_encoded(canonical_json(hash_entry(chain.employee.id, payload)).encode())
        current.append(StoredSummary.of(payload).for_employee(chain.employee.id, slip.currency,
                                                              terminated_on=chain.employee.left_on))
        previous.append(StoredSummary.of(chain.latest_slip.result).for_employee(chain.employee.id,
                                                                                chain.latest_slip.currency))
    await write_page(slips, len(slips))
    thresholds: VarianceThresholds = basis.thresholds
    found_exceptions = check(current, previous, run.pay_date, thresholds)
    return RunCalculated(len(slips), digest.hexdigest(), {e.key: msgspec.to_builtins(e) for e in found_exceptions},
                         provisional=provisional_of(result for c in found.chains for result, _ in c.results),
                         settlement=_period_totals(found.chains))


def _settlement_payslip(basis: RunBasis, chain: Chain) -> tuple[queries.NewPayslip, dict[str, Any]]:
    latest, _ = chain.results[-1]
    slip, payload, _ = payslip_row(chain.employee, latest, basis)
    payload = {**payload, "corrects": replaced_from(chain.latest_slip),
               "settlement": msgspec.to_builtins([settled for _, settled in chain.results])}
    return msgspec.structs.replace(slip, result=msgspec.json.encode(payload).decode()), payload


def _period_totals(chains: list[Chain]) -> list[SettlementPeriodTotal]:
    totals: dict[tuple[date, date, date, str], list[SettledPeriod]] = defaultdict(list)
    for chain in chains:
        for result, settled in chain.results:
            totals[(settled.period_start, settled.period_end, settled.pay_date, result.currency)].append(settled)
    return [SettlementPeriodTotal(
                period_start=start, period_end=end, pay_date=paid_on, employees=len(periods), currency=currency,
                net_difference=exact(sum((p.net_difference for p in periods), ZERO), currency),
                employer_cost_difference=exact(sum((p.employer_cost_difference for p in periods), ZERO), currency))
            for (start, end, paid_on, currency), periods in sorted(totals.items())]
