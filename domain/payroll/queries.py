from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from compliance.calculation import LawUsed
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.payroll.calendar import PayGroupRule
from domain.payroll.model import CalculationProblem, ProvisionalLaw, SettlementPeriodTotal
from domain.payroll.tables import (
    AccountMapping,
    PayGroup,
    PayInput,
    PayRun,
    PayRunCalculation,
    Payslip,
    ReviewerRegion,
    VarianceException,
    VarianceThresholdSetting,
)
from domain.payroll.variance import StoredSummary
from domain.payroll.workflow import RunFacts

# -- pay groups ----------------------------------------------------------------------------------


class PayGroupRow(msgspec.Struct, frozen=True):
    id: UUID
    legal_entity_id: UUID
    name: str
    rule: PayGroupRule


async def insert_group(uow: UnitOfWork, group_id: UUID, entity_id: UUID, name: str, rule: PayGroupRule) -> None:
    await PayGroup.insert(PayGroup(id=group_id, tenant_id=uow.tenant_id, legal_entity_id=entity_id, name=name,
                                   rule=json.dumps(msgspec.to_builtins(rule)), created_at=utc_now()))


async def group(uow: UnitOfWork, group_id: UUID) -> PayGroupRow | None:
    row = await PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        (PayGroup.tenant_id == uow.tenant_id) & (PayGroup.id == group_id)).first()
    return _group_row(row) if row else None


def _group_row(row: dict[str, Any]) -> PayGroupRow:
    return PayGroupRow(row["id"], row["legal_entity_id"], row["name"],
                       msgspec.json.decode(row["rule"], type=PayGroupRule))


async def group_named(uow: UnitOfWork, name: str) -> bool:
    return await PayGroup.exists().where((PayGroup.tenant_id == uow.tenant_id) & (PayGroup.name == name))


# -- pay runs ------------------------------------------------------------------------------------


class CalculationProblems(msgspec.Struct, frozen=True):
    """Why the last calculation was blocked: the first problems listed, and how many there were."""

    problems: list[CalculationProblem]
    total: int


class PayRunRow(msgspec.Struct, frozen=True):
    """A pay run with its review state (``facts``) and its calculation job's state (``job_*``)."""

    id: UUID
    pay_group_id: UUID
    kind: str
    corrects_run_id: UUID | None
    #: the employees a correction recalculates (None: a regular run, everyone employed)
    scope: list[UUID] | None
    period_start: date
    period_end: date
    pay_date: date
    facts: RunFacts
    results_batch: UUID | None
    job_status: str
    job_done: int
    job_total: int
    job_error: str | None
    job_problems: CalculationProblems | None
    job_batch: UUID | None
    job_heartbeat: datetime | None
    version: int
    #: a settlement (补差): the first period it recalculates
    settles_from: date | None = None
    #: what the current results read provisionally (None: calculated before runs recorded it)
    provisional_law: list[ProvisionalLaw] | None = None
    #: a settlement's differences by period, over its employees
    settlement_periods: list[SettlementPeriodTotal] = []

    @property
    def is_settlement(self) -> bool:
        return self.settles_from is not None


_RUN_COLUMNS = (PayRun.id, PayRun.pay_group_id, PayRun.kind, PayRun.corrects_run_id, PayRun.scope,
                PayRun.period_start, PayRun.period_end, PayRun.pay_date, PayRun.facts, PayRun.results_batch,
                PayRun.job_status, PayRun.job_done, PayRun.job_total, PayRun.job_error, PayRun.job_problems,
                PayRun.job_batch, PayRun.job_heartbeat, PayRun.version, PayRun.settles_from,
                PayRun.provisional_law, PayRun.settlement_periods)


def _run_row(row: dict[str, Any]) -> PayRunRow:
    scope, problems = row["scope"], row["job_problems"]
    provisional, periods = row["provisional_law"], row["settlement_periods"]
    return PayRunRow(**{
        **row, "facts": msgspec.json.decode(row["facts"], type=RunFacts),
        "scope": [UUID(value) for value in json.loads(scope)] if scope else None,
        "job_problems": msgspec.json.decode(problems, type=CalculationProblems) if problems else None,
        "provisional_law": msgspec.json.decode(provisional, type=list[ProvisionalLaw]) if provisional else None,
        "settlement_periods": (msgspec.json.decode(periods, type=list[SettlementPeriodTotal]) if periods
                               else [])})


