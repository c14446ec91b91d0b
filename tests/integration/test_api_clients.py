"""API clients managed by tenant admins: registered, read, listed, changed with If-Match, rotated and deleted, each
change audited; the secret shown once and stored hashed; the old secret working only through the overlap."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.kernel.i18n import translate
from domain.kernel.permissions import SCOPE_MESSAGES
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

BASE = "/v1/api-clients"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="api-clients-admin")


def new_client(**extra: Any) -> dict[str, Any]:
    return {"name": f"Payroll sync {uuid.uuid4().hex[:6]}", "grant_types": ["client_credentials"],
            "scopes": ["employees:read", "payroll:read"], "roles": ["tenant_admin"], **extra}


async def token_answer(client: Any, client_id: str, secret: str) -> Any:
    auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                             headers={**FORM, "Authorization": f"Basic {auth}"})


async def trail(client: Any, admin: str, client_uuid: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/audit/entries?entity_type=api_client&entity_id={client_uuid}&limit=200",
                              headers=bearer(admin))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def test_create_read_list_update_delete_each_audited(client: Any, admin: str, runtime: Any) -> None:
    created = await client.post(BASE, headers=bearer(admin), json=new_client(
        redirect_uris=["https://partner.example.com/callback"]))
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store" and created.headers["etag"] == '"v1"'
    body = created.json()
    secret, view = body["client_secret"], body["client"]
    assert secret.startswith("mcs_") and len(secret) > 40
    assert created.headers["location"] == f"{BASE}/{view['id']}"
    assert view["confidential"] is True and view["client_id"].endswith(view["id"])
    assert view["scopes"] == ["employees:read", "payroll:read"] and view["roles"] == ["tenant_admin"]
    assert view["service_subject"] == f"client:{view['id']}" and view["previous_secret_until"] is None

    read = await client.get(f"{BASE}/{view['id']}", headers=bearer(admin))
    assert read.status_code == 200 and read.headers["etag"] == '"v1"'
    assert "secret" not in read.text.replace("previous_secret_until", "")  # never shown again
    listed, cursor = [], None
    while True:
        page = (await client.get(BASE, params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                                 headers=bearer(admin))).json()
        listed += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert view["id"] in {c["id"] for c in listed}
    assert "secret" not in str([c.keys() for c in listed]).replace("previous_secret_until", "")

    url = f"{BASE}/{view['id']}"
    assert (await client.patch(url, headers=bearer(admin), json={"name": "x"})).status_code == 428
    changed = await client.patch(url, headers=bearer(admin, **{"If-Match": '"v1"'}),
                                 json={"name": "Payroll sync (EU)", "scopes": ["employees:read"]})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"v2"' and changed.json()["scopes"] == ["employees:read"]
    stale = await client.patch(url, headers=bearer(admin, **{"If-Match": '"v1"'}), json={"name": "Again"})
    assert stale.status_code == 412
    assert (await client.delete(url, headers=bearer(admin, **{"If-Match": '"v1"'}))).status_code == 412
    assert (await client.delete(url, headers=bearer(admin, **{"If-Match": '"v2"'}))).status_code == 204
    assert (await client.get(url, headers=bearer(admin))).status_code == 404

    actions = [entry["action"] for entry in await trail(client, admin, view["id"])]
    assert sorted(actions) == ["api_client.created", "api_client.deleted", "api_client.updated"]
    for entry in await trail(client, admin, view["id"]):
        assert secret not in str(entry) and "scrypt$" not in str(entry)  # neither the secret nor its hash


async def test_the_secret_is_stored_hashed(client: Any, admin: str, runtime: Any, tenant_a: uuid.UUID) -> None:
    from domain.kernel.db import unit_of_work

    made = (await client.post(BASE, headers=bearer(admin), json=new_client())).json()
    async with unit_of_work(tenant_a, write=False) as uow:
        rows = await uow_rows(uow, made["client"]["id"])
    stored = rows[0]["secret_hash"]
    assert stored.startswith("scrypt$") and made["client_secret"] not in stored


async def uow_rows(uow: Any, client_id: str) -> list[dict[str, Any]]:
    from domain.kernel.db import current_database

    return await current_database().execute("SELECT secret_hash FROM api_clients WHERE tenant_id = {} AND id = {}",
                                            uow.tenant_id, uuid.UUID(client_id))


async def test_rotation_keeps_the_old_secret_for_the_overlap_only(client: Any, admin: str) -> None:
    made = (await client.post(BASE, headers=bearer(admin), json=new_client())).json()
    client_id, first = made["client"]["client_id"], made["client_secret"]
    url = f"{BASE}/{made['client']['id']}/secret-rotations"
    rotated = await client.post(url, headers=bearer(admin), json={})
    assert rotated.status_code == 201, rotated.text
    second = rotated.json()["client_secret"]
    assert second != first and rotated.headers["cache-control"] == "no-store"
    until = datetime.fromisoformat(rotated.json()["client"]["previous_secret_until"])
    assert abs(until - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)  # 24 hours by default
    assert (await token_answer(client, client_id, first)).status_code == 200  # within the overlap
    assert (await token_answer(client, client_id, second)).status_code == 200
    # a rotation without overlap stops the replaced secret at once (and the one before it)
    third = (await client.post(url, headers=bearer(admin), json={"overlap_seconds": 0})).json()
    assert third["client"]["previous_secret_until"] is None
    for old in (first, second):
        refused = await token_answer(client, client_id, old)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert (await token_answer(client, client_id, third["client_secret"])).status_code == 200
    actions = [e["action"] for e in await trail(client, admin, made["client"]["id"])]
    assert actions.count("api_client.secret_rotated") == 2
    too_long = await client.post(url, headers=bearer(admin), json={"overlap_seconds": 31 * 24 * 3600})
    assert too_long.status_code == 400


async def test_a_public_client_has_no_secret_and_no_client_credentials(client: Any, admin: str) -> None:
    public = await client.post(BASE, headers=bearer(admin), json=new_client(
        confidential=False, grant_types=["authorization_code", "refresh_token"],
        redirect_uris=["com.example.hr:/oauth/callback", "http://127.0.0.1:8765/callback"],
        scopes=["payslips:read:self"], roles=[]))
    assert public.status_code == 201, public.text
    assert public.json()["client_secret"] is None and public.json()["client"]["confidential"] is False
    rotation = await client.post(f"{BASE}/{public.json()['client']['id']}/secret-rotations", headers=bearer(admin),
                                 json={})
    assert rotation.status_code == 400 and rotation.json()["code"] == "api_client_not_confidential"
    refused = await client.post(BASE, headers=bearer(admin), json=new_client(confidential=False))
    assert refused.status_code == 400 and refused.json()["code"] == "public_client_grant"


@pytest.mark.parametrize("uri, allowed", [
    ("https://partner.example.com/cb", True), ("http://localhost:8080/cb", True), ("http://127.0.0.1/cb", True),
    ("http://[::1]:9000/cb", True), ("com.example.app:/oauth2redirect", True),
    ("http://partner.example.com/cb", False), ("https://partner.example.com/cb#frag", False),
    ("javascript:alert(1)", False), ("https://user:pw@partner.example.com/cb", False), ("ftp://x", False),
    ("data:text/html,hi", False), ("https:///nohost", False),
])
async def test_redirect_uris_are_validated(client: Any, admin: str, uri: str, allowed: bool) -> None:
    answer = await client.post(BASE, headers=bearer(admin, **{"Accept-Language": "zh-CN"}), json=new_client(
        grant_types=["authorization_code"], redirect_uris=[uri]))
    assert (answer.status_code == 201) is allowed, answer.text
    if not allowed:
        assert answer.status_code == 400 and answer.json()["code"] == "invalid_redirect_uri"
        assert answer.json()["title"] == translate("Invalid redirect URI", "zh_CN")
        assert answer.json()["errors"][0]["pointer"].startswith("/redirect_uris")


async def test_bad_settings_are_refused(client: Any, admin: str) -> None:
    unknown = await client.post(BASE, headers=bearer(admin), json=new_client(scopes=["everything:write"]))
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_oauth_scope"
    no_redirect = await client.post(BASE, headers=bearer(admin), json=new_client(grant_types=["authorization_code"]))
    assert no_redirect.status_code == 400 and no_redirect.json()["code"] == "redirect_uri_required"
    grant = await client.post(BASE, headers=bearer(admin), json=new_client(grant_types=["password"]))
    assert grant.status_code == 400
    extra = await client.post(BASE, headers=bearer(admin), json=new_client(secret="mine"))
    assert extra.status_code == 400


async def test_a_client_never_gets_a_role_beyond_its_admins(client: Any, tenant_a: uuid.UUID,
                                                            token_for: Any) -> None:
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="api-clients-hr-admin")
    # a tenant admin may not give payroll_reviewer (which approves pay runs, which a tenant admin cannot)
    refused = await client.post(BASE, headers=bearer(hr, **{"Accept-Language": "ja"}),
                                json=new_client(roles=["payroll_reviewer"]))
    assert refused.status_code == 403 and refused.json()["code"] == "client_role_exceeds_yours"
    assert refused.json()["title"] == translate("Role beyond your own", "ja")
    assert (await client.post(BASE, headers=bearer(hr), json=new_client(roles=["hr_admin"]))).status_code == 201
    platform = await client.post(BASE, headers=bearer(hr), json=new_client(roles=["platform_operator"]))
    assert platform.status_code in (400, 403)


async def test_only_tenant_admins_manage_clients(client: Any, tenant_a: uuid.UUID, token_for: Any) -> None:
    auditor = await token_for(tenant_a, "auditor", subject="api-clients-auditor")
    recruiter = await token_for(tenant_a, "recruiter", subject="api-clients-recruiter")
    assert (await client.get(BASE, headers=bearer(auditor))).status_code == 200
    assert (await client.post(BASE, headers=bearer(auditor), json=new_client())).status_code == 403
    assert (await client.get(BASE, headers=bearer(recruiter))).status_code == 403


async def test_the_scope_catalogue_reads_in_the_callers_language(client: Any, admin: str) -> None:
    for language, locale in (("en", "en"), ("zh-CN", "zh_CN"), ("ja", "ja")):
        answer = await client.get(f"{BASE}/scopes", headers=bearer(admin, **{"Accept-Language": language}))
        assert answer.status_code == 200
        scopes = {s["name"]: s["description"] for s in answer.json()["items"]}
        assert set(scopes) == set(SCOPE_MESSAGES)
        assert scopes["payslips:read:self"] == translate(SCOPE_MESSAGES["payslips:read:self"], locale)
        assert (scopes["payroll:read"] == SCOPE_MESSAGES["payroll:read"]) == (locale == "en")
