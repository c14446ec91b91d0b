"""GB PAYE and National Insurance against HMRC's own published figures, to the penny.

Sources:
- TESTDATA: HMRC, "Notes for payroll software developers", Annex B "Test Data - 2009-2010" (cumulative suffix
  and K codes: pay adjustment, taxable pay and tax "per specification"), page 24,
  https://www.yumpu.com/en/document/view/6079712/hmrc-notes-for-payroll-software-developers-hm-revenue-/24
  The Tables A pay adjustments do not change from year to year; the tax figures use the 2009-10 bands
  (basic rate 20% on the first £37,400 of taxable pay, higher rate 40% above), which the test supplies.
- NIRATES: HMRC, "National Insurance rates and categories" (2025 to 2026), worked example "If you're in
  category A and you earn £1,000 in a week you'll pay ... £58.66", https://www.gov.uk/national-insurance-rates-letters
- TABLESA: HMRC, "Tables A - Pay adjustment tables", instructions for codes over 500 (£96.16 a week and
  £416.67 a month for each 500), https://www.gov.uk/government/publications/tables-a-pay-adjustment-tables
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.calculation import PayFrequency
from compliance.packs.gb_united_kingdom.paye import period_one_adjustment, tax_due_to_date
from compliance.packs.gb_united_kingdom.schemas import TaxBand
from compliance.registry import pack_for

WEEKLY_PER_500 = Decimal("96.16")
MONTHLY_PER_500 = Decimal("416.67")
BANDS_2009_10 = [TaxBand(rate=Decimal("0.20"), width=Decimal("37400")), TaxBand(rate=Decimal("0.40"))]


@pytest.mark.parametrize(
    ("code_number", "base", "per_500", "period", "pay_adjustment"),
    [
        (510, 52, WEEKLY_PER_500, 8, "786.08"),  # 510L week 8
        (510, 52, WEEKLY_PER_500, 29, "2849.54"),  # 510L week 29
        (560, 12, MONTHLY_PER_500, 3, "1402.26"),  # 560T month 3
        (560, 12, MONTHLY_PER_500, 10, "4674.20"),  # 560T month 10
        (255, 12, MONTHLY_PER_500, 5, "1066.25"),  # K255 month 5 (additional pay)
        (255, 12, MONTHLY_PER_500, 8, "1706.00"),  # K255 month 8 (additional pay)
    ],
)
def test_pay_adjustment_matches_hmrc_test_data(
    code_number: int, base: int, per_500: Decimal, period: int, pay_adjustment: str,
) -> None:
    """TESTDATA, column "pay adjustment": Tables A figure for the code times the week or month number.

    510 -> one block of 500 (£96.16 a week) plus code 10: (10 x 10 + 9) / 52 = 2.0961.. -> 2.10 a week.
    560 -> one block (£416.67 a month) plus code 60: 609 / 12 = 50.75 a month.
    255 -> 2559 / 12 = 213.25 a month.
    """
    assert period_one_adjustment(code_number, base, per_500) * period == Decimal(pay_adjustment)


@pytest.mark.parametrize(
    ("taxable_pay", "base", "period", "tax"),
    [
        ("1260.07", 52, 8, "252.00"),  # 510L week 8
        ("241.68", 52, 29, "48.20"),  # 510L week 29
        ("1347.74", 12, 3, "269.40"),  # 560T month 3
        ("16613.55", 12, 10, "3322.60"),  # 560T month 10
        ("7089.91", 12, 5, "1417.80"),  # K255 month 5
        ("34505.98", 12, 8, "8815.33"),  # K255 month 8: into the higher rate band
    ],
)
def test_tax_due_to_date_matches_hmrc_test_data(taxable_pay: str, base: int, period: int, tax: str) -> None:
    """TESTDATA, columns "taxable pay" and "results per specification" (tax due to date).

    The K255 month 8 case pins the band arithmetic: the month-8 basic rate limit is 37,400 x 8 / 12 =
    24,933.3333 (4 places, rounded down) and its tax 4,986.6666; taxable pay rounded down to £34,505 gives
    4,986.6666 + (34,505 - 24,933.3333) x 40% = 8,815.3332 -> £8,815.33. Rounding the limit up to £24,934
    first would give £8,815.20, which is not HMRC's answer.
    """
    assert tax_due_to_date(Decimal(taxable_pay), BANDS_2009_10, period, base) == Decimal(tax)


def test_category_a_weekly_example_from_national_insurance_rates_page() -> None:
    """NIRATES: category A, £1,000 in a week of 2025 to 2026 -> nothing on the first £242, 8% (£58) on
    £242.01 to £967, 2% (£0.66) above £967: £58.66 a week."""
    result = pack_for("GB").calculate_raw(
        pay_date=date(2025, 6, 6), pay_frequency=PayFrequency.WEEKLY, earnings={"regular": "1000.00"},
        employee={"tax_code": "1257L", "ni_category": "A"}, year_to_date={},
    )
    nic = next(line for line in result.lines if line.code == "gb.class1_nic")
    assert nic.employee == Decimal("58.66")


@pytest.mark.parametrize(
    ("frequency", "pay_date", "free_pay"),
    [
        (PayFrequency.WEEKLY, date(2025, 4, 11), "241.92"),
        (PayFrequency.MONTHLY, date(2025, 4, 30), "1048.26"),
    ],
)
def test_standard_code_free_pay_follows_tables_a(frequency: PayFrequency, pay_date: date, free_pay: str) -> None:
    """TABLESA: code 1257 = two blocks of 500 plus code 257.

    Week 1: 2 x £96.16 + (257 x 10 + 9) / 52 = 192.32 + 49.596.. -> 49.60 = £241.92.
    Month 1: 2 x £416.67 + 2,579 / 12 = 833.34 + 214.916.. -> 214.92 = £1,048.26.
    """
    result = pack_for("GB").calculate_raw(
        pay_date=pay_date, pay_frequency=frequency, earnings={"regular": "100"},
        employee={"tax_code": "1257L"}, year_to_date={},
    )
    free = next(step for step in result.trace if step.step == "free pay")
    assert free.value == free_pay
