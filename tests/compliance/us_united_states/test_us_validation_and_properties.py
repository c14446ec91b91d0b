"""Input validation and properties of the US pack: no negative tax, net <= gross, tax never falls as pay rises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, UnknownRegion, UnsupportedPayFrequency
from compliance.registry import pack_for

#: The pay periods of Pub 15-T Worksheet 1A line 1b (four-weekly has none).
FREQUENCIES = [
    PayFrequency.DAILY, PayFrequency.WEEKLY, PayFrequency.BIWEEKLY, PayFrequency.SEMIMONTHLY, PayFrequency.MONTHLY,
    PayFrequency.QUARTERLY, PayFrequency.SEMIANNUAL, PayFrequency.ANNUAL,
]
STATUSES = ["single", "married_filing_separately", "married_filing_jointly", "qualifying_surviving_spouse",
            "head_of_household"]


def calc(employee: dict[str, Any] | None = None, ytd: dict[str, Any] | None = None, regular: str = "3000",
         frequency: PayFrequency = PayFrequency.BIWEEKLY, pay_date: date = date(2026, 5, 1),
         **kwargs: Any) -> CalculationResult:
    return pack_for("US").calculate_raw(
        pay_date=pay_date, pay_frequency=frequency, earnings={"regular": regular},
        employee=employee or {}, year_to_date=ytd or {}, **kwargs,
    )


@pytest.mark.parametrize(
    ("employee", "match"),
    [
        ({"filing_status": "married"}, "filing_status"),
        ({"multiple_jobs": "yes"}, "multiple_jobs"),
        ({"dependents_amount": "-1"}, "dependents_amount"),
        ({"other_income": "abc"}, "other_income"),
        ({"deductions": "NaN"}, "deductions"),
        ({"extra_withholding": "2000000000"}, "extra_withholding"),
        ({"allowances": 3}, "allowances"),
        ({"form_version": "2019_or_earlier", "allowances": 100}, "allowances"),
        ({"form_version": "2019_or_earlier", "filing_status": "head_of_household"}, "2019-or-earlier"),
        ({"form_version": "2019_or_earlier", "multiple_jobs": True}, "2019-or-earlier"),
        ({"supplemental_method": "cumulative"}, "supplemental_method"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_employee_attributes_are_refused(employee: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=match):
        calc(employee)


@pytest.mark.parametrize(
    ("ytd", "match"),
    [
        ({"social_security_wages": "-5"}, "social_security_wages"),
        ({"medicare_wages": "x"}, "medicare_wages"),
        ({"tax_year": 1999}, "tax_year"),
        ({"tax_year": 2025}, "2025"),
        ({"gross": "1"}, "gross"),
    ],
)
def test_invalid_year_to_date_is_refused(ytd: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=match):
        calc(ytd=ytd)


def test_frequencies_regions_and_overrides() -> None:
    assert pack_for("US").frequencies == frozenset(FREQUENCIES)
    assert len(pack_for("US").regions) == 51 and pack_for("US").regions["DC"] == "District of Columbia"
    with pytest.raises(UnsupportedPayFrequency):
        calc(frequency=PayFrequency.FOUR_WEEKLY)
    # The payroll is federal: a state changes nothing on the payslip, and only the states and DC are regions.
    assert calc(region="CA").totals == calc().totals
    for not_a_region in ("PR", "US-CA", "ZZ"):
        with pytest.raises(UnknownRegion):
            calc(region=not_a_region)
    from compliance.errors import OverrideNotAllowed

    with pytest.raises(OverrideNotAllowed):
        calc(overrides={"supplemental_flat_rate": Decimal("0.25")})
    with pytest.raises(InvalidCalculationInput, match="negative"):
        calc(regular="-1")


def test_no_tables_outside_2025_and_2026() -> None:
    from compliance.errors import NoParametersInForce

    with pytest.raises(NoParametersInForce):
        calc(pay_date=date(2024, 12, 31))
    with pytest.raises(NoParametersInForce):
        calc(pay_date=date(2027, 1, 1))


def test_income_tax_never_exceeds_what_is_left_after_fica() -> None:
    """A Step 4(c) amount bigger than the pay cannot be withheld from money not paid."""
    result = calc({"extra_withholding": "500"}, regular="100")
    assert result.totals.net == Decimal("0.00")
    assert result.lines[0].employee == Decimal("92.35")  # 100 - 6.20 - 1.45


def test_result_year_to_date_is_the_next_input() -> None:
    first = calc(regular="4000")
    second = calc(ytd=first.year_to_date, regular="4000")
    assert second.year_to_date["medicare_wages"] == Decimal("8000")
    assert second.year_to_date["federal_income_tax"] == 2 * first.year_to_date["federal_income_tax"]


money = st.decimals(min_value=0, max_value=400_000, places=2, allow_nan=False, allow_infinity=False)
employees = st.fixed_dictionaries({
    "filing_status": st.sampled_from(STATUSES),
    "multiple_jobs": st.booleans(),
    "dependents_amount": st.decimals(min_value=0, max_value=20_000, places=0),
    "other_income": st.decimals(min_value=0, max_value=100_000, places=0),
    "deductions": st.decimals(min_value=0, max_value=100_000, places=0),
    "extra_withholding": st.decimals(min_value=0, max_value=200, places=2),
    "supplemental_method": st.sampled_from(["flat_rate", "aggregate"]),
})
year_to_date = st.fixed_dictionaries({
    "social_security_wages": st.decimals(min_value=0, max_value=184_500, places=2),
    "medicare_wages": st.decimals(min_value=0, max_value=900_000, places=2),
    "supplemental_wages": st.decimals(min_value=0, max_value=1_500_000, places=2),
})


def run(employee: dict[str, Any], ytd: dict[str, Any], frequency: PayFrequency, regular: Decimal,
        bonus: Decimal, pay_date: date) -> CalculationResult:
    return pack_for("US").calculate_raw(
        pay_date=pay_date, pay_frequency=frequency, earnings={"regular": regular, "bonus": bonus},
        employee=employee, year_to_date=ytd,
    )


@settings(max_examples=300, deadline=None)
@given(employees, year_to_date, st.sampled_from(FREQUENCIES), money, money, money,
       st.sampled_from([date(2025, 6, 30), date(2026, 6, 30)]))
def test_properties(employee: dict[str, Any], ytd: dict[str, Any], frequency: PayFrequency, regular: Decimal,
                    bonus: Decimal, raise_by: Decimal, pay_date: date) -> None:
    lower = run(employee, ytd, frequency, regular, bonus, pay_date)
    higher = run(employee, ytd, frequency, regular + raise_by, bonus, pay_date)
    for result in (lower, higher):
        assert all(line.employee >= 0 and line.employer >= 0 for line in result.lines)
        assert result.totals.net <= result.totals.gross
    for low, high in zip(lower.lines, higher.lines, strict=True):
        assert high.employee >= low.employee, low.code
        assert high.employer >= low.employer, low.code
