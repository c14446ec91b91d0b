"""Every list is a page: `items` and `next_cursor`, `limit` from 1 to 200, a stable order that walks every item
exactly once, and the filters a list screen needs. Pay groups and pay runs can be listed and filtered, and no list
shows another tenant's objects."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from domain.employees import service as employees
from domain.employees.development import NewModule, NewReview, add_module, add_review
from domain.employees.model import EmploymentChange, HireRequest, Pay
from domain.employees.service import (
    BankAccountRequest,
    Departure,
    NewStandardItem,
    OnboardingItemUpdate,
)
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll import service as payroll
from domain.payroll.calendar import PayGroupRule
from domain.payroll.service import Acknowledge, Approve, NewPayGroup, NewPayInput, NewPayRun, RegionAssignment
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

Headers = dict[str, str]


def as_(tenant: uuid.UUID, subject: str, *roles: Role) -> Principal:
    return Principal(tenant_id=tenant, subject=subject, roles=frozenset(roles))


async def hire_staff(admin: Principal, entity: Any, count: int) -> list[Any]:
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title={"en": "Clerk"},
                                                     location=entity.name), "en")
    staff = []
    for index in range(count):
        candidate = await recruitment.create_candidate(admin, NewCandidate(full_name=f"Listed {index}"))
        application = await recruitment.create_application(admin, NewApplication(candidate_id=candidate.id,
                                                                                  job_id=job.id), "en")
        staff.append(await employees.hire(admin, application.id, HireRequest(
            legal_entity_id=entity.id, position="Clerk", start_date=date(2026, 1, 1),
            pay=Pay(amount=f"{15000 + 1000 * index}.00", currency=entity.currency, unit="month"),
            weekly_hours="40")))
    return staff


async def calculated(preparer: Principal, group_id: uuid.UUID, period: int) -> Any:
    run = await payroll.create_run(preparer, NewPayRun(pay_group_id=group_id, year=2026, period=period))
    return await payroll.calculate_in_foreground(preparer, run.id, lambda done, total: None)


async def finalised(preparer: Principal, reviewers: list[Principal], run: Any) -> None:
    await payroll.submit(preparer, run.id)
    for reviewer in reviewers:
        await payroll.approve(reviewer, run.id, Approve(results_hash=run.results_hash))
    await payroll.finalise(preparer, run.id)


@pytest.fixture(scope="module")
async def world(tenant_a: uuid.UUID, tenant_b: uuid.UUID, token_for: Any) -> dict[str, Any]:
    """In tenant A, a CN legal entity with three staff and a monthly group: January and February finalised,
    March calculated with variance exceptions (one acknowledged), April a draft; a DE entity with a group and a
    draft run. In tenant B, a group and a draft run A must never see."""
    suffix = uuid.uuid4().hex[:6]
    admin = as_(tenant_a, "lists-admin", Role.TENANT_ADMIN, Role.HR_ADMIN)
    preparer = as_(tenant_a, "lists-prep", Role.PAYROLL_PREPARER)
    reviewers = [as_(tenant_a, f"lists-rev-{n}", Role.PAYROLL_REVIEWER) for n in (1, 2)]
    for reviewer in reviewers:
        await payroll.assign_region(admin, RegionAssignment(subject=reviewer.subject, region="CN"))
    cn = await create_legal_entity(admin, NewLegalEntity(
        name=f"Lists SH {suffix}", country="CN", region="SH", currency="CNY", timezone="Asia/Shanghai"))
    de = await create_legal_entity(admin, NewLegalEntity(
        name=f"Lists DE {suffix}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    for days, title in ((1, "Badge"), (1, "Laptop"), (5, "Safety walk")):
        await employees.add_standard_item(admin, NewStandardItem(
            legal_entity_id=cn.id, title={"en": title}, owner_role="hr_admin", due_in_working_days=days))
    staff = await hire_staff(admin, cn, 3)
    group = await payroll.create_group(preparer, NewPayGroup(legal_entity_id=cn.id, name=f"Lists CN {suffix}", rule=(
        PayGroupRule(frequency="monthly", pay_day=25, country="CN"))))
    de_group = await payroll.create_group(preparer, NewPayGroup(legal_entity_id=de.id, name=f"Lists DE {suffix}",
                                                                rule=PayGroupRule(frequency="monthly", pay_day=25,
                                                                                  country="DE")))
    january = await calculated(preparer, group.id, 1)
    await finalised(preparer, reviewers, january)
    february = await calculated(preparer, group.id, 2)
    await finalised(preparer, reviewers, february)
    march = await payroll.create_run(preparer, NewPayRun(pay_group_id=group.id, year=2026, period=3))
    for employee in staff:
        await payroll.add_input(preparer, march.id, NewPayInput(employee_id=employee.id, kind="allowance",
                                                                amount="20000"))
    march = await payroll.calculate_in_foreground(preparer, march.id, lambda done, total: None)
    exceptions = (await payroll.exceptions_of(preparer, march.id)).items
    await payroll.acknowledge(reviewers[0], march.id, exceptions[0].id, Acknowledge(note="expected"))
    april = await payroll.create_run(preparer, NewPayRun(pay_group_id=group.id, year=2026, period=4))
    de_january = await payroll.create_run(preparer, NewPayRun(pay_group_id=de_group.id, year=2026, period=1))
    return {"cn": cn, "de": de, "staff": staff, "group": group, "de_group": de_group,
            "runs": [january, february, march, april], "de_run": de_january, "admin": admin,
            "hr": bearer(await token_for(tenant_a, "hr_admin", subject="lists-hr")),
            "reader": bearer(await token_for(tenant_a, "payroll_preparer", subject="lists-prep")),
            "b": await _tenant_b_payroll(tenant_b, suffix)}


async def _tenant_b_payroll(tenant_b: uuid.UUID, suffix: str) -> dict[str, str]:
    owner = as_(tenant_b, "lists-b-admin", Role.TENANT_ADMIN, Role.PAYROLL_PREPARER)
    entity = await create_legal_entity(owner, NewLegalEntity(
        name=f"Lists B {suffix}", country="DE", currency="EUR", timezone="Europe/Berlin"))
    group = await payroll.create_group(owner, NewPayGroup(legal_entity_id=entity.id, name=f"Lists B {suffix}",
                                                          rule=PayGroupRule(frequency="monthly", pay_day=25,
                                                                            country="DE")))
    run = await payroll.create_run(owner, NewPayRun(pay_group_id=group.id, year=2026, period=1))
    return {"entity_id": str(entity.id), "group_id": str(group.id), "run_id": str(run.id)}


async def walk(client: Any, url: str, headers: Headers, limit: int) -> list[dict[str, Any]]:
    """Every item of a list, a page of ``limit`` at a time; each page but the last is full."""
    items: list[dict[str, Any]] = []
    cursor = None
    joiner = "&" if "?" in url else "?"
    while True:
        response = await client.get(f"{url}{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else ""),
                                    headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == limit


async def ids(client: Any, url: str, headers: Headers) -> list[str]:
    return [item["id"] for item in await walk(client, url, headers, 200)]


def lists_of(world: dict[str, Any]) -> dict[str, Headers]:
    employee, march = world["staff"][0].id, world["runs"][2].id
    hr, reader = world["hr"], world["reader"]
    return {
        "/v1/employees": hr, f"/v1/employees/{employee}/employments": hr,
        f"/v1/employees/{employee}/onboarding": hr, f"/v1/employees/{employee}/bank-account-changes": hr,
        "/v1/training-modules": hr, f"/v1/employees/{employee}/reviews": hr, "/v1/pay-groups": reader,
        "/v1/pay-runs": reader, f"/v1/pay-runs/{march}/exceptions": reader,
        f"/v1/pay-runs/{march}/history": reader, f"/v1/pay-runs/{march}/payslips": reader,
    }


async def test_every_list_is_a_page_of_1_to_200(client: Any, world: dict[str, Any]) -> None:
    for url, headers in lists_of(world).items():
        first = await client.get(f"{url}?limit=1", headers=headers)
        assert first.status_code == 200 and set(first.json()) == {"items", "next_cursor"}, f"{url}: {first.text}"
        assert len(first.json()["items"]) <= 1
        assert (await client.get(f"{url}?limit=200", headers=headers)).status_code == 200, url
        for refused in ("limit=0", "limit=201", "cursor=%25%25%25"):
            assert (await client.get(f"{url}?{refused}", headers=headers)).status_code == 400, f"{url}?{refused}"


async def test_a_runs_payslips_are_paged_by_employee_each_exactly_once(client: Any, world: dict[str, Any]) -> None:
    url = f"/v1/pay-runs/{world['runs'][0].id}/payslips"
    one_by_one = await walk(client, url, world["reader"], 1)
    employees_paid = [slip["employee_id"] for slip in one_by_one]
    assert employees_paid == sorted(employees_paid) == sorted(str(e.id) for e in world["staff"])
    assert one_by_one == await walk(client, url, world["reader"], 2) == await walk(client, url, world["reader"], 200)
    draft = await client.get(f"/v1/pay-runs/{world['runs'][3].id}/payslips", headers=world["reader"])
    assert draft.json() == {"items": [], "next_cursor": None}


async def test_pay_runs_are_listed_with_what_a_list_screen_shows(client: Any, world: dict[str, Any]) -> None:
    january, march = world["runs"][0], world["runs"][2]
    group = world["group"]
    listed = await walk(client, f"/v1/pay-runs?pay_group_id={group.id}", world["reader"], 1)
    assert [run["id"] for run in listed] == [str(r.id) for r in world["runs"]]
    first = listed[0]
    assert first["pay_group_name"] == group.name and first["legal_entity_id"] == str(world["cn"].id)
    assert (first["period_start"], first["period_end"], first["state"]) == ("2026-01-01", "2026-01-31", "finalised")
    assert first["pay_date"] == str(january.pay_date) and first["employees_total"] == 3
    assert listed[2]["open_exceptions"] == march.open_exceptions - 1 > 0
    assert (listed[3]["state"], listed[3]["employees_total"]) == ("draft", 0)


async def test_pay_runs_filter_by_group_entity_state_and_period(client: Any, world: dict[str, Any]) -> None:
    january, february, march, april = (str(run.id) for run in world["runs"])
    url, reader = f"/v1/pay-runs?pay_group_id={world['group'].id}", world["reader"]
    assert await ids(client, f"{url}&status=finalised", reader) == [january, february]
    assert await ids(client, f"{url}&status=calculated&status=draft", reader) == [march, april]
    assert await ids(client, f"{url}&period_from=2026-02-15&period_to=2026-03-01", reader) == [february, march]
    assert await ids(client, f"{url}&period_from=2026-03-31", reader) == [march, april]
    assert await ids(client, f"{url}&period_to=2026-01-31", reader) == [january]
    assert await ids(client, f"/v1/pay-runs?legal_entity_id={world['de'].id}", reader) == [str(world["de_run"].id)]
    by_entity = await ids(client, f"/v1/pay-runs?legal_entity_id={world['cn'].id}&status=draft", reader)
    assert by_entity == [april]
    everything = await ids(client, "/v1/pay-runs", reader)
    assert len(everything) == len(set(everything)) and everything == sorted(everything)
    assert {january, february, march, april, str(world["de_run"].id)} <= set(everything)
    unknown = await client.get("/v1/pay-runs?status=paid", headers=reader)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["pointer"] == "/status"


async def test_pay_groups_filter_by_legal_entity_and_country(client: Any, world: dict[str, Any]) -> None:
    reader, group, de_group = world["reader"], world["group"], world["de_group"]
    listed = await walk(client, "/v1/pay-groups", reader, 1)
    assert [g["id"] for g in listed] == sorted({g["id"] for g in listed})
    mine = next(g for g in listed if g["id"] == str(group.id))
    assert mine["name"] == group.name and mine["legal_entity_name"] == world["cn"].name
    assert mine["rule"]["country"] == "CN" and mine["rule"]["frequency"] == "monthly"
    assert await ids(client, f"/v1/pay-groups?legal_entity_id={world['cn'].id}", reader) == [str(group.id)]
    in_germany = await ids(client, "/v1/pay-groups?country=DE", reader)
    assert str(de_group.id) in in_germany and str(group.id) not in in_germany
    assert await ids(client, f"/v1/pay-groups?legal_entity_id={world['de'].id}&country=CN", reader) == []


async def test_no_list_shows_another_tenants_pay_groups_or_runs(client: Any, world: dict[str, Any]) -> None:
    reader, b = world["reader"], world["b"]
    assert b["run_id"] not in await ids(client, "/v1/pay-runs", reader)
    assert b["group_id"] not in await ids(client, "/v1/pay-groups", reader)
    for query in (f"pay_group_id={b['group_id']}", f"legal_entity_id={b['entity_id']}"):
        response = await client.get(f"/v1/pay-runs?{query}", headers=reader)
        assert response.json() == {"items": [], "next_cursor": None}, query
    response = await client.get(f"/v1/pay-groups?legal_entity_id={b['entity_id']}", headers=reader)
    assert response.json() == {"items": [], "next_cursor": None}


async def test_an_unknown_filter_id_gives_an_empty_page_as_on_applications(client: Any,
                                                                           world: dict[str, Any]) -> None:
    nobody = uuid.uuid4()
    applications = await client.get(f"/v1/applications?job_id={nobody}", headers=world["hr"])
    assert applications.status_code == 200 and applications.json()["items"] == []
    for url in (f"/v1/pay-runs?pay_group_id={nobody}", f"/v1/pay-runs?legal_entity_id={nobody}",
                f"/v1/pay-groups?legal_entity_id={nobody}", f"/v1/employees?legal_entity_id={nobody}"):
        response = await client.get(url, headers=world["hr"] if "employees" in url else world["reader"])
        assert response.json() == {"items": [], "next_cursor": None}, url


async def test_exceptions_history_and_own_payslips_are_walked_once(client: Any, world: dict[str, Any]) -> None:
    reader, march = world["reader"], world["runs"][2]
    url = f"/v1/pay-runs/{march.id}/exceptions"
    every = await walk(client, url, reader, 1)
    assert len(every) > 1 and [e["key"] for e in every] == sorted({e["key"] for e in every})
    acknowledged = await walk(client, f"{url}?acknowledged=true", reader, 1)
    still_open = await walk(client, f"{url}?acknowledged=false", reader, 1)
    assert len(acknowledged) == 1 and acknowledged[0]["acknowledged_by"] == "lists-rev-1"
    assert sorted(e["id"] for e in acknowledged + still_open) == sorted(e["id"] for e in every)
    assert all(e["acknowledged_by"] is None for e in still_open)
    history = await walk(client, f"/v1/pay-runs/{world['runs'][0].id}/history", reader, 2)
    assert [h["seq"] for h in history] == sorted({h["seq"] for h in history})
    assert history[0]["action"] == "pay_run.created" and history[-1]["action"] == "pay_run.finalised"
    employee = world["staff"][0]
    token = (await client.post(f"/v1/employees/{employee.id}/portal-tokens", headers=world["hr"])).json()["token"]
    own = await walk(client, "/v1/my/payslips", bearer(token), 1)
    # An employee's own payslip names its period and pay date, not payroll's run.
    assert [slip["pay_date"] for slip in own] == [str(world["runs"][0].pay_date), str(world["runs"][1].pay_date)]


async def test_employments_are_paged_by_the_date_they_take_effect(client: Any, world: dict[str, Any]) -> None:
    employee = world["staff"][2]
    for effective, position in (("2026-05-01", "Senior clerk"), ("2026-05-01", "Lead clerk"),
                                ("2026-02-01", "Clerk II")):
        await employees.change_employment(world["admin"], employee.id, EmploymentChange(
            effective_from=date.fromisoformat(effective), reason="Promotion", position=position))
    versions = await walk(client, f"/v1/employees/{employee.id}/employments", world["hr"], 1)
    assert [(v["effective_from"], v["position"]) for v in versions] == [
        ("2026-01-01", "Clerk"), ("2026-02-01", "Clerk II"), ("2026-05-01", "Senior clerk"),
        ("2026-05-01", "Lead clerk")]


async def test_onboarding_items_are_paged_by_due_date_and_filtered_by_status(client: Any,
                                                                             world: dict[str, Any]) -> None:
    employee = world["staff"][1]
    url = f"/v1/employees/{employee.id}/onboarding"
    items = await walk(client, url, world["hr"], 1)
    assert sorted(item["item"]["title"]["en"] for item in items) == ["Badge", "Laptop", "Safety walk"]
    assert [item["due_date"] for item in items] == sorted(item["due_date"] for item in items)
    badge = next(item for item in items if item["item"]["title"]["en"] == "Badge")
    await employees.update_onboarding_item(world["admin"], employee.id, uuid.UUID(badge["id"]),
                                           OnboardingItemUpdate(status="done"), badge["version"])
    assert [i["id"] for i in await walk(client, f"{url}?status=done", world["hr"], 1)] == [badge["id"]]
    still_open = await walk(client, f"{url}?status=open", world["hr"], 1)
    assert sorted(i["item"]["title"]["en"] for i in still_open) == ["Laptop", "Safety walk"]


async def test_bank_account_changes_reviews_and_training_modules_are_walked_once(client: Any,
                                                                                world: dict[str, Any]) -> None:
    employee, admin, hr = world["staff"][0], world["admin"], world["hr"]
    for account in ("DE89370400440532013000", "DE89370400440532013001", "DE89370400440532013002"):
        await employees.request_bank_account(admin, employee.id, BankAccountRequest(holder="Listed 0",
                                                                                   account=account))
    changes = await walk(client, f"/v1/employees/{employee.id}/bank-account-changes", hr, 2)
    assert [c["masked"][-4:] for c in changes] == ["3000", "3001", "3002"]
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        await add_review(admin, employee.id, NewReview(period=period, ratings={}, overall="3"))
    reviews = await walk(client, f"/v1/employees/{employee.id}/reviews", hr, 2)
    assert [r["period"] for r in reviews] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    prefix = f"lists_{uuid.uuid4().hex[:6]}"
    for code in ("c", "a", "b"):
        await add_module(admin, NewModule(code=f"{prefix}_{code}", title={"en": code}))
    modules = [m["code"] for m in await walk(client, "/v1/training-modules", hr, 2)]
    assert modules == sorted(set(modules))
    assert [code for code in modules if code.startswith(prefix)] == [f"{prefix}_{c}" for c in "abc"]


async def test_employees_filter_by_legal_entity_and_where_they_stand(client: Any, world: dict[str, Any]) -> None:
    staff, hr = world["staff"], world["hr"]
    every = sorted(str(e.id) for e in staff)
    url = f"/v1/employees?legal_entity_id={world['cn'].id}"
    assert [e["id"] for e in await walk(client, url, hr, 1)] == every
    await employees.record_departure(world["admin"], staff[1].id, Departure(left_on=date(2026, 6, 30),
                                                                           reason="Resigned"))
    assert await ids(client, f"{url}&status=starting&as_of=2025-12-31", hr) == every
    assert await ids(client, f"{url}&status=active&as_of=2025-12-31", hr) == []
    assert await ids(client, f"{url}&status=active&as_of=2026-06-30", hr) == every
    assert await ids(client, f"{url}&status=active&as_of=2026-07-01", hr) == sorted({*every} - {str(staff[1].id)})
    assert await ids(client, f"{url}&status=left&as_of=2026-07-01", hr) == [str(staff[1].id)]
    assert await ids(client, f"/v1/employees?legal_entity_id={world['de'].id}", hr) == []
