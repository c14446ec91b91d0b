"""Individual income tax on wages: the cumulative withholding method and the annual one-off bonus.

累计预扣法 (国家税务总局公告2018年第61号 第六条):
    本期应预扣预缴税额 = (累计预扣预缴应纳税所得额 × 预扣率 − 速算扣除数) − 累计减免税额 − 累计已预扣预缴税额
    累计预扣预缴应纳税所得额 = 累计收入 − 累计免税收入 − 累计减除费用 − 累计专项扣除 − 累计专项附加扣除
                              − 累计依法确定的其他扣除
    "余额为负值时，暂不退税": a negative balance withholds nothing within the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from compliance.packs.cn_china.schemas import (
    ZERO,
    BonusParameters,
    Bracket,
    Employee,
    SpecialAdditionalDeductions,
)
from compliance.rounding import half_up

HALF = Decimal("0.5")


def bracket_for(amount: Decimal, table: Sequence[Bracket]) -> Bracket:
    """The row whose band holds ``amount`` (bands include their upper bound, 含本数)."""
    for row in table:
        if row.upper is None or amount <= row.upper:
            return row
    return table[-1]


def tax_by_table(amount: Decimal, table: Sequence[Bracket]) -> tuple[Decimal, Bracket]:
    """amount × rate − quick deduction, to the fen (分) as the withholding system reports it."""
    row = bracket_for(amount, table)
    return half_up(amount * row.rate - row.quick_deduction), row


def monthly_special_additional(employee: Employee, law: SpecialAdditionalDeductions) -> Decimal:
    """One month of 专项附加扣除 (大病医疗 is annual, claimed at the annual settlement, so it is not here)."""
    share = HALF if employee.child_deduction_share == "half" else Decimal("1")
    total = employee.children_in_education * law.child_education.value * share
    total += employee.children_under_three * law.infant_care.value * share
    if employee.continuing_education:
        total += law.continuing_education.value
    if employee.housing_loan_interest:
        total += law.housing_loan_interest.value
    if employee.housing_rent_tier != "none":
        total += law.housing_rent.value[employee.housing_rent_tier]
    total += elderly_support(employee, law)
    return total


def elderly_support(employee: Employee, law: SpecialAdditionalDeductions) -> Decimal:
    if employee.elderly_support == "only_child":
        return law.elderly_support_only_child.value
    if employee.elderly_support == "shared":
        return min(employee.elderly_support_amount, law.elderly_support_shared_cap.value)
    return ZERO


def separate_bonus_tax(bonus: Decimal, law: BonusParameters) -> tuple[Decimal, Bracket]:
    """财政部 税务总局公告2023年第30号: bonus ÷ 12 picks the monthly-table row; tax = bonus × rate − quick deduction."""
    row = bracket_for(bonus / law.months_divisor.value, law.monthly_rates.value)
    return half_up(bonus * row.rate - row.quick_deduction), row
