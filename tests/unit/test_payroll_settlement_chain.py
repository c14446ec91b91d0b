"""Settling provisional pay, pure: which figures are in force for a period, which provisional law is now known,
and the chain of periods recalculated in order, each from the corrected year to date before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from compliance.calculation import LawUsed, PayFrequency
from compliance.parameters import Origin, Verification, read_version
from compliance.registry import pack_for
from domain.payroll.engine import PayContext, calculate
from domain.payroll.queries import PayRunRow, SlipLaw
from domain.payroll.settlement import (
    Figures,
    Paid,
    PeriodStep,
    first_affected,
    recalculate,
    records_by_employee,
    replacements,
    settled_difference,
)
from domain.payroll.workflow import RunFacts, RunState
from domain.regulation.model import LawLayers

EMPLOYEE = uuid4()
SERIES = ("CN", "social_insurance")
CARRIED = LawLayers(carried_forward=frozenset({SERIES}), accepted_unverified=frozenset({SERIES}))


def run(month: int, kind: str = "regular", corrects: UUID | None = None) -> PayRunRow:
    start = date(2026, month, 1)
    return PayRunRow(id=uuid4(), pay_group_id=uuid4(), kind=kind, corrects_run_id=corrects, scope=None,
                     period_start=start, period_end=date(2026, month, 28), pay_date=date(2026, month, 28),
                     facts=RunFacts(state=RunState.FINALISED, entity_region="CN-SZ"), results_batch=uuid4(),
                     job_status="done", job_done=1, job_total=1, job_error=None, job_problems=None, job_batch=None,
                     job_heartbeat=None, version=1)


def slip(on: PayRunRow, minute: int, *, provisional: bool = True, settled: dict[date, list[LawUsed]] | None = None
         ) -> SlipLaw:
    law = [LawUsed(series="social_insurance", version="cn-sz-si-2026", verification=Verification.UNVERIFIED,
                   origin=Origin.SHIPPED, region="SZ", provisional=provisional)]
    return SlipLaw(payslip_id=uuid4(), run_id=on.id, employee_id=EMPLOYEE,
                   created_at=datetime(2026, 12, 1, 0, minute, tzinfo=UTC), country="CN", law=law,
                   settled=settled or {})


def with_floor(floor: str) -> LawLayers:
    """The tenant's own Shenzhen figures from July 2026: the shipped ones with another pension floor."""
    [shipped] = [v for v in pack_for("CN").series["social_insurance"].versions if v.version == "cn-sz-si-2026"]
    data = {key: value for key, value in msgspec.to_builtins(shipped).items()
            if key not in ("verification", "origin", "provisional")}
    data["parameters"]["pension"]["value"]["base_floor"] = floor
    data.update(version="tenant-sz-2026", effective_from="2026-07-01", effective_to="2027-06-30")
    version = read_version(data, type(shipped.parameters), Origin.TENANT)
    return LawLayers(versions={SERIES: (version,)}, accepted_unverified=frozenset({SERIES}))


def context(on: PayRunRow) -> PayContext:
    return PayContext(employee_id=EMPLOYEE, country="CN", region="SZ", pay_amount=Decimal("4000.00"),
                      pay_unit="month", weekly_hours=Decimal(40), joined_on=date(2026, 1, 1), left_on=None,
                      period_start=on.period_start, period_end=on.period_end, pay_date=on.pay_date,
                      frequency=PayFrequency.MONTHLY, attributes={}, year_to_date={})


def paid_chain(months: list[PayRunRow]) -> list[PeriodStep]:
    """The periods as paid on the carried-forward figures, each from the year to date the one before left."""
    steps: list[PeriodStep] = []
    year_to_date: dict[str, Any] = {}
    for on in months:
        result = calculate(replace(context(on), year_to_date=year_to_date), CARRIED.pack("CN")).result
        payload: dict[str, Any] = msgspec.to_builtins(result)
        steps.append(PeriodStep(on, context(on), Paid(uuid4(), on.id, msgspec.convert(
            {"lines": payload["lines"], "totals": payload["totals"]}, Figures), payload["year_to_date"])))
        year_to_date = payload["year_to_date"]
    return steps


def test_a_later_correction_and_then_a_settlement_hold_the_figures_in_force() -> None:
    july, august = run(7), run(8)
    correction = run(7, "correction", corrects=july.id)
    settlement = run(8, "correction", corrects=august.id)
    slips = [slip(july, 1), slip(august, 2), slip(correction, 3),
             slip(settlement, 4, provisional=False, settled={date(2026, 7, 1): []})]
    [in_july, in_august] = records_by_employee([july, august], [correction, settlement], slips)[EMPLOYEE]
    assert (in_july.run, in_july.payslip_id, in_july.settled_later) == (july, slips[3].payslip_id, True)
    assert (in_august.payslip_id, in_august.settled_later) == (slips[3].payslip_id, False)
    assert first_affected([in_july, in_august], "CN", with_floor("5000")) is None


def test_provisional_law_is_settled_only_once_the_law_for_its_pay_date_is_known() -> None:
    july = run(7)
    [record] = records_by_employee([july], [], [slip(july, 1)])[EMPLOYEE]
    assert replacements(record, "CN", CARRIED) == []
    [known] = replacements(record, "CN", with_floor("5000"))
    assert (known.provisional, known.replaced_by.version, known.pay_date) == (
        "cn-sz-si-2026", "tenant-sz-2026", july.pay_date)


def test_each_period_is_recalculated_from_the_corrected_year_to_date_and_the_differences_add_up() -> None:
    months = [run(7), run(8), run(9)]
    settled = recalculate(paid_chain(months), {}, with_floor("5000"))
    assert [period.net_difference for _, period in settled] == [Decimal("-18.00")] * 3
    assert [(line.code, line.employee, line.employer) for line in settled[0][1].lines] == [
        ("cn.pension", Decimal("18.00"), Decimal("36.00"))]
    monthly = Decimal("400.00") + Decimal("134.54") + Decimal("8.00") + Decimal("200.00")
    assert [Decimal(period.year_to_date["special_deductions"]) for _, period in settled] == [
        monthly, 2 * monthly, 3 * monthly]
    latest, _ = settled[-1]
    posted = settled_difference(latest, [period for _, period in settled])
    assert (posted.totals.net, posted.totals.employer_cost, posted.totals.gross) == (
        Decimal("-54.00"), Decimal("108.00"), Decimal(0))
    assert [(line.code, line.employee, line.employer) for line in posted.lines] == [
        ("cn.pension", Decimal("54.00"), Decimal("108.00"))]


def test_law_as_paid_recalculates_to_no_difference() -> None:
    settled = recalculate(paid_chain([run(7), run(8)]), {}, CARRIED)
    assert all(period.net_difference == 0 and period.lines == [] for _, period in settled)
