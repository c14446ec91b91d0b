"""January 2027 before the BMF publishes the 2027 wage-tax program: refused, or provisional where opted in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import LawNotYetPublished
from compliance.pack import Pack
from compliance.registry import pack_for


def january(pack: Pack, pay_date: date = date(2027, 1, 25)) -> CalculationResult:
    return pack.calculate_raw(pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY,
                              earnings={"regular": "5000.00"}, employee={"tax_class": 1}, year_to_date={},
                              region="NW")


def test_a_january_2027_payslip_names_the_missing_series_and_the_opt_in() -> None:
    with pytest.raises(LawNotYetPublished) as refused:
        january(pack_for("DE"))
    assert refused.value.params == {"country": "DE", "series": "wage_tax", "on": "2027-01-25",
                                    "ended": "2026-12-31"}
    assert "carry the last known figures forward provisionally" in refused.value.template


def test_with_the_opt_in_january_2027_is_paid_on_the_2026_law_marked_provisional() -> None:
    carried = pack_for("DE").layered({}, frozenset({"wage_tax", "social_insurance"}))
    provisional = january(carried)
    december = january(pack_for("DE"), date(2026, 12, 28))
    assert [line.employee for line in provisional.lines] == [line.employee for line in december.lines]
    used = {law.series: law for law in provisional.law}
    assert used["wage_tax"].provisional and used["wage_tax"].version == "de-wage-tax-2026"
    assert used["social_insurance"].provisional
    assert provisional.totals.net == december.totals.net > Decimal("3000")
    assert any(step.step == "wage_tax provisional" for step in provisional.trace)
    # the shipped pack itself is untouched: another tenant without the opt-in is still refused
    with pytest.raises(LawNotYetPublished):
        january(pack_for("DE"))
