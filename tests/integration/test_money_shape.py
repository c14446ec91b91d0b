"""One money shape on the wire: every amount is a decimal string with exactly its currency's minor-unit digits
("15000.00" in CNY, "300000" in JPY, "0.00" for nothing in CNY), and the currency is named by the object carrying
it or by its row. Walks real answers of the main money endpoints: a pay run in CNY and one in JPY (the run, its
payslips, a payslip's versions, control totals, the journal, a reconciliation), the employee's pay, and the
stateless calculations of CN, JP and DE."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.employees import service as employees
from domain.employees.model import HireRequest, Pay
from domain.kernel.money import MONEY_DESCRIPTION, minor_unit_exponent
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.service import wait_for_jobs
from domain.recruitment import service as recruitment
from domain.recruitment.model import NewApplication, NewCandidate, NewJob
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

#: Keys whose values are amounts wherever they appear.
AMOUNTS = {"gross", "net", "employer_cost", "base", "employee_deductions", "employer_contributions", "debit",
           "credit", "amount", "net_difference", "employer_cost_difference", "paid_net", "corrected_net",
           "employee_before", "employee_after", "employer_before", "employer_after", "journal_debit",
           "journal_credit", "statement_debit", "statement_credit", "current", "previous"}
#: Keys that are amounts in a payslip line or a line total, and a person's name elsewhere.
LINE_AMOUNTS = {"employee", "employer"}


def amounts(value: Any, currency: str | None = None, path: str = "", in_lines: bool = False
            ) -> Iterator[tuple[str, str, str | None]]:
    """Every amount in an answer: its JSON path, its text and the currency in force where it stands."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from amounts(item, currency, f"{path}/{index}", in_lines)
        return
    if not isinstance(value, dict):
        return
    currency = value["currency"] if isinstance(value.get("currency"), str) else currency
    for key, item in value.items():
        where = f"{path}/{key}"
        if key == "year_to_date" and isinstance(item, dict):
            yield from ((f"{where}/{name}", figure, currency) for name, figure in item.items()
                        if isinstance(figure, str))
        elif isinstance(item, str) and (key in AMOUNTS or (in_lines and key in LINE_AMOUNTS)):
            yield where, item, currency
        else:
            yield from amounts(item, currency, where, in_lines or key == "lines")


def assert_money_shape(answer: Any, expected_currency: str) -> list[str]:
    """Every amount has exactly its currency's digits; returns the amounts found."""
    found = list(amounts(answer))
    assert found, "the answer carries no amounts: the walk would prove nothing"
    for where, text, currency in found:
        assert currency == expected_currency, f"{where}: {text} is not named in {expected_currency}"
        digits = minor_unit_exponent(currency)
        shape = rf"^-?\d+\.\d{{{digits}}}$" if digits else r"^-?\d+$"
        assert re.fullmatch(shape, text), f"{where}: {text} does not have exactly {digits} decimals ({currency})"
        assert not (text.startswith("-") and Decimal(text) == 0), f"{where}: {text} is a negative zero"
    return [text for _, text, _ in found]


COUNTRIES = {
    "CNY": {"country": "CN", "region": "SH", "timezone": "Asia/Shanghai", "pays": ("15000", "22000.5"),
            "tax_attributes": None},
    "JPY": {"country": "JP", "region": "13", "timezone": "Asia/Tokyo", "pays": ("300000", "452000"),
            "tax_attributes": {"date_of_birth": "1990-01-01"}},
}


