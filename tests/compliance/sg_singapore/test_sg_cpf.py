"""SG CPF contributions against the CPF Board's published tables, examples and FAQs, to the dollar.

Sources:
- T2025: CPF Board, "CPF Contribution Rate Table from 1 January 2025", Table 1 (Singapore Citizens and SPRs
  from the 3rd year), https://www.cpf.gov.sg/content/dam/web/employer/employer-obligations/documents/CPF_contribution_rates_from_1_Jan_2025.pdf
- T2026: CPF Board, "CPF Contribution Rate Table from 1 January 2026", Table 1,
  https://www.cpf.gov.sg/content/dam/web/employer/employer-obligations/documents/CPFcontributionratesfrom1Jan2026.pdf
- ROUNDING: CPF Board FAQ "Are CPF contributions rounded to the nearest dollar?",
  https://www.cpf.gov.sg/employer/faq/employer-obligations/what-payments-attract-cpf-contributions/are-cpf-contributions-rounded-to-the-nearest-dollar-
- AW: CPF Board FAQ "What is the Additional Wage (AW) ceiling?" ($102,000 - total OW subject to CPF for the year),
  https://www.cpf.gov.sg/member/faq/growing-your-savings/saving-as-an-employee/what-is-the-aw-ceiling
  and "How do I calculate CPF contributions on AW paid before the end of the year/last month of employment?",
  https://www.cpf.gov.sg/employer/faq/employer-obligations/what-payments-attract-cpf-contributions/how-to-calculate-cpf-on-aw-paid-before-end-of-the-year
- AGE: CPF Board FAQ "How do I calculate CPF contributions on AW when there is a change in age group?",
  https://www.cpf.gov.sg/employer/faq/employer-obligations/what-payments-attract-cpf-contributions/how-do-i-calculate-cpf-on-aw-due-to-change-in-age-group
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.calculation import CalculationResult, PayFrequency
from compliance.registry import pack_for

THIRTY_YEARS_OLD = "1995-06-15"


def cpf(pay_date: date, regular: str, *, bonus: str = "0", born: str = THIRTY_YEARS_OLD,
        ytd: dict[str, Any] | None = None, **employee: Any) -> CalculationResult:
    return pack_for("SG").calculate_raw(
        pay_date=pay_date, pay_frequency=PayFrequency.MONTHLY,
        earnings={"regular": regular, "bonus": bonus},
        employee={"date_of_birth": born, **employee}, year_to_date=ytd or {},
    )


def shares(result: CalculationResult) -> tuple[Decimal, Decimal, Decimal]:
    (line,) = result.lines
    assert line.code == "sg.cpf"
    return line.employee + line.employer, line.employee, line.employer


@pytest.mark.parametrize(
    ("pay_date", "wages", "total", "employee"),
    [
        # T2025, Table 1, 55 and below, total wages > $750: 37% (OW) "Max. of $2,738" / 20% "Max. of $1,480",
        # OW capped at the OW ceiling of $7,400.
        (date(2025, 6, 30), "9000.00", "2738", "1480"),
        (date(2025, 6, 30), "7400.00", "2738", "1480"),
        # T2026, Table 1, 55 and below: OW capped at $8,000 -> 37% = $2,960, 20% = $1,600.
        (date(2026, 6, 30), "9000.00", "2960", "1600"),
        (date(2026, 6, 30), "20000.00", "2960", "1600"),
        # Below the ceiling every dollar attracts CPF: 37% x 4,500 = 1,665; 20% = 900.
        (date(2026, 6, 30), "4500.00", "1665", "900"),
    ],
)
def test_full_rates_and_the_ordinary_wage_ceiling(pay_date: date, wages: str, total: str, employee: str) -> None:
    """T2025 / T2026, Table 1, row "55 and below", column "Total wages > $750"."""
    result = cpf(pay_date, wages)
    assert shares(result) == (Decimal(total), Decimal(employee), Decimal(total) - Decimal(employee))


@pytest.mark.parametrize("pay_date", [date(2025, 3, 31), date(2026, 3, 31)])
@pytest.mark.parametrize(
    ("wages", "total", "employee"),
    [
        ("50.00", "0", "0"),        # "$50 and below": Nil
        ("400.00", "68", "0"),      # "> $50 to $500": 17% (TW) by the employer only
        ("500.00", "85", "0"),
        ("600.00", "162", "60"),    # "> $500 to $750": 17% (TW) + 0.6 (TW - $500) = 102 + 60; employee 0.6 x 100
        ("750.00", "278", "150"),   # 127.50 + 150 = 277.50 -> 278 (50 cents counts as a dollar)
    ],
)
def test_low_wage_bands(pay_date: date, wages: str, total: str, employee: str) -> None:
    """T2025 and T2026, Table 1, 55 and below: total wages up to $750 (unchanged between the two years)."""
    assert shares(cpf(pay_date, wages))[:2] == (Decimal(total), Decimal(employee))


@pytest.mark.parametrize(
    ("born", "total", "employee"),
    [
        # T2026 Table 1 at total wages of $3,000, born so that every birthday month is long past in June 2026.
        ("1968-01-10", "1020", "540"),  # above 55 to 60: 34% / 18%
        ("1964-01-10", "750", "375"),   # above 60 to 65: 25% / 12.5%
        ("1959-01-10", "495", "225"),   # above 65 to 70: 16.5% / 7.5%
        ("1950-01-10", "375", "150"),   # above 70: 12.5% / 5%
    ],
)
def test_2026_age_bands(born: str, total: str, employee: str) -> None:
    """T2026, Table 1, rows "Above 55 to 60" ... "Above 70", column "Total wages > $750"."""
    assert shares(cpf(date(2026, 6, 30), "3000.00", born=born))[:2] == (Decimal(total), Decimal(employee))


def test_2026_senior_maxima() -> None:
    """T2026, Table 1: above 55 to 60 "Max. of $2,720 / $1,440"; above 65 to 70 "Max. of $1,320 / $600"."""
    assert shares(cpf(date(2026, 6, 30), "10000.00", born="1968-01-10"))[:2] == (Decimal("2720"), Decimal("1440"))
    assert shares(cpf(date(2026, 6, 30), "10000.00", born="1959-01-10"))[:2] == (Decimal("1320"), Decimal("600"))


def test_2025_senior_rates() -> None:
    """T2025, Table 1: above 55 to 60 32.5% / 17%; above 60 to 65 23.5% / 11.5% (total wages $3,000)."""
    assert shares(cpf(date(2025, 6, 30), "3000.00", born="1968-01-10"))[:2] == (Decimal("975"), Decimal("510"))
    assert shares(cpf(date(2025, 6, 30), "3000.00", born="1963-01-10"))[:2] == (Decimal("705"), Decimal("345"))


def test_phase_in_for_seniors() -> None:
    """T2026, Table 1, above 55 to 60, "> $500 to $750": 16% (TW) + 0.54 (TW - $500); employee 0.54 (TW - $500).

    TW $600: 96 + 54 = $150 total, $54 employee.
    """
    assert shares(cpf(date(2026, 6, 30), "600.00", born="1968-01-10"))[:2] == (Decimal("150"), Decimal("54"))


def test_rounding_total_to_nearest_dollar_and_employee_share_down() -> None:
    """ROUNDING: total rounded to the nearest dollar (50 cents up), employee's cents dropped, employer = difference.

    T2026, 55 and below, TW $2,288: total 37% = 846.56 -> 847; employee 20% = 457.60 -> 457; employer 390.
    """
    assert shares(cpf(date(2026, 9, 30), "2288.00")) == (Decimal("847"), Decimal("457"), Decimal("390"))


def test_new_age_band_applies_from_the_month_after_the_birthday_month() -> None:
    """AGE: "if your employee's 55th birthday falls on 15 January 2021, the change in CPF contribution rate for age
    above 55 to 60 years old will be applied from the month of February" (here: 55th birthday 15 January 2026)."""
    january = cpf(date(2026, 1, 31), "3000.00", born="1971-01-15")
    february = cpf(date(2026, 2, 28), "3000.00", born="1971-01-15")
    assert shares(january)[:2] == (Decimal("1110"), Decimal("600"))   # 37% / 20%
    assert shares(february)[:2] == (Decimal("1020"), Decimal("540"))  # 34% / 18%


