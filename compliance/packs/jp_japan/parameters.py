"""Parameter shapes of the JP data series (one folder of TOML files per series)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from compliance.parameters import Cited

ZERO = Decimal("0")


class Bracket(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One row of a 告示 別表: for amounts up to ``up_to`` (inclusive, yen), the result is amount × rate + plus.

    A fixed amount is written as rate 0 and plus = the amount; the last row has no ``up_to``.
    """

    rate: Decimal = ZERO
    plus: Decimal = ZERO
    up_to: Decimal | None = None

    def covers(self, amount: Decimal) -> bool:
        return self.up_to is None or amount <= self.up_to

    def apply(self, amount: Decimal) -> Decimal:
        return amount * self.rate + self.plus


def bracket_for(brackets: list[Bracket], amount: Decimal) -> Bracket:
    """The first row whose range covers ``amount`` (data files list rows in ascending order)."""
    for bracket in brackets:
        if bracket.covers(amount):
            return bracket
    raise LookupError(f"no bracket covers {amount}")


class WithholdingTables(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """財務省告示「電子計算機等を使用して源泉徴収税額を計算する方法」, 月額表甲欄, 別表第一〜第四."""

    employment_income_deduction: Cited[list[Bracket]]
    deduction_per_dependant: Cited[Decimal]
    basic_deduction: Cited[list[Bracket]]
    tax_brackets: Cited[list[Bracket]]
    tax_rounding_unit: Cited[Decimal]


class Grade(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A 標準報酬月額 grade: remuneration from ``lower`` (inclusive) up to the next grade's lower bound."""

    grade: int
    standard: Decimal
    lower: Decimal


class StandardRemuneration(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    health_grades: Cited[list[Grade]]
    pension_minimum: Cited[Decimal]
    pension_maximum: Cited[Decimal]


class HealthInsurance(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """協会けんぽ rates of one fiscal year (premium months March to February), by prefecture code."""

    rates: Cited[dict[str, Decimal]]
    long_term_care_rate: Cited[Decimal]


class ChildSupport(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rate: Cited[Decimal]


class Pension(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rate: Cited[Decimal]


class ShareRates(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee: Decimal
    employer: Decimal


class EmploymentInsurance(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rates: Cited[dict[str, ShareRates]]
