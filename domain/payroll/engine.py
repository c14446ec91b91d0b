"""From an employment, the run's inputs and the year so far, to one payslip: the earnings of the
period (prorated for joiners and leavers, overtime at the country's multiplier, unpaid leave taken
off) are passed to the country's pack in force at the pay date, and kept item by item, as the payslip
prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from compliance.calculation import CalculationResult, Line, PayFrequency
from compliance.labour import LabourLaw, ProrationRule
from compliance.pack import Pack
from compliance.registry import pack_for
from compliance.rounding import half_up
from domain.kernel.money import exact, minor_unit
from domain.payroll.calendar import Proration, daily_rate_divisor, proration
from domain.regulation.model import with_exact_amounts

PERIODS_PER_YEAR = {
    PayFrequency.WEEKLY: Decimal(52), PayFrequency.BIWEEKLY: Decimal(26), PayFrequency.SEMIMONTHLY: Decimal(24),
    PayFrequency.MONTHLY: Decimal(12), PayFrequency.FOUR_WEEKLY: Decimal(13), PayFrequency.ANNUAL: Decimal(1),
}
WEEKS_PER_YEAR = Decimal(52)
INPUT_KINDS = ("overtime_hours", "bonus", "allowance", "unpaid_leave_days", "deduction")
DEDUCTION_CODE = "payroll.deduction"
DEDUCTION_LABEL = "One-off deduction"
PAYROLL_LINE_MESSAGES = (DEDUCTION_LABEL,)


@dataclass(frozen=True)
class PayContext:
    employee_id: Any
    country: str
    region: str | None
    pay_amount: Decimal
    pay_unit: str
    weekly_hours: Decimal
    joined_on: date
    left_on: date | None
    period_start: date
    period_end: date
    pay_date: date
    frequency: PayFrequency
    attributes: dict[str, Any]
    year_to_date: dict[str, Any]
    inputs: dict[str, Decimal] = field(default_factory=dict)
    #: the currency the pay is recorded in; a pack calculates in its own only (None: taken to be the pack's)
    currency: str | None = None


class Earning(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One earning of a payslip as the calculation counted it: its kind (``base``, ``unpaid_leave``,
    ``overtime``, ``allowances``, ``bonus``), the pack's label for it (an English msgid), its amount in the pack's
    currency (negative for unpaid leave) and what it was counted from: the ``days`` of a part period out of
    ``days_in_period``, the unpaid ``days``, or overtime ``hours`` at an hourly ``rate`` times ``multiplier``."""

    code: str
    label: str
    amount: Decimal
    days: Decimal | None = None
    days_in_period: Decimal | None = None
    hours: Decimal | None = None
    rate: Decimal | None = None
    multiplier: Decimal | None = None


@dataclass(frozen=True)
class PayslipFigures:
    result: CalculationResult
    proration: Decimal
    #: the earnings handed to the pack, item by item: they add up to the result's gross pay
    earnings: list[Earning] = field(default_factory=list)


def annual_pay(amount: Decimal, unit: str, weekly_hours: Decimal) -> Decimal:
    return {"year": amount, "month": amount * 12, "hour": amount * weekly_hours * WEEKS_PER_YEAR}[unit]


def calculate(context: PayContext, pack: Pack | None = None) -> PayslipFigures:
    """``pack`` is the country's law as the tenant sees it (its own and bundled versions); the shipped law
    where none is given."""
    pack = pack or pack_for(context.country)
    if context.currency is not None:
        # Pay recorded in another currency (rows from before hires were checked) is a problem of this payslip:
        # reading 5,000 USD as 5,000 EUR would pay the wrong amount without a word.
        pack.require_pay_currency(context.currency)
    # Regions are checked when saved; one the pack does not know (an older row) stops this payslip rather than
    # being dropped, which would leave a city's contributions out without a word.
    region = context.region
    annual = annual_pay(context.pay_amount, context.pay_unit, context.weekly_hours)
    period_pay = annual / PERIODS_PER_YEAR[context.frequency]
    law = pack.labour_law(context.pay_date, region)
    rule = law.proration_rule
    subdivision = pack.holiday_subdivisions.get(region) if region else None
    part = proration(context.period_start, context.period_end, context.joined_on, context.left_on,
                     rule, country=pack.country, subdivision=subdivision)
    # Each item is rounded as the payslip prints it, and gross is their sum: the lines add up to the total.
    base = _money(period_pay * part.factor, pack.currency)
    leave = min(_money(_unpaid_leave(context, period_pay, rule, subdivision), pack.currency), base)
    earned = _Earned(pack, context, part, base, leave, _overtime(pack, law, context, annual))
    earnings = {"regular": base - leave, "overtime": earned.overtime_pay, "allowances": earned.allowances,
                "bonus": earned.bonus}
    result = pack.calculate_raw(pay_date=context.pay_date, pay_frequency=context.frequency, earnings=earnings,
                                employee=context.attributes, year_to_date=context.year_to_date, region=region)
    deduction = _money(context.inputs.get("deduction", Decimal(0)), pack.currency)
    return PayslipFigures(result=with_exact_amounts(with_deduction(result, deduction)), proration=part.factor,
                          earnings=earned.items())


