"""The retention law data: every value cited, and a bad file stops loading with the file and the field named."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from compliance.errors import PackDataError
from compliance.parameters import Verification
from compliance.retention import (
    DATA_FOLDER,
    DataClass,
    DefaultBasis,
    Trigger,
    load_retention,
    retention_series,
    rule_for,
    rules_for,
    schedule,
)

PAYROLL_COUNTRIES = ("CN", "DE", "GB", "IN", "JP", "SG", "US")
ON = date(2026, 6, 1)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "retention"
    shutil.copytree(DATA_FOLDER, copy)
    return copy


def test_the_shipped_data_loads_for_the_seven_payroll_countries_and_the_generic_schedule() -> None:
    assert set(retention_series()) == {*PAYROLL_COUNTRIES, "generic"}
    assert len(schedule(ON)) == 10


@pytest.mark.parametrize("country", PAYROLL_COUNTRIES)
def test_each_payroll_country_keeps_its_payroll_records_by_its_own_law(country: str) -> None:
    found = rule_for(country, DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, ON)
    assert found is not None and found.from_country_law
    assert found.rule.minimum_months is not None and found.rule.default.value >= found.rule.minimum_months
    assert found.rule.minimum.source.issuer != "Meridian"


@pytest.mark.parametrize(("country", "data_class", "trigger", "minimum", "default", "basis", "cited"), [
    ("DE", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, 72, 72, DefaultBasis.STATUTORY, "EStG"),
    ("DE", DataClass.CANDIDATE_PROFILE, Trigger.APPLICATION_CLOSED, None, 6, DefaultBasis.PRACTICE, "AGG"),
    ("GB", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, 36, 36, DefaultBasis.STATUTORY, "regulation 97"),
    ("CN", DataClass.EMPLOYEE_RECORD, Trigger.EMPLOYMENT_ENDED, 24, 24, DefaultBasis.STATUTORY, "第五十条"),
    ("JP", DataClass.EMPLOYEE_RECORD, Trigger.EMPLOYMENT_ENDED, 36, 60, DefaultBasis.PRACTICE, "第百九条"),
    ("US", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, 49, 49, DefaultBasis.STATUTORY, "Employment tax"),
    ("US", DataClass.APPLICATION_HISTORY, Trigger.APPLICATION_CLOSED, 12, 12, DefaultBasis.STATUTORY, "1602.14"),
    ("SG", DataClass.EMPLOYEE_RECORD, Trigger.EMPLOYMENT_ENDED, 12, 12, DefaultBasis.STATUTORY, "s. 95"),
    ("IN", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, 36, 36, DefaultBasis.STATUTORY, "13A"),
])
def test_the_figures_the_issue_names(country: str, data_class: DataClass, trigger: Trigger, minimum: int | None,
                                     default: int, basis: DefaultBasis, cited: str) -> None:
    found = rule_for(country, data_class, trigger, ON)
    assert found is not None
    assert (found.rule.minimum_months, found.rule.default.value, found.rule.default_basis) == (minimum, default, basis)
    assert cited in found.legal_basis.document


def test_a_country_without_recorded_law_gets_the_product_default_labelled_as_such() -> None:
    for found in rules_for("FR", ON):
        assert not found.from_country_law
        assert found.rule.default_basis is DefaultBasis.PRODUCT_DEFAULT
        assert found.rule.verification is Verification.UNVERIFIED
        assert found.legal_basis.issuer == "Meridian" and "not law" in found.legal_basis.document


def test_a_law_with_no_number_says_none_stated() -> None:
    found = rule_for("DE", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, ON)
    assert found is not None and found.rule.maximum.value == "none stated" and found.rule.maximum_months is None
    assert "Art. 5(1)(e)" in found.rule.maximum.source.document


def test_a_value_without_its_citation_stops_loading_naming_the_file_and_field(data: Path) -> None:
    path = data / "de" / "2024.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[parameters.payroll_records.pay_year_closed]")
    section = text[start:]
    minimum_line = next(line for line in section.splitlines() if line.startswith("minimum = "))
    path.write_text(text[:start] + section.replace(minimum_line, "minimum = { value = 72 }", 1), encoding="utf-8")
    with pytest.raises(PackDataError) as refused:
        load_retention(data)
    message = str(refused.value)
    assert "de/2024.toml" in message
    assert "source" in message and "$.parameters.payroll_records.pay_year_closed.minimum" in message


def test_a_binary_float_stops_loading(data: Path) -> None:
    path = data / "gb" / "2024.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("value = 36,", "value = 36.0,", 1), encoding="utf-8")
    with pytest.raises(PackDataError, match=r"gb/2024.toml.*float"):
        load_retention(data)


def test_overlapping_versions_stop_loading(data: Path) -> None:
    shutil.copy(data / "sg" / "2016.toml", data / "sg" / "2017.toml")
    path = data / "sg" / "2017.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("2016-04-01", "2017-01-01"), encoding="utf-8")
    with pytest.raises(PackDataError, match="overlap"):
        load_retention(data)


def test_a_default_shorter_than_its_minimum_stops_loading(data: Path) -> None:
    path = data / "cn" / "2008.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[parameters.payroll_records.pay_year_closed]")
    section = text[start:]
    default_line = next(line for line in section.splitlines() if line.startswith("default = "))
    path.write_text(text[:start] + section.replace(default_line, default_line.replace("value = 24", "value = 12")),
                    encoding="utf-8")
    with pytest.raises(PackDataError, match=r"cn/2008.toml.*shorter than the statutory minimum"):
        load_retention(data)


def test_a_country_rule_outside_the_product_schedule_stops_loading(data: Path) -> None:
    path = data / "gb" / "2024.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[parameters.employee_record.employment_ended]",
                                 "[parameters.employee_record.application_closed]"), encoding="utf-8")
    with pytest.raises(PackDataError, match=r"employee_record\.application_closed is not in the generic"):
        load_retention(data)


def test_the_rule_in_force_follows_its_effective_dates() -> None:
    before = rule_for("IN", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, date(2025, 11, 20))
    after = rule_for("IN", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, date(2025, 11, 21))
    assert before is not None and after is not None
    assert "Payment of Wages Act" in before.legal_basis.document
    assert before.legal_basis.verification is Verification.CORROBORATED
    assert "Code on Wages" in after.legal_basis.document
    assert after.legal_basis.verification is Verification.UNVERIFIED
