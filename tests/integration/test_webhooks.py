"""Webhooks end to end, against a real HTTP receiver on a local port: endpoints managed by tenant admins, events
published in the change's own transaction, delivered on the job queue signed per Standard Webhooks (verified with
the reference library, not our code), in order per resource, retried with backoff after the receiver was down,
the endpoint disabled after failing for the whole window (a short one here) with the admins told, the delivery log,
redelivery, ping, secret rotation, and another tenant's endpoint answering like a missing one.

The receiver listens on 127.0.0.1 over http, which the shared service never sends to: these tests let the sender
reach internal targets (as an on-prem installation may, by setting) and shorten the retry schedule; the refusals
of the shared service's rules are in ``test_webhooks_ssrf.py``."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from standardwebhooks.webhooks import Webhook

from domain.jobs import service as jobs
from domain.kernel.db import unit_of_work
from domain.notifications.service import messages_to_in
from domain.webhooks import service as webhooks
from domain.webhooks.model import EventType
from domain.webhooks.service import WebhookConfig
from domain.webhooks.ssrf import TargetPolicy
from tests.conftest import bearer, user_with_subject
from tests.integration.test_recruitment import new_candidate, new_job, unique_cn_id, unique_email, unique_mobile
from tests.webhook_receiver import Receiver

# The receiver (``receiver``) and the sender's local, fast configuration (``fast_local_sender``) are fixtures of
# tests/conftest.py, shared with the partner test.
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fast_local_sender")]


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return str(await token_for(tenant_a, "tenant_admin", subject="webhook-admin"))


async def subscribe(client: Any, token: str, url: str, events: list[str]) -> tuple[dict[str, Any], str]:
    made = await client.post("/v1/webhook-endpoints", headers=bearer(token),
                             json={"url": url, "events": events, "description": "test receiver"})
    assert made.status_code == 201, made.text
    return made.json()["endpoint"], made.json()["secret"]


async def publish(tenant: uuid.UUID, event: EventType, resource: str, data: dict[str, Any]) -> None:
    async with unit_of_work(tenant) as uow:
        await webhooks.publish(uow, event, "test_resource", resource, data)


def verified(secret: str, request: Any) -> dict[str, Any]:
    """The reference library's verdict on the request (it raises on a bad signature or a stale timestamp)."""
    return dict(Webhook(secret).verify(request.body, request.headers))


async def deliveries(client: Any, token: str, endpoint_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries?limit=200", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def until(check: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await anyio.sleep(0.1)
    raise AssertionError("the condition did not hold in time")


@pytest.fixture
async def cleanup(client: Any, admin: str) -> AsyncIterator[list[str]]:
    """Endpoints a test made, deleted after it so later tests' events do not reach them."""
    made: list[str] = []
    yield made
    for endpoint_id in made:
        current = await client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=bearer(admin))
        if current.status_code == 200:
            await client.delete(f"/v1/webhook-endpoints/{endpoint_id}",
                                headers=bearer(admin, **{"If-Match": current.headers["etag"]}))


