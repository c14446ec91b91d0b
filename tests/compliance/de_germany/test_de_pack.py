"""The German pack end to end: mapping to the PAP, lines, church tax, social insurance, year to date, validation.

Wage-tax figures are the BMF PAP 2025/2026 (XML as published by ITZBund), reference execution, for the PAP
inputs named in each test (see test_de_pap_reference.py for how they were produced); the pack must map its
inputs onto exactly those PAP inputs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.errors import InvalidCalculationInput, NoParametersInForce, UnknownRegion, UnsupportedPayFrequency
from compliance.labour import Contract
from compliance.packs.de_germany.pack import periods_left_after
from compliance.registry import pack_for

D = Decimal


def calc(**overrides: Any) -> CalculationResult:
    args: dict[str, Any] = {
        "pay_date": date(2025, 6, 30),
        "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "5000.00"},
        "employee": {"tax_class": 1},
        "year_to_date": {},
        "region": "NW",
    }
    args.update(overrides)
    return pack_for("DE").calculate_raw(**args)


def line(result: CalculationResult, code: str) -> tuple[Decimal, Decimal]:
    found = [item for item in result.lines if item.code == code]
    assert found, f"no line {code}"
    return found[0].employee, found[0].employer


def codes(result: CalculationResult) -> list[str]:
    return [item.code for item in result.lines]


# -- wage tax through the pack = the PAP's own result ---------------------------------------------


def test_class_one_monthly_with_church_tax_in_bavaria_and_elsewhere() -> None:
    """PAP 2025 reference execution: STKL 1, LZZ 2, RE4 500000, KVZ 2.50, R 1 -> LSTLZZ 80708, BK 80708.
    Church tax 8 % in Bavaria (Art. 8 KirchStG), 9 % in North Rhine-Westphalia, cut to the cent."""
    bavaria = calc(employee={"tax_class": 1, "church_member": True}, region="BY")
    assert line(bavaria, "de.wage_tax") == (D("807.08"), D("0"))
    assert line(bavaria, "de.solidarity_surcharge")[0] == D("0")
    assert line(bavaria, "de.church_tax")[0] == D("64.56")
    nrw = calc(employee={"tax_class": 1, "church_member": True}, region="NW")
    assert line(nrw, "de.church_tax")[0] == D("72.63")
    assert bavaria.parameter_versions["church_tax"] == "de-church-tax-by-2025"
    assert nrw.parameter_versions["church_tax"] == "de-church-tax-2025"


def test_no_church_tax_line_for_non_members() -> None:
    assert "de.church_tax" not in codes(calc())


def test_class_two_with_child_allowance_and_church() -> None:
    """PAP 2025 reference: STKL 2, LZZ 2, RE4 350000, ZKF 1, R 1, KVZ 2.50 -> LSTLZZ 31983, BK 11083."""
    result = calc(
        earnings={"regular": "3500"}, employee={"tax_class": 2, "child_allowances": "1", "church_member": True}
    )
    assert line(result, "de.wage_tax")[0] == D("319.83")
    church = next(item for item in result.lines if item.code == "de.church_tax")
    assert church.base == D("110.83")
    assert church.employee == D("9.97")


def test_class_three_annual_pay_period() -> None:
    """PAP 2025 reference: STKL 3, LZZ 1, RE4 9000000, ZKF 2, R 1, KVZ 1.70 -> LSTLZZ 1275000, BK 714800."""
    result = calc(
        pay_frequency=PayFrequency.ANNUAL,
        pay_date=date(2025, 12, 31),
        earnings={"regular": "90000"},
        employee={
            "tax_class": 3,
            "child_allowances": "2",
            "church_member": True,
            "health_additional_rate_percent": "1.70",
        },
    )
    assert line(result, "de.wage_tax")[0] == D("12750.00")
    assert [item.base for item in result.lines if item.code == "de.church_tax"] == [D("7148.00")]


def test_class_four_with_factor_2026() -> None:
    """PAP 2026 reference: STKL 4, af 1, f 0.912, LZZ 2, RE4 420000, ZKF 1, R 1, KVZ 2.50 -> LSTLZZ 53300, BK 41958."""
    result = calc(
        pay_date=date(2026, 3, 31),
        earnings={"regular": "4200"},
        employee={
            "tax_class": 4,
            "factor": "0.912",
            "child_allowances": "1",
            "church_member": True,
            "health_additional_rate_percent": "2.50",
        },
    )
    assert line(result, "de.wage_tax")[0] == D("533.00")
    assert [item.base for item in result.lines if item.code == "de.church_tax"] == [D("419.58")]
    assert result.parameter_versions["wage_tax"] == "de-wage-tax-2026"


@pytest.mark.parametrize(
    ("pay_date", "frequency", "regular", "tax_class", "expected"),
    [
        # PAP 2025 reference: STKL 5, LZZ 3, RE4 80000 -> 18048; STKL 6, LZZ 4, RE4 15000 -> 3930.
        (date(2025, 6, 6), PayFrequency.WEEKLY, "800", 5, D("180.48")),
        (date(2025, 6, 6), PayFrequency.DAILY, "150", 6, D("39.30")),
        # PAP 2026 reference: the same inputs -> 17908 and 3906.
        (date(2026, 6, 5), PayFrequency.WEEKLY, "800", 5, D("179.08")),
        (date(2026, 6, 5), PayFrequency.DAILY, "150", 6, D("39.06")),
    ],
)
def test_weekly_and_daily_pay_periods(
    pay_date: date, frequency: PayFrequency, regular: str, tax_class: int, expected: Decimal
) -> None:
    employee = {"tax_class": tax_class, "health_additional_rate_percent": "2.50"}
    result = calc(pay_date=pay_date, pay_frequency=frequency, earnings={"regular": regular}, employee=employee)
    assert line(result, "de.wage_tax")[0] == expected


def test_other_frequencies_are_refused() -> None:
    for frequency in (PayFrequency.BIWEEKLY, PayFrequency.SEMIMONTHLY, PayFrequency.QUARTERLY):
        with pytest.raises(UnsupportedPayFrequency):
            calc(pay_frequency=frequency)


def test_bonus_is_taxed_as_other_payment_with_expected_annual_pay() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 500000, SONSTB 500000, JRE4 6000000, R 1 -> LSTLZZ 80708, STS 141800,
    BK 80708, BKS 141800. JRE4 = expected annual current pay plus earlier other payments."""
    result = calc(
        earnings={"regular": "5000", "bonus": "5000"},
        employee={"tax_class": 1, "church_member": True},
        year_to_date={"tax_year": 2025, "expected_annual_current_pay": "60000"},
    )
    assert line(result, "de.wage_tax")[0] == D("2225.08")
    assert [item.base for item in result.lines if item.code == "de.church_tax"] == [D("2225.08")]
    assert line(result, "de.church_tax")[0] == D("200.25")


