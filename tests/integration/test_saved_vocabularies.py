"""Countries, regions, currencies and what a country's payroll needs are checked when they are saved, in one
vocabulary (the region codes ``GET /v1/compliance/packs`` lists), so a payslip is never the first to find them
wrong: 422 problem+json with a stable code and a pointer at the field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.kernel.db import Database
from domain.payroll.service import wait_for_jobs
from tests.conftest import bearer
from tests.pages import every_item

pytestmark = pytest.mark.anyio


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> dict[str, str]:
    token = await token_for(tenant_a, "tenant_admin", "hr_admin", "payroll_preparer",
                            subject="vocabulary-admin")
    return bearer(token)


def entity_body(country: str, currency: str, timezone: str, **more: Any) -> dict[str, Any]:
    return {"name": f"Vocabulary {country} {uuid.uuid4().hex[:6]}", "country": country, "currency": currency,
            "timezone": timezone, **more}


async def entity(client: Any, admin: dict[str, str], country: str, currency: str, timezone: str,
                 **more: Any) -> dict[str, Any]:
    created = await client.post("/v1/legal-entities", headers=admin,
                                json=entity_body(country, currency, timezone, **more))
    assert created.status_code == 201, created.text
    return created.json()


async def application(client: Any, admin: dict[str, str], entity_id: str) -> str:
    job = await client.post("/v1/jobs", headers=admin, json={
        "legal_entity_id": entity_id, "location": "Head office",
        # every language: another test may have made any of them the tenant's default
        "title": {"en": "Analyst", "zh_CN": "分析师", "ja": "アナリスト"}})
    candidate = await client.post("/v1/candidates", headers=admin, json={
        "full_name": f"Vocabulary Person {uuid.uuid4().hex[:4]}"})
    assert job.status_code == candidate.status_code == 201, job.text + candidate.text
    applied = await client.post("/v1/applications", headers=admin, json={
        "candidate_id": candidate.json()["id"], "job_id": job.json()["id"]})
    assert applied.status_code == 201, applied.text
    return str(applied.json()["id"])


async def hire(client: Any, admin: dict[str, str], entity_id: str, **body: Any) -> Any:
    application_id = await application(client, admin, entity_id)
    return await client.post(f"/v1/applications/{application_id}/hire", headers=admin, json={
        "legal_entity_id": entity_id, "position": "Analyst", "start_date": "2026-01-01", "weekly_hours": "40",
        **body})


def refused(response: Any, code: str, *pointers: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code, problem
    assert [e["pointer"] for e in problem.get("errors", [])] == list(pointers), problem
    return problem


async def test_a_legal_entity_takes_an_iso_country_and_a_region_of_its_packs_vocabulary(
        client: Any, admin: dict[str, str]) -> None:
    post = lambda body: client.post("/v1/legal-entities", headers=admin, json=body)  # noqa: E731
    refused(await post(entity_body("ZZ", "EUR", "UTC")), "unknown_country", "/country")
    refused(await post(entity_body("GB", "GBP", "Europe/London", region="BW")), "unknown_region", "/region")
    # Puerto Rico is an ISO 3166-2 subdivision of the US, but not a region of the US pack (the states and DC).
    refused(await post(entity_body("US", "USD", "America/New_York", region="PR")), "unknown_region", "/region")
    # Exactly the codes GET /v1/compliance/packs lists, not their ISO 3166-2 form with the country prefix.
    packs = await every_item(client, "/v1/compliance/packs", admin)
    for pack in packs:
        if not pack["regions"]:
            continue
        region = sorted(pack["regions"])[0]
        accepted = await post(entity_body(pack["country"], pack["currency"], "UTC", region=region))
        assert accepted.status_code == 201, accepted.text
        refused(await post(entity_body(pack["country"], pack["currency"], "UTC", region=f"{pack['country']}-{region}")),
                "unknown_region", "/region")
    # Where no pack covers the country (Luxembourg; France now has a labour pack), its ISO 3166-2 subdivisions are
    # the regions.
    assert (await post(entity_body("LU", "EUR", "Europe/Luxembourg", region="CA"))).status_code == 201
    refused(await post(entity_body("LU", "EUR", "Europe/Luxembourg", region="MARS")), "unknown_region", "/region")
    # A covered country's entity pays in the currency its payroll is calculated in.
    problem = refused(await post(entity_body("DE", "USD", "Europe/Berlin")), "entity_currency_not_payroll_currency",
                      "/currency")
    assert "EUR" in problem["detail"] and "USD" in problem["detail"]

    british = await entity(client, admin, "GB", "GBP", "Europe/London", region="SCT")
    url = f"/v1/legal-entities/{british['id']}"
    etag = (await client.get(url, headers=admin)).headers["etag"]
    refused(await client.patch(url, headers={**admin, "If-Match": etag}, json={"region": "BW"}),
            "unknown_region", "/region")
    moved = await client.patch(url, headers={**admin, "If-Match": etag}, json={"region": "WLS"})
    assert moved.status_code == 200 and moved.json()["region"] == "WLS", moved.text


async def test_a_pay_group_pays_on_its_entitys_country_in_a_region_of_its_pack(
        client: Any, admin: dict[str, str]) -> None:
    chinese = await entity(client, admin, "CN", "CNY", "Asia/Shanghai", region="SH")

    async def group(rule: dict[str, Any], entity_id: str = chinese["id"]) -> Any:
        return await client.post("/v1/pay-groups", headers=admin, json={
            "legal_entity_id": entity_id, "name": f"Vocabulary {uuid.uuid4().hex[:6]}",
            "rule": {"frequency": "monthly", "pay_day": 10, **rule}})

    refused(await group({"country": "ZZ"}), "pay_group_country_not_entity_country", "/rule/country")
    problem = refused(await group({"country": "DE"}), "pay_group_country_not_entity_country", "/rule/country")
    assert "DE" in problem["detail"] and "CN" in problem["detail"]
    refused(await group({"country": "CN", "subdivision": "Mars"}), "unknown_region", "/rule/subdivision")
    refused(await group({"country": "CN", "subdivision": "CN-SH"}), "unknown_region", "/rule/subdivision")
    # The CN pack's own code for Shanghai, refused before because it was read as a holidays subdivision.
    shanghai = await group({"country": "CN", "subdivision": "SH"})
    assert shanghai.status_code == 201, shanghai.text
    calendar = await client.get(f"/v1/pay-groups/{shanghai.json()['id']}/calendar?year=2026", headers=admin)
    assert calendar.status_code == 200 and len(calendar.json()["periods"]) == 12, calendar.text
    assert calendar.json()["year"] == 2026 and calendar.json()["pay_group_id"] == shanghai.json()["id"]
    bavarian = await entity(client, admin, "DE", "EUR", "Europe/Berlin", region="BY")
    assert (await group({"country": "DE", "subdivision": "BY"}, bavarian["id"])).status_code == 201
    french = await entity(client, admin, "FR", "EUR", "Europe/Paris")
    refused(await group({"country": "FR"}, french["id"]), "no_payroll_pack", "/rule/country")


async def test_a_reviewer_region_is_a_country_or_a_country_and_one_of_its_regions(
        client: Any, admin: dict[str, str]) -> None:
    assign = lambda region: client.post("/v1/payroll/reviewer-regions", headers=admin,  # noqa: E731
                                        json={"subject": "vocabulary-reviewer", "region": region})
    refused(await assign("ZZ-MARS"), "unknown_country", "/region")
    refused(await assign("CN-MARS"), "unknown_region", "/region")
    for region in ("CN", "CN-SH", "*"):
        assert (await assign(region)).status_code == 201, region


async def test_a_hire_works_in_a_region_of_its_entitys_pack_and_is_paid_in_the_entitys_currency(
        client: Any, admin: dict[str, str]) -> None:
    chinese = await entity(client, admin, "CN", "CNY", "Asia/Shanghai", region="SH")
    cny = {"amount": "18000.00", "currency": "CNY", "unit": "month"}
    refused(await hire(client, admin, chinese["id"], pay=cny, region="MARS"), "unknown_region", "/region")
    refused(await hire(client, admin, chinese["id"], pay=cny, region="CN-BJ"), "unknown_region", "/region")
    refused(await hire(client, admin, chinese["id"], pay={**cny, "currency": "ZZZ"}), "unknown_currency",
            "/pay/currency")
    problem = refused(await hire(client, admin, chinese["id"], pay={**cny, "currency": "USD"}),
                      "pay_currency_not_entity_currency", "/pay/currency")
    assert "USD" in problem["detail"] and "CNY" in problem["detail"]
    german = await entity(client, admin, "DE", "EUR", "Europe/Berlin", region="BE")
    refused(await hire(client, admin, german["id"], pay={"amount": "5000.00", "currency": "USD", "unit": "month"},
                       tax_attributes={"tax_class": 1}), "pay_currency_not_entity_currency", "/pay/currency")

    hired = await hire(client, admin, chinese["id"], pay=cny, region="BJ")
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    assert employee["employment"]["region"] == "BJ"
    change = {"effective_from": "2026-07-01", "reason": "Moved to the US payroll by mistake",
              "pay": {"amount": "2500.00", "currency": "USD", "unit": "month"}}
    refused(await client.post(f"/v1/employees/{employee['id']}/employment-changes", headers=admin, json=change),
            "pay_currency_not_entity_currency", "/pay/currency")


async def test_what_a_countrys_payroll_needs_is_asked_for_at_hire_not_found_at_calculation(
        client: Any, admin: dict[str, str]) -> None:
    japanese = await entity(client, admin, "JP", "JPY", "Asia/Tokyo")
    yen = {"amount": "400000", "currency": "JPY", "unit": "month"}
    problem = refused(await hire(client, admin, japanese["id"], pay=yen), "payroll_input_missing",
                      "/tax_attributes/date_of_birth", "/region")
    assert "date_of_birth" in problem["detail"]
    refused(await hire(client, admin, japanese["id"], pay=yen, region="13", tax_attributes={"dependants": 1}),
            "payroll_input_missing", "/tax_attributes/date_of_birth")
    german = await entity(client, admin, "DE", "EUR", "Europe/Berlin")
    refused(await hire(client, admin, german["id"], pay={"amount": "5000.00", "currency": "EUR", "unit": "month"}),
            "payroll_input_missing", "/tax_attributes/tax_class")

    hired = await hire(client, admin, japanese["id"], pay=yen, region="13",
                       tax_attributes={"date_of_birth": "1990-04-01", "dependants": 1})
    assert hired.status_code == 201, hired.text
    url = f"/v1/employees/{hired.json()['id']}"
    recorded = (await client.get(f"{url}/tax-attributes/JP?as_of=2026-01-01", headers=admin)).json()
    assert recorded["attributes"]["date_of_birth"] == "1990-04-01" and recorded["effective_from"] == "2026-01-01"
    # Later attributes, recorded alone or with an employment change, must still give the pack what it needs.
    refused(await client.post(f"{url}/tax-attributes", headers=admin, json={
        "country": "JP", "effective_from": "2026-04-01", "attributes": {"dependants": 2}}),
        "payroll_input_missing", "/attributes/date_of_birth")
    change = {"effective_from": "2026-04-01", "reason": "Promotion",
              "pay": {"amount": "450000", "currency": "JPY", "unit": "month"}}
    refused(await client.post(f"{url}/employment-changes", headers=admin,
                              json={**change, "tax_attributes": {"dependants": 2}}),
            "payroll_input_missing", "/tax_attributes/date_of_birth")
    promoted = await client.post(f"{url}/employment-changes", headers=admin, json=change)
    assert promoted.status_code == 201, promoted.text
    # Without social insurance computed by the pack, neither the date of birth nor a prefecture is needed.
    exempt = await hire(client, admin, japanese["id"], pay=yen, tax_attributes={"social_insurance": False})
    assert exempt.status_code == 201, exempt.text


async def _record_pay_currency_as_an_old_row_would(settings: Any, tenant_id: Any, employee_id: str,
                                                   currency: str) -> None:
    """Employment history is append-only for the app role, so the old row is written as the schema's owner."""
    owner = Database(settings.effective_migration_url)
    await owner.start()
    try:
        async with owner.transaction(write=True):
            if not owner.is_sqlite:
                await owner.execute("SELECT set_config('app.tenant_id', {}, true)", str(tenant_id))
            await owner.execute("UPDATE employments SET currency = {} WHERE tenant_id = {} AND employee_id = {}",
                                currency, tenant_id, uuid.UUID(employee_id))
    finally:
        await owner.stop()


