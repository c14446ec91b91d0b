"""The law library over HTTP: every endpoint, and a clear 400 for every kind of bad request."""

from __future__ import annotations

from typing import Any

import pytest

from domain.kernel.i18n import translate
from tests.conftest import bearer
from tests.pages import every_item

pytestmark = pytest.mark.anyio

GERMAN_CLASS_ONE = {
    "country": "DE", "region": "BY", "pay_date": "2025-06-30", "pay_frequency": "monthly",
    "earnings": {"regular": "5000.00"}, "employee": {"tax_class": 1, "church_member": True},
}


@pytest.fixture
async def payroll(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "payroll_preparer", "hr_admin", subject="compliance-user")


async def test_the_packs_are_listed_with_regions_and_versions(client: Any, payroll: str) -> None:
    packs = await every_item(client, "/v1/compliance/packs", bearer(payroll), limit=20)
    payroll_countries = [p["country"] for p in packs if p["pay_frequencies"]]
    assert payroll_countries == ["CN", "DE", "GB", "IN", "JP", "SG", "US"]
    assert len(packs) >= 50 and [p["country"] for p in packs] == sorted(p["country"] for p in packs)
    china = next(p for p in packs if p["country"] == "CN")
    assert {"BJ", "SH", "SZ", "GZ", "HZ", "CD"} <= set(china["regions"])
    assert all(v["effective_from"] for p in packs for v in p["versions"])


async def test_a_pack_shows_cited_parameters_and_its_input_schema(client: Any, payroll: str) -> None:
    detail = (await client.get("/v1/compliance/packs/DE", headers=bearer(payroll))).json()
    version = detail["parameters"]["wage_tax"][0]
    cited = [v for v in version["parameters"].values() if isinstance(v, dict) and "source" in v]
    assert cited and all(c["source"]["url"].startswith("https://") for c in cited)
    assert "tax_class" in str(detail["employee_schema"])


async def test_the_policy_update_feed_lists_changes_since_a_date(client: Any, payroll: str) -> None:
    changes = await every_item(client, "/v1/compliance/packs/DE/changes?since=2026-01-01", bearer(payroll))
    assert changes and all(c["effective_from"] >= "2026-01-01" for c in changes)
    assert all(c["source"] for c in changes if c["series"] == "wage_tax")


async def test_a_stateless_calculation_matches_the_pack_and_is_localised(client: Any, payroll: str) -> None:
    response = await client.post("/v1/compliance/payroll-calculations", json=GERMAN_CLASS_ONE,
                                 headers=bearer(payroll, **{"Accept-Language": "zh-CN"}))
    assert response.status_code == 200, response.text
    result = response.json()
    lines = {line["code"]: line for line in result["lines"]}
    assert lines["de.wage_tax"]["employee"] == "807.08"  # BMF PAP 2025 reference execution
    assert lines["de.church_tax"]["employee"] == "64.56"
    assert lines["de.wage_tax"]["label"] == translate("Wage tax", "zh_CN") != "Wage tax"
    assert result["totals"]["net"] == str(
        sum(__import__("decimal").Decimal(v) for v in [result["totals"]["gross"]])
        - __import__("decimal").Decimal(result["totals"]["employee_deductions"]))
    assert result["trace"] and result["parameter_versions"]


@pytest.mark.parametrize("change, code", [
    ({"country": "ZZ"}, "compliance.unknown_country"),
    ({"region": "XX"}, "compliance.unknown_region"),
    ({"pay_date": "1999-01-31"}, "compliance.no_parameters_in_force"),
    ({"employee": {}}, "compliance.invalid_input"),
    ({"employee": {"tax_class": 9}}, "compliance.invalid_input"),
    ({"pay_frequency": "semimonthly"}, "compliance.unsupported_pay_frequency"),
])
async def test_bad_calculation_requests_get_a_clear_400(client: Any, payroll: str, change: dict[str, Any],
                                                        code: str) -> None:
    response = await client.post("/v1/compliance/payroll-calculations", json={**GERMAN_CLASS_ONE, **change},
                                 headers=bearer(payroll, **{"Accept-Language": "ja"}))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == code
    assert body["title"] == translate("Invalid compliance request", "ja")


@pytest.mark.parametrize("locale, detail", [
    ("ja", "CNルールパックへの入力が無効です：Shanghaiでは employee.medical_tier の tier2 は提供されていません"),
    ("zh-CN", "CN规则包的输入无效：Shanghai不提供 employee.medical_tier tier2"),
    ("en", "Invalid input for the CN rule pack: employee.medical_tier tier2 is not offered in Shanghai"),
])
async def test_a_packs_own_refusal_is_localised_whole(client: Any, payroll: str, locale: str, detail: str) -> None:
    """The pack's reason is a catalogue message with its parameters, not English inside a localised frame."""
    request = {"country": "CN", "region": "SH", "pay_date": "2025-08-31", "pay_frequency": "monthly",
               "earnings": {"regular": "20000"}, "employee": {"local_hukou": False, "medical_tier": "tier2"}}
    refused = await client.post("/v1/compliance/payroll-calculations", json=request,
                                headers=bearer(payroll, **{"Accept-Language": locale}))
    assert refused.status_code == 400 and refused.json()["code"] == "compliance.invalid_input"
    assert refused.json()["detail"] == detail


