"""Settling provisional pay (补差), pure: which figures were paid for each finalised period, which of them
rest on law that was provisional and is now known, and the recalculation of the affected periods in order,
each from the year to date the corrected period before it left (China's cumulative withholding depends on
it). A settlement's payslip holds the full corrected figures of its own (latest) period and keeps every
period's difference; what it pays and posts is the sum of those differences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult, LawUsed, Line, Totals
from compliance.errors import NoParametersInForce
from compliance.parameters import ParameterVersion
from domain.payroll.correction import Replaced, difference
from domain.payroll.engine import PayContext, calculate
from domain.payroll.queries import PayRunRow, PayslipRow, SlipLaw
from domain.regulation.model import LawLayers

ZERO = Decimal(0)


class Figures(msgspec.Struct, frozen=True):
    lines: list[Line]
    totals: Totals


class SettledPeriod(msgspec.Struct, frozen=True):
    """One period a settlement recalculated, as its payslip keeps it (``result.settlement``): what was paid,
    the difference, and the corrected figures, law and year to date (a later settlement starts from them)."""

    period_start: date
    period_end: date
    pay_date: date
    #: the period's regular run
    run_id: UUID
    #: the payslip whose figures were paid for the period until now
    replaced_payslip_id: UUID
    #: the run whose inputs the period was calculated from
    inputs_run_id: UUID
    net_before: Decimal
    net_after: Decimal
    net_difference: Decimal
    employer_cost_difference: Decimal
    #: the lines that change, as differences (corrected less paid)
    lines: list[Line]
    totals: Totals
    corrected: Figures
    law: list[LawUsed]
    year_to_date: dict[str, Any]


@dataclass(frozen=True)
class PeriodRecord:
    """Where the figures paid to one employee for one finalised period are: a payslip of the period's runs
    (the regular one or its latest finalised correction), or a later settlement's recalculation of it."""

    run: PayRunRow
    payslip_id: UUID
    #: when what holds the figures was written; the latest wins
    written: datetime
    law: list[LawUsed]
    #: True where a settlement of a later period holds them (in its ``result.settlement``)
    settled_later: bool = False


@dataclass(frozen=True)
class Paid:
    """What was paid for a period, with what the recalculation needs of it."""

    payslip_id: UUID
    inputs_run_id: UUID
    figures: Figures
    year_to_date: dict[str, Any]


@dataclass(frozen=True)
class PeriodStep:
    """One period of an employee's chain: its run, the context it is calculated in (its employment, tax
    attributes and inputs; the year to date comes from the chain) and what was paid."""

    run: PayRunRow
    context: PayContext
    paid: Paid


@dataclass(frozen=True)
class Replacement:
    """A provisional version one period used, and the version now in force for its pay date."""

    country: str
    series: str
    region: str | None
    provisional: str
    replaced_by: ParameterVersion[Any]
    pay_date: date


def records_by_employee(regular: Sequence[PayRunRow], corrections: Sequence[PayRunRow],
                        slips: Iterable[SlipLaw]) -> dict[UUID, list[PeriodRecord]]:
    """For each employee, the record of every finalised regular period they were paid in, in period order."""
    by_id = {run.id: run for run in regular}
    base_of = {run.id: run.corrects_run_id for run in corrections if run.corrects_run_id in by_id}
    by_start = {run.period_start: run for run in regular}
    best: dict[tuple[UUID, UUID], tuple[tuple[datetime, int], PeriodRecord]] = {}

    def offer(run: PayRunRow, employee: UUID, rank: tuple[datetime, int], record: PeriodRecord) -> None:
        key = (run.id, employee)
        if key not in best or best[key][0] < rank:
            best[key] = (rank, record)

    for slip in slips:
        base_id = slip.run_id if slip.run_id in by_id else base_of.get(slip.run_id)
        base = by_id.get(base_id) if base_id else None
        if base is None:
            continue
        offer(base, slip.employee_id, (slip.created_at, 1), PeriodRecord(base, slip.payslip_id, slip.created_at,
                                                                          slip.law))
        for start, law in slip.settled.items():
            earlier = by_start.get(start)
            if earlier is not None and earlier.id != base.id:
                offer(earlier, slip.employee_id, (slip.created_at, 0),
                      PeriodRecord(earlier, slip.payslip_id, slip.created_at, law, settled_later=True))
    records: dict[UUID, list[PeriodRecord]] = {}
    for (_, employee), (_, record) in best.items():
        records.setdefault(employee, []).append(record)
    for chain in records.values():
        chain.sort(key=lambda record: record.run.period_start)
    return records


