"""SG pack: invariants over many wages, input validation, labour data."""

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
from compliance.packs.sg_singapore.pack import CPF_SERIES
from compliance.parameters import Verification
from compliance.registry import pack_for

wages = st.decimals(min_value=Decimal("0"), max_value=Decimal("60000"), places=2)
births = st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31))
pay_dates = st.sampled_from([date(2025, 1, 31), date(2025, 7, 31), date(2026, 3, 31), date(2026, 12, 31),
                             date(2027, 5, 31)])


def run(pay_date: date, regular: Decimal, bonus: Decimal = Decimal("0"), born: date = date(1990, 1, 1),
        ytd: dict[str, Any] | None = None) -> CalculationResult:
    return pack_for("SG").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": regular, "bonus": bonus},
        employee={"date_of_birth": born}, year_to_date=ytd or {},
    )


@settings(max_examples=300, deadline=None)
@given(regular=wages, bonus=wages, born=births, pay_date=pay_dates)
def test_contributions_are_never_negative_and_net_never_exceeds_gross(
    regular: Decimal, bonus: Decimal, born: date, pay_date: date,
) -> None:
    result = run(pay_date, regular, bonus, born)
    (line,) = result.lines
    assert line.employee >= 0
    assert line.employer >= 0
    assert result.totals.net <= result.totals.gross
    assert result.totals.net >= 0


@settings(max_examples=300, deadline=None)
@given(low=wages, extra=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2), born=births,
       pay_date=pay_dates)
def test_the_employee_share_never_falls_as_wages_rise(low: Decimal, extra: Decimal, born: date, pay_date: date) -> None:
    lower = run(pay_date, low, born=born).lines[0]
    higher = run(pay_date, low + extra, born=born).lines[0]
    assert higher.employee >= lower.employee
    assert higher.employee + higher.employer >= lower.employee + lower.employer


@settings(max_examples=100, deadline=None)
@given(regular=wages, bonuses=st.lists(wages, min_size=12, max_size=12))
def test_a_year_never_exceeds_the_annual_salary_ceiling(regular: Decimal, bonuses: list[Decimal]) -> None:
    ytd: dict[str, Any] = {}
    subject = Decimal("0")
    for month, bonus in enumerate(bonuses, start=1):
        result = run(date(2026, month, 28), regular, bonus, ytd=ytd)
        subject += result.lines[0].base or Decimal("0")
        ytd = result.year_to_date
    assert subject <= Decimal("102000")


def test_missing_or_invalid_attributes_are_refused() -> None:
    pack = pack_for("SG")
    base: dict[str, Any] = {
        "pay_date": date(2026, 6, 30), "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "3000"}, "year_to_date": {},
    }
    with pytest.raises(InvalidCalculationInput, match="date_of_birth"):
        pack.calculate_raw(**base, employee={})
    with pytest.raises(InvalidCalculationInput, match="residency"):
        pack.calculate_raw(**base, employee={"date_of_birth": "1990-01-01", "residency": "foreigner"})
    with pytest.raises(InvalidCalculationInput, match="unknown"):
        pack.calculate_raw(**base, employee={"date_of_birth": "1990-01-01", "unknown": 1})
    with pytest.raises(InvalidCalculationInput, match="1900"):
        pack.calculate_raw(**base, employee={"date_of_birth": "1850-01-01"})
    with pytest.raises(InvalidCalculationInput, match="after the pay month"):
        pack.calculate_raw(**base, employee={"date_of_birth": "2026-07-01"})
    with pytest.raises(InvalidCalculationInput, match="additional_wages_paid"):
        pack.calculate_raw(**{**base, "year_to_date": {"additional_wages_paid": "-1"}},
                           employee={"date_of_birth": "1990-01-01"})
    with pytest.raises(InvalidCalculationInput, match="year"):
        pack.calculate_raw(**{**base, "year_to_date": {"year": 1800}}, employee={"date_of_birth": "1990-01-01"})
    with pytest.raises(UnsupportedPayFrequency):
        pack.calculate_raw(**{**base, "pay_frequency": PayFrequency.WEEKLY}, employee={"date_of_birth": "1990-01-01"})
    with pytest.raises(NoParametersInForce):
        pack.calculate_raw(**{**base, "pay_date": date(2024, 12, 31)}, employee={"date_of_birth": "1990-01-01"})


def test_trace_and_parameter_versions_name_the_table_used() -> None:
    result = run(date(2026, 6, 30), Decimal("3000"))
    assert result.parameter_versions == {"cpf": "sg-cpf-2026"}
    steps = {step.step for step in result.trace}
    assert {"CPF age", "age band", "additional wage ceiling", "total CPF contribution", "employee's share"} <= steps


def test_employment_act_minimums() -> None:
    """MOM: 44 normal hours a week (EA s.38), 1.5x overtime, 7 days' leave in year one (s.88A), notice by service
    (s.10(3)), light work from 13; no general minimum wage."""
    pack = pack_for("SG")
    law = pack.labour_law(date(2026, 1, 1))
    assert law.minimum_wage.value == []
    assert law.standard_weekly_hours.value == Decimal("44")
    assert law.overtime_multipliers.value == {"overtime": Decimal("1.5")}
    assert law.annual_leave_days.value == Decimal("7")
    assert [(t.service_months, t.days) for t in law.notice_periods.value] == [(0, 1), (6, 7), (24, 14), (60, 28)]
    assert law.minimum_working_age.value == 13
    assert law.maximum_probation is None
    contract = Contract(start_date=date(2026, 1, 5), pay_amount=Decimal("1"), pay_unit="hour",
                        weekly_hours=Decimal("44"), date_of_birth=date(2014, 1, 1), annual_leave_days=Decimal("5"))
    assert [v.code for v in pack.check_contract(contract)] == ["labour.annual_leave", "labour.minimum_age"]
    assert pack.calendar().is_working_day(date(2026, 8, 10)) is False  # National Day observed (9 Aug is a Sunday)


def test_cpf_verification_levels_as_reviewed_on_2_december_2026() -> None:
    """The >$750 rates by age are official (cpf.gov.sg, 'how much CPF contributions to pay', rates from 1 January
    2026) and the annual salary ceiling too; the $8,000 OW ceiling is corroborated (ACSETA, cpfcalculator.sg). The
    $500-$750 phase-in factors of the rows above 55 and of the SPR tables were read nowhere, nor the 2026 wage bands'
    statute, so 2026 and 2027 stay unverified until the CPF Board's rate tables are read or a tenant accepts them.
    A second search (statute amendments on Singapore Statutes Online, CPF calculators and GitHub CPF data files) found
    the SPR graduated rates restated as unchanged but still no source printing the 2026 or 2027 phase-in factors."""
    cpf = pack_for("SG").series[CPF_SERIES]
    current = cpf.in_force(date(2026, 12, 2)).parameters
    assert current.annual_salary_ceiling.source.verification is Verification.OFFICIAL
    assert current.ordinary_wage_ceiling.source.verification is Verification.CORROBORATED
    assert current.age_bands.source.verification is Verification.UNVERIFIED
    for day in (date(2026, 12, 2), date(2027, 1, 1)):
        assert cpf.in_force(day).verification is Verification.UNVERIFIED
