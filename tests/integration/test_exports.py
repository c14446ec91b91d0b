"""Exports: every employee or candidate as CSV or JSON Lines, streamed a page at a time, masked as the caller's
permissions mask the single-record API; and the bulk rate-limit budget, apart from the interactive one."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
from litestar.exceptions import TooManyRequestsException

from api.ratelimit import FixedWindow, RateLimitMiddleware
from domain.bulk.exports import ExportFormat, export
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from tests.conftest import bearer
from tests.integration.test_imports import JSONL, as_jsonl, employee, run

pytestmark = pytest.mark.anyio


@pytest.fixture
async def imported(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="exports-admin")
    auditor = await token_for(tenant_a, "auditor", subject="exports-auditor")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Export Shanghai {uuid.uuid4().hex[:6]}", "country": "CN", "region": "SH", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()
    setup = {"admin": admin, "entity": entity, "tag": uuid.uuid4().hex[:8]}
    _, outcomes = await run(client, admin, as_jsonl([employee(setup, 1, phone="+86 138 1234 5678")]), JSONL)
    assert outcomes[0]["outcome"] == "created"
    return {**setup, "auditor": auditor, "employee_id": outcomes[0]["entity_id"]}


async def _lines(client: Any, url: str, token: str, **headers: str) -> tuple[Any, list[str]]:
    answer = await client.get(url, headers=bearer(token, **headers))
    assert answer.status_code == 200, answer.text
    return answer, answer.text.splitlines()


async def test_employees_export_is_masked_for_a_role_without_clear_reads(client: Any,
                                                                        imported: dict[str, Any]) -> None:
    answer, lines = await _lines(client, "/v1/exports/employees?format=jsonl", imported["auditor"])
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    assert answer.headers["cache-control"] == "no-store"
    mine = [json.loads(line) for line in lines if json.loads(line)["id"] == imported["employee_id"]]
    assert len(mine) == 1
    row = mine[0]
    assert row["masked"] is True
    assert row["email"] != f"wang-{imported['tag']}-1@example.com" and "***" in row["email"]
    assert row["birth_date"] == "1990-**-**"
    assert "5678" in row["phone"] and "1234" not in row["phone"]


async def test_employees_export_is_clear_for_a_role_that_may_read_it(client: Any, imported: dict[str, Any]) -> None:
    answer, lines = await _lines(client, "/v1/exports/employees", imported["admin"], Accept="text/csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert "employment.pay.amount" in rows[0]
    mine = next(row for row in rows if row["id"] == imported["employee_id"])
    assert (mine["masked"], mine["email"]) == ("false", f"wang-{imported['tag']}-1@example.com")
    assert mine["birth_date"] == "1990-03-07"
    assert mine["phone"].startswith("+86")  # a phone number is not taken for a formula
    assert (mine["employment.pay.amount"], mine["employment.pay.currency"]) == ("16000.00", "CNY")
    assert len(lines) == len(rows) + 1


async def test_a_large_export_streams_page_by_page(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="exports-admin")
    tag = uuid.uuid4().hex[:8]
    rows = [{"external_id": f"s-{tag}-{n}", "full_name": f"Streamed {n}", "email": f"s-{tag}-{n}@example.com"}
            for n in range(450)]
    done, _ = await run(client, admin, as_jsonl(rows), JSONL, kind="candidates")
    assert done["rows_created"] == 450
    answer = await client.get("/v1/exports/candidates?format=csv", headers=bearer(admin))
    assert answer.status_code == 200
    found = [row for row in csv.DictReader(io.StringIO(answer.text)) if row["email"].startswith(f"s-{tag}-")]
    assert len(found) == 450
    # What the answer streams: the header, then one chunk a page of 200, never the whole list at once
    caller = Principal(tenant_id=tenant_a, subject="exports-admin", roles=frozenset({Role.TENANT_ADMIN}))
    chunks = [chunk async for chunk in export(caller, "candidates", ExportFormat.CSV)]
    assert len(chunks) >= 4
    assert chunks[0].startswith(b"id,full_name,email,")
    assert all(chunk.count(b"\r\n") <= 200 for chunk in chunks)
    assert sum(chunk.count(b"\r\n") for chunk in chunks) == len(answer.text.splitlines())


# -- the bulk budget -------------------------------------------------------------------------------


async def _answer(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _scope(path: str, principal: Principal) -> dict[str, Any]:
    return {"type": "http", "path": path, "method": "GET", "headers": [], "state": {"principal": principal}}


async def _call(middleware: RateLimitMiddleware, path: str, principal: Principal) -> dict[str, str]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await middleware(_scope(path, principal), None, send)
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


async def test_bulk_requests_spend_their_own_budget_and_never_the_interactive_one() -> None:
    middleware = RateLimitMiddleware(_answer, limiter=FixedWindow(5), bulk_limiter=FixedWindow(2))
    caller = Principal(tenant_id=uuid.uuid4(), subject="partner", roles=frozenset({Role.HR_ADMIN}))
    first = await _call(middleware, "/v1/imports", caller)
    second = await _call(middleware, "/v1/exports/employees", caller)
    assert (first["ratelimit-limit"], first["ratelimit-remaining"]) == ("2", "1")
    assert second["ratelimit-remaining"] == "0"
    with pytest.raises(TooManyRequestsException) as refused:
        await _call(middleware, "/v1/imports/x", caller)
    assert refused.value.headers["ratelimit-remaining"] == "0"
    assert "Retry-After" in refused.value.headers
    interactive = await _call(middleware, "/v1/employees", caller)  # the bulk budget spent, the screens still work
    assert (interactive["ratelimit-limit"], interactive["ratelimit-remaining"]) == ("5", "4")


async def test_an_oauth_clients_calls_share_one_budget_whoever_they_act_for() -> None:
    middleware = RateLimitMiddleware(_answer, limiter=FixedWindow(5), bulk_limiter=FixedWindow(3))
    tenant = uuid.uuid4()

    one = Principal(tenant_id=tenant, subject="a", roles=frozenset({Role.HR_ADMIN}))
    object.__setattr__(one, "client_id", "sync-app")
    other = Principal(tenant_id=tenant, subject="b", roles=frozenset({Role.HR_ADMIN}))
    object.__setattr__(other, "client_id", "sync-app")
    person = Principal(tenant_id=tenant, subject="c", roles=frozenset({Role.HR_ADMIN}))
    assert (await _call(middleware, "/v1/imports", one))["ratelimit-remaining"] == "2"
    assert (await _call(middleware, "/v1/imports", other))["ratelimit-remaining"] == "1"
    assert (await _call(middleware, "/v1/imports", person))["ratelimit-remaining"] == "2"