async def test_an_employer_override_outside_its_legal_range_is_refused(client: Any, payroll: str) -> None:
    request = {"country": "CN", "region": "BJ", "pay_date": "2025-08-31", "pay_frequency": "monthly",
               "earnings": {"regular": "20000"}, "employee": {}, "year_to_date": {}}
    allowed = await client.post("/v1/compliance/payroll-calculations", headers=bearer(payroll),
                                json={**request, "overrides": {"housing_fund_rate": "0.12"}})
    assert allowed.status_code == 200, allowed.text
    refused = await client.post("/v1/compliance/payroll-calculations", headers=bearer(payroll),
                                json={**request, "overrides": {"housing_fund_rate": "0.20"}})
    assert refused.json()["code"] == "compliance.override_out_of_range"


async def test_a_contract_check_lists_each_violation_in_the_callers_language(client: Any, payroll: str) -> None:
    contract = {"start_date": "2026-03-01", "pay_amount": "1000", "pay_unit": "month", "weekly_hours": "40",
                "region": "SH", "probation_months": 3, "fixed_term_months": 12, "date_of_birth": "2011-05-01"}
    response = await client.post("/v1/compliance/contract-checks", json={"country": "CN", "contract": contract},
                                 headers=bearer(payroll, **{"Accept-Language": "zh-CN"}))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["compliant"] is False
    codes = {v["code"] for v in result["violations"]}
    assert {"labour.minimum_wage", "labour.probation", "labour.minimum_age"} <= codes
    assert all(v["message"] and "{" not in v["message"] for v in result["violations"])
    assert all(v["params"] and all(value in v["message"] for value in v["params"].values())
               for v in result["violations"]), "the params a client may write its own text from"


async def check(client: Any, token: str, country: str, contract: dict[str, Any], locale: str = "en") -> set[str]:
    response = await client.post("/v1/compliance/contract-checks", json={"country": country, "contract": contract},
                                 headers=bearer(token, **{"Accept-Language": locale}))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["compliant"] is (not result["violations"])
    assert all(v["message"] and "{" not in v["message"] for v in result["violations"])
    return {v["code"] for v in result["violations"]}


async def test_china_annual_leave_follows_cumulative_working_years(client: Any, payroll: str) -> None:
    """职工带薪年休假条例 第三条: 10 days once the employee has worked 10 years, with any employer."""
    contract = {"start_date": "2026-12-01", "pay_amount": "9000", "pay_unit": "month", "weekly_hours": "40",
                "region": "SH", "annual_leave_days": "5"}
    assert await check(client, payroll, "CN", {**contract, "service_years_at_start": "10"}, "zh-CN") == {
        "labour.annual_leave"}
    assert await check(client, payroll, "CN", {**contract, "service_years_at_start": "9"}) == set()
    assert await check(client, payroll, "CN", {**contract, "service_years_at_start": "10",
                                               "annual_leave_days": "10"}) == set()


async def test_china_overtime_and_daily_hours_caps(client: Any, payroll: str) -> None:
    """劳动法 第三十六条, 第四十一条: 8 hours a day; overtime at most 3 hours a day and 36 a month."""
    contract = {"start_date": "2026-12-01", "pay_amount": "9000", "pay_unit": "month", "weekly_hours": "40",
                "region": "BJ", "daily_hours": "8", "overtime_hours_per_day": "3", "overtime_hours_per_month": "36"}
    assert await check(client, payroll, "CN", contract) == set()
    over = {**contract, "daily_hours": "9", "overtime_hours_per_day": "4", "overtime_hours_per_month": "37"}
    assert await check(client, payroll, "CN", over) == {
        "labour.daily_hours", "labour.overtime_day", "labour.overtime_month"}


async def test_japan_36_agreement_limits(client: Any, payroll: str) -> None:
    """労働基準法 第36条: 45 hours a month without a special clause; with one, within its ceilings."""
    contract = {"start_date": "2026-12-01", "pay_amount": "400000", "pay_unit": "month", "weekly_hours": "40",
                "region": "13"}
    assert await check(client, payroll, "JP", {**contract, "overtime_hours_per_month": "45"}) == set()
    assert await check(client, payroll, "JP", {**contract, "overtime_hours_per_month": "46"}, "ja") == {
        "labour.overtime_month"}
    special = {**contract, "overtime_hours_per_month": "75", "overtime_hours_per_year": "720",
               "special_clause": True, "months_over_general_limit": 6}
    assert await check(client, payroll, "JP", special) == set()
    assert await check(client, payroll, "JP", {**special, "months_over_general_limit": 7,
                                               "holiday_work_hours_per_month": "25"}) == {
        "labour.overtime_special_clause_months", "labour.overtime_with_holiday_work_month",
        "labour.overtime_with_holiday_work_average"}