async def insert_run(uow: UnitOfWork, run_id: UUID, *, group_id: UUID, kind: str, period_start: date,
                     period_end: date, pay_date: date, facts: RunFacts, created_by: str,
                     corrects_run_id: UUID | None = None, scope: list[UUID] | None = None,
                     settles_from: date | None = None) -> None:
    now = utc_now()
    await PayRun.insert(PayRun(
        id=run_id, tenant_id=uow.tenant_id, pay_group_id=group_id, kind=kind, corrects_run_id=corrects_run_id,
        scope=json.dumps([str(employee) for employee in scope]) if scope else None, period_start=period_start,
        period_end=period_end, pay_date=pay_date, state=facts.state.value, facts=_facts_json(facts),
        job_status="idle", job_done=0, job_total=0, version=1, created_by=created_by, created_at=now,
        updated_at=now, settles_from=settles_from))


def _facts_json(facts: RunFacts) -> str:
    return json.dumps(msgspec.to_builtins(facts))


async def run(uow: UnitOfWork, run_id: UUID, *, lock: bool = False) -> PayRunRow | None:
    query = PayRun.select(*_RUN_COLUMNS).where((PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))
    if lock and not uow_is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    return _run_row(row) if row else None


def uow_is_sqlite() -> bool:
    return current_database().is_sqlite


async def _update_run(uow: UnitOfWork, run_id: UUID, values: dict[Any, Any]) -> None:
    await PayRun.update({**values, PayRun.updated_at: utc_now(), PayRun.version: PayRun.version + 1}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id))


async def save_facts(uow: UnitOfWork, run_id: UUID, facts: RunFacts) -> None:
    await _update_run(uow, run_id, {PayRun.facts: _facts_json(facts), PayRun.state: facts.state.value})


async def job_started(uow: UnitOfWork, run_id: UUID, batch: UUID, at: datetime) -> None:
    await _update_run(uow, run_id, {PayRun.job_status: "running", PayRun.job_done: 0, PayRun.job_total: 0,
                                    PayRun.job_error: None, PayRun.job_problems: None, PayRun.job_batch: batch,
                                    PayRun.job_heartbeat: at})


async def job_sized(uow: UnitOfWork, run_id: UUID, total: int) -> None:
    await _update_run(uow, run_id, {PayRun.job_total: total})


async def job_progressed(uow: UnitOfWork, run_id: UUID, batch: UUID, done: int) -> None:
    """Only the run's current job reports progress; a superseded one writes nothing."""
    await PayRun.update({PayRun.job_done: done, PayRun.job_heartbeat: utc_now()}).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.id == run_id) & (PayRun.job_batch == batch))


async def job_completed(uow: UnitOfWork, run_id: UUID, batch: UUID, count: int,
                        provisional: list[ProvisionalLaw], settlement: list[SettlementPeriodTotal]) -> None:
    await _update_run(uow, run_id, {PayRun.results_batch: batch, PayRun.job_status: "done",
                                    PayRun.job_done: count, PayRun.job_total: count,
                                    PayRun.provisional_law: msgspec.json.encode(provisional).decode(),
                                    PayRun.settlement_periods: msgspec.json.encode(settlement).decode()})


async def job_failed(uow: UnitOfWork, run_id: UUID, error: str, problems: CalculationProblems | None) -> None:
    await _update_run(uow, run_id, {
        PayRun.job_status: "failed", PayRun.job_error: error,
        PayRun.job_problems: msgspec.json.encode(problems).decode() if problems else None})


async def job_superseded(uow: UnitOfWork, run_id: UUID) -> None:
    await _update_run(uow, run_id, {PayRun.job_status: "superseded", PayRun.job_batch: None})


async def open_correction_of(uow: UnitOfWork, base_run_id: UUID) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.corrects_run_id == base_run_id)
        & PayRun.state.not_in(["finalised", "cancelled"]))


async def open_runs_after(uow: UnitOfWork, group_id: UUID, period_end: date) -> list[PayRunRow]:
    """The group's regular runs of later periods that are neither finalised nor cancelled."""
    rows = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.period_start > period_end) & PayRun.state.not_in(["finalised", "cancelled"]))
    return [_run_row(row) for row in rows]


async def later_period_finalised(uow: UnitOfWork, group_id: UUID, period_end: date) -> bool:
    return await PayRun.exists().where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.kind == "regular")
        & (PayRun.state == "finalised") & (PayRun.period_start > period_end))


