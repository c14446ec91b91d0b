"""The calculation job's pipeline: a run's staff, page by page, read, calculated and written under the
job's batch id.

Each page is read and each page is written in a transaction of its own. While one page is calculated on
a worker thread, the event loop goes on reading the next page and writing the previous one, so the
database works while Python calculates instead of waiting for it (on PostgreSQL its server is another
process, on another core). The results hash is taken in employee-id order as pages are calculated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from compliance.errors import ComplianceError
from domain.db import unit_of_work
from domain.errors import InvalidInput
from domain.ids import new_id
from domain.money import from_minor, to_minor
from domain.payroll import queries, workflow
from domain.payroll.calendar import PayGroupRule
from domain.payroll.correction import replaced_from
from domain.payroll.engine import INPUT_KINDS, PayContext, PayslipFigures, calculate

PAGE_SIZE = 500
CORRECTION = "correction"


class CalculationBlocked(InvalidInput):
    code = "pay_run_calculation_blocked"
    title = "Calculation blocked"
    template = "The payslip of {employee} cannot be calculated: {problem}"


@dataclass(frozen=True)
class RunBasis:
    """What every page of one calculation shares: the run as calculated, its group's rule and its inputs."""

    tenant_id: UUID
    run: dict[str, Any]
    entity_id: UUID
    rule: PayGroupRule
    inputs: dict[UUID, dict[str, Decimal]]
    batch: UUID

    @property
    def is_correction(self) -> bool:
        return bool(self.run["kind"] == CORRECTION)


@dataclass(frozen=True)
class StaffPage:
    staff: list[dict[str, Any]]
    employments: dict[UUID, list[dict[str, Any]]]
    attributes: dict[tuple[UUID, str], dict[str, Any]]
    year_to_date: dict[UUID, dict[str, Any]]
    replaced: dict[UUID, dict[str, Any]]
    after: UUID | None


def inputs_by_employee(inputs: list[dict[str, Any]]) -> dict[UUID, dict[str, Decimal]]:
    """Each employee's run inputs, summed by kind."""
    totals: dict[UUID, dict[str, Decimal]] = {}
    for row in inputs:
        kinds = totals.setdefault(row["employee_id"], dict.fromkeys(INPUT_KINDS, Decimal(0)))
        kinds[row["kind"]] += Decimal(row["amount"])
    return totals


async def calculate_all(basis: RunBasis, on_page: Callable[[int], Any]) -> tuple[int, str]:
    """Write every payslip of the run under the basis's batch; returns how many and their results hash.
    ``on_page`` is told the count written after each page."""
    digest, done = workflow.ResultsHasher(), 0
    reading: asyncio.Task[StaffPage] | None = asyncio.create_task(read_page(basis, None))
    writing: asyncio.Task[None] | None = None
    try:
        while reading is not None:
            page = await reading
            reading = asyncio.create_task(read_page(basis, page.after)) if page.after else None
            slips = await asyncio.to_thread(calculate_page, basis, page)
            for slip in slips:
                digest.add(hash_entry(slip["employee_id"], slip["payload"]))
            await _written(writing, done, on_page)
            done += len(page.staff)
            writing = asyncio.create_task(write_page(basis, slips, done))
        await _written(writing, done, on_page)
    finally:
        await _settle(reading, writing)
    return done, digest.hexdigest()


async def _written(writing: asyncio.Task[None] | None, done: int, on_page: Callable[[int], Any]) -> None:
    if writing is not None:
        await writing
        on_page(done)


async def _settle(*tasks: asyncio.Task[Any] | None) -> None:
    """A page still in flight when the job fails is let finish or fail before the job reports: nothing
    of this batch may be written after the failure is recorded."""
    await asyncio.gather(*(task for task in tasks if task is not None), return_exceptions=True)


