"""EPF, EPS, EDLI and administrative charges on one month's basic wages.

Rounding: paragraph 29(4) of the EPF Scheme 1952 rounds each contribution to the nearest rupee, half a rupee
or more counting as the next rupee. The pension share is rounded on its own and the employer's provident-fund
share is what remains of the employer's 12%, as EPFO's electronic challan computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compliance.packs.in_india.schemas import Employee, ProvidentFundParameters
from compliance.rounding import UNIT, half_up

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class ProvidentFund:
    pf_wages: Decimal
    pension_wages: Decimal
    employee: Decimal
    employer_pf: Decimal
    employer_pension: Decimal
    edli: Decimal
    admin_charges: Decimal


NONE = ProvidentFund(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)


def rupees(amount: Decimal) -> Decimal:
    return half_up(amount, UNIT)


def pf_wages(basic_wages: Decimal, ceiling: Decimal, employee: Employee) -> Decimal:
    """Contributions are due on pay up to the ceiling; above it they are on actual pay only where so chosen."""
    return min(basic_wages, ceiling) if employee.pf_wage_basis == "ceiling" else basic_wages


def contributions(params: ProvidentFundParameters, basic_wages: Decimal, employee: Employee) -> ProvidentFund:
    if not employee.pf_member:
        return NONE
    ceiling = params.wage_ceiling.value
    wages = pf_wages(basic_wages, ceiling, employee)
    # The pension and insurance schemes count pay only up to the ceiling, whatever the PF basis.
    capped = min(wages, ceiling)
    pension_wages = capped if employee.pension_member else ZERO
    employer_total = rupees(wages * params.employer_rate.value)
    pension = min(employer_total, rupees(pension_wages * params.pension_rate.value))
    return ProvidentFund(
        pf_wages=wages,
        pension_wages=pension_wages,
        employee=rupees(wages * params.employee_rate.value),
        employer_pf=employer_total - pension,
        employer_pension=pension,
        edli=rupees(capped * params.edli_rate.value),
        admin_charges=rupees(wages * params.admin_charge_rate.value),
    )
