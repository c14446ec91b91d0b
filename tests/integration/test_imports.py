"""Bulk imports: CSV and JSON Lines files of employees and candidates, checked row by row by the single-record API's
rules, run as a background job; all-or-nothing or row-by-row, dry runs, re-runs by external id, row problems in the
reader's language, and another tenant's import answering like a missing one."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from typing import Any

import pytest

from domain.bulk import service as imports
from domain.bulk.model import ImportNotFound
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

CSV = "text/csv"
JSONL = "application/x-ndjson"


@pytest.fixture
async def setup(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="imports-admin")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Import Shanghai {uuid.uuid4().hex[:6]}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    return {"admin": admin, "entity": entity, "tag": uuid.uuid4().hex[:8]}


def employee(setup: dict[str, Any], n: int, **changes: Any) -> dict[str, Any]:
    """A JSON Lines row: the person, the employment and a bank account."""
    tag = setup["tag"]
    row: dict[str, Any] = {
        "external_id": f"hr-{tag}-{n}", "full_name": f"Wang Fang {n}", "email": f"wang-{tag}-{n}@example.com",
        "birth_date": "1990-03-07", "timezone": "Asia/Shanghai", "locale": "zh-CN",
        "employment": {"legal_entity_id": setup["entity"]["id"], "position": "Accountant",
                       "start_date": "2026-01-05", "pay": {"amount": "16000.00", "currency": "CNY", "unit": "month"},
                       "weekly_hours": "40", "probation_months": 3, "employee_number": f"I-{tag}-{n}"},
        "bank_account": {"holder": f"Wang Fang {n}", "account": "6222 0200 1234 5678"},
    }
    for key, value in changes.items():
        if key.startswith("employment_"):
            row["employment"][key.removeprefix("employment_")] = value
        else:
            row[key] = value
    return row


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    def flat(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flat(item, f"{prefix}{key}.") if isinstance(item, dict) else {f"{prefix}{key}": item})
        return out

    flats = [flat(row) for row in rows]
    columns = sorted({column for row in flats for column in row})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(flats)
    return buffer.getvalue().encode()


def as_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


async def run(client: Any, token: str, body: bytes, content_type: str, **params: str) -> tuple[dict, list[dict]]:
    """Send the file, wait for the job, and read the import and every row's outcome."""
    query = {"kind": "employees", **params}
    sent = await client.post("/v1/imports", params=query, content=body,
                             headers=bearer(token, **{"Content-Type": content_type}))
    assert sent.status_code == 202, sent.text
    assert sent.headers["location"] == f"/v1/imports/{sent.json()['id']}"
    await imports.wait_for_imports()
    done = (await client.get(sent.headers["location"], headers=bearer(token))).json()
    rows = (await client.get(f"{sent.headers['location']}/rows?limit=200", headers=bearer(token))).json()["items"]
    return done, rows


async def test_csv_row_by_row_writes_the_good_rows_and_reports_the_bad_one(client: Any,
                                                                          setup: dict[str, Any]) -> None:
    rows = [employee(setup, 1), employee(setup, 2, employment_pay={"amount": "16000.00", "currency": "EUR",
                                                                    "unit": "month"}), employee(setup, 3)]
    done, outcomes = await run(client, setup["admin"], as_csv(rows), CSV, mode="row_by_row")
    assert (done["state"], done["rows_total"], done["rows_done"]) == ("completed", 3, 3)
    assert (done["rows_created"], done["rows_failed"]) == (2, 1)
    assert [row["outcome"] for row in outcomes] == ["created", "failed", "created"]
    assert [row["line"] for row in outcomes] == [2, 3, 4]  # the header is line 1
    bad = outcomes[1]
    assert bad["entity_id"] is None
    assert bad["problems"][0]["code"] == "pay_currency_not_entity_currency"
    assert bad["problems"][0]["field"] == "employment.pay.currency"
    hired = (await client.get(f"/v1/employees/{outcomes[0]['entity_id']}", headers=bearer(setup["admin"]))).json()
    assert hired["full_name"] == "Wang Fang 1"
    assert hired["email"] == f"wang-{setup['tag']}-1@example.com"  # sealed, and opened for a reader who may
    assert hired["employment"]["pay"] == {"amount": "16000.00", "currency": "CNY", "unit": "month"}
    bank = (await client.get(f"/v1/employees/{outcomes[0]['entity_id']}/bank-account-changes",
                             headers=bearer(setup["admin"]))).json()["items"]
    assert [(change["status"], change["masked"]) for change in bank] == [("pending", "************5678")]
    audit = (await client.get(f"/v1/audit/entries?entity_type=employee&entity_id={outcomes[0]['entity_id']}",
                              headers=bearer(setup["admin"]))).json()["items"]
    assert audit[0]["action"] == "employee.imported"
    assert audit[0]["after"]["bank_account"]["account"] == "************5678"  # masked: the trail keeps no account
    assert (await client.get("/v1/audit/verify", headers=bearer(setup["admin"]))).json()["valid"] is True


