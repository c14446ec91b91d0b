"""Payslips as people read them: a run's payslips, one ready to print, an employee's own, and each
payslip's versions across recalculations with what changed.

Payroll reads a payslip whole: its calculation's trace, the law it read, the employer's costs. An employee
reads what the law and the employer say a payslip shows (:class:`OwnPayslipView`): the employer, period and
pay date, each earning and deduction, gross, net and the year to date. Earnings are the items the calculation
kept (:class:`domain.payroll.engine.Earning`), never worked out again here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from compliance.registry import pack_for
from domain.audit.service import AuditEntryView, entries_of
from domain.employees.read_model import employee_number_of
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.i18n import translate
from domain.kernel.money import exact, from_minor
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.engine import Earning
from domain.payroll.model import (
    EarningView,
    LineAmounts,
    LineChange,
    OwnPayslipView,
    PayslipAmount,
    PayslipHistory,
    PayslipVersion,
    PayslipView,
)
from domain.payroll.payslip import PayslipDocument, YearToDateFigure, payslip_from_result
from domain.payroll.queries import PayslipRow, PayslipVersionRow
from domain.payroll.runs import load_group, load_run
from domain.payroll.workflow import RunState
from domain.tenancy.service import LegalEntityNotFound, legal_entity_in


class PayslipNotFound(NotFound):
    code = "payslip_not_found"
    template = "There is no payslip with this id."


def _payslip_view(slip: PayslipRow, locale: str) -> PayslipView:
    return PayslipView(id=slip.id, run_id=slip.run_id, employee_id=slip.employee_id, currency=slip.currency,
                       gross=from_minor(slip.gross_minor, slip.currency),
                       net=from_minor(slip.net_minor, slip.currency),
                       employer_cost=from_minor(slip.employer_cost_minor, slip.currency),
                       result=_labelled(slip.result, locale), earnings=earnings_of(slip, locale),
                       year_to_date=[PayslipAmount(figure.code, figure.label, figure.amount)
                                     for figure in year_to_date_of(slip, locale)])


#: The one earning of a payslip calculated before earnings were kept item by item.
GROSS_PAY = "Gross pay"


def earnings_of(slip: PayslipRow, locale: str) -> list[EarningView]:
    """The payslip's earnings as its calculation kept them, labelled in ``locale``: they add up to gross pay."""
    currency, stored = slip.currency, slip.result.get("earnings")
    if stored is None:
        return [EarningView(code="gross", label=translate(GROSS_PAY, locale),
                            amount=from_minor(slip.gross_minor, currency))]
    return [EarningView(code=item.code, label=translate(item.label, locale), amount=exact(item.amount, currency),
                        days=item.days, days_in_period=item.days_in_period, hours=item.hours,
                        rate=None if item.rate is None else exact(item.rate, currency), multiplier=item.multiplier)
            for item in msgspec.convert(stored, list[Earning])]


def year_to_date_of(slip: PayslipRow, locale: str) -> list[YearToDateFigure]:
    """The year-to-date figures the country's payslips carry, in the pack's order and labelled by it in
    ``locale``, from the figures the calculation kept; one of an occasional payment only once there is one."""
    pack = pack_for(slip.result["country"])
    kept = slip.result.get("year_to_date") or {}
    figures = {key: Decimal(kept[key]) for key in pack.year_to_date_labels if isinstance(kept.get(key), str | int)}
    return [YearToDateFigure(code=key, label=translate(pack.year_to_date_labels[key], locale),
                             amount=exact(amount, slip.currency), employer=key in pack.employer_year_to_date)
            for key, amount in figures.items() if amount or key not in pack.occasional_year_to_date]


def _labelled(result: dict[str, Any], locale: str) -> dict[str, Any]:
    """A stored result as its reader reads it, like a calculation's answer: each line's label (kept as its English
    msgid) in ``locale``, in the payslip and in each period a settlement recalculated, and each earning's."""
    shown = {**result, "lines": _labels_in(result.get("lines", []), locale)}
    if "earnings" in result:
        shown["earnings"] = _labels_in(result["earnings"], locale)
    if "settlement" in result:
        shown["settlement"] = [{**period, "lines": _labels_in(period.get("lines", []), locale)}
                               for period in result["settlement"]]
    return shown


def _labels_in(lines: list[dict[str, Any]], locale: str) -> list[dict[str, Any]]:
    return [{**line, "label": translate(line["label"], locale)} if "label" in line else line for line in lines]


async def payslips_of(principal: Principal, run_id: UUID, cursor: str | None = None,
                      limit: int = DEFAULT_LIMIT) -> Page[PayslipView]:
    """The current results' payslips in employee-id order: a page at a time, however large the run."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        run = await load_run(uow, run_id)
        after = decode_uuid_cursor(cursor)
        if run.results_batch is None:
            return Page(items=[], next_cursor=None)
        slips = await queries.payslip_page(uow, run.results_batch, after=after, limit=limit + 1)
    return page_of([_payslip_view(slip, principal.locale) for slip in slips], limit,
                   lambda slip: str(slip.employee_id))


async def own_payslips(principal: Principal, employee_id: UUID, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> Page[OwnPayslipView]:
    """The employee's payslips of finalised runs, oldest first, as an employee reads them."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        slips = await queries.payslips_of_employee(uow, employee_id, after=decode_uuid_cursor(cursor),
                                                   limit=limit + 1)
        paid = {run_id: await _paid_by(uow, run_id) for run_id in {slip.run_id for slip in slips}}
    return page_of([_as_employee_reads_it(slip, paid[slip.run_id], principal.locale) for slip in slips], limit,
                   lambda slip: str(slip.id))