async def finalised_runs_of_group(uow: UnitOfWork, group_id: UUID) -> list[PayRunRow]:
    """The group's finalised runs, regular and corrections, in period order (a period's regular run first)."""
    rows = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.state == "finalised"))
    runs = [_run_row(row) for row in rows]
    return sorted(runs, key=lambda run: (run.period_start, run.kind != "regular", run.pay_date))


async def previous_finalised_run(uow: UnitOfWork, group_id: UUID, before: date) -> PayRunRow | None:
    row = await PayRun.select(*_RUN_COLUMNS).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.pay_group_id == group_id) & (PayRun.state == "finalised")
        & (PayRun.kind == "regular") & (PayRun.pay_date < before)).order_by(PayRun.pay_date, ascending=False).first()
    return _run_row(row) if row else None


async def finalised_periods(uow: UnitOfWork, before: date) -> dict[UUID, date]:
    """The results batch of every finalised run (of any group) for a period ending before ``before``, with
    the period's last day."""
    runs = await PayRun.select(PayRun.results_batch, PayRun.period_end).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised") & (PayRun.period_end < before))
    return {run["results_batch"]: run["period_end"] for run in runs}


# -- inputs --------------------------------------------------------------------------------------


class PayInputRow(msgspec.Struct, frozen=True):
    employee_id: UUID
    kind: str
    #: an exact decimal, as entered
    amount: str
    note: str
    created_by: str


async def insert_input(uow: UnitOfWork, run_id: UUID, given: PayInputRow) -> UUID:
    input_id = new_id()
    await PayInput.insert(PayInput(id=input_id, tenant_id=uow.tenant_id, run_id=run_id, created_at=utc_now(),
                                   **msgspec.structs.asdict(given)))
    return input_id


async def inputs(uow: UnitOfWork, run_id: UUID) -> list[PayInputRow]:
    rows = await PayInput.select(PayInput.employee_id, PayInput.kind, PayInput.amount, PayInput.note,
                                 PayInput.created_by).where(
        (PayInput.tenant_id == uow.tenant_id) & (PayInput.run_id == run_id)).order_by(PayInput.created_at)
    return [PayInputRow(**row) for row in rows]


# -- payslips ------------------------------------------------------------------------------------


class NewPayslip(msgspec.Struct, frozen=True):
    """A payslip as a calculation writes it: its result, variance summary and year to date as JSON."""

    id: UUID
    run_id: UUID
    batch: UUID
    employee_id: UUID
    currency: str
    gross_minor: int
    net_minor: int
    employer_cost_minor: int
    result: str
    summary: str
    year_to_date: str


class PayslipRow(msgspec.Struct, frozen=True):
    id: UUID
    run_id: UUID
    batch: UUID
    employee_id: UUID
    currency: str
    gross_minor: int
    net_minor: int
    employer_cost_minor: int
    #: the calculation result as stored (a pack's lines, totals and year to date, the employee's name and,
    #: for a correction, what it replaces)
    result: dict[str, Any]


_PAYSLIP_COLUMNS = (Payslip.id, Payslip.run_id, Payslip.batch, Payslip.employee_id, Payslip.currency,
                    Payslip.gross_minor, Payslip.net_minor, Payslip.employer_cost_minor, Payslip.result)


def _payslip_row(row: dict[str, Any]) -> PayslipRow:
    return PayslipRow(**{**row, "result": json.loads(row["result"])})


PAYSLIP_COLUMNS = ("id", "tenant_id", "run_id", "batch", "employee_id", "currency", "gross_minor", "net_minor",
                   "employer_cost_minor", "result", "summary", "year_to_date", "created_at")


async def insert_payslips(uow: UnitOfWork, slips: list[NewPayslip]) -> None:
    if slips:
        now, tenant = utc_now(), uow.tenant_id
        values = [(s.id, tenant, s.run_id, s.batch, s.employee_id, s.currency, s.gross_minor, s.net_minor,
                   s.employer_cost_minor, s.result, s.summary, s.year_to_date, now) for s in slips]
        await current_database().bulk_insert("payslips", PAYSLIP_COLUMNS, values)


async def drop_unused_batches(uow: UnitOfWork, run_id: UUID) -> None:
    """Payslips of the run's failed or overtaken calculations: never shown, no longer needed. Those of every
    completed calculation stay, as the payslips' earlier versions."""
    query = Payslip.delete().where((Payslip.tenant_id == uow.tenant_id) & (Payslip.run_id == run_id))
    completed = [calculation.batch for calculation in await _calculations(uow, run_id)]
    await (query.where(Payslip.batch.not_in(completed)) if completed else query)