async def test_tenant_admins_manage_endpoints_and_see_the_secret_once(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, token_for: Any) -> None:
    made = await client.post("/v1/webhook-endpoints", headers=bearer(admin), json={
        "url": receiver.url, "events": ["employee.hired", "pay_run.approved"]})
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store" and made.headers["location"].endswith(
        made.json()["endpoint"]["id"])
    secret = made.json()["secret"]
    assert secret.startswith("whsec_")
    endpoint = made.json()["endpoint"]
    url = f"/v1/webhook-endpoints/{endpoint['id']}"
    read = await client.get(url, headers=bearer(admin))
    assert read.status_code == 200 and '"secret"' not in read.text and secret not in read.text
    assert read.json()["events"] == ["employee.hired", "pay_run.approved"] and read.json()["enabled"] is True
    changed = await client.patch(url, headers=bearer(admin, **{"If-Match": read.headers["etag"]}),
                                 json={"enabled": False, "events": ["employee.departed"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False and changed.json()["events"] == ["employee.departed"]
    stale = await client.patch(url, headers=bearer(admin, **{"If-Match": read.headers["etag"]}),
                               json={"enabled": True})
    assert stale.status_code == 412
    listed = (await client.get("/v1/webhook-endpoints?limit=200", headers=bearer(admin))).json()["items"]
    assert endpoint["id"] in [item["id"] for item in listed]
    hr = await token_for(tenant_a, "hr_admin", subject="webhook-hr")
    assert (await client.get(url, headers=bearer(hr))).status_code == 403
    bad_event = await client.post("/v1/webhook-endpoints", headers=bearer(admin), json={
        "url": receiver.url, "events": ["employee.teleported"]})
    assert bad_event.status_code == 400
    removed = await client.delete(url, headers=bearer(admin, **{"If-Match": changed.headers["etag"]}))
    assert removed.status_code == 204
    assert (await client.get(url, headers=bearer(admin))).status_code == 404


async def test_stage_changes_arrive_signed_in_order_without_personal_data(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, token_for: Any, cleanup: list[str]) -> None:
    endpoint, secret = await subscribe(client, admin, receiver.url, ["application.stage_changed"])
    cleanup.append(endpoint["id"])
    recruiter = await token_for(tenant_a, "recruiter", subject="webhook-recruiter")
    entity = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Hook Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"})
    job = await new_job(client, recruiter, entity.json()["id"])
    phone, national_id, email = unique_mobile(), unique_cn_id(), unique_email()
    candidate = (await new_candidate(client, recruiter, phone=phone, national_id=national_id, email=email)).json()
    created = await client.post("/v1/applications", headers=bearer(recruiter),
                                json={"candidate_id": candidate["id"], "job_id": job["id"]})
    etag = created.headers["etag"]
    stages = ["screening", "interview_passed", "offer"]
    for stage in stages:
        moved = await client.post(f"/v1/applications/{created.json()['id']}/stage", headers=bearer(
            recruiter, **{"If-Match": etag}), json={"stage": stage, "reason": "next step"})
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    arrived = await receiver.wait_for(3)
    payloads = [verified(secret, request) for request in arrived]
    assert [p["data"]["to_stage"] for p in payloads] == stages
    assert [p["data"]["from_stage"] for p in payloads] == ["applied", "screening", "interview_passed"]
    assert {p["type"] for p in payloads} == {"application.stage_changed"}
    assert {p["data"]["id"] for p in payloads} == {created.json()["id"]}
    assert payloads[0]["data"]["candidate_id"] == candidate["id"]
    for request in arrived:
        text = request.body.decode()
        # The phone's digits as they are (11, never by chance in an id), not a prefix an id's hex may hold.
        for personal in ("Li Wei", email, "1949-12-31", phone.removeprefix("+86 "), national_id):
            assert personal not in text
        assert request.headers["webhook-id"] == request.json["id"]
        assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 120
    log = await until(lambda: _all_delivered(client, admin, endpoint["id"], 3))
    assert all(d["attempts"][0]["status_code"] == 200 and d["attempts"][0]["latency_ms"] >= 0 for d in log)
    assert log[0]["attempts"][0]["response_excerpt"] == '{"ok": true}'


async def _all_delivered(client: Any, admin: str, endpoint_id: str, count: int) -> list[dict[str, Any]] | None:
    log = await deliveries(client, admin, endpoint_id)
    delivered = [d for d in log if d["status"] == "delivered"]
    return log if len(delivered) >= count else None


async def test_a_resources_next_event_waits_for_the_previous_and_retries_until_the_receiver_is_back(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, cleanup: list[str]) -> None:
    endpoint, secret = await subscribe(client, admin, receiver.url, ["employee.changed"])
    cleanup.append(endpoint["id"])
    receiver.stop()  # the receiver is down
    resource, other = str(uuid.uuid4()), str(uuid.uuid4())
    for number in (1, 2, 3):
        await publish(tenant_a, EventType.EMPLOYEE_CHANGED, resource, {"number": number})
    await jobs.wait_for_jobs()

    async def failed_twice() -> bool:
        log = await deliveries(client, admin, endpoint["id"])
        return any(d["attempt_count"] >= 2 for d in log)

    await until(failed_twice)
    log = await deliveries(client, admin, endpoint["id"])
    tried = [d for d in log if d["attempt_count"]]
    assert len(tried) == 1, "only the resource's first event is tried while it fails"
    assert {a["error"] for a in tried[0]["attempts"]} == {"connect_error"}
    assert all(a["status_code"] is None and not a["succeeded"] for a in tried[0]["attempts"])
    receiver.status = 500  # up, but failing: the same wait
    receiver.start()
    await receiver.wait_for(1)
    await publish(tenant_a, EventType.EMPLOYEE_CHANGED, other, {"number": 9})  # another resource is not held up
    await until(lambda: _arrived_for(receiver, other))
    assert {r.json["data"]["id"] for r in receiver.events()} == {resource, other}
    assert {r.json["data"].get("number") for r in receiver.events() if r.json["data"]["id"] == resource} == {1}
    receiver.status = 200
    await until(lambda: _all_delivered(client, admin, endpoint["id"], 4))
    firsts: list[int] = []
    for request in receiver.events():
        payload = verified(secret, request)
        if payload["data"]["id"] == resource and payload["data"]["number"] not in firsts:
            firsts.append(payload["data"]["number"])
    assert firsts == [1, 2, 3]
    statuses = [r.json["data"]["number"] for r in receiver.events() if r.json["data"]["id"] == resource]
    assert statuses.index(2) > max(i for i, n in enumerate(statuses) if n == 1)  # 2 only after 1 succeeded
    log = await deliveries(client, admin, endpoint["id"])
    first = next(d for d in log if d["resource_id"] == resource and d["attempt_count"] > 2)
    assert first["status"] == "delivered" and first["attempts"][0]["succeeded"] is True
    assert {a["error"] for a in first["attempts"][1:]} >= {"connect_error"}


async def test_a_worker_whose_read_is_stale_takes_nothing(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, cleanup: list[str]) -> None:
    """Two delivery jobs of an endpoint may read its due deliveries at the same moment; the one that read a delivery
    before the other sent and settled it must not send it again (an extra attempt, sent before its retry was due,
    and an attempt count short of the attempts logged)."""
    import msgspec

    from domain.kernel.time import utc_now
    from domain.webhooks import queries

    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True), retry_base_seconds=60,
                                     retry_max_seconds=60, give_up_seconds=3600.0, timeout_seconds=5.0))
    endpoint, _ = await subscribe(client, admin, receiver.url, ["employee.departed"])
    cleanup.append(endpoint["id"])
    receiver.stop()
    await publish(tenant_a, EventType.EMPLOYEE_DEPARTED, str(uuid.uuid4()), {})
    await until(lambda: _all_tried(client, admin, endpoint["id"]))
    async with unit_of_work(tenant_a) as uow:
        [settled] = await queries.open_deliveries(uow, uuid.UUID(endpoint["id"]))
        assert (settled.status, settled.attempts) == ("pending", 1)
        now = utc_now()
        assert settled.next_attempt_at > now
        # What a worker that read the delivery before the first attempt still holds: pending, due, no attempt.
        stale = msgspec.structs.replace(settled, attempts=0, next_attempt_at=settled.created_at)
        assert not await queries.take(uow, stale, now, now + timedelta(minutes=1))
        assert not await queries.take(uow, settled, now, now + timedelta(minutes=1))  # its retry is not due yet
        later = settled.next_attempt_at + timedelta(seconds=1)
        assert await queries.take(uow, settled, later, later + timedelta(minutes=1))  # due, and read as it is


