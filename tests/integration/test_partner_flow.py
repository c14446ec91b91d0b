"""The partner test of issue 14: one partner's journey over the real app, end to end.

A tenant admin registers an API client; the partner gets a token by client credentials, is let through for what
its scopes allow and refused (403 problem+json) for what they do not, subscribes a real local receiver to
``employee.hired`` with its own token, and hires 1,000 employees through one import. The receiver is down when the
hires are published: the delivery log shows the failed attempts, and once the receiver is back the retry schedule
(shortened, as for ``test_webhooks.py``) brings every event, each verified with the Standard Webhooks reference
library; a delivered event is then redelivered on request and verifies again under the same ``webhook-id``.

The pieces are those of ``test_oauth_client_credentials.py``, ``test_webhooks.py`` and ``test_imports.py``, whose
helpers this test reuses."""

from __future__ import annotations

import time
import uuid
from typing import Any

import anyio
import pytest

from tests.conftest import bearer
from tests.integration.test_imports import JSONL, as_jsonl, employee
from tests.integration.test_oauth_client_credentials import register, token_of
from tests.integration.test_webhooks import subscribe, until, verified
from tests.webhook_receiver import Receiver

# ``receiver`` and ``fast_local_sender`` are fixtures of tests/conftest.py, shared with test_webhooks.py.
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_local_sender")]

HIRES = 1000
#: The partner's scopes: hire through imports, read employees, manage its webhooks, and nothing more.
SCOPES = ["employees:read", "employees:write", "imports:write", "webhooks:manage"]
#: What an ``employee.hired`` payload carries: ids and the start date, no personal data.
HIRED_FIELDS = {"resource_type", "id", "legal_entity_id", "application_id", "start_date"}


async def all_deliveries(client: Any, token: str, endpoint_id: str) -> list[dict[str, Any]]:
    """The endpoint's whole delivery log, page by page."""
    found: list[dict[str, Any]] = []
    cursor: str | None = ""
    while cursor is not None:
        answer = await client.get(
            f"/v1/webhook-endpoints/{endpoint_id}/deliveries",
            params={"limit": 200, **({"cursor": cursor} if cursor else {})},
            headers=bearer(token),
        )
        assert answer.status_code == 200, answer.text
        found += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
    return found


async def finished_import(client: Any, token: str, location: str) -> dict[str, Any]:
    """Poll the import until its job finished (sparingly: import reads spend the client's bulk budget, and a slow
    run that spent it waits as the answer says). Not ``wait_for_imports``: with the receiver down, webhook retries
    keep the job queue busy."""
    deadline, pause = time.monotonic() + 120, 0.2
    while time.monotonic() < deadline:
        answer = await client.get(location, headers=bearer(token))
        if answer.status_code == 429:
            await anyio.sleep(float(answer.headers["retry-after"]))
            continue
        assert answer.status_code == 200, answer.text
        if answer.json()["state"] not in ("queued", "running"):
            return answer.json()  # type: ignore[no-any-return]
        await anyio.sleep(pause)
        pause = min(pause * 1.5, 2.0)
    raise AssertionError("the import did not finish in time")


async def import_rows(client: Any, token: str, location: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = ""
    while cursor is not None:
        answer = await client.get(
            f"{location}/rows", params={"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=bearer(token)
        )
        assert answer.status_code == 200, answer.text
        found += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
    return found


async def test_a_partner_hires_through_an_import_and_receives_every_signed_hire(
    client: Any, tenant_a: Any, token_for: Any, receiver: Receiver
) -> None:
    # 1. A tenant admin sets the stage (a legal entity to hire into) and registers the partner's client.
    admin = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="partner-admin")
    catalogue = (await client.get("/v1/api-clients/scopes", headers=bearer(admin))).json()["items"]
    assert set(SCOPES) <= {scope["name"] for scope in catalogue}
    entity = await client.post(
        "/v1/legal-entities",
        headers=bearer(admin),
        json={
            "name": f"Partner Shanghai {uuid.uuid4().hex[:6]}",
            "country": "CN",
            "region": "SH",
            "currency": "CNY",
            "timezone": "Asia/Shanghai",
        },
    )
    assert entity.status_code == 201, entity.text
    made = await register(client, admin, SCOPES, roles=["tenant_admin"])
    assert made["client"]["scopes"] == sorted(SCOPES) and made["client"]["grant_types"] == ["client_credentials"]

    # 2. The partner's token, by client credentials with HTTP Basic client authentication.
    issued = await token_of(client, made)
    assert set(issued["scope"].split()) == set(SCOPES)
    token = issued["access_token"]

    # 3. What the scopes allow, and what they do not (the service user's role, tenant_admin, would allow it all).
    assert (await client.get("/v1/employees", headers=bearer(token))).status_code == 200
    forbidden = [
        await client.get("/v1/pay-runs", headers=bearer(token)),
        await client.post("/v1/candidates", headers=bearer(token), json={"full_name": "Sato Yui"}),
        await client.get("/v1/users", headers=bearer(token)),
    ]
    for answer in forbidden:
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "forbidden" and answer.json()["status"] == 403
    # A token of a narrower scope, of the same client, reads employees but neither imports nor manages webhooks.
    narrow = (await token_of(client, made, scope="employees:read"))["access_token"]
    assert (await client.get("/v1/employees", headers=bearer(narrow))).status_code == 200
    assert (
        await client.post(
            "/v1/imports",
            params={"kind": "employees"},
            content=b"{}\n",
            headers=bearer(narrow, **{"Content-Type": JSONL}),
        )
    ).status_code == 403
    assert (await client.get("/v1/webhook-endpoints", headers=bearer(narrow))).status_code == 403

    # 4. The partner subscribes its receiver to hires, with its own token.
    endpoint, secret = await subscribe(client, token, receiver.url, ["employee.hired"])
    try:
        await _hire_and_receive(client, token, admin, endpoint, secret, receiver, entity.json())
    finally:  # later tests' hires must not reach this endpoint
        current = await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(token))
        await client.delete(
            f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(token, **{"If-Match": current.headers["etag"]})
        )