def test_additional_wage_ceiling_on_the_estimated_year() -> None:
    """AW: AW ceiling = $102,000 - total OW subject to CPF for the year, estimated with the current year's OW.

    OW $9,000 a month in 2026 -> $8,000 subject each month -> ceiling 102,000 - 96,000 = $6,000 (CPF Board,
    "Examples for computation of AW ceiling", 2026). A $20,000 bonus in June attracts CPF on $6,000 only:
    TW subject 14,000 -> total 5,180, employee 2,800.
    """
    ytd = {"year": 2026, "ordinary_wages_subject": "40000"}
    result = cpf(date(2026, 6, 30), "9000.00", bonus="20000.00", ytd=ytd)
    assert shares(result)[:2] == (Decimal("5180"), Decimal("2800"))
    assert result.year_to_date == {
        "year": 2026, "ordinary_wages_subject": Decimal("48000.00"),
        "additional_wages_paid": Decimal("20000.00"), "additional_wages_subject": Decimal("6000.00"),
    }


def test_ow_of_4500_leaves_an_aw_ceiling_of_48000() -> None:
    """AW: OW $4,500 a month -> ceiling 102,000 - 54,000 = $48,000; a $50,000 bonus in December attracts CPF on
    $48,000: TW subject 52,500 -> total 37% = 19,425; employee 20% = 10,500."""
    ytd = {"year": 2026, "ordinary_wages_subject": "49500", "additional_wages_paid": "0"}
    result = cpf(date(2026, 12, 31), "4500.00", bonus="50000.00", ytd=ytd)
    assert shares(result)[:2] == (Decimal("19425"), Decimal("10500"))


