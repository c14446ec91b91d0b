"""The pack framework itself: effective dating, data validation, overrides, contract checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency
from compliance.errors import (
    InvalidCalculationInput,
    NoParametersInForce,
    OverrideOutOfRange,
    PackDataError,
    UnknownRegion,
    UnsupportedPayFrequency,
)
from compliance.labour import Contract
from compliance.pack import Pack
from compliance.parameters import Cited
from compliance.rounding import half_up

CITE = ('source = { issuer = "Test", document = "Test Act", url = "https://example.org", article = "§1", '
        'verification = "official" }')

LABOUR = f"""
version = "xx-labour-2025"
effective_from = 2025-01-01
[parameters]
currency = "XXX"
[parameters.minimum_wage]
value = [{{ amount = "10", unit = "hour" }}, {{ amount = "2000", unit = "month", region = "R1" }}]
{CITE}
[parameters.standard_weekly_hours]
value = "40"
{CITE}
[parameters.maximum_weekly_hours]
value = "48"
{CITE}
[parameters.overtime_multipliers]
value = {{ weekday = "1.5" }}
{CITE}
[parameters.annual_leave_days]
value = "20"
{CITE}
[parameters.notice_periods]
value = [{{ service_months = 0, days = 28 }}]
{CITE}
[parameters.minimum_working_age]
value = 16
{CITE}
[parameters.maximum_probation]
value = [
  {{ contract_months = 0, max_months = 0 }},
  {{ contract_months = 12, max_months = 2 }},
  {{ contract_months = 36, max_months = 6 }},
]
{CITE}
"""


class Rates(msgspec.Struct, forbid_unknown_fields=True):
    tax_rate: Cited[Decimal]
    max_extra_rate: Cited[Decimal]


class Employee(msgspec.Struct, forbid_unknown_fields=True):
    exempt: bool = False


class YearToDate(msgspec.Struct, forbid_unknown_fields=True):
    gross: Decimal = Decimal("0")


class FlatPack(Pack):
    country = "XX"
    name = "Testland"
    currency = "XXX"
    pack_version = "xx-1"
    regions = {"R1": "Region one"}
    frequencies = frozenset({PayFrequency.MONTHLY})
    employee_schema = Employee
    ytd_schema = YearToDate
    series_types = {"tax": Rates}
    line_labels = {"xx.tax": "Tax"}

    def override_range(self, name: str, request: CalculationRequest[Any, Any]) -> tuple[Decimal, Decimal]:
        if name != "extra_rate":
            return super().override_range(name, request)
        version = self.series["tax"].in_force(request.pay_date, request.region)
        return Decimal("0"), version.parameters.max_extra_rate.value

    def calculate(self, request: CalculationRequest[Employee, YearToDate]) -> CalculationResult:
        version = self.series["tax"].in_force(request.pay_date, request.region)
        out = self.results()
        out.used("tax", version)
        rate = Decimal("0") if request.employee.exempt else version.parameters.tax_rate.value
        rate += request.overrides.get("extra_rate", Decimal("0"))
        out.line("xx.tax", employee=half_up(request.earnings.gross * rate))
        return out.build(request, YearToDate(gross=request.year_to_date.gross + request.earnings.gross))


def write_tax(folder: Path, name: str, *, start: str, end: str | None, rate: str, region: str | None = None) -> None:
    lines = [f'version = "{name}"', f"effective_from = {start}"]
    if end:
        lines.append(f"effective_to = {end}")
    if region:
        lines.append(f'region = "{region}"')
    lines += ["[parameters.tax_rate]", f'value = "{rate}"', CITE, "[parameters.max_extra_rate]", 'value = "0.05"', CITE]
    (folder / f"{name}.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "labour").mkdir()
    (tmp_path / "labour" / "2025.toml").write_text(LABOUR)
    (tmp_path / "tax").mkdir()
    write_tax(tmp_path / "tax", "tax-2025", start="2025-01-01", end="2025-12-31", rate="0.10")
    write_tax(tmp_path / "tax", "tax-2026", start="2026-01-01", end=None, rate="0.12")
    write_tax(tmp_path / "tax", "tax-r1-2025", start="2025-01-01", end=None, rate="0.20", region="R1")
    return tmp_path


def calc(pack: Pack, **overrides: Any) -> CalculationResult:
    args: dict[str, Any] = {
        "pay_date": date(2025, 6, 30), "pay_frequency": PayFrequency.MONTHLY,
        "earnings": {"regular": "1000.00"}, "employee": {}, "year_to_date": {"gross": "5000"},
    }
    args.update(overrides)
    return pack.calculate_raw(**args)


def test_the_version_in_force_on_the_pay_date_is_used(data_dir: Path) -> None:
    pack = FlatPack(data_dir)
    assert calc(pack).lines[0].employee == Decimal("100.00")
    later = calc(pack, pay_date=date(2026, 1, 1))
    assert later.lines[0].employee == Decimal("120.00")
    assert later.parameter_versions == {"tax": "tax-2026"}


def test_a_region_uses_its_own_version_before_the_country_one(data_dir: Path) -> None:
    assert calc(FlatPack(data_dir), region="R1").lines[0].employee == Decimal("200.00")


def test_totals_and_year_to_date_chain(data_dir: Path) -> None:
    result = calc(FlatPack(data_dir))
    assert result.totals.net == Decimal("900.00")
    assert result.totals.employee_deductions == Decimal("100.00")
    assert result.year_to_date == {"gross": Decimal("6000.00")}


def test_dates_before_every_version_are_refused(data_dir: Path) -> None:
    with pytest.raises(NoParametersInForce):
        calc(FlatPack(data_dir), pay_date=date(2024, 12, 31))


def test_bad_input_is_refused_with_the_field_named(data_dir: Path) -> None:
    pack = FlatPack(data_dir)
    with pytest.raises(InvalidCalculationInput, match=r"unknown.*employee"):
        calc(pack, employee={"unknown": 1})
    with pytest.raises(UnknownRegion):
        calc(pack, region="R9")
    with pytest.raises(UnsupportedPayFrequency):
        calc(pack, pay_frequency=PayFrequency.WEEKLY)
    with pytest.raises(InvalidCalculationInput, match="negative"):
        calc(pack, earnings={"regular": "-1"})


def test_overrides_are_limited_to_their_legal_range(data_dir: Path) -> None:
    pack = FlatPack(data_dir)
    assert calc(pack, overrides={"extra_rate": Decimal("0.05")}).lines[0].employee == Decimal("150.00")
    with pytest.raises(OverrideOutOfRange):
        calc(pack, overrides={"extra_rate": Decimal("0.06")})


def test_a_bad_data_file_names_the_file_and_field(data_dir: Path) -> None:
    (data_dir / "tax" / "tax-2026.toml").write_text(
        'version = "x"\neffective_from = 2026-01-01\n[parameters.tax_rate]\nvalue = 0.1\n'
    )
    with pytest.raises(PackDataError, match=r"tax-2026.toml.*tax_rate.value.*float"):
        FlatPack(data_dir)


def test_overlapping_versions_are_refused(data_dir: Path) -> None:
    write_tax(data_dir / "tax", "tax-2025b", start="2025-06-01", end="2025-12-31", rate="0.11")
    with pytest.raises(PackDataError, match="overlap"):
        FlatPack(data_dir)


def test_changes_feed_lists_parameter_changes_since_a_date(data_dir: Path) -> None:
    changes = list(FlatPack(data_dir).series["tax"].changes(date(2025, 7, 1)))
    assert [(c.parameter, c.before, c.after) for c in changes] == [("tax_rate", "0.10", "0.12")]
    assert changes[0].source is not None and changes[0].source.article == "§1"


def test_contract_check_reports_each_violation(data_dir: Path) -> None:
    pack = FlatPack(data_dir)
    contract = Contract(
        start_date=date(2025, 3, 1), pay_amount=Decimal("1500"), pay_unit="month", weekly_hours=Decimal("50"),
        region="R1", date_of_birth=date(2010, 1, 1), probation_months=3, fixed_term_months=24,
        annual_leave_days=Decimal("15"), notice_days=7,
    )
    codes = [v.code for v in pack.check_contract(contract)]
    assert codes == [
        "labour.minimum_wage", "labour.weekly_hours", "labour.probation", "labour.annual_leave",
        "labour.notice_period", "labour.minimum_age",
    ]
    fair = msgspec.structs.replace(
        contract, pay_amount=Decimal("2500"), weekly_hours=Decimal("40"), date_of_birth=date(1990, 1, 1),
        probation_months=2, annual_leave_days=Decimal("25"), notice_days=30,
    )
    assert pack.check_contract(fair) == []


def test_working_day_calendar_skips_weekends_and_holidays(data_dir: Path) -> None:
    from compliance.calendar import WorkingDayCalendar

    de = WorkingDayCalendar("DE")
    # 2025-12-24 is a Wednesday; 25 and 26 December are public holidays, then a weekend.
    assert de.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)
    assert de.previous_working_day(date(2025, 12, 28)) == date(2025, 12, 24)
    assert (date(2025, 10, 3), "German Unity Day") in de.holidays_in(2025, language="en_US")


def test_chinas_swapped_working_weekend_days_are_working_days() -> None:
    from compliance.calendar import WorkingDayCalendar

    china = WorkingDayCalendar("CN")
    assert china.is_working_day(date(2026, 10, 10))  # Saturday worked in exchange for the National Day week
    assert not china.is_working_day(date(2026, 10, 7))  # Wednesday off, in exchange
    assert not china.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
