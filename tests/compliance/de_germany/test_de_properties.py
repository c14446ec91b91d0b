"""Properties that must hold for every German calculation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.registry import pack_for

TAX_CODES = ("de.wage_tax", "de.solidarity_surcharge", "de.church_tax")

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("40000"), places=2)
employees = st.fixed_dictionaries(
    {
        "tax_class": st.integers(min_value=1, max_value=6),
        "church_member": st.booleans(),
        "care_childless_surcharge": st.booleans(),
        "pension_insured": st.booleans(),
        "health_insurance": st.sampled_from(["statutory", "private"]),
        "private_health_premium_monthly": st.decimals(min_value=0, max_value=1500, places=2),
        "health_additional_rate_percent": st.decimals(min_value=0, max_value=4, places=2),
    }
)
contexts = st.tuples(
    st.sampled_from([date(2025, 5, 31), date(2026, 11, 30)]),
    st.sampled_from([PayFrequency.MONTHLY, PayFrequency.WEEKLY, PayFrequency.DAILY, PayFrequency.ANNUAL]),
    st.sampled_from(["BY", "SN", "NW"]),
)


def calc(employee: dict[str, Any], context: tuple[date, PayFrequency, str], regular: Decimal) -> CalculationResult:
    pay_date, frequency, region = context
    return pack_for("DE").calculate_raw(
        pay_date=pay_date,
        pay_frequency=frequency,
        earnings={"regular": regular},
        employee=employee,
        year_to_date={},
        region=region,
    )


def total_tax(result: CalculationResult) -> Decimal:
    return sum((item.employee for item in result.lines if item.code in TAX_CODES), Decimal("0"))


@settings(max_examples=300, deadline=None)
@given(employee=employees, context=contexts, regular=amounts)
def test_no_negative_amounts_and_net_not_above_gross(
    employee: dict[str, Any], context: tuple[date, PayFrequency, str], regular: Decimal
) -> None:
    result = calc(employee, context, regular)
    assert all(item.employee >= 0 and item.employer >= 0 for item in result.lines)
    assert result.totals.net <= result.totals.gross


@settings(max_examples=300, deadline=None)
@given(employee=employees, context=contexts, regular=amounts, raise_by=amounts)
def test_tax_never_falls_as_pay_rises(
    employee: dict[str, Any], context: tuple[date, PayFrequency, str], regular: Decimal, raise_by: Decimal
) -> None:
    lower = calc(employee, context, regular)
    higher = calc(employee, context, regular + raise_by)
    assert total_tax(higher) >= total_tax(lower)
    for code in ("de.wage_tax", "de.solidarity_surcharge"):
        assert sum(i.employee for i in higher.lines if i.code == code) >= sum(
            i.employee for i in lower.lines if i.code == code
        )