async def staffed_group(client: Any, tenant: Any, token_for: Any, currency: str) -> dict[str, Any]:
    """A legal entity paying in ``currency``, two staff on monthly pay, a monthly pay group and the people who
    run it."""
    setting = COUNTRIES[currency]
    admin = Principal(tenant_id=tenant, subject="money-seed", roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Money {currency} {uuid.uuid4().hex[:6]}", country=setting["country"], region=setting["region"],
        currency=currency, timezone=setting["timezone"]))
    job = await recruitment.create_job(admin, NewJob(legal_entity_id=entity.id, title={"en": "Analyst"},
                                                     location=entity.name), "en")
    staff = []
    for index, pay in enumerate(setting["pays"]):
        candidate = await recruitment.create_candidate(admin, NewCandidate(full_name=f"Money {index}"))
        application = await recruitment.create_application(
            admin, NewApplication(candidate_id=candidate.id, job_id=job.id), "en")
        staff.append(await employees.hire(admin, application.id, HireRequest(
            legal_entity_id=entity.id, position="Analyst", start_date=date(2026, 1, 1),
            pay=Pay(amount=pay, currency=currency, unit="month"), weekly_hours="40",
            tax_attributes=setting["tax_attributes"])))
    suffix = uuid.uuid4().hex[:6]
    tokens = {name: await token_for(tenant, role, subject=f"{name}-{suffix}") for name, role in (
        ("preparer", "payroll_preparer"), ("reviewer_1", "payroll_reviewer"), ("reviewer_2", "payroll_reviewer"),
        ("admin", "tenant_admin"))}
    for reviewer in ("reviewer_1", "reviewer_2"):
        assigned = await client.post("/v1/payroll/reviewer-regions", headers=bearer(tokens["admin"]),
                                     json={"subject": f"{reviewer}-{suffix}", "region": setting["country"]})
        assert assigned.status_code in (200, 201), assigned.text
    group = await client.post("/v1/pay-groups", headers=bearer(tokens["preparer"]), json={
        "legal_entity_id": str(entity.id), "name": f"Money {currency} {suffix}",
        "rule": {"frequency": "monthly", "pay_day": 25, "country": setting["country"]}})
    assert group.status_code == 201, group.text
    return {"tokens": tokens, "group": group.json(), "staff": staff}


