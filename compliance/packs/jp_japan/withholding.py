"""源泉徴収税額, 月額表甲欄, by the 電算機計算の特例 (財務省告示, 別表第一〜第四).

The 告示 rates already include 復興特別所得税 (income-tax rate × 102.1%), so one amount is withheld.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import msgspec

from compliance.packs.jp_japan.parameters import WithholdingTables, bracket_for

ZERO = Decimal("0")
YEN = Decimal("1")


class Withholding(msgspec.Struct, frozen=True):
    """Every intermediate amount of the 告示, for the trace."""

    taxable_pay: Decimal
    employment_income_deduction: Decimal
    dependant_deduction: Decimal
    basic_deduction: Decimal
    taxable_income: Decimal
    tax_before_rounding: Decimal
    tax: Decimal


def employment_income_deduction(tables: WithholdingTables, pay: Decimal) -> Decimal:
    # 別表第一 (注): 1円未満の端数は切り上げる.
    row = bracket_for(tables.employment_income_deduction.value, pay)
    return row.apply(pay).quantize(YEN, rounding=ROUND_CEILING)


def basic_deduction(tables: WithholdingTables, pay: Decimal) -> Decimal:
    return bracket_for(tables.basic_deduction.value, pay).apply(pay)


def tax_on(tables: WithholdingTables, taxable_income: Decimal) -> tuple[Decimal, Decimal]:
    """別表第四: the tax before and after rounding. 税額に10円未満の端数があるときは四捨五入."""
    if taxable_income <= 0:
        return ZERO, ZERO
    raw = bracket_for(tables.tax_brackets.value, taxable_income).apply(taxable_income)
    unit = tables.tax_rounding_unit.value
    rounded = (raw / unit).quantize(YEN, rounding=ROUND_HALF_UP) * unit
    return raw, max(rounded, ZERO)


def monthly_withholding(tables: WithholdingTables, taxable_pay: Decimal, dependants: int) -> Withholding:
    """``taxable_pay`` is その月の社会保険料等控除後の給与等の金額; ``dependants`` is 扶養親族等の数."""
    pay = max(taxable_pay, ZERO)
    employment = employment_income_deduction(tables, pay)
    dependant = tables.deduction_per_dependant.value * dependants
    basic = basic_deduction(tables, pay)
    taxable_income = pay - employment - dependant - basic
    raw, tax = tax_on(tables, taxable_income)
    return Withholding(
        taxable_pay=pay,
        employment_income_deduction=employment,
        dependant_deduction=dependant,
        basic_deduction=basic,
        taxable_income=taxable_income,
        tax_before_rounding=raw,
        tax=tax,
    )