class CalculationRow(msgspec.Struct, frozen=True):
    """A completed calculation of a run."""

    batch: UUID
    results_hash: str
    calculated_by: str
    completed_at: datetime


async def record_calculation(uow: UnitOfWork, run_id: UUID, batch: UUID, results_hash: str, by: str) -> None:
    await PayRunCalculation.insert(PayRunCalculation(
        id=new_id(), tenant_id=uow.tenant_id, run_id=run_id, batch=batch, results_hash=results_hash,
        calculated_by=by, completed_at=utc_now()))


async def _calculations(uow: UnitOfWork, run_id: UUID) -> list[CalculationRow]:
    rows = await PayRunCalculation.select(
        PayRunCalculation.batch, PayRunCalculation.results_hash, PayRunCalculation.calculated_by,
        PayRunCalculation.completed_at).where(
        (PayRunCalculation.tenant_id == uow.tenant_id) & (PayRunCalculation.run_id == run_id)
    ).order_by(PayRunCalculation.completed_at)
    return [CalculationRow(**row) for row in rows]


class PayslipVersionRow(msgspec.Struct, frozen=True):
    payslip: PayslipRow
    calculation: CalculationRow


async def payslip_versions(uow: UnitOfWork, run_id: UUID, employee_id: UUID) -> list[PayslipVersionRow]:
    """The employee's payslip from each completed calculation of the run, oldest first, with the calculation."""
    calculations = {calculation.batch: calculation for calculation in await _calculations(uow, run_id)}
    if not calculations:
        return []
    rows = await Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.run_id == run_id) & (Payslip.employee_id == employee_id)
        & Payslip.batch.is_in(list(calculations)))
    versions = [PayslipVersionRow(_payslip_row(row), calculations[row["batch"]]) for row in rows]
    return sorted(versions, key=lambda version: version.calculation.completed_at)


async def payslips(uow: UnitOfWork, run_id: UUID, batch: UUID, employee_id: UUID | None = None
                   ) -> list[PayslipRow]:
    query = Payslip.select(*_PAYSLIP_COLUMNS).where((Payslip.tenant_id == uow.tenant_id)
                                                    & (Payslip.run_id == run_id) & (Payslip.batch == batch))
    if employee_id:
        query = query.where(Payslip.employee_id == employee_id)
    return [_payslip_row(row) for row in await query.order_by(Payslip.employee_id)]


async def payslip(uow: UnitOfWork, payslip_id: UUID) -> PayslipRow | None:
    row = await Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.id == payslip_id)).first()
    return _payslip_row(row) if row else None


class _YearToDateOnly(msgspec.Struct):
    year_to_date: dict[str, Any]


async def year_to_date_between(uow: UnitOfWork, first: UUID, last: UUID, periods: dict[UUID, date]
                               ) -> dict[UUID, dict[str, Any]]:
    """For each employee with an id in [first, last], the year-to-date figures of their latest payslip among
    the ``periods`` batches (see :func:`finalised_periods`): latest by period and, within a period, by when it
    was written, so a correction wins over the payslip it replaces. Only the stored figures are read, not the
    whole results."""
    if not periods:
        return {}
    candidates = await Payslip.select(Payslip.id, Payslip.employee_id, Payslip.batch, Payslip.created_at,
                                      Payslip.year_to_date).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.employee_id >= first) & (Payslip.employee_id <= last)
        & Payslip.batch.is_in(list(periods)))
    latest: dict[UUID, dict[str, Any]] = {}
    for row in sorted(candidates, key=lambda row: (periods[row["batch"]], row["created_at"])):
        latest[row["employee_id"]] = row
    older = await _results_of(uow, [r["id"] for r in latest.values() if r["year_to_date"] is None], _YearToDateOnly)
    return {employee_id: (msgspec.json.decode(row["year_to_date"]) if row["year_to_date"] is not None
                          else older[row["id"]].year_to_date) for employee_id, row in latest.items()}


class PayslipSummaryRow(msgspec.Struct, frozen=True):
    employee_id: UUID
    currency: str
    #: the stored variance summary, JSON (decoded where it is checked, in a worker)
    summary: str


