"""Properties that hold for every monthly JP payslip."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.pack import Pack
from compliance.packs.jp_japan.regions import PREFECTURES
from compliance.packs.jp_japan.withholding import monthly_withholding
from compliance.registry import pack_for

pay_dates = st.sampled_from([date(2025, 5, 25), date(2025, 12, 25), date(2026, 1, 23), date(2026, 6, 25)])
pays = st.integers(min_value=0, max_value=5_000_000)
dependants = st.integers(min_value=0, max_value=12)
regions = st.sampled_from(sorted(PREFECTURES))
births = st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31))


@cache
def jp() -> Pack:
    return pack_for("JP")


def payslip(pay_date: date, pay: int, count: int, region: str, birth: date) -> CalculationResult:
    return jp().calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY, earnings={"regular": str(pay)},
        employee={"dependants": count, "date_of_birth": birth.isoformat()}, year_to_date={}, region=region,
    )


@settings(max_examples=200, deadline=None)
@given(pay_dates, pays, dependants, regions, births)
def test_no_negative_amounts_and_net_within_gross(
    pay_date: date, pay: int, count: int, region: str, birth: date
) -> None:
    result = payslip(pay_date, pay, count, region, birth)
    assert all(line.employee >= 0 and line.employer >= 0 for line in result.lines)
    assert result.totals.net <= result.totals.gross


@settings(max_examples=300, deadline=None)
@given(pay_dates, pays, pays, dependants)
def test_tax_never_falls_as_pay_rises(pay_date: date, first: int, second: int, count: int) -> None:
    tables = jp().series["withholding"].in_force(pay_date).parameters
    low, high = sorted((Decimal(first), Decimal(second)))
    assert monthly_withholding(tables, low, count).tax <= monthly_withholding(tables, high, count).tax


@settings(max_examples=200, deadline=None)
@given(pay_dates, pays, dependants)
def test_more_dependants_never_raise_the_tax(pay_date: date, pay: int, count: int) -> None:
    tables = jp().series["withholding"].in_force(pay_date).parameters
    assert monthly_withholding(tables, Decimal(pay), count + 1).tax <= monthly_withholding(
        tables, Decimal(pay), count).tax