def replacements(record: PeriodRecord, country: str, law: LawLayers) -> list[Replacement]:
    """The provisional versions the period used whose law is now known for its pay date."""
    found = []
    for used in record.law:
        if not used.provisional:
            continue
        series = law.pack(country).series.get(used.series)
        if series is None:
            continue
        try:
            version = series.in_force(record.run.pay_date, used.region)
        except NoParametersInForce:
            continue
        if not version.provisional:
            found.append(Replacement(country, used.series, used.region, used.version, version,
                                     record.run.pay_date))
    return found


def first_affected(records: Sequence[PeriodRecord], country: str, law: LawLayers) -> int | None:
    """Where an employee's chain starts: the first period paid on provisional law that is now known."""
    return next((index for index, record in enumerate(records) if replacements(record, country, law)), None)


def paid_from_payslip(slip: PayslipRow) -> Paid:
    result = slip.result
    return Paid(payslip_id=slip.id, inputs_run_id=slip.run_id,
                figures=msgspec.convert({"lines": result["lines"], "totals": result["totals"]}, Figures),
                year_to_date=result["year_to_date"])


def paid_from_settlement(slip: PayslipRow, period_start: date) -> Paid:
    """What a settlement's payslip says an earlier period should have paid: that is what it paid, since."""
    entry = next(msgspec.convert(e, SettledPeriod) for e in slip.result["settlement"]
                 if date.fromisoformat(e["period_start"]) == period_start)
    return Paid(payslip_id=slip.id, inputs_run_id=entry.inputs_run_id, figures=entry.corrected,
                year_to_date=entry.year_to_date)


def recalculate(steps: Sequence[PeriodStep], start: dict[str, Any], law: LawLayers
                ) -> list[tuple[CalculationResult, SettledPeriod]]:
    """Each period calculated in order with the law as it is now known, the first from ``start`` and each
    later one from the year to date of the corrected period before it. Raises the calculation's
    ComplianceError, or the tenant's refusal of unverified law, for the first period that cannot be."""
    settled, year_to_date = [], start
    for step in steps:
        context = replace(step.context, year_to_date=year_to_date)
        result = calculate(context, law.pack(context.country)).result
        refusal = law.refusal(result)
        if refusal is not None:
            raise refusal
        settled.append((result, settled_period(step, result)))
        year_to_date = stored_form(result.year_to_date)
    return settled


def stored_form(year_to_date: dict[str, Any]) -> dict[str, Any]:
    """The year to date as a payslip stores it, so the next period reads exactly what a run would."""
    decoded: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(year_to_date))
    return decoded


def settled_period(step: PeriodStep, corrected: CalculationResult) -> SettledPeriod:
    paid = step.paid.figures
    change = difference(corrected, Replaced(payslip_id=str(step.paid.payslip_id), run_id=str(step.run.id),
                                            lines=paid.lines, totals=paid.totals))
    return SettledPeriod(
        period_start=step.run.period_start, period_end=step.run.period_end, pay_date=step.run.pay_date,
        run_id=step.run.id, replaced_payslip_id=step.paid.payslip_id, inputs_run_id=step.paid.inputs_run_id,
        net_before=paid.totals.net, net_after=corrected.totals.net, net_difference=change.totals.net,
        employer_cost_difference=change.totals.employer_cost,
        lines=[line for line in change.lines if line.employee or line.employer], totals=change.totals,
        corrected=Figures(lines=corrected.lines, totals=corrected.totals), law=corrected.law,
        year_to_date=stored_form(corrected.year_to_date))


def settled_difference(corrected: CalculationResult, periods: Sequence[SettledPeriod]) -> CalculationResult:
    """What a settlement pays and posts: every period's difference, line by line, added up."""
    lines: dict[str, Line] = {}
    for period in periods:
        for line in period.lines:
            known = lines.get(line.code)
            lines[line.code] = line if known is None else msgspec.structs.replace(
                known, employee=known.employee + line.employee, employer=known.employer + line.employer)
    totals = Totals(*(sum((getattr(p.totals, name) for p in periods), ZERO) for name in Totals.__struct_fields__))
    return msgspec.structs.replace(corrected, lines=[msgspec.structs.replace(line, base=None)
                                                     for line in lines.values()], totals=totals, trace=[])


def settlement_of(result: dict[str, Any]) -> list[SettledPeriod] | None:
    """A stored payslip result's settlement periods, or None where it is not a settlement's."""
    periods = result.get("settlement")
    return None if periods is None else msgspec.convert(periods, list[SettledPeriod])
