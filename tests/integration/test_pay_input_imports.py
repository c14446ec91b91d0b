"""Pay inputs in bulk: an import of kind `pay_inputs` (CSV or JSON Lines) checked row by row by the rules of
`POST /v1/pay-runs/{id}/inputs` and written through the same path (audited, a calculated run back to draft), the
employee named by id, employee number or the external id of their import; dry runs, re-runs by external id, row
problems in the reader's language, the payroll permission, another tenant's references answering like missing ones,
and `GET /v1/exports/pay-inputs` giving back exactly what was imported."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import msgspec
import pytest

from domain.bulk import service as imports
from domain.bulk.exports import ExportFormat, export
from domain.bulk.model import ImportFormat, ImportKind, ImportMode
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll import service as payroll
from domain.payroll.calendar import PayGroupRule
from domain.payroll.service import NewPayGroup, NewPayRun, wait_for_jobs
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

CSV = "text/csv"
JSONL = "application/x-ndjson"


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    columns = sorted({column for row in rows for column in row})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


async def run(client: Any, token: str, body: bytes, content_type: str, **params: str) -> tuple[dict, list[dict]]:
    """Send the file, wait for the job, and read the import and every row's outcome."""
    sent = await client.post("/v1/imports", params={"kind": "pay_inputs", **params}, content=body,
                             headers=bearer(token, **{"Content-Type": content_type}))
    assert sent.status_code == 202, sent.text
    await imports.wait_for_imports()
    done = (await client.get(sent.headers["location"], headers=bearer(token))).json()
    rows = (await client.get(f"{sent.headers['location']}/rows?limit=200", headers=bearer(token))).json()["items"]
    return done, rows


