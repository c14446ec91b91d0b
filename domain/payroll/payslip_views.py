"""Payslips as people read them: a run's payslips, one ready to print, an employee's own, and each
payslip's versions across recalculations with what changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from domain.audit.service import AuditEntryView, entries_of
from domain.kernel.db import unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.i18n import translate
from domain.kernel.money import exact, from_minor
from domain.kernel.pagination import DEFAULT_LIMIT, Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.payroll import queries
from domain.payroll.model import LineAmounts, LineChange, PayslipHistory, PayslipVersion, PayslipView
from domain.payroll.payslip import PayslipDocument, payslip_from_result
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
                       result=_labelled(slip.result, locale))


def _labelled(result: dict[str, Any], locale: str) -> dict[str, Any]:
    """A stored result as its reader reads it, like a calculation's answer: each line's label (kept as its English
    msgid) in ``locale``, in the payslip and in each period a settlement recalculated."""
    shown = {**result, "lines": _labels_in(result.get("lines", []), locale)}
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


#: What payroll keeps for its reviewers and not for the employee: how the law was applied, and how well each
#: figure of it is known.
REVIEWERS_ONLY = frozenset({"trace", "law"})


async def own_payslips(principal: Principal, employee_id: UUID, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> Page[PayslipView]:
    """The employee's payslips of finalised runs, oldest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        slips = await queries.payslips_of_employee(uow, employee_id, after=decode_uuid_cursor(cursor),
                                                   limit=limit + 1)
    return page_of([_as_employee_reads_it(_payslip_view(slip, principal.locale)) for slip in slips], limit,
                   lambda slip: str(slip.id))


def _as_employee_reads_it(view: PayslipView) -> PayslipView:
    result = {key: value for key, value in view.result.items() if key not in REVIEWERS_ONLY}
    return msgspec.structs.replace(view, result=result)


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
    if entity is None:
        raise LegalEntityNotFound()
    result = msgspec.convert(slip.result, CalculationResult)
    return payslip_from_result(result, entity_name=entity.name, employee_name=slip.result["name"],
                               period_start=run.period_start, period_end=run.period_end, locale=locale,
                               year_to_date=None)


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
