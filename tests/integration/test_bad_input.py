"""Whatever a client or a fuzzer sends, a bad request is answered with a 4xx problem that names a stable
code, never a 500: undecodable or absurdly nested bodies, bodies of the wrong media type, numbers that are
not finite or not of a sane size, dates outside any plausible calendar, and control characters in text."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from domain.assessments.signatures import sign
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

INVALID_UTF8 = b'{"name": "Bad \xff\xfe bytes", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"}'
DEEPLY_NESTED = b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", "hr_admin", "payroll_preparer", subject="bad-input-admin")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert "Traceback" not in response.text and "Error:" not in body["detail"]
    return body


# -- 1. Bodies that cannot be decoded -------------------------------------------------------------

@pytest.mark.parametrize("body", [INVALID_UTF8, DEEPLY_NESTED], ids=["invalid-utf8", "nested-10000"])
async def test_an_undecodable_json_body_is_a_400(client: Any, admin: str, body: bytes) -> None:
    response = await client.post("/v1/legal-entities", content=body,
                                 headers=bearer(admin, **{"Content-Type": "application/json"}))
    assert_problem(response, 400, "invalid_body")


@pytest.fixture
async def vendor(client: Any, admin: str, tenant_a: Any) -> dict[str, Any]:
    created = await client.post("/v1/vendors", headers=bearer(admin), json={"name": f"Fuzz {uuid.uuid4().hex[:6]}"})
    assert created.status_code == 201, created.text
    return {**created.json(), "tenant": str(tenant_a)}


async def deliver(client: Any, vendor: dict[str, Any], body: bytes, content_type: str = "application/json") -> Any:
    signature = sign(vendor["secret"].encode(), int(time.time()), body)
    return await client.post(f"/v1/vendor-deliveries/{vendor['tenant']}/{vendor['vendor']['id']}/results",
                             content=body, headers={"Meridian-Signature": signature, "Content-Type": content_type})


def result(vendor_name: bytes) -> bytes:
    return (b'{"schema": "meridian.interview-result.v1", "result_id": "r-%s", "vendor": "%s", "model": "m", '
            b'"model_version": "1", "rubric_version": "r1", "reference": {"application_reference": "a-1"}, '
            b'"interview_language": "en", "completed_at": "2026-03-29T09:00:00+08:00", "competencies": [{"code": '
            b'"teamwork", "name": "Teamwork", "score": "3", "scale_min": "1", "scale_max": "5"}]}'
            ) % (uuid.uuid4().hex.encode(), vendor_name)


async def test_a_signed_delivery_sent_as_invalid_utf8_is_a_400(client: Any, vendor: dict[str, Any]) -> None:
    assert (await deliver(client, vendor, result(b"Acme"))).status_code == 200
    assert_problem(await deliver(client, vendor, result(b"Acme \xff\xfe")), 400, "invalid_interview_result")


async def test_a_signed_delivery_nested_10000_deep_is_a_400(client: Any, vendor: dict[str, Any]) -> None:
    assert_problem(await deliver(client, vendor, b"[" * 10_000 + b"]" * 10_000), 400, "invalid_interview_result")
    assert_problem(await deliver(client, vendor, DEEPLY_NESTED), 400, "invalid_interview_result")


# -- 2. Bodies of another media type where JSON is expected ---------------------------------------

ENTITY = b'{"name": "Media GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"}'


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/xml", "application/x-www-form-urlencoded", None, "application/json; charset=latin-1"])
async def test_a_json_body_of_another_media_type_is_a_415(client: Any, admin: str, content_type: str | None) -> None:
    headers = bearer(admin, **({"Content-Type": content_type} if content_type else {}))
    response = await client.post("/v1/legal-entities", content=ENTITY, headers=headers)
    assert_problem(response, 415, "unsupported_media_type")


async def test_json_with_its_media_type_and_charset_is_accepted(client: Any, admin: str) -> None:
    response = await client.post("/v1/legal-entities", content=ENTITY.replace(b"Media", uuid.uuid4().hex.encode()),
                                 headers=bearer(admin, **{"Content-Type": "application/json; charset=UTF-8"}))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
async def test_a_signed_delivery_of_another_media_type_is_a_415(client: Any, vendor: dict[str, Any],
                                                               content_type: str) -> None:
    assert_problem(await deliver(client, vendor, result(b"Acme"), content_type), 415, "unsupported_media_type")


# -- 3. Numbers that are not finite or not of a sane size -----------------------------------------

NOT_SANE = ["NaN", "-NaN", "Infinity", "-Infinity", "1e400", "1234567890123456789012345678901234567890",
            "0.1234567890123456789012345678901234567890"]
PACK_INPUTS: dict[str, dict[str, Any]] = {
    "CN": {"region": "SH", "employee": {}}, "DE": {"employee": {"tax_class": 1}},
    "GB": {"employee": {"tax_code": "1257L"}}, "IN": {"employee": {}},
    "JP": {"region": "13", "employee": {"date_of_birth": "1990-01-01"}},
    "SG": {"employee": {"date_of_birth": "1990-01-01"}}, "US": {"employee": {}},
}


@pytest.fixture
async def payroll(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "payroll_preparer", "hr_admin", subject="bad-input-payroll")


def calculation(country: str, regular: str = "5000") -> dict[str, Any]:
    return {"pay_date": "2026-03-31", "pay_frequency": "monthly", "earnings": {"regular": regular},
            **PACK_INPUTS[country]}


def assert_field_problem(response: Any, pointer: str) -> None:
    body = assert_problem(response, 400, "invalid_body")
    assert [error["pointer"] for error in body["errors"]] == [pointer], body


@pytest.mark.parametrize("country", sorted(PACK_INPUTS))
async def test_every_pack_refuses_an_amount_that_is_not_a_sane_finite_number(client: Any, payroll: str,
                                                                             country: str) -> None:
    url = f"/v1/compliance/packs/{country}/payroll-calculations"
    fine = await client.post(url, json=calculation(country), headers=bearer(payroll))
    assert fine.status_code == 200, fine.text
    for value in NOT_SANE:
        response = await client.post(url, json=calculation(country, value), headers=bearer(payroll))
        assert_field_problem(response, "/earnings/regular")
        untyped = await client.post("/v1/compliance/payroll-calculations", headers=bearer(payroll),
                                    json={"country": country, **calculation(country, value)})
        assert_field_problem(untyped, "/earnings/regular")


@pytest.mark.parametrize("country, field", [("DE", "gross"), ("CN", "income"), ("GB", "taxable_pay"),
                                            ("SG", "ordinary_wages_subject"), ("IN", "salary"), ("JP", "gross")])
async def test_year_to_date_figures_follow_the_same_rule(client: Any, payroll: str, country: str, field: str) -> None:
    from compliance.registry import all_packs

    assert field in all_packs()[country].ytd_schema.__struct_fields__
    response = await client.post(f"/v1/compliance/packs/{country}/payroll-calculations", headers=bearer(payroll),
                                 json={**calculation(country), "year_to_date": {field: "NaN"}})
    assert_field_problem(response, f"/year_to_date/{field}")


async def test_an_override_follows_the_same_rule(client: Any, payroll: str) -> None:
    response = await client.post("/v1/compliance/packs/CN/payroll-calculations", headers=bearer(payroll),
                                 json={**calculation("CN"), "overrides": {"housing_fund_rate": "Infinity"}})
    assert_field_problem(response, "/overrides/housing_fund_rate")


@pytest.mark.parametrize("field, value", [("pay_amount", "1e400"), ("pay_amount", "NaN"), ("weekly_hours", "NaN"),
                                          ("pay_amount", "9" * 40)])
async def test_a_contract_check_refuses_numbers_that_are_not_sane(client: Any, payroll: str, field: str,
                                                                  value: str) -> None:
    contract = {"start_date": "2026-03-01", "pay_amount": "9000", "pay_unit": "month", "weekly_hours": "40",
                "region": "SH", field: value}
    response = await client.post("/v1/compliance/contract-checks", json={"country": "CN", "contract": contract},
                                 headers=bearer(payroll))
    assert_field_problem(response, f"/contract/{field}")


# -- 4. Dates outside any plausible calendar ------------------------------------------------------

@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-25", "0001-01-01", "1899-12-31", "2201-01-01"])
async def test_a_date_outside_1900_to_2200_in_a_body_is_a_400(client: Any, payroll: str, day: str) -> None:
    response = await client.post("/v1/compliance/packs/DE/payroll-calculations", headers=bearer(payroll),
                                 json={**calculation("DE"), "pay_date": day})
    body = assert_problem(response, 400, "date_out_of_range")
    assert body["errors"][0]["pointer"] == "/pay_date"
    contract = {"start_date": day, "pay_amount": "9000", "pay_unit": "month", "weekly_hours": "40"}
    response = await client.post("/v1/compliance/contract-checks", json={"country": "CN", "contract": contract},
                                 headers=bearer(payroll))
    assert assert_problem(response, 400, "date_out_of_range")["errors"][0]["pointer"] == "/contract/start_date"


async def test_a_date_time_outside_the_range_is_a_400_too(client: Any, admin: str) -> None:
    candidate = await client.post("/v1/candidates", headers=bearer(admin), json={"full_name": "Date Fuzz"})
    assert candidate.status_code == 201, candidate.text
    response = await client.post(f"/v1/candidates/{candidate.json()['id']}/consents", headers=bearer(admin), json={
        "purpose": "recording", "given_at": "9999-12-31T23:59:59+00:00", "evidence": "form"})
    assert assert_problem(response, 400, "date_out_of_range")["errors"][0]["pointer"] == "/given_at"


@pytest.mark.parametrize("day", ["9999-12-31", "1000-01-01"])
async def test_a_date_outside_the_range_in_a_query_is_a_400(client: Any, admin: str, payroll: str, day: str) -> None:
    response = await client.get(f"/v1/employees?as_of={day}", headers=bearer(admin))
    assert assert_problem(response, 400, "date_out_of_range")["errors"][0]["pointer"] == "/as_of"
    response = await client.get(f"/v1/compliance/packs/DE/changes?since={day}", headers=bearer(payroll))
    assert_problem(response, 400, "date_out_of_range")


async def test_dates_at_the_edges_of_the_range_are_accepted(client: Any, admin: str) -> None:
    for day in ("1900-01-01", "2200-12-31"):
        response = await client.get(f"/v1/employees?as_of={day}", headers=bearer(admin))
        assert response.status_code == 200, response.text


async def test_a_signed_delivery_completed_outside_the_range_is_a_400(client: Any, vendor: dict[str, Any]) -> None:
    body = result(b"Acme").replace(b"2026-03-29T09:00:00+08:00", b"9999-12-31T09:00:00+08:00")
    assert_problem(await deliver(client, vendor, body), 400, "invalid_interview_result")


# -- 5. Control characters in names and text ------------------------------------------------------

@pytest.mark.parametrize("name", ["Null\x00Byte GmbH", "Bell\x07 GmbH", "Escape\x1b[31m GmbH", "Del\x7f GmbH",
                                  "C1\x85 GmbH"])
async def test_a_control_character_in_a_name_is_a_400(client: Any, admin: str, name: str) -> None:
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": name, "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
    assert assert_problem(response, 400, "control_character")["errors"][0]["pointer"] == "/name"


async def test_a_control_character_in_nested_text_is_a_400(client: Any, admin: str) -> None:
    response = await client.post("/v1/candidates", headers=bearer(admin), json={"full_name": "Li\x00 Wei"})
    assert assert_problem(response, 400, "control_character")["errors"][0]["pointer"] == "/full_name"
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": "Keys GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin", "n\x00": "x"})
    assert_problem(response, 400, "control_character")


async def test_tabs_and_line_breaks_are_text(client: Any, admin: str) -> None:
    candidate = await client.post("/v1/candidates", headers=bearer(admin), json={"full_name": "Tab Fuzz"})
    response = await client.post(f"/v1/candidates/{candidate.json()['id']}/consents", headers=bearer(admin), json={
        "purpose": "recording", "given_at": "2026-03-01T09:00:00+00:00", "evidence": "Signed form,\r\n\tpage 2"})
    assert response.status_code == 201, response.text


async def test_a_control_character_in_a_query_is_a_400(client: Any, admin: str) -> None:
    response = await client.get("/v1/employees?cursor=a%00b", headers=bearer(admin))
    assert assert_problem(response, 400, "control_character")["errors"][0]["pointer"] == "/cursor"
