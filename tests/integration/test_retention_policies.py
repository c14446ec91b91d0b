"""Retention policies: each country's periods from its law data with their citations, and a tenant's own periods
within the law's bounds, audited, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from compliance.retention import DataClass, Trigger
from domain.kernel.i18n import translate
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.privacy import service
from domain.privacy.model import RetentionPolicyChange
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

BASE = "/v1/privacy/retention-policies"
DE_PAYROLL = f"{BASE}/DE/payroll_records/pay_year_closed"
JP_PAYROLL = f"{BASE}/JP/payroll_records/pay_year_closed"
ENTITIES = {"DE": ("EUR", "Europe/Berlin"), "GB": ("GBP", "Europe/London"), "CN": ("CNY", "Asia/Shanghai"),
            "JP": ("JPY", "Asia/Tokyo"), "US": ("USD", "America/New_York"), "IN": ("INR", "Asia/Kolkata"),
            "SG": ("SGD", "Asia/Singapore"), "FR": ("EUR", "Europe/Paris")}


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="retention-admin")


async def _add_entities(client: Any, admin: str, *countries: str) -> None:
    """A legal entity in each country (tenant A is the session's; each test below changes its own rules only)."""
    for country in countries:
        currency, zone = ENTITIES[country]
        created = await client.post("/v1/legal-entities", headers=bearer(admin), json={
            "name": f"{country} GmbH {uuid.uuid4().hex[:6]}", "country": country, "currency": currency,
            "timezone": zone})
        assert created.status_code == 201, created.text


async def _all_pages(client: Any, token: str, url: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await client.get(url, params={"limit": limit, **({"cursor": cursor} if cursor else {})},
                                headers=bearer(token))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def _by_rule(items: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(p["country"], p["data_class"], p["trigger"]): p for p in items}


async def test_each_country_of_the_legal_entities_gets_its_law_with_citations(client: Any, admin: str) -> None:
    await _add_entities(client, admin, *ENTITIES)
    items = await _all_pages(client, admin, BASE, limit=7)
    policies = _by_rule(items)
    countries = {country for country, _, _ in policies}
    assert countries >= set(ENTITIES)
    assert len(items) == len(policies) == 10 * len(countries)  # every scheduled rule once, across pages
    de_payroll = policies[("DE", "payroll_records", "pay_year_closed")]
    assert (de_payroll["period_months"], de_payroll["source"], de_payroll["minimum_months"]) == (72, "statutory", 72)
    assert "EStG" in de_payroll["legal_basis"]["document"] and de_payroll["verification"] == "corroborated"
    assert de_payroll["maximum_months"] is None and "5(1)(e)" in de_payroll["maximum_citation"]["document"]
    de_applicants = policies[("DE", "candidate_profile", "application_closed")]
    assert (de_applicants["period_months"], de_applicants["source"]) == (6, "practice")
    assert de_applicants["minimum_months"] is None and "AGG" in de_applicants["legal_basis"]["document"]
    gb_payroll = policies[("GB", "payroll_records", "pay_year_closed")]
    assert (gb_payroll["period_months"], gb_payroll["verification"]) == (36, "official")
    cn_contracts = policies[("CN", "employee_record", "employment_ended")]
    assert cn_contracts["period_months"] == 24 and "劳动合同法" in cn_contracts["legal_basis"]["document"]
    jp_register = policies[("JP", "employee_record", "employment_ended")]
    assert (jp_register["period_months"], jp_register["minimum_months"], jp_register["source"]) == (60, 36, "practice")
    assert policies[("US", "payroll_records", "pay_year_closed")]["period_months"] == 49
    assert policies[("US", "application_history", "application_closed")]["minimum_months"] == 12
    assert policies[("SG", "employee_record", "employment_ended")]["period_months"] == 12
    assert policies[("IN", "payroll_records", "pay_year_closed")]["verification"] == "unverified"
    france = [p for (country, _, _), p in policies.items() if country == "FR"]
    assert all(p["source"] == "product_default" and not p["country_law_recorded"] for p in france)
    assert all(p["legal_basis"]["issuer"] == "Meridian" and p["verification"] == "unverified" for p in france)
    one_country = (await client.get(BASE, params={"country": "JP", "limit": 200}, headers=bearer(admin))).json()
    assert {p["country"] for p in one_country["items"]} == {"JP"} and len(one_country["items"]) == 10


async def test_lengthening_is_saved_with_its_etag_and_audited(client: Any, admin: str) -> None:
    read = await client.get(DE_PAYROLL, headers=bearer(admin))
    assert read.status_code == 200 and read.headers["etag"] == '"v0"'
    changed = await client.put(DE_PAYROLL, json={"period_months": 120, "reason": "Ten years, as AO § 147 asks"},
                               headers=bearer(admin, **{"If-Match": read.headers["etag"]}))
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["period_months"], body["source"], body["version"]) == (120, "tenant", 1)
    assert body["override"]["reason"] == "Ten years, as AO § 147 asks" and body["default_months"] == 72
    assert "EStG" in body["legal_basis"]["document"]  # the statutory minimum it must respect
    assert changed.headers["etag"] == '"v1"'
    stale = await client.put(DE_PAYROLL, json={"period_months": 96, "reason": "again"},
                             headers=bearer(admin, **{"If-Match": '"v0"'}))
    assert stale.status_code == 412
    missing = await client.put(DE_PAYROLL, json={"period_months": 96, "reason": "again"}, headers=bearer(admin))
    assert missing.status_code == 428
    listed = (await client.get(BASE, params={"limit": 200}, headers=bearer(admin))).json()["items"]
    assert _by_rule(listed)[("DE", "payroll_records", "pay_year_closed")]["period_months"] == 120
    audit = (await client.get("/v1/audit/entries", headers=bearer(admin), params={
        "entity_type": "retention_policy", "entity_id": "DE/payroll_records/pay_year_closed"})).json()["items"]
    assert [e["action"] for e in audit] == ["retention_policy.changed"]
    assert audit[0]["actor"] == "retention-admin"
    assert audit[0]["before"]["period_months"] == 72 and audit[0]["before"]["source"] == "statutory"
    assert audit[0]["after"]["period_months"] == 120 and audit[0]["after"]["reason"] == "Ten years, as AO § 147 asks"
    back = await client.put(DE_PAYROLL, json={"period_months": None, "reason": "Back to the law"},
                            headers=bearer(admin, **{"If-Match": changed.headers["etag"]}))
    assert back.status_code == 200, back.text
    assert (back.json()["period_months"], back.json()["source"], back.json()["override"]) == (72, "statutory", None)
    assert back.headers["etag"] == '"v2"'


@pytest.mark.parametrize("language, locale", [("en", "en"), ("zh-CN", "zh_CN"), ("ja", "ja")])
async def test_shortening_below_the_statutory_minimum_is_refused_naming_it(
    client: Any, admin: str, language: str, locale: str
) -> None:
    refused = await client.put(JP_PAYROLL, json={"period_months": 24, "reason": "shorter"},
                               headers=bearer(admin, **{"If-Match": '"v0"', "Accept-Language": language}))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "retention_below_statutory_minimum"
    assert problem["type"] == "urn:meridian:problem:retention_below_statutory_minimum"
    assert problem["title"] == translate("Shorter than the law allows", locale)
    assert (problem["title"] == "Shorter than the law allows") == (locale == "en")
    assert "36" in problem["detail"] and "労働基準法" in problem["detail"] and "24" in problem["detail"]
    assert problem["errors"][0]["pointer"] == "/period_months"
    assert problem["detail"] == translate(
        "{country} law keeps {data_class} at least {minimum} months after {trigger} ({citation}); "
        "{months} months is shorter.", locale, country="JP", data_class="payroll_records", minimum=36,
        trigger="pay_year_closed", citation="労働基準法 第百九条、附則 第百四十三条第一項, 国会", months=24)
    unchanged = await client.get(JP_PAYROLL, headers=bearer(admin))
    assert unchanged.json()["source"] == "practice" and unchanged.json()["override"] is None


async def test_shortening_where_no_statutory_minimum_applies_is_allowed(client: Any, admin: str) -> None:
    url = f"{BASE}/DE/candidate_profile/application_closed"
    shorter = await client.put(url, json={"period_months": 3, "reason": "Claims are rare"},
                               headers=bearer(admin, **{"If-Match": '"v0"'}))
    assert shorter.status_code == 200, shorter.text
    assert (shorter.json()["period_months"], shorter.json()["source"]) == (3, "tenant")


async def test_lengthening_past_the_legal_maximum_is_refused(client: Any, admin: str) -> None:
    url = f"{BASE}/DE/recording/consent_withdrawn"
    refused = await client.put(url, json={"period_months": 2, "reason": "keep a while"},
                               headers=bearer(admin, **{"If-Match": '"v0"', "Accept-Language": "ja"}))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "retention_above_legal_maximum"
    assert "GDPR" in refused.json()["detail"]
    within = await client.put(url, json={"period_months": 1, "reason": "a month to answer"},
                              headers=bearer(admin, **{"If-Match": '"v0"'}))
    assert within.status_code == 200 and within.json()["period_months"] == 1


async def test_another_tenants_period_is_invisible(client: Any, admin: str, tenant_b: uuid.UUID) -> None:
    # Tenant B acts through the service: on-prem, the API serves its one tenant only.
    other = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    theirs = await service.set_policy(other, "GB", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED,
                                      RetentionPolicyChange(period_months=100, reason="theirs"), 0)
    assert (theirs.period_months, theirs.version) == (100, 1)
    ours = await client.get(f"{BASE}/GB/payroll_records/pay_year_closed", headers=bearer(admin))
    assert (ours.json()["period_months"], ours.json()["source"], ours.json()["override"]) == (36, "statutory", None)
    assert ours.headers["etag"] == '"v0"'
    listed = (await client.get(BASE, params={"limit": 200, "country": "GB"}, headers=bearer(admin))).json()["items"]
    assert all(p["source"] != "tenant" for p in listed)
    overwrite = await client.put(f"{BASE}/GB/payroll_records/pay_year_closed", json={"period_months": 80,
                                 "reason": "ours"}, headers=bearer(admin, **{"If-Match": '"v1"'}))
    assert overwrite.status_code == 412  # B's version is no version of ours
    again = await service.get_policy(other, "GB", DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED)
    assert again.period_months == 100


async def test_who_may_read_and_change_and_what_is_no_rule(client: Any, admin: str, tenant_a: uuid.UUID,
                                                          token_for: Any) -> None:
    tenant = tenant_a
    hr = await token_for(tenant, "hr_admin", subject="retention-hr")
    auditor = await token_for(tenant, "auditor", subject="retention-auditor")
    recruiter = await token_for(tenant, "recruiter", subject="retention-recruiter")
    assert (await client.get(BASE, headers=bearer(hr))).status_code == 200
    assert (await client.get(DE_PAYROLL, headers=bearer(auditor))).status_code == 200
    assert (await client.get(BASE, headers=bearer(recruiter))).status_code == 403
    denied = await client.put(DE_PAYROLL, json={"period_months": 90, "reason": "x"},
                              headers=bearer(hr, **{"If-Match": '"v0"'}))
    assert denied.status_code == 403
    no_rule = await client.get(f"{BASE}/DE/payroll_records/application_closed", headers=bearer(admin))
    assert no_rule.status_code == 404 and no_rule.json()["code"] == "retention_policy_not_found"
    no_country = await client.get(f"{BASE}/XX/payroll_records/pay_year_closed", headers=bearer(admin))
    assert no_country.status_code == 404 and no_country.json()["code"] == "unknown_country"
    bad_filter = await client.get(BASE, params={"country": "XX"}, headers=bearer(admin))
    assert bad_filter.status_code == 400 and bad_filter.json()["errors"][0]["pointer"] == "/country"
    bad_class = await client.get(f"{BASE}/DE/passport_scans/pay_year_closed", headers=bearer(admin))
    assert bad_class.status_code == 400