async def payslip_summaries(uow: UnitOfWork, batch: UUID, *, above: UUID | None,
                            up_to: UUID | None) -> list[PayslipSummaryRow]:
    """The stored variance summary (JSON) of each payslip of a calculation batch whose employee id is above
    ``above`` and at most ``up_to`` (None: no bound), with the employee and currency, in employee-id order.
    The batch alone names the run's payslips; with the run's id in the condition too, PostgreSQL without
    statistics scanned the whole run through the (run, batch) index for every page."""
    query = Payslip.select(Payslip.id, Payslip.employee_id, Payslip.currency, Payslip.summary).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.batch == batch))
    if above is not None:
        query = query.where(Payslip.employee_id > above)
    if up_to is not None:
        query = query.where(Payslip.employee_id <= up_to)
    rows = await query.order_by(Payslip.employee_id)
    older = await _results_of(uow, [row["id"] for row in rows if row["summary"] is None], dict[str, Any])
    return [PayslipSummaryRow(row["employee_id"], row["currency"], row["summary"] if row["summary"] is not None
                              else msgspec.json.encode(StoredSummary.of(older[row["id"]])).decode())
            for row in rows]


async def _results_of(uow: UnitOfWork, payslip_ids: list[UUID], shape: Any) -> dict[UUID, Any]:
    """The whole results of payslips written before their summary and year to date were stored apart."""
    if not payslip_ids:
        return {}
    rows = await Payslip.select(Payslip.id, Payslip.result).where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.id.is_in(payslip_ids))
    return {row["id"]: msgspec.json.decode(row["result"], type=shape) for row in rows}


async def current_payslips(uow: UnitOfWork, base_run_id: UUID, employee_ids: list[UUID]) -> dict[UUID, PayslipRow]:
    """The payslip in force for each employee in a finalised run's period: the run's own, or the latest
    finalised correction of it."""
    runs = await PayRun.select(PayRun.results_batch).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised")
        & ((PayRun.id == base_run_id) | (PayRun.corrects_run_id == base_run_id)))
    batches = [run["results_batch"] for run in runs]
    if not batches or not employee_ids:
        return {}
    rows = await Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.employee_id.is_in(employee_ids)
        & Payslip.batch.is_in(batches)).order_by(Payslip.created_at)
    return {row["employee_id"]: _payslip_row(row) for row in rows}


class _SettledLaw(msgspec.Struct):
    period_start: date
    law: list[LawUsed] = []


class _LawOfResult(msgspec.Struct):
    country: str
    law: list[LawUsed] = []
    settlement: list[_SettledLaw] = []


class SlipLaw(msgspec.Struct, frozen=True):
    """What a stored payslip says about the law it used, without its lines and trace: a settlement's
    payslip also says it for each period it recalculated."""

    payslip_id: UUID
    run_id: UUID
    employee_id: UUID
    created_at: datetime
    country: str
    law: list[LawUsed]
    #: a settlement's periods by their first day, with the law each was recalculated with
    settled: dict[date, list[LawUsed]]


async def slip_laws(uow: UnitOfWork, batches: list[UUID]) -> list[SlipLaw]:
    if not batches:
        return []
    rows = await Payslip.select(Payslip.id, Payslip.run_id, Payslip.employee_id, Payslip.created_at,
                                Payslip.result).where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.batch.is_in(batches))
    found = []
    for row in rows:
        law = msgspec.json.decode(row["result"], type=_LawOfResult)
        found.append(SlipLaw(row["id"], row["run_id"], row["employee_id"], row["created_at"], law.country, law.law,
                             {period.period_start: period.law for period in law.settlement}))
    return found


async def payslips_by_id(uow: UnitOfWork, payslip_ids: list[UUID]) -> dict[UUID, PayslipRow]:
    if not payslip_ids:
        return {}
    rows = await Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & Payslip.id.is_in(payslip_ids))
    return {row["id"]: _payslip_row(row) for row in rows}


async def payslips_of_employee(uow: UnitOfWork, employee_id: UUID) -> list[PayslipRow]:
    """An employee's payslips of finalised runs: the ones the employee may see."""
    finalised = PayRun.select(PayRun.results_batch).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised"))
    rows = await Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.employee_id == employee_id)
        & Payslip.batch.is_in(finalised)).order_by(Payslip.created_at)
    return [_payslip_row(row) for row in rows]


# -- variance exceptions -------------------------------------------------------------------------


class VarianceExceptionRow(msgspec.Struct, frozen=True):
    id: UUID
    key: str
    #: the exception as the variance check found it (variance.VarianceException, in its stored form)
    detail: dict[str, Any]
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


async def exceptions(uow: UnitOfWork, run_id: UUID) -> list[VarianceExceptionRow]:
    rows = await VarianceException.select(
        VarianceException.id, VarianceException.key, VarianceException.detail, VarianceException.acknowledged_by,
        VarianceException.acknowledged_at, VarianceException.note).where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id)
    ).order_by(VarianceException.key)
    return [VarianceExceptionRow(**{**row, "detail": json.loads(row["detail"])}) for row in rows]


