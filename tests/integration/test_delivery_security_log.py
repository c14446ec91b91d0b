"""Refused vendor deliveries go to a bounded security log, not the audit chain: counted per vendor, reason and
hour with a few samples, throttled per vendor, readable by tenant admins only. A signed body that names a key twice
is refused, since two parsers could read it two ways."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.assessments import service as assessments
from domain.assessments.security_log import (
    REFUSALS_PER_VENDOR_PER_WINDOW,
    RETENTION,
    SAMPLES_PER_WINDOW,
    WINDOW_SECONDS,
    RefusedDelivery,
    log_refusal,
)
from domain.assessments.service import NewVendor
from domain.assessments.signatures import SignatureMismatch, sign
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from tests.conftest import bearer
from tests.integration.test_interview_results import deliver, hiring, result_body  # noqa: F401 (a fixture)
from tests.pages import every_item

pytestmark = pytest.mark.anyio


def forged(hiring: dict[str, Any], body: bytes) -> str:  # noqa: F811
    return sign(b"mvs_not-the-secret", int(time.time()), body)


def stale(hiring: dict[str, Any], body: bytes) -> str:  # noqa: F811
    return sign(hiring["vendor"]["secret"].encode(), int(time.time()) - 301, body)


async def refused_log(client: Any, hiring: dict[str, Any], **query: Any) -> dict[str, Any]:  # noqa: F811
    response = await client.get(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/refused-deliveries",
                                headers=bearer(hiring["hr"]), params=query)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def every_window(client: Any, hiring: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: F811
    windows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await refused_log(client, hiring, limit=200, **({"cursor": cursor} if cursor else {}))
        windows += page["items"]
        if not (cursor := page["next_cursor"]):
            return windows


def refused_by_reason(windows: list[dict[str, Any]]) -> Counter[str]:
    """Summed over windows: a test that happens to run across the hour sees the same totals."""
    totals: Counter[str] = Counter()
    for window in windows:
        totals[window["reason"]] += window["refused"]
    return totals


async def chain_length(client: Any, hiring: dict[str, Any]) -> int:  # noqa: F811
    report = (await client.get("/v1/audit/verify", headers=bearer(hiring["hr"]))).json()
    assert report["valid"] is True
    length: int = report["entries_checked"]
    return length


def duplicated(body: bytes, nested: bool) -> bytes:
    """The same result with one key twice: the vendor name at the top, or a reference inside ``reference``."""
    if nested:
        return body.replace(b'"reference": {', b'"reference": {"application_reference": "someone-else", ', 1)
    return body.replace(b'"vendor": "Acme Interviews"', b'"vendor": "Acme Interviews", "vendor": "Evil Corp"', 1)


async def test_refusals_are_counted_by_vendor_and_reason_without_growing_the_audit_chain(
        client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    other = {**hiring, "vendor": (await client.post("/v1/vendors", headers=bearer(hiring["hr"]), json={
        "name": f"Other {uuid.uuid4().hex[:6]}"})).json()}
    before = await chain_length(client, hiring)
    bodies = []
    for number in range(3):
        body = result_body(f"forged-{number}", "unmapped")
        bodies.append(body)
        assert (await deliver(client, hiring, body, header=forged(hiring, body))).status_code == 401
    for number in range(2):
        body = result_body(f"stale-{number}", "unmapped")
        assert (await deliver(client, hiring, body, header=stale(hiring, body))).status_code == 401
    twice = duplicated(result_body("dup-0", "unmapped"), nested=False)
    assert (await deliver(client, hiring, twice)).status_code == 400
    body = result_body("other-forged", "unmapped")
    assert (await deliver(client, other, body, header=forged(other, body))).status_code == 401
    assert await chain_length(client, hiring) == before

    windows = await every_window(client, hiring)
    assert refused_by_reason(windows) == {"vendor_signature_mismatch": 3, "vendor_signature_expired": 2,
                                          "duplicate_json_key": 1}
    assert refused_by_reason(await every_window(client, other)) == {"vendor_signature_mismatch": 1}
    mismatches = [w for w in windows if w["reason"] == "vendor_signature_mismatch"]
    samples = [s for w in mismatches for s in w["samples"]]
    assert {(s["body_bytes"], s["body_sha256"]) for s in samples} == {
        (len(b), hashlib.sha256(b).hexdigest()[:16]) for b in bodies}
    assert all(s["source_ip"] for s in samples)
    for window in windows:
        assert window["vendor_id"] == hiring["vendor"]["vendor"]["id"] and window["throttled"] == 0
        assert window["first_at"] <= window["last_at"] and window["window_start"] < window["window_end"]
        assert "unmapped" not in str(window) and "Acme" not in str(window)  # nothing the body says

    first = await refused_log(client, hiring, limit=1)
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = await refused_log(client, hiring, limit=200, cursor=first["next_cursor"])
    assert [w["id"] for w in first["items"] + rest["items"]] == [w["id"] for w in windows]


async def test_each_window_keeps_only_its_first_few_samples(client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    for number in range(SAMPLES_PER_WINDOW + 3):
        body = result_body(f"forged-{number}", "unmapped")
        assert (await deliver(client, hiring, body, header=forged(hiring, body))).status_code == 401
    windows = await every_window(client, hiring)
    assert refused_by_reason(windows) == {"vendor_signature_mismatch": SAMPLES_PER_WINDOW + 3}
    assert all(len(w["samples"]) == min(w["refused"], SAMPLES_PER_WINDOW) for w in windows)


async def test_windows_past_the_retention_are_pruned_when_a_new_one_opens(client: Any,
                                                                         hiring: dict[str, Any]) -> None:  # noqa: F811
    tenant, vendor = uuid.UUID(hiring["tenant"]), uuid.UUID(hiring["vendor"]["vendor"]["id"])
    long_ago = int(time.time() - RETENTION.total_seconds() - WINDOW_SECONDS)
    await log_refusal(tenant, vendor, "vendor_signature_mismatch", RefusedDelivery.of(b"{}", "192.0.2.1", long_ago),
                      long_ago)
    [old] = await every_window(client, hiring)
    body = result_body("forged-now", "unmapped")
    assert (await deliver(client, hiring, body, header=forged(hiring, body))).status_code == 401
    [current] = await every_window(client, hiring)
    assert current["id"] != old["id"]
    assert datetime.fromisoformat(current["window_start"]) > datetime.now(UTC) - RETENTION


async def test_a_flood_of_refusals_for_one_vendor_is_answered_429_and_only_counted(
        client: Any, hiring: dict[str, Any]) -> None:  # noqa: F811
    before = await chain_length(client, hiring)
    statuses: list[int] = []
    throttled = None
    # Two windows' worth at most: a flood that happens to straddle the hour still reaches the limit in one of them.
    for number in range(2 * REFUSALS_PER_VENDOR_PER_WINDOW + 1):
        body = result_body(f"flood-{number}", "unmapped")
        response = await deliver(client, hiring, body, header=forged(hiring, body))
        statuses.append(response.status_code)
        if response.status_code == 429:
            throttled = response
            break
    assert throttled is not None, statuses
    assert set(statuses[:-1]) == {401}
    assert throttled.json()["code"] == "vendor_deliveries_throttled"
    assert 1 <= int(throttled.headers["Retry-After"]) <= WINDOW_SECONDS
    again = result_body("flood-again", "unmapped")
    assert (await deliver(client, hiring, again, header=forged(hiring, again))).status_code == 429

    # A delivery that verifies is never throttled by the forgeries, and is audited as before.
    accepted = await deliver(client, hiring, result_body("real-one", "unmapped"))
    assert accepted.status_code == 200, accepted.text
    assert await chain_length(client, hiring) == before + 1

    windows = await every_window(client, hiring)
    assert refused_by_reason(windows) == {"vendor_signature_mismatch": len(statuses) + 1}
    assert sum(w["throttled"] for w in windows) == 2
    assert all(len(w["samples"]) <= SAMPLES_PER_WINDOW for w in windows)


async def test_an_unknown_vendor_is_throttled_alike_so_429_reveals_nothing(client: Any,
                                                                          hiring: dict[str, Any]) -> None:  # noqa: F811
    nobody = {**hiring, "vendor": {"secret": "mvs_whatever", "vendor": {"id": str(uuid.uuid4())}}}
    statuses = []
    for number in range(2 * REFUSALS_PER_VENDOR_PER_WINDOW + 1):
        body = result_body(f"unknown-{number}", "unmapped")
        statuses.append((await deliver(client, nobody, body)).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}


async def test_a_tenant_admin_reads_the_log_and_another_tenants_vendor_reads_as_missing(
        client: Any, hiring: dict[str, Any], tenant_b: Any, token_for: Any) -> None:  # noqa: F811
    body = result_body("forged-a", "unmapped")
    await deliver(client, hiring, body, header=forged(hiring, body))
    admin = await token_for(uuid.UUID(hiring["tenant"]), "tenant_admin", subject="log-admin")
    url = "/v1/vendors/{}/refused-deliveries"
    assert (await client.get(url.format(hiring["vendor"]["vendor"]["id"]), headers=bearer(admin))).json()["items"]

    owner_b = Principal(tenant_id=tenant_b, subject="b-admin", roles=frozenset({Role.TENANT_ADMIN}))
    vendor_b = await assessments.register_vendor(owner_b, NewVendor(name=f"B vendor {uuid.uuid4().hex[:6]}"))
    with pytest.raises(SignatureMismatch):  # tenant B's vendor has a refusal in its log, which A must not reach
        await assessments.receive(tenant_b, vendor_b.vendor.id, "t=1,v1=" + "0" * 64, body, int(time.time()))
    foreign = await client.get(url.format(vendor_b.vendor.id), headers=bearer(admin))
    missing = await client.get(url.format(uuid.uuid4()), headers=bearer(admin))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "vendor_not_found"
    assert foreign.json()["detail"] == missing.json()["detail"]


@pytest.mark.parametrize("role", ["hr_admin", "auditor", "recruiter"])
async def test_other_roles_may_not_read_the_log(client: Any, hiring: dict[str, Any], token_for: Any,  # noqa: F811
                                                role: str) -> None:
    token = await token_for(uuid.UUID(hiring["tenant"]), role, subject=f"log-{role}")
    response = await client.get(f"/v1/vendors/{hiring['vendor']['vendor']['id']}/refused-deliveries",
                                headers=bearer(token))
    assert response.status_code == 403


@pytest.mark.parametrize("nested", [False, True], ids=["top-level", "nested"])
async def test_a_signed_body_naming_a_key_twice_is_refused(client: Any, hiring: dict[str, Any],  # noqa: F811
                                                           nested: bool) -> None:
    body = duplicated(result_body(f"twice-{nested}", "app-twice"), nested)
    assert body != result_body(f"twice-{nested}", "app-twice")
    response = await client.post(
        f"/v1/vendor-deliveries/{hiring['tenant']}/{hiring['vendor']['vendor']['id']}/results", content=body,
        headers={"Meridian-Signature": sign(hiring["vendor"]["secret"].encode(), int(time.time()), body),
                 "Content-Type": "application/json", "Accept-Language": "ja"})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "duplicate_json_key"
    assert ("application_reference" if nested else "vendor") in problem["detail"]
    assert problem["title"] != "Duplicate key in a signed delivery"  # localised
    listed = await every_item(client, "/v1/interview-results", bearer(hiring["hr"]))
    assert f"twice-{nested}" not in {r["vendor_result_id"] for r in listed}
    assert refused_by_reason(await every_window(client, hiring)) == {"duplicate_json_key": 1}
    # The same result, each key once, is accepted.
    assert (await deliver(client, hiring, result_body(f"twice-{nested}", "app-twice"))).status_code == 200