async def test_a_run_lists_pay_recorded_in_another_currency_as_a_calculation_problem(
        client: Any, tenant_a: Any, admin: dict[str, str], settings: Any) -> None:
    """Rows from before hires were checked: 5,000 USD is not paid as 5,000 CNY without a word."""
    chinese = await entity(client, admin, "CN", "CNY", "Asia/Shanghai", region="SH")
    hired = await hire(client, admin, chinese["id"], pay={"amount": "5000.00", "currency": "CNY", "unit": "month"})
    assert hired.status_code == 201, hired.text
    employee_id = hired.json()["id"]
    await _record_pay_currency_as_an_old_row_would(settings, tenant_a, employee_id, "USD")
    group = (await client.post("/v1/pay-groups", headers=admin, json={
        "legal_entity_id": chinese["id"], "name": f"Vocabulary {uuid.uuid4().hex[:6]}",
        "rule": {"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1}})).json()
    run = (await client.post("/v1/pay-runs", headers=admin, json={
        "pay_group_id": group["id"], "year": 2026, "period": 3})).json()
    assert (await client.post(f"/v1/pay-runs/{run['id']}/calculation", headers=admin)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(f"/v1/pay-runs/{run['id']}", headers=admin)).json()
    [problem] = calculated["calculation_problems"]
    assert problem["employee_id"] == employee_id
    assert "USD" in problem["problem"] and "CNY" in problem["problem"], problem
    assert (await client.get(f"/v1/pay-runs/{run['id']}/payslips", headers=admin)).json()["items"] == []
