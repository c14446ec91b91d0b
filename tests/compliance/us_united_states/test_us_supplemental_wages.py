"""Withholding on supplemental wages (Earnings.bonus), IRS Publication 15 section 7.

Source: IRS Publication 15 (2025) and (2026), (Circular E), Employer's Tax Guide, section 7 "Supplemental
Wages", https://www.irs.gov/pub/irs-pdf/p15.pdf: up to $1 million of supplemental wages in the calendar
year the employer may withhold at the optional flat rate of 22% (or use the aggregate method); on the part
over $1 million it must withhold at 37% whatever the Form W-4 says. The pack's default is the flat rate
(``supplemental_method = "flat_rate"``); ``"aggregate"`` adds the bonus to this period's regular wages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from compliance.calculation import CalculationResult, PayFrequency
from compliance.registry import pack_for

D = Decimal


def pay(pay_date: date, frequency: str, regular: str, bonus: str, ytd: dict[str, Any] | None = None,
        **employee: Any) -> CalculationResult:
    return pack_for("US").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency(frequency), earnings={"regular": regular, "bonus": bonus},
        employee=employee, year_to_date=ytd or {},
    )


def income_tax(result: CalculationResult) -> Decimal:
    return next(line.employee for line in result.lines if line.code == "us.federal_income_tax")


def test_optional_flat_rate_22_percent() -> None:
    """2025, single, biweekly $2,000 regular + $5,000 bonus, flat rate.
    Regular wages by Worksheet 1A: 1c 52,000; 1i 43,400; STANDARD single row 18,325 / 1,192.50 / 12%;
    2f 12% x 25,075 = 3,009.00; 2g 4,201.50; 2h 4,201.50 / 26 = 161.596 -> 161.60.
    Bonus: 5,000 x 22% = 1,100.00. Total 1,261.60."""
    result = pay(date(2025, 12, 12), "biweekly", "2000", "5000")
    assert income_tax(result) == D("1261.60")
    assert result.year_to_date["supplemental_wages"] == D("5000")


def test_aggregate_method() -> None:
    """Same payment, aggregate method: Worksheet 1A on 2,000 + 5,000 = 7,000.
    1c 182,000; 1i 173,400; STANDARD single row 109,750 / 17,651 / 24%; 2f 24% x 63,650 = 15,276.00;
    2g 32,927.00; 2h 32,927 / 26 = 1,266.423 -> 1,266.42."""
    result = pay(date(2025, 12, 12), "biweekly", "2000", "5000", supplemental_method="aggregate")
    assert income_tax(result) == D("1266.42")


def test_mandatory_37_percent_over_one_million() -> None:
    """2026, single, monthly $10,000 regular + $50,000 bonus, $990,000 of supplemental wages already paid.
    Regular: 1c 120,000; 1i 111,400; STANDARD single (2026) row 57,900 / 5,800 / 22%;
    2f 22% x 53,500 = 11,770.00; 2g 17,570.00; 2h 17,570 / 12 = 1,464.1667 -> 1,464.17.
    Bonus: 10,000 up to $1 million x 22% = 2,200.00; 40,000 over it x 37% = 14,800.00.
    Total 1,464.17 + 2,200.00 + 14,800.00 = 18,464.17."""
    result = pay(date(2026, 12, 18), "monthly", "10000", "50000", {"supplemental_wages": "990000"})
    assert income_tax(result) == D("18464.17")
    assert result.year_to_date["supplemental_wages"] == D("1040000")


def test_mandatory_rate_applies_even_to_an_exempt_employee() -> None:
    """Over $1 million the 37% applies whatever the Form W-4 says (Pub 15 section 7), including exempt.
    2025: $1,200,000 already paid, bonus $100,000 -> 37,000.00; an exempt employee's regular pay and
    bonus up to $1 million carry no income tax."""
    result = pay(date(2025, 12, 19), "monthly", "0", "100000", {"supplemental_wages": "1200000"}, exempt=True)
    assert income_tax(result) == D("37000.00")
    below = pay(date(2025, 3, 19), "monthly", "8000", "20000", exempt=True)
    assert income_tax(below) == D("0")


def test_aggregate_method_over_one_million_still_takes_37_percent() -> None:
    """2025, single, biweekly $2,000 + bonus $5,000 with $998,000 already paid, aggregate method:
    3,000 over $1 million x 37% = 1,110.00; 2,000 aggregated -> Worksheet 1A on 4,000:
    1c 104,000; 1i 95,400; STANDARD single row 54,875 / 5,578.50 / 22%; 2f 22% x 40,525 = 8,915.50;
    2g 14,494.00; 2h 14,494 / 26 = 557.4615 -> 557.46. Total 1,667.46."""
    result = pay(date(2025, 12, 12), "biweekly", "2000", "5000", {"supplemental_wages": "998000"},
                 supplemental_method="aggregate")
    assert income_tax(result) == D("1667.46")


def test_a_bonus_paid_on_its_own_takes_only_the_flat_rate() -> None:
    """Flat-rate withholding ignores the Form W-4, so a bonus-only payment does not add Step 4(c):
    2026, bonus $2,000 alone, Step 4(c) $50 -> 2,000 x 22% = 440.00."""
    result = pay(date(2026, 3, 13), "biweekly", "0", "2000", extra_withholding="50")
    assert income_tax(result) == D("440.00")