def test_earlier_other_payments_join_the_expected_annual_pay() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 400000, SONSTB 400000, JRE4 4800000, JFREIB 200000 -> STS 99700."""
    result = calc(
        earnings={"regular": "4000", "bonus": "4000"},
        employee={"tax_class": 1, "annual_tax_allowance": "2000"},
        year_to_date={"tax_year": 2025, "expected_annual_current_pay": "46000", "other_payments": "2000"},
    )
    assert line(result, "de.wage_tax")[0] == D("543.00") + D("997.00")


def test_without_expected_annual_pay_a_bonus_is_taxed_on_the_projected_year() -> None:
    """R 39b.6 Abs. 2 LStR: current pay received so far (25,000 over five months) plus June's 5,000 plus 5,000 for
    each of the six months left is the 60,000 given explicitly above, so the PAP result is the same."""
    projected = calc(
        earnings={"regular": "5000", "bonus": "5000"},
        employee={"tax_class": 1, "church_member": True},
        year_to_date={"tax_year": 2025, "gross": "27000", "other_payments": "2000"},
    )
    given = calc(
        earnings={"regular": "5000", "bonus": "5000"},
        employee={"tax_class": 1, "church_member": True},
        year_to_date={"tax_year": 2025, "gross": "27000", "other_payments": "2000",
                      "expected_annual_current_pay": "60000"},
    )
    assert line(projected, "de.wage_tax") == line(given, "de.wage_tax")
    assert [s.value for s in projected.trace if s.step.startswith("PAP JRE4")] == ["6200000"]


@pytest.mark.parametrize(("pay_date", "frequency", "left"), [
    (date(2025, 1, 31), PayFrequency.MONTHLY, 11), (date(2025, 12, 31), PayFrequency.MONTHLY, 0),
    (date(2025, 12, 24), PayFrequency.WEEKLY, 1), (date(2025, 12, 25), PayFrequency.WEEKLY, 0),
    (date(2025, 1, 3), PayFrequency.WEEKLY, 51), (date(2025, 7, 1), PayFrequency.ANNUAL, 0),
    (date(2025, 7, 1), PayFrequency.DAILY, None),
])
def test_periods_left_in_the_year_after_a_payment(pay_date: date, frequency: PayFrequency, left: int | None) -> None:
    assert periods_left_after(pay_date, frequency) == left


def test_a_daily_bonus_without_expected_annual_pay_is_refused() -> None:
    with pytest.raises(InvalidCalculationInput, match="expected_annual_current_pay"):
        calc(earnings={"regular": "200", "bonus": "100"}, pay_frequency=PayFrequency.DAILY)


def test_private_health_insurance_2025_with_and_without_employer_subsidy() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 700000, PKPV 60000, KVZ 0: PKV 1 -> 146100; PKV 2 -> 164641."""
    base = {"tax_class": 1, "health_insurance": "private", "private_health_premium_monthly": "600"}
    without = calc(earnings={"regular": "7000"}, employee=base)
    assert line(without, "de.wage_tax")[0] == D("1461.00")
    subsidised = calc(earnings={"regular": "7000"}, employee={**base, "private_health_employer_subsidy_monthly": "300"})
    assert line(subsidised, "de.wage_tax")[0] == D("1646.41")
    assert "de.health_insurance" not in codes(without) and "de.care_insurance" not in codes(without)


