"""Hiring: one transaction from application to employee, the contract checked against labour law,
the onboarding plan built from interview gaps, and employment history that can be read as of a date."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from domain.assessments.signatures import sign
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hiring(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="employees-admin")
    hr = await token_for(tenant_a, "hr_admin", subject="employees-hr")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Shanghai Ops {uuid.uuid4().hex[:6]}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Shanghai", "title": {"en": "Operations analyst"}})).json()
    await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=bearer(admin), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "role_skills", "names": {"en": "Role skills"}, "weight": "0.5", "pass_threshold": "50"},
            {"code": "teamwork", "names": {"en": "Teamwork"}, "weight": "0.5", "pass_threshold": "50"}]})
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Chen Jing", "email": f"chen-{uuid.uuid4().hex[:8]}@example.com", "birth_date": "1995-04-02",
        "timezone": "Asia/Shanghai", "locale": "zh_CN"})).json()
    # Its interview results are used only with the candidate's consent to AI-assisted evaluation.
    await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=bearer(admin), json={
        "purpose": "ai_interview_analysis", "given_at": "2026-01-01T00:00:00Z", "evidence": "signed form"})
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    return {"admin": admin, "hr": hr, "entity": entity, "job": job, "candidate": candidate,
            "application": application}


def hire_body(hiring: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"legal_entity_id": hiring["entity"]["id"], "position": "Operations analyst", "start_date": "2026-09-28",
            "pay": {"amount": "18000.00", "currency": "CNY", "unit": "month"}, "weekly_hours": "40",
            "probation_months": 3, "fixed_term_months": 36, **changes}


async def evaluate(client: Any, hiring: dict[str, Any], role_skills: str, teamwork: str) -> None:
    vendor = (await client.post("/v1/vendors", headers=bearer(hiring["admin"]),
                                json={"name": f"V {uuid.uuid4().hex[:6]}"})).json()
    await client.post(f"/v1/vendors/{vendor['vendor']['id']}/references", headers=bearer(hiring["admin"]), json={
        "kind": "application", "reference": "ref-1", "application_id": hiring["application"]["id"]})
    body = json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": "r1", "vendor": "V", "model": "m", "model_version": "1",
        "rubric_version": "1", "reference": {"application_reference": "ref-1"}, "interview_language": "zh-CN",
        "completed_at": "2026-08-01T10:00:00+08:00", "competencies": [
            {"code": "role_skills", "name": "Role skills", "score": role_skills, "scale_min": "0", "scale_max": "100",
             "evidence": [{"start_seconds": "1", "end_seconds": "5", "quote": "..."}]},
            {"code": "teamwork", "name": "Teamwork", "score": teamwork, "scale_min": "0", "scale_max": "100"}],
    }).encode()
    tenant = hiring["entity"]["id"] and (await client.get("/v1/me", headers=bearer(hiring["admin"]))).json()
    response = await client.post(
        f"/v1/vendor-deliveries/{tenant['tenant_id']}/{vendor['vendor']['id']}/results", content=body,
        headers={"Meridian-Signature": sign(vendor["secret"].encode(), int(time.time()), body),
                 "Content-Type": "application/json"})
    assert response.status_code == 200, response.text


async def test_a_hire_carries_the_evaluation_and_builds_the_onboarding_plan(client: Any,
                                                                            hiring: dict[str, Any]) -> None:
    rules = [("role_skills", "Role skills training"), ("teamwork", "Team integration activity")]
    for competency, title in rules:
        added = await client.post("/v1/onboarding/rules", headers=bearer(hiring["admin"]), json={
            "competency": competency, "below": "60", "item": {"en": title}, "owner_role": "hiring_manager",
            "due_in_working_days": 5})
        assert added.status_code == 201, added.text
    await client.post("/v1/onboarding/standard-items", headers=bearer(hiring["admin"]), json={
        "legal_entity_id": hiring["entity"]["id"], "title": {"en": "Laptop and accounts"}, "owner_role": "hr_admin",
        "due_in_working_days": 1})
    await evaluate(client, hiring, role_skills="55", teamwork="80")
    hired = await client.post(f"/v1/applications/{hiring['application']['id']}/hire", headers=bearer(hiring["hr"]),
                              json=hire_body(hiring))
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    assert employee["employment"]["model_version"] == 1 and employee["employment"]["evaluation_id"]
    assert employee["employment"]["pay"] == {"amount": "18000.00", "currency": "CNY", "unit": "month"}
    plan = (await client.get(f"/v1/employees/{employee['id']}/onboarding",
                             headers=bearer(hiring["hr"]))).json()["items"]
    titles = [p["item"]["title"]["en"] for p in plan]
    assert "Role skills training" in titles and "Team integration activity" not in titles
    assert "Laptop and accounts" in titles
    gap = next(p for p in plan if p["item"]["source"] == "rule")
    assert gap["item"]["evidence"]["competency"] == "role_skills" and gap["item"]["evidence"]["score"] == "55.00"
    # Monday 28 September 2026 + 5 working days in China crosses the National Day holidays (1-7 October).
    assert gap["due_date"] > "2026-10-07"
    item_url = f"/v1/employees/{employee['id']}/onboarding/{gap['id']}"
    done = await client.patch(item_url, headers=bearer(hiring["hr"], **{"If-Match": f'"v{gap["version"]}"'}),
                              json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    stale = await client.patch(item_url, headers=bearer(hiring["hr"], **{"If-Match": f'"v{gap["version"]}"'}),
                               json={"status": "open"})
    assert stale.status_code == 412
    application = (await client.get(f"/v1/applications/{hiring['application']['id']}",
                                     headers=bearer(hiring["admin"]))).json()
    assert application["stage"] == "hired"
    again = await client.post(f"/v1/applications/{hiring['application']['id']}/hire", headers=bearer(hiring["hr"]),
                              json=hire_body(hiring))
    assert again.status_code == 409


async def test_an_employee_number_and_department_are_kept_and_a_number_is_used_once(
        client: Any, hiring: dict[str, Any]) -> None:
    number = f"E-{uuid.uuid4().hex[:6]}"
    hired = await client.post(f"/v1/applications/{hiring['application']['id']}/hire", headers=bearer(hiring["hr"]),
                              json=hire_body(hiring, employee_number=number, department="Operations"))
    assert hired.status_code == 201, hired.text
    employee = hired.json()
    assert (employee["employee_number"], employee["department"]) == (number, "Operations")
    read = (await client.get(f"/v1/employees/{employee['id']}", headers=bearer(hiring["hr"]))).json()
    assert (read["employee_number"], read["department"]) == (number, "Operations")
    listed = (await client.get("/v1/employees?limit=200", headers=bearer(hiring["hr"]))).json()["items"]
    assert [(e["employee_number"], e["department"]) for e in listed if e["id"] == employee["id"]] == [
        (number, "Operations")]
    other = (await client.post("/v1/candidates", headers=bearer(hiring["admin"]), json={
        "full_name": "Chen Jing", "email": f"chen-{uuid.uuid4().hex[:8]}@example.com",
        "timezone": "Asia/Shanghai", "locale": "zh_CN"})).json()
    application = (await client.post("/v1/applications", headers=bearer(hiring["admin"]), json={
        "candidate_id": other["id"], "job_id": hiring["job"]["id"]})).json()
    taken = await client.post(f"/v1/applications/{application['id']}/hire", headers=bearer(hiring["hr"]),
                              json=hire_body(hiring, employee_number=number, department="Finance"))
    assert taken.status_code == 409, taken.text
    problem = taken.json()
    assert problem["code"] == "employee_number_taken" and employee["id"] in problem["detail"]
    assert [error["pointer"] for error in problem["errors"]] == ["/employee_number"]
    unnumbered = await client.post(f"/v1/applications/{application['id']}/hire", headers=bearer(hiring["hr"]),
                                   json=hire_body(hiring))
    assert unnumbered.status_code == 201, unnumbered.text
    assert (unnumbered.json()["employee_number"], unnumbered.json()["department"]) == (None, None)


async def test_a_contract_below_the_minimum_wage_is_refused_and_leaves_nothing_behind(
    client: Any, hiring: dict[str, Any]
) -> None:
    before = (await client.get("/v1/audit/verify", headers=bearer(hiring["admin"]))).json()["entries_checked"]
    low = hire_body(hiring, pay={"amount": "1000.00", "currency": "CNY", "unit": "month"}, probation_months=6,
                    fixed_term_months=12)
    refused = await client.post(f"/v1/applications/{hiring['application']['id']}/hire",
                                headers=bearer(hiring["hr"], **{"Accept-Language": "zh-CN"}), json=low)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["code"] == "contract_not_compliant" and len(body["errors"]) == 2  # minimum wage and probation
    assert all(e["pointer"] == "/contract" for e in body["errors"])
    after = (await client.get("/v1/audit/verify", headers=bearer(hiring["admin"]))).json()["entries_checked"]
    assert after == before
    application = (await client.get(f"/v1/applications/{hiring['application']['id']}",
                                     headers=bearer(hiring["admin"]))).json()
    assert application["stage"] == "applied"
    by_hr = await client.post(f"/v1/applications/{hiring['application']['id']}/hire", headers=bearer(hiring["hr"]),
                              json={**low, "override_reason": "Paid internship agreed with the works council"})
    assert by_hr.status_code == 400 and by_hr.json()["code"] == "contract_override_not_permitted"
    by_admin = await client.post(f"/v1/applications/{hiring['application']['id']}/hire",
                                 headers=bearer(hiring["admin"]),
                                 json={**low, "override_reason": "Paid internship agreed with the works council"})
    assert by_admin.status_code == 201, by_admin.text
    trail = (await client.get(f"/v1/audit/entries?entity_type=employee&entity_id={by_admin.json()['id']}",
                              headers=bearer(hiring["admin"]))).json()["items"]
    assert [e["action"] for e in trail] == ["employee.hired", "employee.contract_override"]


async def test_employment_can_be_read_as_of_any_date(client: Any, hiring: dict[str, Any]) -> None:
    employee = (await client.post(f"/v1/applications/{hiring['application']['id']}/hire",
                                  headers=bearer(hiring["hr"]), json=hire_body(hiring))).json()
    url = f"/v1/employees/{employee['id']}"
    raise_pay = await client.post(f"{url}/employment-changes", headers=bearer(hiring["hr"]), json={
        "effective_from": "2027-01-01", "reason": "annual review",
        "pay": {"amount": "19500.00", "currency": "CNY", "unit": "month"}, "position": "Senior operations analyst"})
    assert raise_pay.status_code == 201, raise_pay.text
    before = (await client.get(f"{url}?as_of=2026-12-31", headers=bearer(hiring["hr"]))).json()["employment"]
    after = (await client.get(f"{url}?as_of=2027-01-01", headers=bearer(hiring["hr"]))).json()["employment"]
    assert (before["pay"]["amount"], before["position"]) == ("18000.00", "Operations analyst")
    assert (after["pay"]["amount"], after["position"]) == ("19500.00", "Senior operations analyst")
    not_yet = (await client.get(f"{url}?as_of=2026-01-01", headers=bearer(hiring["hr"]))).json()
    assert not_yet["employment"] is None
    listed = (await client.get("/v1/employees?as_of=2027-02-01&limit=200", headers=bearer(hiring["hr"]))).json()
    mine = next(e for e in listed["items"] if e["id"] == employee["id"])
    assert mine["employment"]["position"] == "Senior operations analyst"
    history = (await client.get(f"{url}/employments", headers=bearer(hiring["hr"]))).json()["items"]
    assert [h["effective_from"] for h in history] == ["2026-09-28", "2027-01-01"]
    masked = (await client.get(url, headers=bearer(hiring["hr"]))).json()
    assert masked["masked"] is False and masked["birth_date"] == "1995-04-02"


async def test_tax_attributes_follow_the_pack_schema_and_are_effective_dated(client: Any, tenant_a: Any,
                                                                             token_for: Any,
                                                                             hiring: dict[str, Any]) -> None:
    employee = (await client.post(f"/v1/applications/{hiring['application']['id']}/hire",
                                  headers=bearer(hiring["hr"]), json=hire_body(hiring))).json()
    preparer = await token_for(tenant_a, "payroll_preparer", subject="tax-preparer")
    url = f"/v1/employees/{employee['id']}/tax-attributes"
    first = await client.post(url, headers=bearer(preparer), json={
        "country": "CN", "effective_from": "2026-09-28", "attributes": {"children_in_education": 1}})
    assert first.status_code == 201, first.text
    second = await client.post(url, headers=bearer(preparer), json={
        "country": "CN", "effective_from": "2027-01-01", "attributes": {"children_in_education": 2}})
    assert second.status_code == 201
    in_2026 = (await client.get(f"{url}/CN?as_of=2026-12-31", headers=bearer(preparer))).json()
    assert in_2026["attributes"]["children_in_education"] == 1
    wrong = await client.post(url, headers=bearer(preparer), json={
        "country": "DE", "effective_from": "2026-09-28", "attributes": {"tax_class": 9}})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_tax_attributes"


async def test_a_bank_account_change_needs_a_second_person(client: Any, tenant_a: Any, token_for: Any,
                                                           hiring: dict[str, Any]) -> None:
    employee = (await client.post(f"/v1/applications/{hiring['application']['id']}/hire",
                                  headers=bearer(hiring["hr"]), json=hire_body(hiring))).json()
    url = f"/v1/employees/{employee['id']}/bank-account-changes"
    requested = await client.post(url, headers=bearer(hiring["hr"]), json={
        "holder": "Chen Jing", "account": "6222 0212 3456 7890 123", "bank_code": "ICBC"})
    assert requested.status_code == 201, requested.text
    change = requested.json()
    assert change["status"] == "pending" and change["masked"].endswith("0123") and "6222" not in change["masked"]
    self_confirm = await client.post(f"{url}/{change['id']}/confirm", headers=bearer(hiring["hr"]))
    assert self_confirm.status_code == 403 and self_confirm.json()["code"] == "second_person_required"
    reviewer = await token_for(tenant_a, "payroll_reviewer", subject="bank-reviewer")
    confirmed = await client.post(f"{url}/{change['id']}/confirm", headers=bearer(reviewer))
    assert confirmed.status_code == 200 and confirmed.json()["decided_by"] == "bank-reviewer"
    again = await client.post(f"{url}/{change['id']}/confirm", headers=bearer(reviewer))
    assert again.status_code == 404