async def finalised_run(client: Any, setup: dict[str, Any]) -> dict[str, Any]:
    tokens = setup["tokens"]
    preparer = bearer(tokens["preparer"])
    run = await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": setup["group"]["id"], "year": 2026, "period": 3})
    assert run.status_code == 201, run.text
    url = f"/v1/pay-runs/{run.json()['id']}"
    assert (await client.post(f"{url}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(url, headers=preparer)).json()
    assert calculated["state"] == "calculated", calculated
    await client.post(f"{url}/submission", headers=preparer)
    for reviewer in ("reviewer_1", "reviewer_2"):
        approved = await client.post(f"{url}/approvals", headers=bearer(tokens[reviewer]),
                                     json={"results_hash": calculated["results_hash"]})
        assert approved.status_code == 200, approved.text
    final = await client.post(f"{url}/finalisation", headers=preparer)
    assert final.status_code == 200, final.text
    return final.json()


@pytest.mark.parametrize("currency", ["CNY", "JPY"])
async def test_every_amount_of_a_pay_run_has_its_currency_digits(client: Any, tenant_a: Any, token_for: Any,
                                                                 currency: str) -> None:
    setup = await staffed_group(client, tenant_a, token_for, currency)
    tokens = setup["tokens"]
    reader = bearer(tokens["preparer"])
    run = await finalised_run(client, setup)
    url = f"/v1/pay-runs/{run['id']}"
    payslips = (await client.get(f"{url}/payslips", headers=reader)).json()
    shown = assert_money_shape(payslips, currency)
    zero = "0.00" if currency == "CNY" else "0"
    assert zero in shown, "a line's empty side is shown in the currency's digits, not as a bare 0"
    employee = setup["staff"][0].id
    assert_money_shape((await client.get(f"{url}/payslips/{employee}/history", headers=reader)).json(), currency)
    codes = {line["code"] for slip in payslips["items"] for line in slip["result"]["lines"]}
    accounts = {"gross_salary_expense": "6601", "net_pay_payable": "2211", "employer_expense": "6602",
                **{code: f"2241.{index}" for index, code in enumerate(sorted(codes))}}
    mapped = await client.put("/v1/payroll/account-mapping", headers=bearer(tokens["admin"]),
                              json={"accounts": accounts})
    assert mapped.status_code == 200, mapped.text
    journal = (await client.get(f"{url}/journal", headers=reader)).json()
    assert_money_shape(journal, currency)
    assert_money_shape((await client.get(f"{url}/control-totals", headers=reader)).json(), currency)
    statement = "account,currency,debit,credit\n" + f"6601,{currency},1,0\n9999,{currency},12,0"
    reconciled = await client.post(f"{url}/reconciliation", headers=reader, content=statement.encode())
    assert reconciled.status_code == 200, reconciled.text
    assert_money_shape(reconciled.json(), currency)


async def test_an_employees_pay_has_its_currency_digits(client: Any, tenant_a: Any, token_for: Any) -> None:
    setup = await staffed_group(client, tenant_a, token_for, "CNY")
    hr = bearer(await token_for(tenant_a, "hr_admin", subject="money-hr"))
    for member, pay in zip(setup["staff"], ("15000.00", "22000.50"), strict=True):
        employee = (await client.get(f"/v1/employees/{member.id}", headers=hr)).json()
        assert assert_money_shape(employee["employment"], "CNY") == [pay]


CALCULATIONS = {
    "CNY": {"country": "CN", "region": "SH", "pay_date": "2026-03-31", "pay_frequency": "monthly",
            "earnings": {"regular": "15000"}, "employee": {}},
    "JPY": {"country": "JP", "region": "13", "pay_date": "2026-03-25", "pay_frequency": "monthly",
            "earnings": {"regular": "300000.00"}, "employee": {"date_of_birth": "1990-01-01"}},
    "EUR": {"country": "DE", "region": "BY", "pay_date": "2026-03-31", "pay_frequency": "monthly",
            "earnings": {"regular": "5000"}, "employee": {"tax_class": 1}},
}


@pytest.mark.parametrize("currency", sorted(CALCULATIONS))
async def test_a_stateless_calculation_answers_money_in_its_currency_digits(client: Any, tenant_a: Any,
                                                                           token_for: Any, currency: str) -> None:
    token = bearer(await token_for(tenant_a, "payroll_preparer", subject="money-calculator"))
    body = CALCULATIONS[currency]
    answered = await client.post("/v1/compliance/payroll-calculations", headers=token, json=body)
    assert answered.status_code == 200, answered.text
    result = answered.json()
    shown = assert_money_shape(result, currency)
    assert result["totals"]["gross"] == {"CNY": "15000.00", "JPY": "300000", "EUR": "5000.00"}[currency]
    assert {"CNY": "0.00", "JPY": "0", "EUR": "0.00"}[currency] in shown
    typed = {key: value for key, value in body.items() if key != "country"}
    again = await client.post(f"/v1/compliance/packs/{body['country']}/payroll-calculations", headers=token,
                              json=typed)
    assert again.status_code == 200, again.text
    assert assert_money_shape(again.json(), currency) == shown


async def test_earnings_finer_than_the_currency_are_refused_pointing_at_the_field(client: Any, tenant_a: Any,
                                                                                token_for: Any) -> None:
    token = bearer(await token_for(tenant_a, "payroll_preparer", subject="money-calculator"))
    body = {**CALCULATIONS["JPY"], "earnings": {"regular": "300000", "bonus": "0.5"}}
    refused = await client.post("/v1/compliance/payroll-calculations", headers=token, json=body)
    assert refused.status_code in (400, 422), refused.text
    problem = refused.json()
    assert problem["code"] == "too_many_decimals"
    assert [error["pointer"] for error in problem["errors"]] == ["/earnings/bonus"]


def follow(document: dict[str, Any], schema: dict[str, Any], *steps: str) -> dict[str, Any]:
    """The schema at ``steps`` (property names, ``[]`` for a list's items) below ``schema``, through $refs and a
    nullable field's oneOf."""
    for step in ("", *steps):
        while "$ref" in schema or "oneOf" in schema:
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            else:
                schema = next(member for member in schema["oneOf"] if member.get("type") != "null")
        if step:
            schema = schema["items"] if step == "[]" else schema["properties"][step]
    return schema


async def test_the_document_states_the_money_shape_on_every_amount(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    assert "Money" in document["info"]["description"]
    answers = {operation["operationId"]: operation["responses"]
               for path in document["paths"].values() for operation in path.values()
               if isinstance(operation, dict) and "operationId" in operation}
    amounts_at = {
        "calculatePayroll": [("totals", "gross"), ("totals", "net"), ("lines", "[]", "employee"),
                             ("lines", "[]", "base")],
        "calculateJpPayroll": [("totals", "employer_cost"), ("lines", "[]", "employer")],
        "listPayslips": [("items", "[]", "gross"), ("items", "[]", "employer_cost")],
        "listPayslipVersions": [("versions", "[]", "net"), ("versions", "[]", "lines", "[]", "employee")],
        "getControlTotals": [("currencies", "[]", "gross"), ("currencies", "[]", "employer_cost")],
        "reconcilePayRun": [("differences", "[]", "journal_debit")],
        "getSettlementProposal": [("net_difference",), ("employees", "[]", "periods", "[]", "paid_net")],
        "getEmployee": [("employment", "pay", "amount")],
    }
    for operation, paths in amounts_at.items():
        answer = next(r for status, r in answers[operation].items() if status.startswith("2"))
        schema = answer["content"]["application/json"]["schema"]
        for steps in paths:
            assert follow(document, schema, *steps).get("description") == MONEY_DESCRIPTION, (operation, steps)
