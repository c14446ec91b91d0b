"""Tenants and what only the platform may do with them; queries that fail closed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.kernel.db import unit_of_work
from domain.kernel.errors import TenantContextMissing
from domain.tenancy import queries
from tests.conftest import bearer

pytestmark = pytest.mark.anyio


async def test_a_query_outside_its_unit_of_work_fails_closed(runtime: Any, tenant_a: Any) -> None:
    async with unit_of_work(tenant_a, write=False) as uow:
        assert await queries.own_tenant(uow) is not None
    with pytest.raises(TenantContextMissing):
        await queries.legal_entities(uow, after=None, limit=10)
    with pytest.raises(TenantContextMissing):
        await queries.all_tenants(uow, after=None, limit=10)  # a tenant's unit of work is not the platform's


async def test_tenant_settings_read_and_update_with_etag(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="settings-admin")
    current = await client.get("/v1/tenant", headers=bearer(admin))
    assert current.status_code == 200
    changed = await client.patch("/v1/tenant", json={"countries": ["DE", "CN", "JP"], "default_locale": "ja"},
                                 headers=bearer(admin, **{"If-Match": current.headers["etag"]}))
    assert changed.status_code == 200, changed.text
    assert changed.json()["countries"] == ["DE", "CN", "JP"]
    bad = await client.patch("/v1/tenant", json={"timezone": "Europe/Atlantis"},
                             headers=bearer(admin, **{"If-Match": changed.headers["etag"]}))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_timezone"
    restored = await client.patch("/v1/tenant", headers=bearer(admin, **{"If-Match": changed.headers["etag"]}),
                                  json={k: current.json()[k] for k in ("countries", "default_locale")})
    assert restored.status_code == 200, restored.text  # the session's other tests share this tenant


async def test_users_are_managed_by_tenant_admins(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="user-admin")
    subject = f"new-{uuid.uuid4().hex[:6]}"
    created = await client.post("/v1/users", headers=bearer(admin), json={
        "subject": subject, "display_name": "New Person", "roles": ["recruiter"], "timezone": "Asia/Tokyo",
        "locale": "ja"})
    assert created.status_code == 201, created.text
    again = await client.post("/v1/users", headers=bearer(admin), json={
        "subject": subject, "display_name": "Twin", "roles": ["recruiter"]})
    assert again.status_code == 409 and again.json()["code"] == "user_subject_taken"
    operator = await client.post("/v1/users", headers=bearer(admin), json={
        "subject": f"op-{subject}", "display_name": "Op", "roles": ["platform_operator"]})
    assert operator.status_code == 400 and operator.json()["code"] == "role_not_allowed"
    recruiters = (await client.get("/v1/users?role=recruiter&limit=200", headers=bearer(admin))).json()["items"]
    assert subject in {u["subject"] for u in recruiters}


@pytest.mark.postgres
async def test_a_platform_operator_provisions_suspends_and_reactivates(client: Any, runtime: Any,
                                                                       token_for: Any) -> None:
    operator = await token_for(runtime.home_tenant, "platform_operator", subject="ops")
    created = await client.post("/v1/platform/tenants", headers=bearer(operator), json={
        "name": "Api Corp", "countries": ["SG"], "timezone": "Asia/Singapore", "default_locale": "zh_CN"})
    assert created.status_code == 201, created.text
    tenant = created.json()["id"]
    member = await token_for(uuid.UUID(tenant), "hr_admin", subject="api-corp-hr")
    assert (await client.get("/v1/me", headers=bearer(member))).status_code == 200
    suspended = await client.post(f"/v1/platform/tenants/{tenant}/suspend", headers=bearer(operator))
    assert suspended.json()["status"] == "suspended"
    assert (await client.get("/v1/me", headers=bearer(member))).status_code == 401
    await client.post(f"/v1/platform/tenants/{tenant}/reactivate", headers=bearer(operator))
    assert (await client.get("/v1/me", headers=bearer(member))).status_code == 200
    listed = (await client.get("/v1/platform/tenants?limit=200", headers=bearer(operator))).json()["items"]
    assert tenant in {t["id"] for t in listed}
    missing = await client.post(f"/v1/platform/tenants/{runtime.home_tenant}/suspend", headers=bearer(operator))
    assert missing.status_code == 404  # the operators' own tenant cannot be suspended


@pytest.mark.sqlite
async def test_nobody_on_an_onprem_installation_may_manage_tenants(client: Any, runtime: Any, tenant_a: Any,
                                                              token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="onprem-admin")
    me = (await client.get("/v1/me", headers=bearer(admin))).json()
    assert me["tenant_id"] == str(runtime.home_tenant)
    assert "platform.tenants:write" not in me["operations"]
    refused = await client.post("/v1/platform/tenants", headers=bearer(admin), json={
        "name": "Second", "countries": ["DE"], "timezone": "UTC"})
    assert refused.status_code == 403