def test_private_health_insurance_2026_subtracts_the_employer_subsidy() -> None:
    """PAP 2026 reference: STKL 1, LZZ 2, RE4 700000, PKV 1, PKPV 60000, PKPVAGZ 30000 -> LSTLZZ 156825."""
    result = calc(
        pay_date=date(2026, 6, 30),
        earnings={"regular": "7000"},
        employee={
            "tax_class": 1,
            "health_insurance": "private",
            "private_health_premium_monthly": "600",
            "private_health_employer_subsidy_monthly": "300",
        },
    )
    assert line(result, "de.wage_tax")[0] == D("1568.25")


def test_saxony_care_insurance_split_and_childless_surcharge() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 300000, PVS 1, PVZ 1, R 1 -> LSTLZZ 29741, BK 29741.
    Care insurance in Saxony: employer 1.3 % (§ 58 Abs. 3 SGB XI), employee 2.3 % + 0.6 % childless surcharge."""
    result = calc(
        earnings={"regular": "3000"},
        employee={"tax_class": 1, "church_member": True, "care_childless_surcharge": True},
        region="SN",
    )
    assert line(result, "de.wage_tax")[0] == D("297.41")
    assert line(result, "de.care_insurance") == (D("87.00"), D("39.00"))
    assert line(result, "de.church_tax")[0] == D("26.76")


def test_care_child_discounts_weekly() -> None:
    """PAP 2025 reference: STKL 4, LZZ 3, RE4 95000, PVA 2, ZKF 1.5, KVZ 2.50 -> LSTLZZ 13237."""
    result = calc(
        pay_date=date(2025, 6, 13),
        pay_frequency=PayFrequency.WEEKLY,
        earnings={"regular": "950"},
        employee={"tax_class": 4, "care_child_discounts": 2, "child_allowances": "1.5"},
    )
    assert line(result, "de.wage_tax")[0] == D("132.37")
    # 1.8 % - 2 x 0.25 % = 1.3 % of 950.00
    assert line(result, "de.care_insurance") == (D("12.35"), D("17.10"))


def test_age_relief_from_the_date_of_birth() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 400000, ALTER1 1, AJAHR 2020 -> LSTLZZ 52341.
    Born 15 June 1955: the 64th year of life ends on 14 June 2019, so AJAHR is 2020 (§ 24a EStG)."""
    result = calc(earnings={"regular": "4000"}, employee={"tax_class": 1, "date_of_birth": "1955-06-15"})
    assert line(result, "de.wage_tax")[0] == D("523.41")


def test_no_age_relief_before_the_year_after_the_64th_year() -> None:
    young = calc(earnings={"regular": "4000"}, employee={"tax_class": 1, "date_of_birth": "1961-01-02"})
    plain = calc(earnings={"regular": "4000"}, employee={"tax_class": 1})
    assert line(young, "de.wage_tax") == line(plain, "de.wage_tax")
    born_new_year = calc(earnings={"regular": "4000"}, employee={"tax_class": 1, "date_of_birth": "1961-01-01"})
    assert line(born_new_year, "de.wage_tax")[0] < line(plain, "de.wage_tax")[0]


