"""Inputs the JP pack refuses, each with a message that names the problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, NoParametersInForce, UnknownRegion, UnsupportedPayFrequency
from compliance.pack import Pack
from compliance.registry import pack_for


@pytest.fixture(scope="module")
def pack() -> Pack:
    return pack_for("JP")


def calc(pack: Pack, **changes: Any) -> CalculationResult:
    args: dict[str, Any] = {
        "pay_date": date(2025, 11, 25), "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "250000"}, "employee": {"date_of_birth": "1988-08-08", "dependants": 1},
        "year_to_date": {}, "region": "13",
    }
    args.update(changes)
    return pack.calculate_raw(**args)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"earnings": {"regular": "250000", "bonus": "500000"}}, "bonus"),
        ({"employee": {"declaration_submitted": False}}, "乙欄"),
        ({"employee": {"dependants": 1}}, "date_of_birth"),
        ({"region": None}, "region"),
        ({"employee": {"date_of_birth": "1988-08-08", "standard_monthly_remuneration": "250000"}}, "grade"),
        ({"earnings": {"regular": "250000.50"}}, "whole number of yen"),
        ({"employee": {"dependants": -1}}, "dependants"),
        ({"employee": {"dependants": 100}}, "dependants"),
        ({"employee": {"spouse": True}}, "spouse"),
        ({"employee": {"premiums": {"health_insurance": "-5"}}}, "premiums.health_insurance"),
        ({"employee": {"premiums": {"pension": "100"}}}, "pension"),
        ({"employee": {"business_type": "mining"}}, "business_type"),
        ({"employee": {"tax_exempt_commuting_allowance": "10000"}}, "tax_exempt_commuting_allowance"),
        ({"year_to_date": {"gross": "-1"}}, "year_to_date.gross"),
        ({"earnings": {"regular": "-1"}}, "negative"),
    ],
)
def test_invalid_input_is_refused(pack: Pack, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=message):
        calc(pack, **changes)


def test_unknown_prefecture_and_weekly_pay_are_refused(pack: Pack) -> None:
    with pytest.raises(UnknownRegion):
        calc(pack, region="48")
    with pytest.raises(UnsupportedPayFrequency):
        calc(pack, pay_frequency=PayFrequency.WEEKLY)


def test_computed_premiums_need_rates_in_force(pack: Pack) -> None:
    """協会けんぽ rates are loaded from the 令和7年3月 premium month; earlier months need explicit premiums."""
    with pytest.raises(NoParametersInForce):
        calc(pack, pay_date=date(2025, 3, 25))
    explicit = calc(pack, pay_date=date(2025, 3, 25), employee={"dependants": 1, "premiums": {
        "health_insurance": "12475", "employees_pension": "23790", "employment_insurance": "1500"}})
    assert [line.code for line in explicit.lines] == [
        "jp.health_insurance", "jp.employees_pension", "jp.employment_insurance", "jp.income_tax"]
    assert explicit.totals.employer_contributions == Decimal("0")


def test_explicit_premiums_reduce_taxable_pay(pack: Pack) -> None:
    """A = 250,000 − 37,765 = 212,235; 給与所得控除 212,235 × 30% + 6,667 = 70,338 (切上げ);
    B = 212,235 − 70,338 − 31,667 − 40,000 = 70,230 → × 5.105% = 3,585.2 → 3,590円 (告示 別表第一〜第四)."""
    result = calc(pack, employee={"dependants": 1, "premiums": {
        "health_insurance": "12475", "employees_pension": "23790", "employment_insurance": "1500"}})
    tax = next(line for line in result.lines if line.code == "jp.income_tax")
    assert tax.base == Decimal("212235")
    assert tax.employee == Decimal("3590")


def test_year_to_date_chains_and_restarts_each_year(pack: Pack) -> None:
    first = calc(pack)
    second = calc(pack, pay_date=date(2025, 12, 25), year_to_date=first.year_to_date)
    assert second.year_to_date["gross"] == Decimal("500000")
    assert second.year_to_date["income_tax"] == 2 * first.year_to_date["income_tax"]
    january = calc(pack, pay_date=date(2026, 1, 23), year_to_date=second.year_to_date)
    assert january.year_to_date["year"] == 2026
    assert january.year_to_date["gross"] == Decimal("250000")