async def _all_tried(client: Any, admin: str, endpoint_id: str) -> bool:
    log = await deliveries(client, admin, endpoint_id)
    return bool(log) and all(d["attempt_count"] >= 1 for d in log)


async def _arrived_for(receiver: Receiver, resource: str) -> bool:
    return any(r.json["data"]["id"] == resource for r in receiver.events())


async def test_an_endpoint_failing_for_the_whole_window_is_disabled_and_the_admins_told(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, cleanup: list[str]) -> None:
    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True), retry_base_seconds=0.2,
                                     retry_max_seconds=0.4, give_up_seconds=1.5, timeout_seconds=5.0))
    endpoint, _ = await subscribe(client, admin, receiver.url, ["pay_run.finalised"])
    cleanup.append(endpoint["id"])
    receiver.status = 503
    resource = str(uuid.uuid4())
    await publish(tenant_a, EventType.PAY_RUN_FINALISED, resource, {"state": "finalised"})
    await publish(tenant_a, EventType.PAY_RUN_FINALISED, resource, {"state": "finalised"})

    async def disabled() -> dict[str, Any] | None:
        read = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(admin))).json()
        return read if not read["enabled"] else None

    state = await until(disabled)
    assert state["disabled_reason"] == "failing" and state["failing_since"] is not None
    log = await deliveries(client, admin, endpoint["id"])
    assert {d["status"] for d in log} == {"given_up"}
    assert log[-1]["attempt_count"] >= 3 and log[-1]["attempts"][0]["status_code"] == 503
    user = await user_with_subject(client, admin, "webhook-admin")
    async with unit_of_work(tenant_a, write=False) as uow:
        told = [m for m in await messages_to_in(uow, uuid.UUID(user["id"])) if m.about_id == uuid.UUID(endpoint["id"])]
    assert len(told) == 1 and receiver.url in told[0].body
    attempts_then = len(receiver.events())
    await publish(tenant_a, EventType.PAY_RUN_FINALISED, str(uuid.uuid4()), {"state": "finalised"})
    await jobs.wait_for_jobs()
    assert len(receiver.events()) == attempts_then, "a disabled endpoint receives nothing"
    enabled = await client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True},
                                 headers=bearer(admin, **{"If-Match": f'"v{state["version"]}"'}))
    assert enabled.status_code == 200 and enabled.json()["disabled_reason"] is None


