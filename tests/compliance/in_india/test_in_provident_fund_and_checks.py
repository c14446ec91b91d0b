"""IN provident fund (EPF/EPS/EDLI/admin charges), invariants, input validation and labour data.

Sources:
- EPFACT: Employees' Provident Funds and Miscellaneous Provisions Act 1952, s.6 (12% by employee and employer),
  https://www.epfindia.gov.in/site_docs/PDFs/Downloads_PDFs/EPFAct1952.pdf
- EPS: Employees' Pension Scheme 1995, para 3(2) (8.33% of pay up to Rs 15,000 = Rs 1,250 to the Pension Fund),
  https://www.epfindia.gov.in/site_docs/PDFs/Downloads_PDFs/EPS95.pdf
- SCHEME: EPF Scheme 1952, para 29(4) (each contribution calculated to the nearest rupee, 50 paise or more counted
  as the next higher rupee),
  https://www.epfindia.gov.in/site_docs/PDFs/Downloads_PDFs/EPFScheme.pdf
- EPFO: contribution rates (EPF 3.67% / EPS 8.33% employer split; EDLI 0.5%; administrative charges 0.5%),
  https://www.epfindia.gov.in/site_en/Contributions.php
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, NoParametersInForce, UnsupportedPayFrequency
from compliance.labour import Contract
from compliance.registry import pack_for


def pay(regular: Decimal | str, *, pay_date: date = date(2025, 6, 30), bonus: Decimal | str = "0",
        ytd: dict[str, Any] | None = None, **employee: Any) -> CalculationResult:
    return pack_for("IN").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": regular, "bonus": bonus}, employee=employee, year_to_date=ytd or {},
    )


def amounts(result: CalculationResult) -> dict[str, tuple[Decimal, Decimal]]:
    return {line.code: (line.employee, line.employer) for line in result.lines if line.code != "in.tds"}


def test_contributions_at_the_wage_ceiling() -> None:
    """EPFACT s.6 / EPS para 3(2) / EPFO: basic Rs 15,000 -> employee 1,800; employer 1,800 split EPS 1,250 and
    EPF 550; EDLI 0.5% = 75; administrative charges 0.5% = 75."""
    assert amounts(pay("15000")) == {
        "in.epf": (Decimal("1800"), Decimal("550")),
        "in.eps": (Decimal("0"), Decimal("1250")),
        "in.edli": (Decimal("0"), Decimal("75")),
        "in.epf_admin": (Decimal("0"), Decimal("75")),
    }


def test_basic_above_the_ceiling_contributes_on_the_ceiling_or_on_actual_pay() -> None:
    """EPS para 3(2): the pension share stays at 8.33% of Rs 15,000 = 1,250 whatever the PF basis; on actual
    basic of Rs 25,000 the employee pays 3,000 and the employer's EPF share is 3,000 - 1,250 = 1,750."""
    assert amounts(pay("25000"))["in.epf"] == (Decimal("1800"), Decimal("550"))
    on_actual = amounts(pay("25000", pf_wage_basis="actual"))
    assert on_actual["in.epf"] == (Decimal("3000"), Decimal("1750"))
    assert on_actual["in.eps"] == (Decimal("0"), Decimal("1250"))
    assert on_actual["in.edli"] == (Decimal("0"), Decimal("75"))
    assert on_actual["in.epf_admin"] == (Decimal("0"), Decimal("125"))


def test_each_contribution_is_rounded_to_the_rupee() -> None:
    """SCHEME para 29(4): basic Rs 12,345 -> 12% = 1,481.40 -> 1,481; EPS 8.33% = 1,028.34 -> 1,028; employer EPF
    1,481 - 1,028 = 453; EDLI and admin 61.725 -> 62."""
    assert amounts(pay("12345")) == {
        "in.epf": (Decimal("1481"), Decimal("453")),
        "in.eps": (Decimal("0"), Decimal("1028")),
        "in.edli": (Decimal("0"), Decimal("62")),
        "in.epf_admin": (Decimal("0"), Decimal("62")),
    }


def test_members_outside_the_pension_scheme_put_all_twelve_percent_in_epf() -> None:
    """EPS para 3(2) applies to members of the Pension Scheme only."""
    result = amounts(pay("15000", pension_member=False))
    assert result["in.epf"] == (Decimal("1800"), Decimal("1800"))
    assert result["in.eps"] == (Decimal("0"), Decimal("0"))


def test_non_members_have_no_provident_fund_lines() -> None:
    assert amounts(pay("15000", pf_member=False)) == {}


def test_bonus_and_allowances_are_not_basic_wages() -> None:
    """EPFACT s.2(b)(ii): basic wages exclude overtime, bonus and house-rent and similar allowances."""
    result = pack_for("IN").calculate_raw(
        pay_date=date(2025, 6, 30), pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": "10000", "overtime": "2000", "allowances": "5000", "bonus": "20000"},
        employee={}, year_to_date={},
    )
    assert amounts(result)["in.epf"] == (Decimal("1200"), Decimal("367"))  # EPS 833


money = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000000"), places=2)
months = st.sampled_from([date(2025, 4, 30), date(2025, 9, 30), date(2026, 1, 31), date(2026, 3, 31)])


@settings(max_examples=300, deadline=None)
@given(regular=money, bonus=money, salary_so_far=money, pay_date=months,
       basis=st.sampled_from(["ceiling", "actual"]), resident=st.booleans())
def test_nothing_is_negative_and_net_never_exceeds_gross(
    regular: Decimal, bonus: Decimal, salary_so_far: Decimal, pay_date: date, basis: str, resident: bool,
) -> None:
    ytd = {"financial_year": 2025, "salary": salary_so_far}
    result = pay(regular, pay_date=pay_date, bonus=bonus, ytd=ytd, pf_wage_basis=basis, resident=resident)
    assert all(line.employee >= 0 and line.employer >= 0 for line in result.lines)
    assert result.totals.net <= result.totals.gross


@settings(max_examples=300, deadline=None)
@given(low=money, extra=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500000"), places=2),
       pay_date=months, resident=st.booleans())
def test_tax_never_falls_as_pay_rises(low: Decimal, extra: Decimal, pay_date: date, resident: bool) -> None:
    def tax(regular: Decimal) -> Decimal:
        result = pay(regular, pay_date=pay_date, resident=resident, pf_member=False)
        return result.lines[0].employee

    assert tax(low + extra) >= tax(low)


def test_missing_or_invalid_attributes_are_refused() -> None:
    pack = pack_for("IN")
    base: dict[str, Any] = {
        "pay_date": date(2025, 6, 30), "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "50000"}, "employee": {}, "year_to_date": {},
    }
    with pytest.raises(InvalidCalculationInput, match="tax_regime"):
        pack.calculate_raw(**{**base, "employee": {"tax_regime": "old"}})
    with pytest.raises(InvalidCalculationInput, match="pf_wage_basis"):
        pack.calculate_raw(**{**base, "employee": {"pf_wage_basis": "half"}})
    with pytest.raises(InvalidCalculationInput, match="unknown"):
        pack.calculate_raw(**{**base, "employee": {"unknown": True}})
    with pytest.raises(InvalidCalculationInput, match="tds"):
        pack.calculate_raw(**{**base, "year_to_date": {"tds": "-5"}})
    with pytest.raises(InvalidCalculationInput, match="financial_year"):
        pack.calculate_raw(**{**base, "year_to_date": {"financial_year": 25000}})
    with pytest.raises(InvalidCalculationInput, match="regular"):
        pack.calculate_raw(**{**base, "earnings": {}})
    with pytest.raises(UnsupportedPayFrequency):
        pack.calculate_raw(**{**base, "pay_frequency": PayFrequency.WEEKLY})
    with pytest.raises(NoParametersInForce):
        pack.calculate_raw(**{**base, "pay_date": date(2025, 3, 31)})


def test_result_names_the_versions_and_traces_the_steps() -> None:
    result = pay("100000", bonus="50000")
    assert result.parameter_versions == {"provident_fund": "in-epf-2025", "income_tax": "in-income-tax-fy2025-26"}
    steps = [step.step for step in result.trace]
    assert "estimated salary of the year" in steps
    assert "tax of the year (with this month's bonus)" in steps
    assert steps[-1] == "TDS this month"


def test_labour_minimums() -> None:
    """Factories Act 1948 ss.51, 59(1), 64(4), 79(1); Industrial Disputes Act 1947 s.25F(a); Child and Adolescent
    Labour (Prohibition and Regulation) Act 1986 s.3."""
    pack = pack_for("IN")
    law = pack.labour_law(date(2025, 6, 1))
    assert law.minimum_wage.value == []
    assert law.standard_weekly_hours.value == Decimal("48")
    assert law.maximum_weekly_hours is not None and law.maximum_weekly_hours.value == Decimal("60")
    assert law.overtime_multipliers.value == {"overtime": Decimal("2")}
    assert law.annual_leave_days.value == Decimal("12")
    assert [(t.service_months, t.days) for t in law.notice_periods.value] == [(12, 30)]
    assert law.minimum_working_age.value == 14
    assert law.maximum_probation is None
    contract = Contract(start_date=date(2025, 6, 2), pay_amount=Decimal("20000"), pay_unit="month",
                        weekly_hours=Decimal("66"), date_of_birth=date(2012, 1, 1), notice_days=7)
    assert [v.code for v in pack.check_contract(contract)] == [
        "labour.weekly_hours", "labour.notice_period", "labour.minimum_age",
    ]
    assert pack.calendar().is_working_day(date(2025, 8, 15)) is False  # Independence Day