async def open_exception_count(uow: UnitOfWork, run_id: UUID) -> int:
    return sum(1 for exception in await exceptions(uow, run_id) if exception.acknowledged_by is None)


async def replace_exceptions(uow: UnitOfWork, run_id: UUID, found: dict[str, dict[str, Any]]) -> None:
    """Keep acknowledged exceptions that still apply (same key), drop the gone ones, add the new ones."""
    current = {row.key for row in await exceptions(uow, run_id)}
    gone = [key for key in current if key not in found]
    if gone:
        await VarianceException.delete().where(
            (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.run_id == run_id)
            & VarianceException.key.is_in(gone))
    new = [VarianceException(id=new_id(), tenant_id=uow.tenant_id, run_id=run_id, key=key,
                             detail=json.dumps(detail, ensure_ascii=False), created_at=utc_now())
           for key, detail in found.items() if key not in current]
    if new:
        await VarianceException.insert(*new)


async def acknowledge(uow: UnitOfWork, exception_id: UUID, by: str, note: str) -> bool:
    changed = await VarianceException.update({
        VarianceException.acknowledged_by: by, VarianceException.acknowledged_at: utc_now(),
        VarianceException.note: note}).where(
        (VarianceException.tenant_id == uow.tenant_id) & (VarianceException.id == exception_id)
        & VarianceException.acknowledged_by.is_null()).returning(VarianceException.id)
    return bool(changed)


# -- reviewers and tenant settings ---------------------------------------------------------------


async def reviewer_regions(uow: UnitOfWork, subject: str) -> set[str]:
    rows = await ReviewerRegion.select(ReviewerRegion.region).where(
        (ReviewerRegion.tenant_id == uow.tenant_id) & (ReviewerRegion.subject == subject))
    return {row["region"] for row in rows}


async def assign_region(uow: UnitOfWork, subject: str, region: str) -> None:
    if region not in await reviewer_regions(uow, subject):
        await ReviewerRegion.insert(ReviewerRegion(id=new_id(), tenant_id=uow.tenant_id, subject=subject,
                                                   region=region, created_at=utc_now()))


async def account_mapping(uow: UnitOfWork) -> dict[str, str] | None:
    row = await AccountMapping.select(AccountMapping.mapping).where(AccountMapping.tenant_id == uow.tenant_id).first()
    return msgspec.json.decode(row["mapping"], type=dict[str, str]) if row else None


async def save_account_mapping(uow: UnitOfWork, accounts: dict[str, str]) -> None:
    await _save_tenant_setting(uow, AccountMapping, {"mapping": json.dumps(accounts)})


class ThresholdsRow(msgspec.Struct, frozen=True):
    """A tenant's variance tolerances as stored: ratios as exact decimal strings."""

    net_change_ratio: str
    line_change_ratio: str


async def variance_thresholds(uow: UnitOfWork) -> ThresholdsRow | None:
    row = await VarianceThresholdSetting.select(
        VarianceThresholdSetting.net_change_ratio, VarianceThresholdSetting.line_change_ratio,
    ).where(VarianceThresholdSetting.tenant_id == uow.tenant_id).first()
    return ThresholdsRow(**row) if row else None


async def save_variance_thresholds(uow: UnitOfWork, ratios: ThresholdsRow) -> None:
    await _save_tenant_setting(uow, VarianceThresholdSetting, msgspec.structs.asdict(ratios))


async def _save_tenant_setting(uow: UnitOfWork, table: type[Table], values: dict[str, Any]) -> None:
    """A setting the tenant has once (one row per tenant, versioned): created the first time, updated after."""
    now = utc_now()
    if await table.exists().where(table.tenant_id == uow.tenant_id):
        await table.update({**values, "updated_at": now, "version": table.version + 1}).where(
            table.tenant_id == uow.tenant_id)
    else:
        await table.insert(table(id=new_id(), tenant_id=uow.tenant_id, version=1, created_at=now, updated_at=now,
                                 **values))


async def groups(uow: UnitOfWork) -> list[PayGroupRow]:
    """Every pay group of the tenant, by name."""
    rows = await PayGroup.select(PayGroup.id, PayGroup.legal_entity_id, PayGroup.name, PayGroup.rule).where(
        PayGroup.tenant_id == uow.tenant_id).order_by(PayGroup.name)
    return [_group_row(row) for row in rows]