def test_shortfall_is_brought_in_at_the_last_month_of_employment() -> None:
    """AW (paid before the end of the year): once the year's OW are known (the last month of employment) the AW
    ceiling is recomputed on actual OW and the shortfall is paid with that month's contributions.

    2025: OW $7,400 Jan-Apr; $50,000 bonus in January was capped at the estimate 102,000 - 88,800 = $13,200.
    Leaving in May: ceiling 102,000 - 5 x 7,400 = $65,000, so the other $36,800 of the January bonus attracts
    CPF in May: TW subject 7,400 + 36,800 = 44,200 -> total 16,354; employee 8,840.
    """
    january = cpf(date(2025, 1, 31), "7400.00", bonus="50000.00")
    assert january.year_to_date["additional_wages_subject"] == Decimal("13200.00")
    ytd = {**january.year_to_date, "ordinary_wages_subject": Decimal("29600")}
    may = cpf(date(2025, 5, 31), "7400.00", ytd=ytd, last_month_of_employment=True)
    assert may.lines[0].base == Decimal("44200.00")
    assert shares(may)[:2] == (Decimal("16354"), Decimal("8840"))


def test_a_year_of_months_chains_through_year_to_date() -> None:
    """The result's year_to_date is the next month's input; the whole year stays within $102,000 (AW FAQ)."""
    ytd: dict[str, Any] = {}
    subject = Decimal("0")
    for month in range(1, 13):
        bonus = "30000.00" if month in (3, 12) else "0"
        result = cpf(date(2026, month, 28), "8500.00", bonus=bonus, ytd=ytd)
        subject += result.lines[0].base or Decimal("0")
        ytd = result.year_to_date
    assert subject == Decimal("102000.00")
    assert ytd["ordinary_wages_subject"] == Decimal("96000.00")