async def test_jsonl_all_or_nothing_writes_nothing_when_one_row_fails(client: Any, setup: dict[str, Any]) -> None:
    broken = employee(setup, 2)
    del broken["employment"]["position"]
    rows = [employee(setup, 1), broken, employee(setup, 3)]
    done, outcomes = await run(client, setup["admin"], as_jsonl(rows), JSONL, mode="all_or_nothing")
    assert (done["state"], done["rows_created"], done["rows_failed"]) == ("completed", 0, 1)
    assert [row["outcome"] for row in outcomes] == ["not_imported", "failed", "not_imported"]
    assert outcomes[1]["problems"][0]["field"] == "employment.position"
    # Nothing was written: the same external ids import now, as new
    broken["employment"]["position"] = "Accountant"
    done, outcomes = await run(client, setup["admin"], as_jsonl(rows), JSONL, mode="all_or_nothing")
    assert (done["rows_created"], done["rows_failed"]) == (3, 0)
    assert all(row["outcome"] == "created" for row in outcomes)


async def test_csv_all_or_nothing_and_jsonl_row_by_row(client: Any, setup: dict[str, Any]) -> None:
    bad = employee(setup, 2, employment_weekly_hours="eighty")
    _, outcomes = await run(client, setup["admin"], as_csv([employee(setup, 1), bad]), CSV,
                            mode="all_or_nothing")
    assert [row["outcome"] for row in outcomes] == ["not_imported", "failed"]
    assert outcomes[1]["problems"][0]["field"] == "employment.weekly_hours"
    _done, outcomes = await run(client, setup["admin"], as_jsonl([employee(setup, 1), bad]), JSONL,
                               mode="row_by_row")
    assert [row["outcome"] for row in outcomes] == ["created", "failed"]


async def test_a_dry_run_checks_every_row_and_writes_nothing(client: Any, setup: dict[str, Any]) -> None:
    rows = [employee(setup, 1), employee(setup, 2, email="not an address")]
    done, outcomes = await run(client, setup["admin"], as_jsonl(rows), JSONL, dry_run="true")
    assert done["dry_run"] is True and done["rows_created"] == 0
    assert [row["outcome"] for row in outcomes] == ["valid", "failed"]
    assert outcomes[1]["problems"][0]["field"] == "email"
    done, outcomes = await run(client, setup["admin"], as_jsonl(rows[:1]), JSONL)
    assert outcomes[0]["outcome"] == "created"  # the dry run left the external id free


async def test_running_the_same_file_again_writes_nothing_twice(client: Any, setup: dict[str, Any]) -> None:
    rows = [employee(setup, 1), employee(setup, 2)]
    first, outcomes = await run(client, setup["admin"], as_csv(rows), CSV)
    second, again = await run(client, setup["admin"], as_csv(rows), CSV)
    assert first["rows_created"] == 2
    assert (second["rows_created"], second["rows_unchanged"]) == (0, 2)
    assert [row["outcome"] for row in again] == ["unchanged", "unchanged"]
    assert [row["entity_id"] for row in again] == [row["entity_id"] for row in outcomes]
    changed = [employee(setup, 1, full_name="Wang Fang the First"), employee(setup, 2)]
    _, third = await run(client, setup["admin"], as_csv(changed), CSV)
    assert [row["outcome"] for row in third] == ["already_imported", "unchanged"]


async def test_row_problems_read_in_the_readers_language(client: Any, setup: dict[str, Any]) -> None:
    rows = [employee(setup, 1, employment_pay={"amount": "16000.00", "currency": "EUR", "unit": "month"}),
            employee(setup, 2, employment_probation_months=99), {"full_name": "No id"}]
    _, outcomes = await run(client, setup["admin"], as_jsonl(rows), JSONL)
    assert [row["outcome"] for row in outcomes] == ["failed", "failed", "failed"]
    # read the same rows in three languages
    sent = await client.post("/v1/imports", params={"kind": "employees"}, content=as_jsonl(rows),
                             headers=bearer(setup["admin"], **{"Content-Type": JSONL}))
    import_id = sent.json()["id"]
    await imports.wait_for_imports()
    messages = {}
    for language in ("en", "ja", "zh-CN"):
        page = (await client.get(f"/v1/imports/{import_id}/rows", headers=bearer(
            setup["admin"], **{"Accept-Language": language}))).json()["items"]
        messages[language] = [[problem["message"] for problem in row["problems"]] for row in page]
        assert [row["problems"][0]["code"] for row in page] == [
            "pay_currency_not_entity_currency", "invalid_row", "external_id_missing"]
        assert page[1]["problems"][0]["field"] == "employment.probation_months"
    assert "EUR" in messages["en"][0][0] and "EUR" in messages["ja"][0][0] and "EUR" in messages["zh-CN"][0][0]
    for line in range(3):
        assert messages["ja"][line] != messages["en"][line]
        assert messages["zh-CN"][line] != messages["en"][line]
        assert messages["ja"][line] != messages["zh-CN"][line]


