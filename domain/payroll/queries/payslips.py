"""Payslips, the calculations that wrote them, and what later runs read of them."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import LawUsed
from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.payroll.tables import (
    PayRun,
    PayRunCalculation,
    Payslip,
)
from domain.payroll.variance import StoredSummary

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


async def calculation_of(uow: UnitOfWork, run_id: UUID, batch: UUID) -> CalculationRow | None:
    """The completed calculation of the run that wrote ``batch``: who ran it and when."""
    return next((c for c in await _calculations(uow, run_id) if c.batch == batch), None)


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


async def payslip_page(uow: UnitOfWork, batch: UUID, *, after: UUID | None, limit: int) -> list[PayslipRow]:
    """A calculation's payslips in employee-id order (one each), from the employee after ``after``: the batch
    alone names them, so the (batch, employee) index walks straight to the page however large the run."""
    query = Payslip.select(*_PAYSLIP_COLUMNS).where((Payslip.tenant_id == uow.tenant_id) & (Payslip.batch == batch))
    if after is not None:
        query = query.where(Payslip.employee_id > after)
    return [_payslip_row(row) for row in await query.order_by(Payslip.employee_id).limit(limit)]


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


async def payslips_of_employee(uow: UnitOfWork, employee_id: UUID, *, after: UUID | None,
                               limit: int) -> list[PayslipRow]:
    """An employee's payslips of finalised runs (the ones the employee may see), oldest first by id."""
    finalised = PayRun.select(PayRun.results_batch).where(
        (PayRun.tenant_id == uow.tenant_id) & (PayRun.state == "finalised"))
    query = Payslip.select(*_PAYSLIP_COLUMNS).where(
        (Payslip.tenant_id == uow.tenant_id) & (Payslip.employee_id == employee_id)
        & Payslip.batch.is_in(finalised))
    if after is not None:
        query = query.where(Payslip.id > after)
    return [_payslip_row(row) for row in await query.order_by(Payslip.id).limit(limit)]