async def test_ping_redelivery_and_secret_rotation(client: Any, admin: str, receiver: Receiver,
                                                   cleanup: list[str]) -> None:
    endpoint, secret = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    pinged = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    assert pinged.status_code == 202, pinged.text
    [ping] = await receiver.wait_for(1)
    assert verified(secret, ping)["type"] == "ping"
    await until(lambda: _all_delivered(client, admin, endpoint["id"], 1))
    again = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{pinged.json()['id']}/redeliver", headers=bearer(admin))
    assert again.status_code == 202, again.text
    assert again.json()["id"] != pinged.json()["id"] and again.json()["webhook_id"] == pinged.json()["webhook_id"]
    first, second = await receiver.wait_for(2)
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert verified(secret, second)["id"] == verified(secret, first)["id"]
    missing = await client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=bearer(admin))
    assert missing.status_code == 404 and missing.json()["code"] == "webhook_delivery_not_found"

    rotated = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/secret-rotations",
                                headers=bearer(admin), json={"overlap_hours": 1})
    assert rotated.status_code == 201, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != secret and rotated.json()["endpoint"]["previous_secret_until"] is not None
    await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    third = (await receiver.wait_for(3))[2]
    assert len(third.headers["webhook-signature"].split(" ")) == 2
    assert verified(new_secret, third)["type"] == "ping" and verified(secret, third)["type"] == "ping"
    await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/secret-rotations", headers=bearer(admin),
                      json={"overlap_hours": 0})
    current = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(admin))).json()
    assert current["previous_secret_until"] is None


async def test_redirects_are_followed_by_the_sender_and_each_hop_is_checked(
        client: Any, admin: str, receiver: Receiver, cleanup: list[str]) -> None:
    receiver.redirects["/hooks"] = (307, f"http://127.0.0.1:{receiver.port}/final")
    endpoint, secret = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    [final] = await receiver.wait_for(1, path="/final")
    assert verified(secret, final)["type"] == "ping"
    assert len(receiver.events("/hooks")) == 1
    receiver.redirects["/hooks"] = (307, "http://169.254.169.254/latest/meta-data")
    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=False), retry_base_seconds=60))
    pinged = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    await jobs.wait_for_jobs()

    async def refused() -> dict[str, Any] | None:
        log = await deliveries(client, admin, endpoint["id"])
        found = next(d for d in log if d["id"] == pinged.json()["id"])
        return found if found["attempts"] else None

    attempt = (await until(refused))["attempts"][0]
    assert attempt["error"] == "refused_scheme" and attempt["succeeded"] is False


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_a_redirect_that_may_turn_the_post_into_a_get_fails_the_attempt_and_says_so(
        client: Any, admin: str, receiver: Receiver, cleanup: list[str], status: int) -> None:
    """RFC 9110: after a 301 or 302 a client may, after a 303 it must, repeat a POST as a GET without its body. A
    signed event is neither sent that way nor re-POSTed where the receiver did not ask for a POST: the attempt
    fails with redirect_not_followed, the status and where it pointed in the log, and nothing reaches the target."""
    receiver.redirects["/hooks"] = (status, f"http://127.0.0.1:{receiver.port}/moved")
    endpoint, _ = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    pinged = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    assert pinged.status_code in (200, 201, 202), pinged.text

    async def attempted() -> dict[str, Any] | None:
        log = await deliveries(client, admin, endpoint["id"])
        found = next(d for d in log if d["id"] == pinged.json()["id"])
        return found if found["attempts"] else None

    attempt = (await until(attempted))["attempts"][0]
    assert attempt["succeeded"] is False and attempt["error"] == "redirect_not_followed"
    assert attempt["status_code"] == status
    assert attempt["response_excerpt"].startswith(f"{status} to http://127.0.0.1:{receiver.port}/moved")
    assert receiver.events("/moved") == []  # neither a GET nor a second POST
    assert all(r.method == "POST" for r in receiver.received)


async def test_a_308_is_followed_with_the_same_signed_post(client: Any, admin: str, receiver: Receiver,
                                                          cleanup: list[str]) -> None:
    receiver.redirects["/hooks"] = (308, "/permanent")  # a relative Location, resolved against the URL
    endpoint, secret = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/ping", headers=bearer(admin))
    [final] = await receiver.wait_for(1, path="/permanent")
    [first] = receiver.events("/hooks")
    assert final.method == "POST" and final.body == first.body and final.body
    assert final.headers["webhook-signature"] == first.headers["webhook-signature"]
    assert verified(secret, final)["type"] == "ping"