async def test_progress_counts_from_queued_to_completed(client: Any, setup: dict[str, Any]) -> None:
    rows = [employee(setup, n) for n in range(1, 8)]
    sent = await client.post("/v1/imports", params={"kind": "employees"}, content=as_jsonl(rows),
                             headers=bearer(setup["admin"], **{"Content-Type": JSONL}))
    queued = sent.json()
    assert (queued["state"], queued["rows_total"], queued["rows_done"]) == ("queued", 7, 0)
    await imports.wait_for_imports()
    done = (await client.get(f"/v1/imports/{queued['id']}", headers=bearer(setup["admin"]))).json()
    assert (done["state"], done["rows_done"], done["rows_created"]) == ("completed", 7, 7)
    assert done["finished_at"] is not None
    failed_only = (await client.get(f"/v1/imports/{queued['id']}/rows?outcome=failed",
                                    headers=bearer(setup["admin"]))).json()
    assert failed_only == {"items": [], "next_cursor": None}
    first = (await client.get(f"/v1/imports/{queued['id']}/rows?limit=3", headers=bearer(setup["admin"]))).json()
    rest = (await client.get(f"/v1/imports/{queued['id']}/rows?limit=10&cursor={first['next_cursor']}",
                             headers=bearer(setup["admin"]))).json()
    assert [row["line"] for row in first["items"] + rest["items"]] == list(range(1, 8))


async def test_candidates_import_by_the_candidate_rules(client: Any, setup: dict[str, Any]) -> None:
    tag = setup["tag"]
    rows = [{"external_id": f"c-{tag}-1", "full_name": "Sato Yui", "email": f"yui-{tag}@example.com",
             "timezone": "Asia/Tokyo", "locale": "ja"},
            {"external_id": f"c-{tag}-2", "full_name": "Sato Yui again", "email": f"YUI-{tag}@example.com"},
            {"external_id": f"c-{tag}-3", "full_name": "Lee", "national_id": "X1"}]
    _done, outcomes = await run(client, setup["admin"], as_csv(rows), CSV, kind="candidates")
    assert [row["outcome"] for row in outcomes] == ["created", "failed", "failed"]
    assert outcomes[1]["problems"][0]["code"] == "duplicate_candidate"
    assert outcomes[2]["problems"][0]["code"] == "national_id_needs_country"
    candidate = (await client.get(f"/v1/candidates/{outcomes[0]['entity_id']}", headers=bearer(setup["admin"])))
    assert candidate.json()["email"] == f"yui-{tag}@example.com"


async def test_each_kind_needs_its_own_permission(client: Any, tenant_a: Any, token_for: Any,
                                                  setup: dict[str, Any]) -> None:
    recruiter = await token_for(tenant_a, "recruiter", subject="imports-recruiter")
    refused = await client.post("/v1/imports", params={"kind": "employees"}, content=as_jsonl([employee(setup, 1)]),
                                headers=bearer(recruiter, **{"Content-Type": JSONL}))
    assert refused.status_code == 403
    assert refused.json()["code"] == "import_kind_forbidden"
    employee_token = await token_for(tenant_a, "employee", subject="imports-employee")
    assert (await client.post("/v1/imports", params={"kind": "candidates"}, content=b"external_id\n1\n",
                              headers=bearer(employee_token, **{"Content-Type": CSV}))).status_code == 403


async def test_files_that_cannot_be_read_are_refused_at_once(client: Any, setup: dict[str, Any]) -> None:
    token = setup["admin"]
    empty = await client.post("/v1/imports", params={"kind": "employees"}, content=b"external_id,full_name\n",
                              headers=bearer(token, **{"Content-Type": CSV}))
    assert (empty.status_code, empty.json()["code"]) == (422, "import_file_empty")
    latin = await client.post("/v1/imports", params={"kind": "employees"}, content="a,b\n\xe9,1\n".encode("latin-1"),
                              headers=bearer(token, **{"Content-Type": CSV}))
    assert (latin.status_code, latin.json()["code"]) == (422, "import_file_unreadable")
    unknown = await client.post("/v1/imports", params={"kind": "employees"}, content=b"{}",
                                headers=bearer(token, **{"Content-Type": "application/xml"}))
    assert unknown.status_code == 415