def test_not_pension_insured() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 600000, KRV 1 -> LSTLZZ 133641; no pension contributions."""
    result = calc(earnings={"regular": "6000"}, employee={"tax_class": 1, "pension_insured": False})
    assert line(result, "de.wage_tax")[0] == D("1336.41")
    assert "de.pension_insurance" not in codes(result)


def test_not_unemployment_insured_2026() -> None:
    """PAP 2026 reference: STKL 1, LZZ 2, RE4 400000, ALV 1, KVZ 2.90 -> LSTLZZ 53183 (average KVZ 2026 is 2.9 %)."""
    result = calc(
        pay_date=date(2026, 6, 30),
        earnings={"regular": "4000"},
        employee={"tax_class": 1, "unemployment_insured": False},
    )
    assert line(result, "de.wage_tax")[0] == D("531.83")
    assert "de.unemployment_insurance" not in codes(result)


def test_period_allowance_and_addition() -> None:
    """PAP 2025 reference: STKL 1, RE4 450000, LZZFREIB 50000 -> 51316; STKL 6, RE4 200000, LZZHINZU 100000 -> 75466."""
    allowance = calc(earnings={"regular": "4500"}, employee={"tax_class": 1, "period_tax_allowance": "500"})
    assert line(allowance, "de.wage_tax")[0] == D("513.16")
    addition = calc(earnings={"regular": "2000"}, employee={"tax_class": 6, "period_tax_addition": "1000"})
    assert line(addition, "de.wage_tax")[0] == D("754.66")


def test_solidarity_surcharge_phase_in_and_full_rate() -> None:
    """PAP 2025 reference: STKL 1, LZZ 2, RE4 850000 -> SOLZLZZ 4839; RE4 2500000 -> LSTLZZ 901241, SOLZLZZ 49568."""
    assert line(calc(earnings={"regular": "8500"}), "de.solidarity_surcharge")[0] == D("48.39")
    top = calc(earnings={"regular": "25000"})
    assert line(top, "de.wage_tax")[0] == D("9012.41")
    assert line(top, "de.solidarity_surcharge")[0] == D("495.68")


# -- social insurance --------------------------------------------------------------------------------


def test_contributions_below_the_ceilings_2025() -> None:
    """Rates: RV 18.6 %, AV 2.6 %, KV 14.6 % + 2.5 % average additional rate, PV 3.6 %; half each."""
    result = calc(employee={"tax_class": 1})
    assert line(result, "de.pension_insurance") == (D("465.00"), D("465.00"))
    assert line(result, "de.unemployment_insurance") == (D("65.00"), D("65.00"))
    assert line(result, "de.health_insurance") == (D("427.50"), D("427.50"))
    assert line(result, "de.care_insurance") == (D("90.00"), D("90.00"))


def test_contribution_ceilings_2025_and_2026() -> None:
    """BBG 2025: RV/AV 8,050 €/month, KV/PV 5,512.50 €/month; 2026: 8,450 and 5,812.50 (SV-Rechengrößen-VO)."""
    result = calc(earnings={"regular": "9000"})
    assert [item.base for item in result.lines if item.code == "de.pension_insurance"] == [D("8050")]
    assert [item.base for item in result.lines if item.code == "de.health_insurance"] == [D("5512.50")]
    later = calc(pay_date=date(2026, 1, 31), earnings={"regular": "9000"})
    assert [item.base for item in later.lines if item.code == "de.pension_insurance"] == [D("8450")]
    assert [item.base for item in later.lines if item.code == "de.health_insurance"] == [D("5812.50")]
    assert line(later, "de.health_insurance")[0] == D("508.59")  # 5,812.50 x (7.3 % + 1.45 %)


def test_weekly_and_daily_ceilings_use_360_days() -> None:
    """§ 223 Abs. 2 SGB V: a week counts 7 days, a month 30, a year 360."""
    weekly = calc(pay_frequency=PayFrequency.WEEKLY, earnings={"regular": "5000"})
    assert [item.base for item in weekly.lines if item.code == "de.pension_insurance"] == [D("1878.33")]
    daily = calc(pay_frequency=PayFrequency.DAILY, earnings={"regular": "1000"})
    assert [item.base for item in daily.lines if item.code == "de.health_insurance"] == [D("183.75")]


def test_bonus_contributions_up_to_the_pro_rata_annual_ceiling() -> None:
    """§ 23a Abs. 3 SGB IV: in June, the ceiling so far is half the annual one, less contributory pay so far."""
    result = calc(
        earnings={"regular": "5000", "bonus": "10000"},
        year_to_date={
            "tax_year": 2025,
            "expected_annual_current_pay": "60000",
            "pension_contribution_base": "25000",
            "health_contribution_base": "25000",
        },
    )
    assert [item.base for item in result.lines if item.code == "de.pension_insurance"] == [D("15000")]
    assert [item.base for item in result.lines if item.code == "de.health_insurance"] == [D("8075.00")]


# -- year to date ------------------------------------------------------------------------------------


def test_year_to_date_chains_and_restarts_in_a_new_year() -> None:
    first = calc(
        earnings={"regular": "5000", "bonus": "1000"},
        employee={"tax_class": 1, "church_member": True},
        year_to_date={"tax_year": 2025, "expected_annual_current_pay": "60000"},
    )
    ytd = first.year_to_date
    assert ytd["tax_year"] == 2025
    assert ytd["other_payments"] == D("1000")
    assert ytd["gross"] == D("6000")
    assert ytd["wage_tax"] == line(first, "de.wage_tax")[0]
    second = calc(pay_date=date(2025, 7, 31), employee={"tax_class": 1, "church_member": True}, year_to_date=ytd)
    assert second.year_to_date["gross"] == D("11000")
    assert second.year_to_date["church_tax"] == ytd["church_tax"] + line(second, "de.church_tax")[0]
    january = calc(pay_date=date(2026, 1, 31), year_to_date=second.year_to_date)
    assert january.year_to_date["gross"] == D("5000")
    assert january.year_to_date["tax_year"] == 2026


def test_totals() -> None:
    result = calc()
    assert result.totals.gross == D("5000.00")
    assert result.totals.net == result.totals.gross - result.totals.employee_deductions
    assert result.totals.employer_contributions == D("1047.50")


# -- validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employee", "message"),
    [
        ({}, "tax_class"),
        ({"tax_class": 7}, "tax_class"),
        ({"tax_class": 1, "factor": "0.9"}, "factor"),
        ({"tax_class": 4, "factor": "1.2"}, "factor"),
        ({"tax_class": 4, "factor": "0.9125"}, "factor"),
        ({"tax_class": 1, "child_allowances": "0.3"}, "child_allowances"),
        ({"tax_class": 5, "child_allowances": "1"}, "child_allowances"),
        ({"tax_class": 1, "care_child_discounts": 5}, "care_child_discounts"),
        ({"tax_class": 1, "care_child_discounts": 1, "care_childless_surcharge": True}, "exclude"),
        ({"tax_class": 1, "health_additional_rate_percent": "12"}, "health_additional_rate_percent"),
        ({"tax_class": 1, "health_insurance": "mixed"}, "health_insurance"),
        ({"tax_class": 1, "period_tax_allowance": "-1"}, "period_tax_allowance"),
        ({"tax_class": 1, "shoe_size": 44}, "shoe_size"),
    ],
)
def test_invalid_employee_attributes_are_refused(employee: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidCalculationInput, match=message):
        calc(employee=employee)


def test_invalid_year_to_date_and_context_are_refused() -> None:
    with pytest.raises(InvalidCalculationInput, match="gross"):
        calc(year_to_date={"gross": "-5"})
    with pytest.raises(InvalidCalculationInput, match="region"):
        calc(employee={"tax_class": 1, "church_member": True}, region=None)
    with pytest.raises(UnknownRegion):
        calc(region="XX")
    with pytest.raises(NoParametersInForce):
        calc(pay_date=date(2024, 12, 31))


# -- labour law and calendar -------------------------------------------------------------------------


def test_minimum_wage_2025_and_2026() -> None:
    """MiLoV4 § 1: 12.82 €/hour from 1 January 2025; MiLoV5 § 1: 13.90 €/hour from 1 January 2026."""
    pack = pack_for("DE")
    contract = Contract(
        start_date=date(2026, 1, 1),
        pay_amount=D("13.50"),
        pay_unit="hour",
        weekly_hours=D("40"),
        date_of_birth=date(1990, 1, 1),
    )
    assert [v.code for v in pack.check_contract(contract)] == ["labour.minimum_wage"]
    assert (
        pack.check_contract(
            Contract(
                start_date=date(2025, 1, 1),
                pay_amount=D("13.50"),
                pay_unit="hour",
                weekly_hours=D("40"),
                date_of_birth=date(1990, 1, 1),
            )
        )
        == []
    )
    assert pack.labour_law(date(2026, 5, 1)).minimum_wage.value[0].amount == D("13.90")


def test_saxony_calendar_has_repentance_day() -> None:
    """Buß- und Bettag is a public holiday only in Saxony."""
    pack = pack_for("DE")
    assert pack.calendar("SN").is_holiday(date(2025, 11, 19))
    assert not pack.calendar("NW").is_holiday(date(2025, 11, 19))
    assert set(pack.regions) == set(pack.holiday_subdivisions) and len(pack.regions) == 16
