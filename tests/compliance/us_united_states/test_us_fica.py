"""Social security, Medicare and Additional Medicare Tax, chained period to period through year_to_date.

Sources:
- Social security 6.2% employee and employer (26 U.S.C. 3101(a), 3111(a)); Medicare 1.45% each
  (3101(b)(1), 3111(b)): IRS Publication 15 (2025) / (2026), https://www.irs.gov/pub/irs-pdf/p15.pdf.
- Wage base: SSA Contribution and Benefit Base, https://www.ssa.gov/oact/cola/cbb.html ($176,100 for 2025;
  $184,500 for 2026, SSA 2026 Social Security Changes fact sheet, 24 October 2025).
- Additional Medicare Tax 0.9%, employee only, withheld on wages over $200,000 paid in the calendar year
  regardless of filing status (26 U.S.C. 3101(b)(2), 3102(f)): IRS Questions and Answers for the
  Additional Medicare Tax, https://www.irs.gov/businesses/small-businesses-self-employed/questions-and-answers-for-the-additional-medicare-tax
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.registry import pack_for

D = Decimal


def pay(pay_date: date, regular: str, ytd: dict[str, Any], bonus: str = "0", **employee: Any) -> CalculationResult:
    return pack_for("US").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": regular, "bonus": bonus},
        employee=employee, year_to_date=ytd,
    )


def line(result: CalculationResult, code: str) -> tuple[Decimal, Decimal]:
    found = next(item for item in result.lines if item.code == code)
    return found.employee, found.employer


@pytest.mark.parametrize(("year", "base", "maximum"), [(2025, "176100", "10918.20"), (2026, "184500", "11439.00")])
def test_social_security_stops_at_the_ssa_wage_base(year: int, base: str, maximum: str) -> None:
    """Twelve monthly payments of $20,000 (240,000 > wage base). Social security is 6.2% of the first
    wage base only: 2025 176,100 x 6.2% = 10,918.20; 2026 184,500 x 6.2% = 11,439.00, each side.
    Medicare has no cap: 240,000 x 1.45% = 3,480.00 each side. Additional Medicare Tax:
    (240,000 - 200,000) x 0.9% = 360.00, employee only."""
    ytd: dict[str, Any] = {}
    totals = {"ss_ee": D(0), "ss_er": D(0), "med_ee": D(0), "med_er": D(0), "amt_ee": D(0), "amt_er": D(0)}
    for month in range(1, 13):
        result = pay(date(year, month, 28), "20000", ytd)
        ytd = result.year_to_date
        for key, code in (("ss", "us.social_security"), ("med", "us.medicare"), ("amt", "us.additional_medicare")):
            employee, employer = line(result, code)
            totals[f"{key}_ee"] += employee
            totals[f"{key}_er"] += employer
    assert totals["ss_ee"] == totals["ss_er"] == D(maximum)
    assert ytd["social_security_wages"] == D(base)
    assert totals["med_ee"] == totals["med_er"] == D("3480.00")
    assert totals["amt_ee"] == D("360.00")
    assert totals["amt_er"] == D(0)
    assert ytd["medicare_wages"] == D("240000")
    assert ytd["social_security_tax"] == D(maximum)
    assert ytd["medicare_tax"] == D("3840.00")


def test_the_payment_that_crosses_the_wage_base_is_taxed_only_up_to_it() -> None:
    """2025: $170,000 of social security wages already paid; $10,000 now. Only 176,100 - 170,000 = 6,100
    is social security wages: 6,100 x 6.2% = 378.20 each side. Medicare on the full 10,000: 145.00."""
    result = pay(date(2025, 11, 28), "10000", {"social_security_wages": "170000", "medicare_wages": "170000"})
    assert line(result, "us.social_security") == (D("378.20"), D("378.20"))
    assert line(result, "us.medicare") == (D("145.00"), D("145.00"))
    assert result.year_to_date["social_security_wages"] == D("176100")
    after = pay(date(2025, 12, 29), "10000", result.year_to_date)
    assert line(after, "us.social_security") == (D("0.00"), D("0.00"))


def test_additional_medicare_starts_with_the_payment_crossing_200000() -> None:
    """2025: $195,000 of Medicare wages paid; $10,000 now: 5,000 is over $200,000 -> 0.9% = 45.00, employee
    only. The next $10,000 is all over the threshold: 90.00. Filing status does not matter for withholding."""
    first = pay(date(2025, 11, 28), "10000", {"medicare_wages": "195000", "social_security_wages": "176100"},
                filing_status="married_filing_jointly")
    assert line(first, "us.additional_medicare") == (D("45.00"), D("0"))
    second = pay(date(2025, 12, 29), "10000", first.year_to_date, filing_status="married_filing_jointly")
    assert line(second, "us.additional_medicare") == (D("90.00"), D("0"))
    assert second.year_to_date["medicare_wages"] == D("215000")


def test_a_bonus_is_fica_wages_too() -> None:
    """Supplemental wages are subject to social security and Medicare like regular wages (Pub 15 section 7).
    2026: 5,000 + 1,000 bonus = 6,000 -> social security 372.00, Medicare 87.00."""
    result = pay(date(2026, 4, 30), "5000", {}, bonus="1000")
    assert line(result, "us.social_security") == (D("372.00"), D("372.00"))
    assert line(result, "us.medicare") == (D("87.00"), D("87.00"))


def test_year_to_date_from_another_year_is_refused() -> None:
    from compliance.errors import InvalidCalculationInput

    result = pay(date(2025, 12, 29), "1000", {})
    assert result.year_to_date["tax_year"] == 2025
    with pytest.raises(InvalidCalculationInput, match="2025"):
        pay(date(2026, 1, 2), "1000", result.year_to_date)