def test_totals_of_another_year_are_ignored() -> None:
    """AW: the AW ceiling applies per calendar year, so last year's totals do not reduce this year's ceiling."""
    last_year = {"year": 2025, "ordinary_wages_subject": "88800", "additional_wages_subject": "13200",
                 "additional_wages_paid": "13200"}
    result = cpf(date(2026, 1, 31), "8000.00", bonus="6000.00", ytd=last_year)
    assert result.lines[0].base == Decimal("14000.00")
    assert result.year_to_date["year"] == 2026


T2026_SPR = "T2026, Tables 2-5 (SPRs during the 1st and 2nd year of SPR status)"


@pytest.mark.parametrize(
    ("residency", "spr_rates", "born", "wages", "total", "employee"),
    [
        # Table 2 (1st year, G/G), 55 and below: "> $500 to $750: 4% (TW) + 0.15 (TW - $500)" -> 24 + 15 = 39;
        # "> $750: 9% / 5%", "Max. of $720 / $400".
        ("spr_first_year", "graduated", THIRTY_YEARS_OLD, "600.00", "39", "15"),
        ("spr_first_year", "graduated", THIRTY_YEARS_OLD, "3000.00", "270", "150"),
        ("spr_first_year", "graduated", THIRTY_YEARS_OLD, "9000.00", "720", "400"),
        # Table 3 (2nd year, G/G): 55 and below "> $50 to $500: 9% (TW)"; above 60 to 65 "> $750: 11% / 7.5%".
        ("spr_second_year", "graduated", THIRTY_YEARS_OLD, "400.00", "36", "0"),
        ("spr_second_year", "graduated", "1964-01-10", "3000.00", "330", "225"),
        # Table 4 (1st year, F/G), above 55 to 60: "> $750: 21% / 5%".
        ("spr_first_year", "full_employer", "1968-01-10", "3000.00", "630", "150"),
        # Table 5 (2nd year, F/G), above 65 to 70: "> $750: 14% / 5%".
        ("spr_second_year", "full_employer", "1959-01-10", "3000.00", "420", "150"),
        # Full rates by joint election use Table 1: 37% / 20%.
        ("spr_first_year", "full", THIRTY_YEARS_OLD, "3000.00", "1110", "600"),
        ("spr_third_year_onwards", "graduated", THIRTY_YEARS_OLD, "3000.00", "1110", "600"),
    ],
)
def test_spr_graduated_rates(residency: str, spr_rates: str, born: str, wages: str, total: str, employee: str) -> None:
    """T2026_SPR: the graduated tables for SPRs in their first two years, by joint election of the rates."""
    result = cpf(date(2026, 6, 30), wages, born=born, residency=residency, spr_rates=spr_rates)
    assert shares(result)[:2] == (Decimal(total), Decimal(employee))


def test_2027_senior_rates() -> None:
    """CPF Board, "CPF Contribution Rate Table from 1 January 2027", Table 1,
    https://www.cpf.gov.sg/content/dam/web/employer/employer-obligations/documents/jan2027cpfcontributionrates.pdf:
    above 55 to 60 35.5% / 19%; above 60 to 65 26% / 13%; OW ceiling stays $8,000 (TW $3,000; $10,000)."""
    assert shares(cpf(date(2027, 6, 30), "3000.00", born="1968-01-10"))[:2] == (Decimal("1065"), Decimal("570"))
    assert shares(cpf(date(2027, 6, 30), "3000.00", born="1964-01-10"))[:2] == (Decimal("780"), Decimal("390"))
    assert shares(cpf(date(2027, 6, 30), "10000.00"))[:2] == (Decimal("2960"), Decimal("1600"))
