"""Where webhooks may go: under the shared service's rules (https, public addresses only) an endpoint naming a
loopback, private, link-local (cloud metadata), IPv6 loopback, IPv4-mapped or a host name resolving to loopback is
refused when it is saved, with a localised problem; and the same rules are applied again at send time, so an
endpoint saved under looser rules (or whose DNS changed) is refused then and nothing reaches the receiver."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest

from domain.jobs import service as jobs
from domain.webhooks import service as webhooks
from domain.webhooks import ssrf
from domain.webhooks.service import WebhookConfig
from domain.webhooks.ssrf import TargetPolicy
from tests.conftest import bearer
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.anyio

SHARED_RULES = WebhookConfig(policy=TargetPolicy(internal=False), retry_base_seconds=60.0)
REFUSED_ADDRESSES = [
    "https://127.0.0.1/hooks",
    "https://10.1.2.3/hooks",
    "https://192.168.0.10:8443/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[fe80::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://localhost/hooks",
    "https://LOCALHOST:8443/hooks",
]


@pytest.fixture
def shared_rules(app: Any) -> Iterator[None]:
    previous = webhooks.current_config()
    webhooks.configure(SHARED_RULES)
    yield
    webhooks.configure(previous)


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return str(await token_for(tenant_a, "tenant_admin", subject="webhook-ssrf-admin"))


@pytest.mark.parametrize("url", REFUSED_ADDRESSES)
async def test_internal_addresses_are_refused_when_subscribing(client: Any, admin: str, shared_rules: None,
                                                               url: str) -> None:
    answer = await client.post("/v1/webhook-endpoints", headers=bearer(admin),
                               json={"url": url, "events": ["employee.hired"]})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "webhook_url_internal"
    assert problem["errors"][0]["pointer"] == "/url"


async def test_plain_http_and_credentials_are_refused_in_the_readers_language(client: Any, admin: str,
                                                                              shared_rules: None) -> None:
    http = await client.post("/v1/webhook-endpoints", headers=bearer(admin, **{"Accept-Language": "ja"}),
                             json={"url": "http://127.0.0.1:9/hooks", "events": ["employee.hired"]})
    assert http.status_code == 422 and http.json()["code"] == "webhook_url_scheme"
    assert http.json()["title"] == "Webhook の URL は使用できません"
    chinese = await client.post("/v1/webhook-endpoints", headers=bearer(admin, **{"Accept-Language": "zh-CN"}),
                                json={"url": "https://user:pw@example.com/hooks", "events": ["employee.hired"]})
    assert chinese.status_code == 422 and chinese.json()["code"] == "webhook_url_credentials"
    assert "用户名或密码" in chinese.json()["detail"]
    nowhere = await client.post("/v1/webhook-endpoints", headers=bearer(admin),
                                json={"url": "https://no-such-host.invalid/hooks", "events": ["employee.hired"]})
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "webhook_url_unresolved"
    listed = (await client.get("/v1/webhook-endpoints?limit=200", headers=bearer(admin))).json()["items"]
    assert not any("127.0.0.1:9" in item["url"] or "no-such-host" in item["url"] for item in listed)


async def test_send_time_checks_refuse_an_internal_target_and_nothing_is_sent(client: Any, admin: str) -> None:
    """An endpoint saved under an on-prem installation's looser rules, then sent under the shared rules (as if its
    host's address had changed): the attempt is refused before any connection, and logged."""
    receiver = Receiver().start()
    previous = webhooks.current_config()
    try:
        webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True)))
        made = await client.post("/v1/webhook-endpoints", headers=bearer(admin),
                                 json={"url": receiver.url.replace("http:", "https:"), "events": ["employee.hired"]})
        assert made.status_code == 201, made.text
        endpoint = made.json()["endpoint"]["id"]
        webhooks.configure(SHARED_RULES)
        pinged = await client.post(f"/v1/webhook-endpoints/{endpoint}/ping", headers=bearer(admin))
        assert pinged.status_code == 202
        await jobs.wait_for_jobs()
        log = (await client.get(f"/v1/webhook-endpoints/{endpoint}/deliveries", headers=bearer(admin))).json()
        [attempt] = log["items"][0]["attempts"]
        assert attempt["error"] == "refused_address" and attempt["status_code"] is None
        assert receiver.received == []
        current = await client.get(f"/v1/webhook-endpoints/{endpoint}", headers=bearer(admin))
        await client.delete(f"/v1/webhook-endpoints/{endpoint}",
                            headers=bearer(admin, **{"If-Match": current.headers["etag"]}))
    finally:
        webhooks.configure(previous)
        receiver.stop()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                                     "fe80::1", "fc00::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                                     "2002:7f00:1::", "64:ff9b::a00:1"])
def test_every_internal_form_of_an_address_is_refused(address: str) -> None:
    assert not ssrf.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert ssrf.is_public(ipaddress.ip_address(address))
