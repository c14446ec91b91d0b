"""Social insurance (社会保险) and the housing fund (住房公积金) of one city and month.

Each item is a rate on the employee's declared base, clamped to the city's floor and ceiling for the
contribution year (缴费基数上下限). The employer chooses the housing-fund rate within the legal range,
and the work-injury rate follows its industry class (行业基准费率 with floating); both come in as
tenant overrides validated by the pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from compliance.packs.cn_china.schemas import ZERO, CitySocialInsurance, Contribution, Employee, RateRange

HOUSING_FUND_RATE = "housing_fund_rate"
WORK_INJURY_RATE = "work_injury_rate"


@dataclass(frozen=True, slots=True)
class Charge:
    """One contribution line before it goes on the payslip."""

    code: str
    base: Decimal
    employee: Decimal
    employer: Decimal
    note: str


def clamp(amount: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    return min(max(amount, floor), ceiling)


def round_amount(amount: Decimal, city: CitySocialInsurance, quantum: Decimal | None = None) -> Decimal:
    mode = ROUND_CEILING if city.rounding == "up" else ROUND_HALF_UP
    return amount.quantize(quantum or city.quantum, rounding=mode)


def city_charges(
    city: CitySocialInsurance, employee: Employee, current_pay: Decimal, overrides: dict[str, Decimal]
) -> list[Charge]:
    declared = employee.contribution_base if employee.contribution_base is not None else current_pay
    fund_declared = employee.housing_fund_base if employee.housing_fund_base is not None else declared
    charges = [
        _rated("cn.pension", city, city.pension.value, declared),
        _rated("cn.medical", city, medical_plan(city, employee), declared),
        _rated("cn.unemployment", city, city.unemployment.value, declared),
    ]
    if city.maternity is not None:
        charges.append(_rated("cn.maternity", city, city.maternity.value, declared))
    if city.local_hukou_supplement is not None and employee.local_hukou:
        charges.append(_rated(
            "cn.local_supplementary_pension", city,
            city.local_hukou_supplement.value, declared,
        ))
    injury = city.work_injury.value
    charges.append(_employer_chosen(
        "cn.work_injury", city, injury, declared,
        overrides.get(WORK_INJURY_RATE, injury.default_rate), employee_pays=False,
    ))
    fund = city.housing_fund.value
    charges.append(_employer_chosen(
        "cn.housing_fund", city, fund, fund_declared,
        overrides.get(HOUSING_FUND_RATE, fund.default_rate), employee_pays=True,
    ))
    return charges


def medical_plan(city: CitySocialInsurance, employee: Employee) -> Contribution:
    """Shenzhen's tier 2 (二档) is open only to employees without Shenzhen hukou; the pack checks that first."""
    if employee.medical_tier == "tier2" and city.medical_tier2 is not None:
        return city.medical_tier2.value
    return city.medical.value


def _rated(code: str, city: CitySocialInsurance, item: Contribution, declared: Decimal) -> Charge:
    base = clamp(declared, item.base_floor, item.base_ceiling)
    employee = round_amount(base * item.employee_rate, city) + item.employee_fixed
    employer = round_amount(base * item.employer_rate, city)
    fixed = f" + {item.employee_fixed} fixed" if item.employee_fixed else ""
    rates = f"{item.employee_rate}{fixed} / {item.employer_rate}"
    note = f"base {base} in [{item.base_floor}, {item.base_ceiling}]; {rates}"
    return Charge(code, base, employee, employer, note)


def _employer_chosen(
    code: str, city: CitySocialInsurance, item: RateRange, declared: Decimal, rate: Decimal,
    *, employee_pays: bool,
) -> Charge:
    base = clamp(declared, item.base_floor, item.base_ceiling)
    # Both sides pay the housing fund, each at least 5% (住房公积金管理条例 第十八条); the cities covered set the
    # employee's rate equal to the employer's. Work injury is paid by the employer only (工伤保险条例 第十条).
    amount = round_amount(base * rate, city, item.quantum)
    note = f"base {base} in [{item.base_floor}, {item.base_ceiling}]; rate {rate} in [{item.min_rate}, {item.max_rate}]"
    return Charge(code, base, amount if employee_pays else ZERO, amount, note)