async def read_page(basis: RunBasis, after: UUID | None) -> StaffPage:
    run = basis.run
    async with unit_of_work(basis.tenant_id, write=False) as uow:
        staff, following = await queries.staff_page(uow, basis.entity_id, run["period_start"], run["period_end"],
                                                    after, PAGE_SIZE, only=run["scope"])
        if not staff:
            return StaffPage(staff, {}, {}, {}, {}, following)
        first, last = staff[0]["id"], staff[-1]["id"]
        employments: dict[UUID, list[dict[str, Any]]] = {}
        for employment in await queries.employments_between(uow, first, last):
            employments.setdefault(employment["employee_id"], []).append(employment)
        attributes = {(row["employee_id"], row["country"]): row["attributes"]
                      for row in await queries.tax_attributes_between(uow, first, last, run["pay_date"])}
        year_to_date = {row["employee_id"]: row["result"]["year_to_date"]
                        for row in await queries.finalised_payslips_between(uow, first, last, run["period_start"])}
        replaced = (await queries.current_payslips(uow, run["corrects_run_id"], [e["id"] for e in staff])
                    if basis.is_correction else {})
    return StaffPage(staff, employments, attributes, year_to_date, replaced, following)


async def write_page(basis: RunBasis, slips: list[dict[str, Any]], done: int) -> None:
    async with unit_of_work(basis.tenant_id) as uow:
        await queries.insert_payslips(uow, slips)
        await queries.set_progress(uow, basis.run["id"], basis.batch, done)


def calculate_page(basis: RunBasis, page: StaffPage) -> list[dict[str, Any]]:
    """Every payslip of the page, in employee-id order. Pure: runs on a worker thread."""
    slips = []
    for employee in page.staff:
        figures = _calculated(employee, pay_context(basis, page, employee))
        slip = payslip_row(employee, figures.result, basis)
        if basis.is_correction:
            slip = _as_correction(slip, page.replaced[employee["id"]])
        slips.append(slip)
    return slips


def pay_context(basis: RunBasis, page: StaffPage, employee: dict[str, Any]) -> PayContext:
    run, history = basis.run, page.employments[employee["id"]]
    current = [e for e in history if e["effective_from"] <= run["period_end"]][-1]
    return PayContext(
        employee_id=employee["id"], country=current["country"], region=current["region"],
        pay_amount=from_minor(current["pay_minor"], current["currency"]), pay_unit=current["pay_unit"],
        weekly_hours=Decimal(current["weekly_hours"]), joined_on=history[0]["effective_from"],
        left_on=employee["left_on"], period_start=run["period_start"], period_end=run["period_end"],
        pay_date=run["pay_date"], frequency=basis.rule.frequency,
        attributes=page.attributes.get((employee["id"], current["country"]), {}),
        year_to_date=page.year_to_date.get(employee["id"], {}),
        inputs=basis.inputs.get(employee["id"], dict.fromkeys(INPUT_KINDS, Decimal(0))))


def _calculated(employee: dict[str, Any], context: PayContext) -> PayslipFigures:
    try:
        return calculate(context)
    except ComplianceError as exc:
        raise CalculationBlocked(employee=employee["full_name"], problem=str(exc)) from exc


def payslip_row(employee: dict[str, Any], result: CalculationResult, basis: RunBasis) -> dict[str, Any]:
    payload = msgspec.to_builtins(result)
    payload["name"] = employee["full_name"]
    return {
        "id": new_id(), "run_id": basis.run["id"], "batch": basis.batch, "employee_id": employee["id"],
        "currency": result.currency, "gross_minor": to_minor(result.totals.gross, result.currency),
        "net_minor": to_minor(result.totals.net, result.currency),
        "employer_cost_minor": to_minor(result.totals.employer_cost, result.currency),
        "result": msgspec.json.encode(payload).decode(), "payload": payload,
    }


def _as_correction(slip: dict[str, Any], replaced: dict[str, Any]) -> dict[str, Any]:
    payload = {**slip["payload"], "corrects": replaced_from(replaced)}
    return {**slip, "payload": payload, "result": msgspec.json.encode(payload).decode()}


def hash_entry(employee_id: UUID, result: dict[str, Any]) -> list[Any]:
    """What the results hash covers of a payslip, in employee-id order: every line and every total."""
    return [str(employee_id), result["lines"], result["totals"]]