async def test_bulk_answers_carry_the_bulk_budget(client: Any, setup: dict[str, Any], settings: Any) -> None:
    interactive = await client.get("/v1/me", headers=bearer(setup["admin"]))
    bulk = await client.get(f"/v1/imports/{uuid.uuid4()}", headers=bearer(setup["admin"]))
    assert bulk.status_code == 404 and bulk.json()["code"] == "import_not_found"
    assert interactive.headers["ratelimit-limit"] == str(settings.rate_limit_per_minute)
    assert bulk.headers["ratelimit-limit"] == str(settings.bulk_rate_limit_per_minute)
    assert int(bulk.headers["ratelimit-remaining"]) < settings.bulk_rate_limit_per_minute


async def test_another_tenants_import_answers_like_a_missing_one(client: Any, setup: dict[str, Any],
                                                                 tenant_a: Any, tenant_b: Any) -> None:
    sent = await client.post("/v1/imports", params={"kind": "employees", "dry_run": "true"},
                             content=as_jsonl([employee(setup, 1)]),
                             headers=bearer(setup["admin"], **{"Content-Type": JSONL}))
    import_id = uuid.UUID(sent.json()["id"])
    await imports.wait_for_imports()
    other = Principal(tenant_id=tenant_b, subject="someone-else", roles=frozenset({Role.TENANT_ADMIN}))
    own = Principal(tenant_id=tenant_a, subject="imports-admin", roles=frozenset({Role.TENANT_ADMIN}))
    assert (await imports.get_import(own, import_id)).rows_total == 1
    for probe in (import_id, uuid.uuid4()):
        with pytest.raises(ImportNotFound):
            await imports.get_import(other, probe)
        with pytest.raises(ImportNotFound):
            await imports.import_rows(other, probe, None, 50)


@pytest.mark.postgres
async def test_another_tenants_import_is_a_404_over_http(client: Any, setup: dict[str, Any], tenant_b: Any,
                                                         token_for: Any) -> None:
    sent = await client.post("/v1/imports", params={"kind": "employees", "dry_run": "true"},
                             content=as_jsonl([employee(setup, 1)]),
                             headers=bearer(setup["admin"], **{"Content-Type": JSONL}))
    await imports.wait_for_imports()
    other = await token_for(tenant_b, "tenant_admin", "hr_admin", subject="imports-admin-b")
    theirs = await client.get(f"/v1/imports/{sent.json()['id']}", headers=bearer(other))
    missing = await client.get(f"/v1/imports/{uuid.uuid4()}", headers=bearer(other))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == missing.json()["code"] == "import_not_found"
    rows = await client.get(f"/v1/imports/{sent.json()['id']}/rows", headers=bearer(other))
    assert rows.status_code == 404


async def test_two_attempts_of_one_import_at_once_write_each_row_once(client: Any, setup: dict[str, Any],
                                                                      tenant_a: Any) -> None:
    """A worker taken for stalled while it still runs: its attempt and the next one's take turns on the import, and
    the one that finds the other has moved it on stops without writing."""
    from domain.bulk.model import ImportFormat, ImportKind, ImportMode
    from domain.jobs.model import JobRun

    admin = Principal(tenant_id=tenant_a, subject="imports-admin",
                      roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}), request_id="twice")
    for mode in (ImportMode.ROW_BY_ROW, ImportMode.ALL_OR_NOTHING):
        setup["tag"] = uuid.uuid4().hex[:8]
        rows = [employee(setup, n) for n in range(1, 6)]
        view = await imports.start_import(admin, ImportKind.EMPLOYEES, ImportFormat.JSONL, mode, False,
                                          as_jsonl(rows))
        order = imports.ImportOrder(import_id=view.id, subject=admin.subject, roles=["hr_admin", "tenant_admin"],
                                    scopes=None, locale="en", request_id="twice")
        await asyncio.gather(*(imports.run_import(JobRun(tenant_id=tenant_a, attempt=attempt), order)
                               for attempt in (1, 2)))
        await imports.wait_for_imports()  # the queued job too: it finds the import completed
        done = await imports.get_import(admin, view.id)
        assert (done.state.value, done.rows_done, done.rows_created, done.rows_failed) == ("completed", 5, 5, 0)
        outcomes = (await imports.import_rows(admin, view.id, None, 50)).items
        assert [(row.line, row.outcome.value) for row in outcomes] == [(n, "created") for n in range(1, 6)]
        for row in outcomes:  # each row's employee, written once
            hired = await client.get(f"/v1/employees/{row.entity_id}", headers=bearer(setup["admin"]))
            assert hired.json()["employee_number"] == f"I-{setup['tag']}-{row.line}"
    assert (await client.get("/v1/audit/verify", headers=bearer(setup["admin"]))).json()["valid"] is True