async def _hire_and_receive(
    client: Any,
    token: str,
    admin: str,
    endpoint: dict[str, Any],
    secret: str,
    receiver: Receiver,
    entity: dict[str, Any],
) -> None:
    # 5. The receiver is down; the partner hires 1,000 people through one row-by-row import.
    receiver.stop()
    setup = {"entity": entity, "tag": uuid.uuid4().hex[:8]}
    rows = [employee(setup, n) for n in range(1, HIRES + 1)]
    sent = await client.post(
        "/v1/imports",
        params={"kind": "employees", "mode": "row_by_row"},
        content=as_jsonl(rows),
        headers=bearer(token, **{"Content-Type": JSONL}),
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["rows_total"] == HIRES
    done = await finished_import(client, token, sent.headers["location"])
    assert (done["state"], done["rows_done"], done["rows_created"], done["rows_failed"]) == (
        "completed",
        HIRES,
        HIRES,
        0,
    ), done
    outcomes = await import_rows(client, token, sent.headers["location"])
    assert [row["outcome"] for row in outcomes] == ["created"] * HIRES
    hired = {row["entity_id"] for row in outcomes}
    assert len(hired) == HIRES and None not in hired
    # The partner reads a hire, its personal data masked: personal_data:read is not among its scopes.
    some = outcomes[0]["entity_id"]
    read = await client.get(f"/v1/employees/{some}", headers=bearer(token))
    assert read.status_code == 200, read.text
    assert read.json()["email"] != rows[0]["email"]

    # The delivery log shows the attempts that met the closed port.
    async def failed_attempts() -> list[dict[str, Any]] | None:
        log = await all_deliveries(client, token, endpoint["id"])
        failed = [d for d in log if d["attempts"] and not d["attempts"][0]["succeeded"]]
        return failed or None

    failed = await until(failed_attempts, seconds=60)
    for delivery in failed:
        assert delivery["event_type"] == "employee.hired" and delivery["resource_id"] in hired
        assert {a["error"] for a in delivery["attempts"]} == {"connect_error"}
        assert all(a["status_code"] is None and not a["succeeded"] for a in delivery["attempts"])
    assert receiver.events() == []

    # 6. The receiver is back: the retry schedule brings every hire, each signed and verified by the reference
    # library, carrying ids and no personal data.
    receiver.start()

    async def every_hire_arrived() -> bool:
        return {r.json["data"]["id"] for r in receiver.events()} >= hired

    await until(every_hire_arrived, seconds=120)
    payloads = [verified(secret, request) for request in receiver.events()]
    assert {p["data"]["id"] for p in payloads} == hired  # 1,000 distinct employees, the import's
    for request, payload in zip(receiver.events(), payloads, strict=True):
        assert payload["type"] == "employee.hired"
        assert request.headers["webhook-id"] == payload["id"]
        assert set(payload["data"]) == HIRED_FIELDS, payload
        assert payload["data"]["resource_type"] == "employee"
        assert payload["data"]["legal_entity_id"] == entity["id"] and payload["data"]["start_date"] == "2026-01-05"
    everything = b"".join(request.body for request in receiver.events()).decode()
    for personal in ("Wang Fang", "@example.com", "1990-03-07", "Accountant", "account"):
        assert personal not in everything

    async def all_delivered() -> list[dict[str, Any]] | None:
        log = await all_deliveries(client, token, endpoint["id"])
        return log if len(log) == HIRES and all(d["status"] == "delivered" for d in log) else None

    log = await until(all_delivered, seconds=60)
    assert {d["resource_id"] for d in log} == hired
    # Those tried while the receiver was down were retried until it answered (attempts newest first).
    retried = [d for d in log if "connect_error" in {a["error"] for a in d["attempts"]}]
    assert {d["id"] for d in failed} <= {d["id"] for d in retried}
    for delivery in retried:
        assert delivery["attempt_count"] == len(delivery["attempts"]) > 1
        assert delivery["attempts"][0]["succeeded"] and delivery["attempts"][0]["status_code"] == 200
        assert not any(a["succeeded"] for a in delivery["attempts"][1:])

    # 7. A delivered event, redelivered on request: a new delivery, the same webhook-id, verified again.
    chosen = retried[0]
    arrived_before = len(receiver.events())
    again = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{chosen['id']}/redeliver", headers=bearer(token)
    )
    assert again.status_code == 202, again.text
    assert again.json()["id"] != chosen["id"] and again.json()["webhook_id"] == chosen["webhook_id"]

    async def redelivered_arrived() -> Any:
        return next(
            (r for r in receiver.events()[arrived_before:] if r.headers["webhook-id"] == chosen["webhook_id"]), None
        )

    redelivered = await until(redelivered_arrived)
    payload = verified(secret, redelivered)
    assert payload["id"] == chosen["webhook_id"] and payload["data"]["id"] == chosen["resource_id"]

    async def redelivery_logged() -> dict[str, Any] | None:
        log = await all_deliveries(client, token, endpoint["id"])
        found = next(d for d in log if d["id"] == again.json()["id"])
        return found if found["status"] == "delivered" else None

    logged = await until(redelivery_logged)
    assert logged["attempts"][0]["succeeded"] and logged["resource_id"] == chosen["resource_id"]