async def test_japan_annual_leave_follows_continuous_service(client: Any, payroll: str) -> None:
    """労働基準法 第39条: 20 days after six and a half years with this employer."""
    contract = {"start_date": "2026-12-01", "pay_amount": "400000", "pay_unit": "month", "weekly_hours": "40",
                "region": "27", "service_years_at_start": "6.5"}
    assert await check(client, payroll, "JP", {**contract, "annual_leave_days": "20"}) == set()
    assert await check(client, payroll, "JP", {**contract, "annual_leave_days": "18"}) == {"labour.annual_leave"}


async def test_shanghai_compares_pay_after_the_employees_own_contributions(client: Any, payroll: str) -> None:
    """Shanghai's monthly minimum wage (2,740) leaves out the employee's own social insurance and housing fund."""
    contract = {"start_date": "2026-12-01", "pay_amount": "2740", "pay_unit": "month", "weekly_hours": "40",
                "region": "SH"}
    assert await check(client, payroll, "CN", contract) == set()
    contributions = {"employee_social_insurance": "288", "employee_housing_fund": "192"}
    assert await check(client, payroll, "CN", {**contract, "pay_components": contributions}, "zh-CN") == {
        "labour.minimum_wage"}
    assert await check(client, payroll, "CN", {**contract, "pay_amount": "3220", "pay_components": contributions}) \
        == set()
    # Shenzhen's law counts them: the same contract at Shenzhen's own minimum passes.
    assert await check(client, payroll, "CN", {**contract, "region": "SZ", "pay_amount": "2700",
                                               "pay_components": contributions}) == set()


async def test_implausible_contract_inputs_get_a_400(client: Any, payroll: str) -> None:
    contract = {"start_date": "2026-12-01", "pay_amount": "9000", "pay_unit": "month", "weekly_hours": "40",
                "service_years_at_start": "81"}
    response = await client.post("/v1/compliance/contract-checks", json={"country": "CN", "contract": contract},
                                 headers=bearer(payroll))
    assert response.status_code == 400, response.text


async def test_holidays_per_country_and_subdivision(client: Any, payroll: str) -> None:
    bavaria = (await client.get("/v1/compliance/holidays?country=DE&subdivision=BY&year=2026",
                                headers=bearer(payroll))).json()
    berlin = (await client.get("/v1/compliance/holidays?country=DE&subdivision=BE&year=2026",
                               headers=bearer(payroll))).json()
    assert "2026-01-06" in {h["date"] for h in bavaria["holidays"]}  # Epiphany: Bavaria only
    assert "2026-01-06" not in {h["date"] for h in berlin["holidays"]}
    japan = (await client.get("/v1/compliance/holidays?country=JP&year=2026",
                              headers=bearer(payroll, **{"Accept-Language": "ja"}))).json()
    assert any(h["name"] == "元日" for h in japan["holidays"])
    bad = await client.get("/v1/compliance/holidays?country=DE&subdivision=XX&year=2026", headers=bearer(payroll))
    assert bad.status_code == 400


async def test_holidays_take_a_packs_region_codes_as_pay_groups_do(client: Any, payroll: str) -> None:
    shanghai = await client.get("/v1/compliance/holidays?country=CN&subdivision=SH&year=2026", headers=bearer(payroll))
    tokyo = await client.get("/v1/compliance/holidays?country=JP&subdivision=13&year=2026", headers=bearer(payroll))
    california = await client.get("/v1/compliance/holidays?country=US&subdivision=CA&year=2026",
                                  headers=bearer(payroll))
    assert shanghai.status_code == tokyo.status_code == california.status_code == 200, shanghai.text
    assert "2026-10-01" in {h["date"] for h in shanghai.json()["holidays"]}  # National Day
    assert "2026-03-31" in {h["date"] for h in california.json()["holidays"]}  # Cesar Chavez Day: California only


async def test_each_pack_has_a_typed_route_whose_schema_is_in_the_openapi_document(client: Any, payroll: str) -> None:
    typed = {k: v for k, v in GERMAN_CLASS_ONE.items() if k != "country"}
    response = await client.post("/v1/compliance/packs/DE/payroll-calculations", json=typed, headers=bearer(payroll))
    assert response.status_code == 200, response.text
    assert {line["code"]: line["employee"] for line in response.json()["lines"]}["de.wage_tax"] == "807.08"
    wrong = await client.post("/v1/compliance/packs/DE/payroll-calculations", headers=bearer(payroll),
                              json={**typed, "employee": {"tax_class": 1, "steuerklasse": 3}})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["pointer"] == "/employee/steuerklasse"
    document = (await client.get("/schema/openapi.json")).json()
    body = document["paths"]["/v1/compliance/packs/DE/payroll-calculations"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DEPayrollCalculation"}
    assert "tax_class" in str(document["components"]["schemas"]["GermanyEmployee"])