async def test_events_are_published_once_per_key(client: Any, admin: str, receiver: Receiver, tenant_a: Any,
                                                 cleanup: list[str]) -> None:
    endpoint, secret = await subscribe(client, admin, receiver.url, ["onboarding.item_due"])
    cleanup.append(endpoint["id"])
    item = str(uuid.uuid4())
    for _ in range(2):
        async with unit_of_work(tenant_a) as uow:
            await webhooks.publish(uow, EventType.ONBOARDING_ITEM_DUE, "onboarding_item", item,
                                   {"due_date": "2026-12-01"}, once_key=f"onboarding.item_due:{item}")
    [due] = await receiver.wait_for(1)
    await jobs.wait_for_jobs()
    await anyio.sleep(0.5)
    assert len(receiver.events()) == 1 and verified(secret, due)["data"]["id"] == item


@pytest.mark.postgres  # tenants besides the installation's own exist in shared mode only
async def test_another_tenants_endpoint_answers_like_a_missing_one(
        client: Any, admin: str, receiver: Receiver, tenant_b: Any, token_for: Any, cleanup: list[str]) -> None:
    endpoint, _ = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    other = await token_for(tenant_b, "tenant_admin", subject="webhook-admin-b")
    for ident in (endpoint["id"], str(uuid.uuid4())):
        base = f"/v1/webhook-endpoints/{ident}"
        answers = [
            await client.get(base, headers=bearer(other)),
            await client.patch(base, headers=bearer(other, **{"If-Match": '"v1"'}), json={"enabled": False}),
            await client.delete(base, headers=bearer(other, **{"If-Match": '"v1"'})),
            await client.get(f"{base}/deliveries", headers=bearer(other)),
            await client.post(f"{base}/ping", headers=bearer(other)),
            await client.post(f"{base}/secret-rotations", headers=bearer(other), json={}),
        ]
        assert [a.status_code for a in answers] == [404] * 6
        assert {a.json()["code"] for a in answers} == {"webhook_endpoint_not_found"}
    listed = (await client.get("/v1/webhook-endpoints?limit=200", headers=bearer(other))).json()["items"]
    assert endpoint["id"] not in [item["id"] for item in listed]
    assert (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=bearer(admin))).json()["enabled"]
    await jobs.wait_for_jobs()
    assert receiver.events() == []


async def test_a_bulk_import_publishes_its_hires_in_a_few_statements(
        client: Any, admin: str, receiver: Receiver, tenant_a: Any, cleanup: list[str]) -> None:
    endpoint, secret = await subscribe(client, admin, receiver.url, ["employee.hired"])
    cleanup.append(endpoint["id"])
    hired = [str(uuid.uuid4()) for _ in range(25)]
    async with unit_of_work(tenant_a) as uow:
        written = await webhooks.publish_many(uow, EventType.EMPLOYEE_HIRED, "employee", [
            (employee, {"legal_entity_id": str(uuid.uuid4()), "application_id": None, "start_date": "2026-12-01"})
            for employee in hired])
    assert written == 25
    arrived = await receiver.wait_for(25)
    assert sorted(verified(secret, request)["data"]["id"] for request in arrived) == sorted(hired)
    async with unit_of_work(tenant_a) as uow:
        assert await webhooks.publish_many(uow, EventType.EMPLOYEE_DEPARTED, "employee", [(hired[0], {})]) == 0


async def test_the_log_is_kept_30_days_by_the_periodic_purge(client: Any, admin: str, receiver: Receiver,
                                                             tenant_a: Any, cleanup: list[str]) -> None:
    from api.maintenance import purge_expired
    from domain.kernel.db import current_database

    endpoint, _ = await subscribe(client, admin, receiver.url, ["employee.departed"])
    cleanup.append(endpoint["id"])
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(tenant_a, EventType.EMPLOYEE_DEPARTED, old, {})
    await publish(tenant_a, EventType.EMPLOYEE_DEPARTED, recent, {})
    await until(lambda: _all_delivered(client, admin, endpoint["id"], 2))
    async with unit_of_work(tenant_a) as uow:
        await current_database().execute(
            "UPDATE webhook_events SET occurred_at = {} WHERE tenant_id = {} AND resource_id = {}",
            datetime.now(UTC) - timedelta(days=31), uow.tenant_id, old)
    await purge_expired()
    kept = await deliveries(client, admin, endpoint["id"])
    assert [d["resource_id"] for d in kept] == [recent]