@dataclass(frozen=True)
class _Overtime:
    hours: Decimal
    #: the hourly rate as the payslip prints it, rounded to the currency's minor unit: overtime is paid on it
    rate: Decimal
    multiplier: Decimal


@dataclass(frozen=True)
class _Earned:
    """A period's earnings, each rounded to the currency as the payslip prints it."""

    pack: Pack
    context: PayContext
    part: Proration
    base: Decimal
    leave: Decimal
    overtime: _Overtime | None

    @property
    def overtime_pay(self) -> Decimal:
        if self.overtime is None:
            return Decimal(0)
        return _money(self.overtime.hours * self.overtime.rate * self.overtime.multiplier, self.pack.currency)

    @property
    def allowances(self) -> Decimal:
        return _money(self.context.inputs.get("allowance", Decimal(0)), self.pack.currency)

    @property
    def bonus(self) -> Decimal:
        return _money(self.context.inputs.get("bonus", Decimal(0)), self.pack.currency)

    def items(self) -> list[Earning]:
        """Base pay (with its days for part of a period), unpaid leave taken off, overtime, allowances and bonus:
        the figures handed to the pack, so they add up to its gross pay."""
        currency, labels = self.pack.currency, self.pack.earning_labels
        found = [Earning(code="base", label=labels["base"], amount=exact(self.base, currency), days=self.part.days,
                         days_in_period=self.part.days_in_period)]
        unpaid_days = self.context.inputs.get("unpaid_leave_days", Decimal(0))
        if unpaid_days:
            found.append(Earning(code="unpaid_leave", label=labels["unpaid_leave"],
                                 amount=exact(-self.leave, currency), days=unpaid_days))
        if self.overtime is not None:
            found.append(Earning(code="overtime", label=labels["overtime"], amount=exact(self.overtime_pay, currency),
                                 hours=self.overtime.hours, rate=exact(self.overtime.rate, currency),
                                 multiplier=self.overtime.multiplier))
        for code, amount in (("allowances", self.allowances), ("bonus", self.bonus)):
            if amount:
                found.append(Earning(code=code, label=labels[code], amount=exact(amount, currency)))
        return found


def with_deduction(result: CalculationResult, amount: Decimal) -> CalculationResult:
    """A one-off deduction after tax, as its own payslip line, so net pay and every export agree."""
    if not amount:
        return result
    line = Line(code=DEDUCTION_CODE, label=DEDUCTION_LABEL, employee=amount, employer=Decimal(0))
    totals = msgspec.structs.replace(result.totals, employee_deductions=result.totals.employee_deductions + amount,
                                     net=result.totals.net - amount)
    return msgspec.structs.replace(result, lines=[*result.lines, line], totals=totals)


def _unpaid_leave(context: PayContext, period_pay: Decimal, rule: ProrationRule, subdivision: str | None) -> Decimal:
    days = context.inputs.get("unpaid_leave_days", Decimal(0))
    if not days:
        return Decimal(0)
    divisor = daily_rate_divisor(context.period_start, context.period_end, rule, country=context.country,
                                 subdivision=subdivision)
    return period_pay / divisor * days


def _overtime(pack: Pack, law: LabourLaw, context: PayContext, annual: Decimal) -> _Overtime | None:
    """The period's overtime hours at the hourly rate of the pay, rounded to the currency as payslips print it
    (Japan's 割増賃金 rounds the hourly rate to the yen, 昭和63年基発第150号), times the country's multiplier."""
    hours = context.inputs.get("overtime_hours", Decimal(0))
    if not hours:
        return None
    hourly = _money(annual / (context.weekly_hours * WEEKS_PER_YEAR), pack.currency)
    return _Overtime(hours=hours, rate=hourly, multiplier=pack.overtime_multiplier(law))


def _money(amount: Decimal, currency: str) -> Decimal:
    return half_up(amount, minor_unit(currency))