async def staff_of(client: Any, admin: str, tag: str, count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A Shanghai legal entity and ``count`` employees imported into it (numbered P-<tag>-<n>, external ids
    hr-<tag>-<n>), as the rows' outcomes."""
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Pay inputs SH {tag}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    rows = [{"external_id": f"hr-{tag}-{n}", "full_name": f"Li Na {n}", "timezone": "Asia/Shanghai", "locale": "zh-CN",
             "employment": {"legal_entity_id": entity["id"], "position": "Accountant", "start_date": "2026-01-05",
                            "pay": {"amount": "16000.00", "currency": "CNY", "unit": "month"}, "weekly_hours": "40",
                            "employee_number": f"P-{tag}-{n}"}} for n in range(count)]
    sent = await client.post("/v1/imports", params={"kind": "employees"}, content=as_jsonl(rows),
                             headers=bearer(admin, **{"Content-Type": JSONL}))
    assert sent.status_code == 202, sent.text
    await imports.wait_for_imports()
    outcomes = (await client.get(f"{sent.headers['location']}/rows", headers=bearer(admin))).json()["items"]
    assert [row["outcome"] for row in outcomes] == ["created"] * count
    return entity, outcomes


@pytest.fixture
async def setup(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="pay-inputs-admin")
    preparer = await token_for(tenant_a, "payroll_preparer", subject="pay-inputs-preparer")
    entity, staff = await staff_of(client, admin, tag, 3)
    group = await client.post("/v1/pay-groups", headers=bearer(preparer), json={
        "legal_entity_id": entity["id"], "name": f"SH monthly {tag}",
        "rule": {"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1}})
    assert group.status_code == 201, group.text
    run_ = await client.post("/v1/pay-runs", headers=bearer(preparer), json={
        "pay_group_id": group.json()["id"], "year": 2026, "period": 3})
    assert run_.status_code == 201, run_.text
    return {"tag": tag, "admin": admin, "preparer": preparer, "staff": [row["entity_id"] for row in staff],
            "group": group.json(), "run": run_.json()}


def good_rows(setup: dict[str, Any]) -> list[dict[str, Any]]:
    """One input per way of naming the employee."""
    tag, run_id = setup["tag"], setup["run"]["id"]
    return [
        {"external_id": f"pi-{tag}-1", "run_id": run_id, "employee_number": f"P-{tag}-0", "kind": "bonus",
         "amount": "1500.50", "note": "Q1 bonus, 季度奖"},
        {"external_id": f"pi-{tag}-2", "run_id": run_id, "employee_external_id": f"hr-{tag}-1",
         "kind": "overtime_hours", "amount": "12.5"},
        {"external_id": f"pi-{tag}-3", "run_id": run_id, "employee_id": setup["staff"][2], "kind": "deduction",
         "amount": "200.0000", "note": "=canteen"},
    ]


async def exported(client: Any, token: str, fmt: str, **params: str) -> list[dict[str, Any]]:
    answer = await client.get("/v1/exports/pay-inputs", params={"format": fmt, **params}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    if fmt == "jsonl":
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in answer.text.splitlines() if line]
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


async def test_good_rows_are_written_audited_and_exported_exactly_as_imported(client: Any,
                                                                            setup: dict[str, Any]) -> None:
    rows = good_rows(setup)
    done, outcomes = await run(client, setup["preparer"], as_csv(rows), CSV)
    assert (done["state"], done["rows_created"], done["rows_failed"]) == ("completed", 3, 0)
    assert [row["outcome"] for row in outcomes] == ["created"] * 3
    run_id = setup["run"]["id"]
    lines = await exported(client, setup["preparer"], "jsonl", run_id=run_id)
    assert [line["id"] for line in lines] == [row["entity_id"] for row in outcomes]
    assert [(line["employee_id"], line["employee_number"], line["kind"], line["amount"], line["note"])
            for line in lines] == [
        (setup["staff"][0], f"P-{setup['tag']}-0", "bonus", "1500.50", "Q1 bonus, 季度奖"),
        (setup["staff"][1], f"P-{setup['tag']}-1", "overtime_hours", "12.5", ""),
        (setup["staff"][2], f"P-{setup['tag']}-2", "deduction", "200.0000", "=canteen"),
    ]
    assert {line["run_id"] for line in lines} == {run_id}
    assert {line["entered_by"] for line in lines} == {"pay-inputs-preparer"}
    table = await exported(client, setup["preparer"], "csv", run_id=run_id)
    assert [(row["amount"], row["note"]) for row in table] == [
        ("1500.50", "Q1 bonus, 季度奖"), ("12.5", ""), ("200.0000", "'=canteen")]  # a formula cell is defused
    history = (await client.get(f"/v1/pay-runs/{run_id}/history", headers=bearer(setup["preparer"]))).json()["items"]
    added = [entry for entry in history if entry["action"] == "pay_run.input_added"]
    assert [entry["after"]["input"] for entry in added] == [row["entity_id"] for row in outcomes]
    assert [entry["after"]["amount"] for entry in added] == ["1500.50", "12.5", "200.0000"]
    assert (await client.get("/v1/audit/verify", headers=bearer(setup["admin"]))).json()["valid"] is True


async def test_the_exported_file_imports_into_the_same_inputs(client: Any, setup: dict[str, Any]) -> None:
    """An export, given external ids, is a file the import takes; the second export reads exactly as the first."""
    await run(client, setup["preparer"], as_jsonl(good_rows(setup)), JSONL)
    first = await exported(client, setup["preparer"], "jsonl", run_id=setup["run"]["id"])
    other = await client.post("/v1/pay-runs", headers=bearer(setup["preparer"]), json={
        "pay_group_id": setup["group"]["id"], "year": 2026, "period": 4})
    again = [{"external_id": f"copy-{line['id']}", "run_id": other.json()["id"], "employee_id": line["employee_id"],
              "kind": line["kind"], "amount": line["amount"], "note": line["note"]} for line in first]
    done, _ = await run(client, setup["preparer"], as_csv(again), CSV)
    assert done["rows_created"] == 3
    second = await exported(client, setup["preparer"], "jsonl", run_id=other.json()["id"])
    fields = ("employee_id", "employee_number", "kind", "amount", "note")
    assert [[line[f] for f in fields] for line in second] == [[line[f] for f in fields] for line in first]
    later = await exported(client, setup["preparer"], "csv", pay_group_id=setup["group"]["id"],
                           period_from=other.json()["period_start"], period_to=other.json()["period_end"])
    assert [row["run_id"] for row in later] == [other.json()["id"]] * 3
    both = await exported(client, setup["preparer"], "jsonl", pay_group_id=setup["group"]["id"])
    assert len(both) == 6


async def test_bad_rows_are_reported_with_codes_in_the_readers_language(client: Any, setup: dict[str, Any]) -> None:
    tag, run_id = setup["tag"], setup["run"]["id"]
    rows = [
        *good_rows(setup)[:1],
        {"external_id": f"bad-{tag}-1", "run_id": run_id, "employee_number": f"P-{tag}-1", "kind": "overtime_hours",
         "amount": "300.5"},
        {"external_id": f"bad-{tag}-2", "run_id": run_id, "employee_number": f"P-{tag}-1", "kind": "bonus",
         "amount": "1e3"},
        {"external_id": f"bad-{tag}-3", "run_id": run_id, "employee_number": "nobody", "kind": "bonus",
         "amount": "10"},
        {"external_id": f"bad-{tag}-4", "run_id": run_id, "employee_number": f"P-{tag}-1",
         "employee_id": setup["staff"][1], "kind": "bonus", "amount": "10"},
        {"external_id": f"bad-{tag}-5", "run_id": str(uuid.uuid4()), "employee_number": f"P-{tag}-1",
         "kind": "bonus", "amount": "10"},
        {"external_id": f"bad-{tag}-6", "run_id": run_id, "employee_id": str(uuid.uuid4()), "kind": "bonus",
         "amount": "10"},
        {"external_id": f"bad-{tag}-7", "run_id": run_id, "employee_number": f"P-{tag}-1", "kind": "gift",
         "amount": "10"},
    ]
    done, outcomes = await run(client, setup["preparer"], as_jsonl(rows), JSONL, mode="row_by_row")
    assert (done["rows_created"], done["rows_failed"]) == (1, 7)
    assert [row["outcome"] for row in outcomes] == ["created", *["failed"] * 7]
    assert [(row["problems"][0]["code"], row["problems"][0]["field"]) for row in outcomes[1:]] == [
        ("pay_input_out_of_range", "amount"),
        ("invalid_row", "amount"),
        ("pay_input_employee_unknown", "employee_number"),
        ("pay_input_employee_reference", "employee_number"),
        ("pay_run_not_found", "run_id"),
        ("pay_input_employee_not_in_run", "employee_id"),
        ("invalid_row", "kind"),
    ]
    assert "300" in outcomes[1]["problems"][0]["message"]
    messages: dict[str, list[str]] = {}
    location = f"/v1/imports/{done['id']}/rows?outcome=failed"
    for language in ("en", "zh-CN", "ja"):
        read = (await client.get(location, headers=bearer(setup["preparer"], **{"Accept-Language": language}))).json()
        messages[language] = [row["problems"][0]["message"] for row in read["items"]]
    for index in range(7):
        assert len({messages["en"][index], messages["zh-CN"][index], messages["ja"][index]}) == 3, index
    assert "300" in messages["ja"][0] and "300" in messages["zh-CN"][0]
    lines = await exported(client, setup["preparer"], "jsonl", run_id=run_id)
    assert [line["amount"] for line in lines] == ["1500.50"]


async def test_all_or_nothing_and_dry_run_write_nothing(client: Any, setup: dict[str, Any]) -> None:
    rows = good_rows(setup)
    done, outcomes = await run(client, setup["preparer"], as_jsonl(rows), JSONL, dry_run="true")
    assert (done["dry_run"], done["rows_created"]) == (True, 0)
    assert [row["outcome"] for row in outcomes] == ["valid"] * 3
    broken = [*rows, {**rows[0], "external_id": f"pi-{setup['tag']}-9", "amount": "-5"}]
    done, outcomes = await run(client, setup["preparer"], as_jsonl(broken), JSONL, mode="all_or_nothing")
    assert [row["outcome"] for row in outcomes] == ["not_imported"] * 3 + ["failed"]
    assert await exported(client, setup["preparer"], "jsonl", run_id=setup["run"]["id"]) == []
    history = (await client.get(f"/v1/pay-runs/{setup['run']['id']}/history",
                                headers=bearer(setup["preparer"]))).json()["items"]
    assert not [entry for entry in history if entry["action"] == "pay_run.input_added"]


async def test_running_the_same_file_again_writes_nothing_twice(client: Any, setup: dict[str, Any]) -> None:
    rows = good_rows(setup)
    first, outcomes = await run(client, setup["preparer"], as_csv(rows), CSV)
    second, again = await run(client, setup["preparer"], as_csv(rows), CSV)
    assert (first["rows_created"], second["rows_created"], second["rows_unchanged"]) == (3, 0, 3)
    assert [row["outcome"] for row in again] == ["unchanged"] * 3
    assert [row["entity_id"] for row in again] == [row["entity_id"] for row in outcomes]
    changed = [{**rows[0], "amount": "1600.00"}, *rows[1:]]
    _, third = await run(client, setup["preparer"], as_jsonl(changed), JSONL)
    assert [row["outcome"] for row in third] == ["already_imported", "unchanged", "unchanged"]
    lines = await exported(client, setup["preparer"], "jsonl", run_id=setup["run"]["id"])
    assert [line["amount"] for line in lines] == ["1500.50", "12.5", "200.0000"]


async def test_an_import_into_a_calculated_run_sends_it_back_to_draft(client: Any, setup: dict[str, Any]) -> None:
    url = f"/v1/pay-runs/{setup['run']['id']}"
    assert (await client.post(f"{url}/calculation", headers=bearer(setup["preparer"]))).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(url, headers=bearer(setup["preparer"]))).json()
    assert calculated["state"] == "calculated" and calculated["results_hash"]
    done, _ = await run(client, setup["preparer"], as_jsonl(good_rows(setup)[:1]), JSONL)
    assert done["rows_created"] == 1
    after = (await client.get(url, headers=bearer(setup["preparer"]))).json()
    assert (after["state"], after["results_hash"]) == ("draft", None)


async def test_pay_inputs_need_the_payroll_permission(client: Any, setup: dict[str, Any], tenant_a: Any,
                                                      token_for: Any) -> None:
    hr = await token_for(tenant_a, "hr_admin", subject="pay-inputs-hr")
    refused = await client.post("/v1/imports", params={"kind": "pay_inputs"}, content=as_jsonl(good_rows(setup)),
                                headers=bearer(hr, **{"Content-Type": JSONL, "Accept-Language": "ja"}))
    assert refused.status_code == 403
    assert refused.json()["code"] == "import_kind_forbidden"
    recruiter = await token_for(tenant_a, "recruiter", subject="pay-inputs-recruiter")
    read = await client.get("/v1/exports/pay-inputs", headers=bearer(recruiter))
    assert read.status_code == 403
    # a payroll preparer imports pay inputs, not employees
    employees = await client.post("/v1/imports", params={"kind": "employees"}, content=b'{"external_id": "x"}\n',
                                  headers=bearer(setup["preparer"], **{"Content-Type": JSONL}))
    assert employees.status_code == 403 and employees.json()["code"] == "import_kind_forbidden"
    # a partner token scoped to imports without payroll:write is refused too, whatever its subject's roles
    scoped = await token_for(tenant_a, "payroll_preparer", subject="pay-inputs-partner", scopes=["imports:write"])
    partner = await client.post("/v1/imports", params={"kind": "pay_inputs"}, content=as_jsonl(good_rows(setup)),
                                headers=bearer(scoped, **{"Content-Type": JSONL}))
    assert partner.status_code == 403, partner.text
    both = await token_for(tenant_a, "payroll_preparer", subject="pay-inputs-partner",
                           scopes=["imports:write", "payroll:write"])
    done, _ = await run(client, both, as_jsonl(good_rows(setup)), JSONL)
    assert done["rows_created"] == 3
    auditor = await token_for(tenant_a, "auditor", subject="pay-inputs-auditor")
    assert len(await exported(client, auditor, "csv", run_id=setup["run"]["id"])) == 3


async def test_another_tenants_run_and_employees_answer_like_missing_ones(client: Any, setup: dict[str, Any],
                                                                         tenant_b: Any) -> None:
    other = Principal(tenant_id=tenant_b, subject="pay-inputs-other", roles=frozenset({
        Role.TENANT_ADMIN, Role.HR_ADMIN, Role.PAYROLL_PREPARER}))
    tag, run_id = setup["tag"], setup["run"]["id"]
    entity = await create_legal_entity(other, NewLegalEntity(
        name=f"Other SH {tag}", country="CN", region="SH", currency="CNY", timezone="Asia/Shanghai"))
    hired = await imports.start_import(other, ImportKind.EMPLOYEES, ImportFormat.JSONL, ImportMode.ROW_BY_ROW, False,
                                       as_jsonl([{
        "external_id": f"hr-b{tag}-0", "full_name": "Other Li", "timezone": "Asia/Shanghai", "locale": "zh-CN",
        "employment": {"legal_entity_id": str(entity.id), "position": "Accountant", "start_date": "2026-01-05",
                       "pay": {"amount": "16000.00", "currency": "CNY", "unit": "month"}, "weekly_hours": "40",
                       "employee_number": f"P-b{tag}-0"}}]))
    await imports.wait_for_imports()
    theirs = (await imports.import_rows(other, hired.id, None, 10)).items
    assert [row.outcome.value for row in theirs] == ["created"]
    group = await payroll.create_group(other, NewPayGroup(legal_entity_id=entity.id, name=f"B monthly {tag}", rule=(
        msgspec.convert({"frequency": "monthly", "pay_day": 10, "country": "CN", "pay_month_offset": 1},
                        PayGroupRule))))
    their_run = await payroll.create_run(other, NewPayRun(pay_group_id=group.id, year=2026, period=3))
    pairs = [  # (another tenant's reference, a random one)
        ({"employee_id": str(theirs[0].entity_id)}, {"employee_id": str(uuid.uuid4())}),
        ({"employee_number": f"P-b{tag}-0"}, {"employee_number": f"P-none-{tag}"}),
        ({"employee_external_id": f"hr-b{tag}-0"}, {"employee_external_id": f"hr-none-{tag}"}),
    ]
    rows = []
    for index, (foreign, random) in enumerate(pairs):
        for which, reference in (("foreign", foreign), ("random", random)):
            rows.append({"external_id": f"x-{tag}-{index}-{which}", "run_id": run_id, "kind": "bonus",
                         "amount": "10", **reference})
    for which, other_run in (("foreign", str(their_run.id)), ("random", str(uuid.uuid4()))):
        rows.append({"external_id": f"x-{tag}-run-{which}", "run_id": other_run, "employee_number": f"P-{tag}-0",
                     "kind": "bonus", "amount": "10"})
    _, outcomes = await run(client, setup["preparer"], as_jsonl(rows), JSONL)
    assert [row["outcome"] for row in outcomes] == ["failed"] * 8
    problems = [row["problems"] for row in outcomes]
    for foreign, random in zip(problems[0::2], problems[1::2], strict=True):
        assert foreign == random
    assert [p[0]["code"] for p in problems[0::2]] == [
        "pay_input_employee_not_in_run", "pay_input_employee_unknown", "pay_input_employee_unknown",
        "pay_run_not_found"]
    # and neither tenant's export shows the other's inputs
    await run(client, setup["preparer"], as_jsonl(good_rows(setup)), JSONL)
    theirs_of_ours = b"".join([chunk async for chunk in export(other, "pay-inputs", ExportFormat.JSONL,
                                                               {"run_id": uuid.UUID(run_id)})])
    assert theirs_of_ours == b""
    assert await exported(client, setup["preparer"], "jsonl", run_id=str(their_run.id)) == []