@dataclass(frozen=True)
class _PaidBy:
    """A run as its payslips name it: who pays, for which period, on which day."""

    employer: str
    period_start: date
    period_end: date
    pay_date: date


async def _paid_by(uow: UnitOfWork, run_id: UUID) -> _PaidBy:
    run = await load_run(uow, run_id)
    group = await load_group(uow, run.pay_group_id)
    entity = await legal_entity_in(uow, group.legal_entity_id)
    if entity is None:
        raise LegalEntityNotFound()
    return _PaidBy(employer=entity.name, period_start=run.period_start, period_end=run.period_end,
                   pay_date=run.pay_date)


def _as_employee_reads_it(slip: PayslipRow, paid: _PaidBy, locale: str) -> OwnPayslipView:
    """What the employee's payslip shows: no trace, no law and none of the employer's costs."""
    currency = slip.currency
    deductions = [PayslipAmount(line["code"], translate(line["label"], locale),
                                exact(Decimal(line["employee"]), currency))
                  for line in slip.result["lines"] if Decimal(line["employee"])]
    return OwnPayslipView(
        id=slip.id, employee_id=slip.employee_id, employer=paid.employer, period_start=paid.period_start,
        period_end=paid.period_end, pay_date=paid.pay_date, currency=currency, earnings=earnings_of(slip, locale),
        gross=from_minor(slip.gross_minor, currency), deductions=deductions,
        total_deductions=exact(Decimal(slip.result["totals"]["employee_deductions"]), currency),
        net=from_minor(slip.net_minor, currency),
        year_to_date=[PayslipAmount(figure.code, figure.label, figure.amount)
                      for figure in year_to_date_of(slip, locale) if not figure.employer])


async def payslip_document(principal: Principal, payslip_id: UUID, locale: str, *,
                           own_only: UUID | None = None) -> PayslipDocument:
    """A payslip ready to print. ``own_only`` restricts it to one employee's own payslips, of finalised runs."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        slip = await queries.payslip(uow, payslip_id)
        if slip is None or (own_only is not None and slip.employee_id != own_only):
            raise PayslipNotFound()
        run = await load_run(uow, slip.run_id)
        if slip.batch != run.results_batch or (own_only is not None and run.facts.state is not RunState.FINALISED):
            raise PayslipNotFound()
        group = await load_group(uow, run.pay_group_id)
        entity = await legal_entity_in(uow, group.legal_entity_id)
        number = await employee_number_of(uow, slip.employee_id)
    if entity is None:
        raise LegalEntityNotFound()
    result = msgspec.convert(slip.result, CalculationResult)
    return payslip_from_result(result, entity_name=entity.name, employee_name=slip.result["name"],
                               employee_reference=number,
                               period_start=run.period_start, period_end=run.period_end, locale=locale,
                               earnings=earnings_of(slip, locale), year_to_date=year_to_date_of(slip, locale))


async def payslip_history(principal: Principal, run_id: UUID, employee_id: UUID) -> PayslipHistory:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        run = await load_run(uow, run_id)
        stored = await queries.payslip_versions(uow, run_id, employee_id)
    if not stored:
        raise PayslipNotFound()
    shown = run.results_batch if run.facts.results_hash is not None else None
    currency = stored[-1].payslip.currency
    versions: list[PayslipVersion] = []
    before: dict[str, LineAmounts] | None = None
    for version in stored:
        lines = _line_amounts(version.payslip.result, currency)
        versions.append(_version(version, shown, lines, before, currency))
        before = lines
    events = [entry for entry in await entries_of(principal, "pay_run", str(run_id))
              if _concerns(entry, employee_id)]
    return PayslipHistory(run_id=run_id, employee_id=employee_id, currency=currency, versions=versions,
                          events=events)


def _version(version: PayslipVersionRow, shown: UUID | None, lines: dict[str, LineAmounts],
             before: dict[str, LineAmounts] | None, currency: str) -> PayslipVersion:
    slip, calculation = version.payslip, version.calculation
    return PayslipVersion(
        payslip_id=slip.id, calculated_at=calculation.completed_at, calculated_by=calculation.calculated_by,
        results_hash=calculation.results_hash, current=slip.batch == shown,
        gross=from_minor(slip.gross_minor, slip.currency), net=from_minor(slip.net_minor, slip.currency),
        employer_cost=from_minor(slip.employer_cost_minor, slip.currency),
        lines=list(lines.values()),
        changes=_line_changes(before, lines, currency) if before is not None else [])


def _line_amounts(result: dict[str, Any], currency: str) -> dict[str, LineAmounts]:
    return {line["code"]: LineAmounts(code=line["code"], employee=exact(Decimal(line["employee"]), currency),
                                      employer=exact(Decimal(line["employer"]), currency))
            for line in result["lines"]}


def _line_changes(before: dict[str, LineAmounts], after: dict[str, LineAmounts],
                  currency: str) -> list[LineChange]:
    nothing = exact(Decimal(0), currency)
    absent = LineAmounts(code="", employee=nothing, employer=nothing)
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
