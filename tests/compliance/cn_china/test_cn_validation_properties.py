"""CN input validation, and properties that must hold for any pay: no negative tax, net ≤ gross, monotone tax."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, UnknownRegion, UnsupportedPayFrequency
from compliance.pack import Pack
from compliance.registry import pack_for

PACK = pack_for("CN")
REGIONS = st.sampled_from([None, "BJ", "SH", "SZ", "GZ", "HZ", "CD"])
AMOUNTS = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)
EMPLOYEES = st.fixed_dictionaries(
    {},
    optional={
        "children_in_education": st.integers(0, 3),
        "elderly_support": st.sampled_from(["none", "only_child"]),
        "housing_rent_tier": st.sampled_from(["none", "major_city", "small_city"]),
        "separate_bonus_taxation": st.booleans(),
        "external_special_deductions": st.decimals(0, 5000, places=2),
    },
)


def calc(pack: Pack = PACK, **changes: Any) -> CalculationResult:
    args: dict[str, Any] = {
        "pay_date": date(2025, 9, 25), "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "10000"}, "employee": {}, "year_to_date": {}, "region": "BJ",
    }
    args.update(changes)
    return pack.calculate_raw(**args)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"employee": {"unknown": 1}}, "unknown"),
        ({"employee": {"children_in_education": 21}}, "children_in_education"),
        ({"employee": {"children_in_education": -1}}, "children_in_education"),
        ({"employee": {"contribution_base": "-1"}}, "contribution_base"),
        ({"employee": {"other_deductions": "x"}}, "other_deductions"),
        ({"employee": {"housing_rent_tier": "palace"}}, "housing_rent_tier"),
        ({"employee": {"housing_loan_interest": True, "housing_rent_tier": "major_city"}}, "cannot both"),
        ({"employee": {"elderly_support_amount": "100"}}, "only used when"),
        ({"year_to_date": {"months_employed": 13}}, "months_employed"),
        ({"year_to_date": {"tax_withheld": "-5"}}, "tax_withheld"),
        ({"year_to_date": {"last_pay_month": 2, "last_contribution_month": 3}}, "last_contribution_month"),
        ({"year_to_date": {"tax_year": 2025, "months_employed": 10, "last_pay_month": 10}}, "after the pay date"),
        ({"year_to_date": {"tax_year": 2026}}, "after the pay date"),
        ({"earnings": {"regular": "-1"}}, "negative"),
        ({"earnings": {}}, "regular"),
    ],
)
def test_invalid_input_is_refused(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=match):
        calc(**changes)


def test_unknown_city_and_frequency_are_refused() -> None:
    with pytest.raises(UnknownRegion):
        calc(region="XX")  # not one of the pack's city codes
    with pytest.raises(UnsupportedPayFrequency):
        calc(pay_frequency=PayFrequency.WEEKLY)


def test_result_chains_as_the_next_input() -> None:
    first = calc()
    second = calc(pay_date=date(2025, 10, 25), year_to_date=first.year_to_date)
    assert second.year_to_date["months_employed"] == 2
    assert second.year_to_date["tax_withheld"] == first.year_to_date["tax_withheld"] + next(
        line.employee for line in second.lines if line.code == "cn.iit")


@settings(max_examples=150, deadline=None)
@given(regular=AMOUNTS, bonus=AMOUNTS, region=REGIONS, employee=EMPLOYEES, month=st.integers(7, 12))
def test_no_negative_tax_and_net_not_above_gross(
    regular: Decimal, bonus: Decimal, region: str | None, employee: dict[str, Any], month: int,
) -> None:
    result = calc(
        pay_date=date(2025, month, 20), earnings={"regular": regular, "bonus": bonus}, employee=employee, region=region,
    )
    assert all(line.employee >= 0 and line.employer >= 0 for line in result.lines)
    assert result.totals.net <= result.totals.gross


def _tax(result: CalculationResult) -> Decimal:
    return sum((line.employee for line in result.lines if line.code.startswith("cn.iit")), Decimal("0"))


@settings(max_examples=150, deadline=None)
@given(regular=AMOUNTS, raise_by=st.decimals(0, 100_000, places=2), region=REGIONS, employee=EMPLOYEES)
def test_tax_never_falls_as_current_pay_rises(
    regular: Decimal, raise_by: Decimal, region: str | None, employee: dict[str, Any],
) -> None:
    """Within one period the contribution base is the declared one (last year's average wage), so a raise in this
    month's pay changes only the tax. (With the base tracking this month's pay, a housing fund rounded to the whole
    yuan can lower taxable income by up to 0.99 for a 0.01 raise: a real, tiny effect of the cities' rounding.)"""
    employee = {**employee, "contribution_base": "12000"}
    low = calc(earnings={"regular": regular}, employee=employee, region=region)
    high = calc(earnings={"regular": regular + raise_by}, employee=employee, region=region)
    assert _tax(high) >= _tax(low)


@settings(max_examples=150, deadline=None)
@given(bonus=AMOUNTS, raise_by=st.decimals(0, 100_000, places=2), employee=EMPLOYEES)
def test_tax_never_falls_as_the_bonus_rises(bonus: Decimal, raise_by: Decimal, employee: dict[str, Any]) -> None:
    low = calc(earnings={"regular": "8000", "bonus": bonus}, employee=employee)
    high = calc(earnings={"regular": "8000", "bonus": bonus + raise_by}, employee=employee)
    assert _tax(high) >= _tax(low)
