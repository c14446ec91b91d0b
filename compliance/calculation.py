"""The shape of a payroll calculation: what goes into a pack and what comes out.

Every pack takes a :class:`CalculationRequest` whose ``employee`` and ``year_to_date`` are the
pack's own msgspec Structs, and returns a :class:`CalculationResult` built with :class:`ResultBuilder`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

import msgspec

from compliance.numbers import Money, require_sane_decimals
from compliance.parameters import Origin, ParameterVersion, Verification

E = TypeVar("E")
Y = TypeVar("Y")
ZERO = Decimal("0")


class PayFrequency(StrEnum):
    """How often an employee is paid: `daily`, `weekly`, `biweekly` (every two weeks), `semimonthly` (twice a month),
    `four_weekly` (every four weeks), `monthly`, `quarterly`, `semiannual` (twice a year) or `annual`. A pack calculates
    only the frequencies its summary lists in `pay_frequencies` and refuses the others."""

    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMIMONTHLY = "semimonthly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class Earnings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Gross pay of one period, by kind. Amounts are in the pack's currency.

    ``regular``, ``overtime`` and ``allowances`` are current (recurring) pay; ``bonus`` is a
    one-off or irregular payment (DE sonstiger Bezug, US supplemental wage, SG additional wage,
    CN annual one-off bonus, JP 賞与), which several laws tax differently.
    """

    regular: Decimal
    overtime: Decimal = ZERO
    allowances: Decimal = ZERO
    bonus: Decimal = ZERO

    @property
    def current(self) -> Decimal:
        return self.regular + self.overtime + self.allowances

    @property
    def gross(self) -> Decimal:
        return self.current + self.bonus

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in ("regular", "overtime", "allowances", "bonus"):
            if getattr(self, name) < 0:
                raise ValueError(f"earnings.{name} must not be negative")


class CalculationRequest(msgspec.Struct, Generic[E, Y], frozen=True, forbid_unknown_fields=True):
    pay_date: date
    pay_frequency: PayFrequency
    earnings: Earnings
    employee: E
    year_to_date: Y
    region: str | None = None
    overrides: dict[str, Decimal] = {}

    def __post_init__(self) -> None:
        require_sane_decimals(self)


class Line(msgspec.Struct, frozen=True):
    """One payslip line: its `code`, its `label` in the caller's language (Accept-Language), what it deducts from the
    employee and what it costs the employer, money strings in the result's `currency`; `base` is what the line was
    calculated on (the wages subject to a contribution, the taxable pay), where that applies."""

    code: str
    label: str
    employee: Money
    employer: Money
    #: what the line is calculated on (the wages subject to a contribution, the taxable pay)
    base: Money | None = None


class TraceStep(msgspec.Struct, frozen=True):
    """One step of a calculation's working, in the order the pack took it: what it determined (`step`), the value as
    text, and a note (a legal reference or explanation; empty when there is none). Written in English for reviewers and
    auditors, and not localised."""

    step: str
    value: str
    note: str = ""


class LawUsed(msgspec.Struct, frozen=True):
    """A parameter version a calculation read: reviewers see how well it is known and whether it is provisional."""

    series: str
    version: str
    verification: Verification
    origin: Origin
    region: str | None = None
    provisional: bool = False


class Totals(msgspec.Struct, frozen=True):
    """A calculation's totals, money strings in the result's `currency`: `gross` pay, the employee's deductions, the
    employer's contributions, `net` (gross less the employee's deductions) and `employer_cost` (gross plus the
    employer's contributions)."""

    gross: Money
    employee_deductions: Money
    employer_contributions: Money
    net: Money
    employer_cost: Money


class CalculationResult(msgspec.Struct, frozen=True):
    """The gross-to-net answer for one employee and one period: payslip lines, totals, the working (`trace`) and the law
    versions read. Every amount is a money string in `currency`: each line's, the totals, and every decimal of
    `year_to_date`, the figures to send as `year_to_date` with the employee's next period."""

    country: str
    region: str | None
    currency: str
    pay_date: date
    pay_frequency: PayFrequency
    pack_version: str
    parameter_versions: dict[str, str]
    lines: list[Line]
    totals: Totals
    trace: list[TraceStep]
    #: the pack's year-to-date figures after this period, to send with the next one: its decimals are money
    year_to_date: dict[str, Any]
    law: list[LawUsed] = []

    @property
    def provisional(self) -> bool:
        return any(used.provisional for used in self.law)

    def with_amounts(self, amount: Callable[[Decimal], Decimal]) -> CalculationResult:
        """The same result with every amount passed through ``amount`` (the domain's money shape)."""
        lines = [msgspec.structs.replace(line, employee=amount(line.employee), employer=amount(line.employer),
                                         base=None if line.base is None else amount(line.base))
                 for line in self.lines]
        totals = Totals(*(amount(getattr(self.totals, name)) for name in Totals.__struct_fields__))
        year_to_date = {name: amount(value) if isinstance(value, Decimal) else value
                        for name, value in self.year_to_date.items()}
        return msgspec.structs.replace(self, lines=lines, totals=totals, year_to_date=year_to_date)


class ResultBuilder:
    """Collects lines, trace steps and parameter versions while a calculator runs."""

    def __init__(self, country: str, currency: str, pack_version: str, labels: Mapping[str, str]) -> None:
        self.country = country
        self.currency = currency
        self.pack_version = pack_version
        self.labels = labels
        self.lines: list[Line] = []
        self.trace: list[TraceStep] = []
        self.parameter_versions: dict[str, str] = {}
        self.law: dict[str, LawUsed] = {}

    def used(self, series: str, version: ParameterVersion[Any]) -> None:
        self.parameter_versions[series] = version.version
        self.law[series] = LawUsed(series=series, version=version.version, verification=version.verification,
                                   origin=version.origin, region=version.region, provisional=version.provisional)
        if version.provisional:
            self.step(f"{series} provisional", version.version,
                      "carried forward: the figures for this period are not yet published; settled when they are")

    def step(self, step: str, value: Any, note: str = "") -> None:
        self.trace.append(TraceStep(step=step, value=str(value), note=note))

    def line(
        self, code: str, *, employee: Decimal = ZERO, employer: Decimal = ZERO, base: Decimal | None = None,
    ) -> None:
        """Add a payslip line. Its label is the one the pack declares for ``code`` in ``line_labels``."""
        label = self.labels.get(code)
        if label is None:
            raise KeyError(f"payslip line {code} is not declared in the pack's line_labels")
        self.lines.append(Line(code=code, label=label, employee=employee, employer=employer, base=base))

    def build(self, request: CalculationRequest[Any, Any], year_to_date: msgspec.Struct) -> CalculationResult:
        gross = request.earnings.gross
        deductions = sum((line.employee for line in self.lines), ZERO)
        employer = sum((line.employer for line in self.lines), ZERO)
        totals = Totals(
            gross=gross,
            employee_deductions=deductions,
            employer_contributions=employer,
            net=gross - deductions,
            employer_cost=gross + employer,
        )
        return CalculationResult(
            country=self.country,
            region=request.region,
            currency=self.currency,
            pay_date=request.pay_date,
            pay_frequency=request.pay_frequency,
            pack_version=self.pack_version,
            parameter_versions=dict(self.parameter_versions),
            lines=list(self.lines),
            totals=totals,
            trace=list(self.trace),
            year_to_date=msgspec.to_builtins(year_to_date, builtin_types=(Decimal, date)),
            law=list(self.law.values()),
        )
