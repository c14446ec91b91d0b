"""Facts are checked against each other, and counts against what the business allows, when they are saved:
a departure before the employment began, a change after the departure, an employee managing themselves, a
pay-group cut-off a year before pay day, or three hundred million overtime hours are refused at once with a
pointer, instead of breaking analytics, the pay calendar or a whole pay run later."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer
from tests.isolation.test_body_reference_probe import seed_tenant_a

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
async def seeded(tenant_a: Any) -> dict[str, str]:
    return await seed_tenant_a(tenant_a)


@pytest.fixture(scope="module")
async def hr(tenant_a: Any, token_for: Any) -> dict[str, str]:
    return bearer(await token_for(tenant_a, "hr_admin", "payroll_preparer", subject=f"facts-{uuid.uuid4().hex[:6]}"))


def refused(response: Any, status: int, code: str, pointer: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert pointer in [error["pointer"] for error in body["errors"]], body


async def test_a_departure_before_the_employment_began_is_refused(client: Any, seeded: dict[str, str],
                                                                  hr: dict[str, str]) -> None:
    url = f"/v1/employees/{seeded['other_employee_id']}"
    refused(await client.post(f"{url}/departure", headers=hr, json={"left_on": "1900-01-01", "reason": "Resigned"}),
            400, "departure_before_employment", "/left_on")
    left = await client.post(f"{url}/departure", headers=hr, json={"left_on": "2026-06-30", "reason": "Resigned"})
    assert left.status_code in (200, 201), left.text
    refused(await client.post(f"{url}/employment-changes", headers=hr, json={
        "effective_from": "2026-07-01", "reason": "After leaving", "position": "Ghost"}),
        400, "employment_change_after_departure", "/effective_from")
    analytics = await client.get("/v1/analytics/attrition", headers=hr)
    assert analytics.status_code < 500, analytics.text


async def test_an_employee_cannot_manage_themselves(client: Any, seeded: dict[str, str], hr: dict[str, str]) -> None:
    employee = seeded["employee_id"]
    refused(await client.post(f"/v1/employees/{employee}/employment-changes", headers=hr, json={
        "effective_from": "2026-08-01", "reason": "Reorganisation", "manager_id": employee}),
        400, "manager_is_the_employee", "/manager_id")


@pytest.mark.parametrize("days", [24, 300_000, 1_000_000])
async def test_a_pay_group_cut_off_is_bounded(client: Any, seeded: dict[str, str], hr: dict[str, str],
                                              days: int) -> None:
    response = await client.post("/v1/pay-groups", headers=hr, json={
        "legal_entity_id": seeded["entity_id"], "name": f"Cut-off {days}", "rule": {
            "frequency": "monthly", "pay_day": 25, "country": "DE", "cut_off_days_before_pay": days}})
    assert response.status_code == 400, response.text
    assert "/rule/cut_off_days_before_pay" in [e["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("kind, amount", [("overtime_hours", "999999999.9999"), ("overtime_hours", "300.0001"),
                                          ("unpaid_leave_days", "32")])
async def test_pay_inputs_are_bounded_when_entered(client: Any, seeded: dict[str, str], hr: dict[str, str],
                                                   kind: str, amount: str) -> None:
    refused(await client.post(f"/v1/pay-runs/{seeded['run_id']}/inputs", headers=hr, json={
        "employee_id": seeded["employee_id"], "kind": kind, "amount": amount}),
        400, "pay_input_out_of_range", "/amount")
    within = await client.post(f"/v1/pay-runs/{seeded['run_id']}/inputs", headers=hr, json={
        "employee_id": seeded["employee_id"], "kind": kind, "amount": "12"})
    assert within.status_code == 201, within.text
