"""The authorisation server with client credentials: tokens for API clients, verified like every other token and
bounded by both their scopes and their service user's roles; revocation, introspection and discovery."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import jwt
import pytest

from domain.kernel.access_cache import CHANNEL, access_cache
from domain.kernel.i18n import translate
from domain.kernel.settings import Mode
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def admin(tenant_a: uuid.UUID, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="oauth-admin")


async def register(client: Any, admin: str, scopes: list[str], roles: list[str] | None = None,
                   **extra: Any) -> dict[str, Any]:
    answer = await client.post("/v1/api-clients", headers=bearer(admin), json={
        "name": f"Partner {uuid.uuid4().hex[:6]}", "grant_types": ["client_credentials"], "scopes": scopes,
        "roles": roles if roles is not None else ["tenant_admin"], **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def basic(client_id: str, secret: str, **extra: str) -> dict[str, str]:
    return {**FORM, "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
            **extra}


async def token_of(client: Any, made: dict[str, Any], scope: str | None = None) -> dict[str, Any]:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    answer = await client.post("/oauth/token", data=form,
                               headers=basic(made["client"]["client_id"], made["client_secret"]))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_a_client_credentials_token_is_a_short_lived_jwt_on_the_shared_path(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    made = await register(client, admin, ["organisation:read", "recruitment:read"])
    answer = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               headers=basic(made["client"]["client_id"], made["client_secret"]))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert set(body["scope"].split()) == {"organisation:read", "recruitment:read"}  # none asked: all allowed
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["tid"] == str(tenant_a) and claims["client_id"] == made["client"]["client_id"]
    assert claims["sub"] == made["client"]["service_subject"] and claims["roles"] == ["tenant_admin"]
    assert claims["jti"] and claims["exp"] - claims["iat"] == 900
    me = (await client.get("/v1/me", headers=bearer(body["access_token"]))).json()
    assert me["subject"] == made["client"]["service_subject"]
    assert "legal_entities:read" in me["operations"] and "jobs:read" in me["operations"]
    assert "employees:read" not in me["operations"] and "users:write" not in me["operations"]


async def test_client_secret_post_works_and_a_wrong_secret_is_invalid_client(client: Any, admin: str) -> None:
    made = await register(client, admin, ["organisation:read"])
    client_id = made["client"]["client_id"]
    posted = await client.post("/oauth/token", headers=FORM, data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": made["client_secret"]})
    assert posted.status_code == 200, posted.text
    wrong = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers=basic(client_id, "mcs_wrong", **{"Accept-Language": "ja"}))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.json()["error_description"] == translate(
        "Client authentication failed: unknown client, wrong secret, or an authentication method this client may "
        "not use.", "ja")
    assert wrong.headers["www-authenticate"].startswith("Basic")
    unknown = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                headers=basic(f"{uuid.uuid4()}.{uuid.uuid4()}", "mcs_x"))
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"


async def test_rfc6749_errors(client: Any, admin: str) -> None:
    made = await register(client, admin, ["organisation:read"])
    headers = basic(made["client"]["client_id"], made["client_secret"])
    grant = await client.post("/oauth/token", data={"grant_type": "password"}, headers=headers)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    not_form = await client.post("/oauth/token", json={"grant_type": "client_credentials"},
                                 headers={"Authorization": headers["Authorization"]})
    assert not_form.status_code == 400 and not_form.json()["error"] == "invalid_request"
    repeated = await client.post("/oauth/token", content="grant_type=client_credentials&grant_type=client_credentials",
                                 headers=headers)
    assert repeated.status_code == 400 and repeated.json()["error"] == "invalid_request"


async def test_scope_escalation_is_refused_not_narrowed(client: Any, admin: str) -> None:
    made = await register(client, admin, ["organisation:read"])
    for scope in ("organisation:read employees:read", "users:write", "no-such-scope"):
        answer = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                                   headers=basic(made["client"]["client_id"], made["client_secret"]))
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope", (scope, answer.text)


async def test_a_token_does_no_more_than_both_its_scopes_and_its_roles_allow(client: Any, admin: str) -> None:
    # Scope allows employees and jobs; the role (auditor) allows reading, never writing.
    made = await register(client, admin, ["employees:read", "recruitment:read", "recruitment:write"],
                          roles=["auditor"])
    token = (await token_of(client, made))["access_token"]
    assert (await client.get("/v1/employees", headers=bearer(token))).status_code == 200
    assert (await client.get("/v1/jobs", headers=bearer(token))).status_code == 200
    # recruitment:write is in the scopes, but an auditor may not write
    assert (await client.post("/v1/jobs", headers=bearer(token), json={})).status_code == 403
    # the role allows reading legal entities and users, the scopes do not
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 403
    assert (await client.get("/v1/users", headers=bearer(token))).status_code == 403
    narrow = (await token_of(client, made, scope="employees:read"))["access_token"]
    assert (await client.get("/v1/employees", headers=bearer(narrow))).status_code == 200
    assert (await client.get("/v1/jobs", headers=bearer(narrow))).status_code == 403


async def test_narrowing_a_clients_scopes_binds_its_tokens_at_once(client: Any, admin: str) -> None:
    made = await register(client, admin, ["employees:read", "organisation:read"])
    token = (await token_of(client, made))["access_token"]
    assert (await client.get("/v1/employees", headers=bearer(token))).status_code == 200
    url = f"/v1/api-clients/{made['client']['id']}"
    changed = await client.patch(url, headers=bearer(admin, **{"If-Match": '"v1"'}),
                                 json={"scopes": ["organisation:read"]})
    assert changed.status_code == 200, changed.text
    assert (await client.get("/v1/employees", headers=bearer(token))).status_code == 403
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 200


async def test_revocation_takes_effect_and_only_for_the_clients_own_tokens(client: Any, admin: str) -> None:
    a = await register(client, admin, ["organisation:read"])
    b = await register(client, admin, ["organisation:read"])
    token_a = (await token_of(client, a))["access_token"]
    token_b = (await token_of(client, b))["access_token"]
    assert (await client.get("/v1/legal-entities", headers=bearer(token_a))).status_code == 200
    # B cannot revoke A's token, and A's token still works
    refused = await client.post("/oauth/revoke", data={"token": token_a},
                                headers=basic(b["client"]["client_id"], b["client_secret"]))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert (await client.get("/v1/legal-entities", headers=bearer(token_a))).status_code == 200
    # A revokes its own: refused from the next request
    revoked = await client.post("/oauth/revoke", data={"token": token_a, "token_type_hint": "access_token"},
                                headers=basic(a["client"]["client_id"], a["client_secret"]))
    assert revoked.status_code == 200, revoked.text
    assert (await client.get("/v1/legal-entities", headers=bearer(token_a))).status_code == 401
    assert (await client.get("/v1/legal-entities", headers=bearer(token_b))).status_code == 200
    # revoking again, or a token that does not verify, answers 200 and changes nothing
    for token in (token_a, "not-a-token"):
        again = await client.post("/oauth/revoke", data={"token": token},
                                  headers=basic(a["client"]["client_id"], a["client_secret"]))
        assert again.status_code == 200
    # a new token of A works
    fresh = (await token_of(client, a))["access_token"]
    assert (await client.get("/v1/legal-entities", headers=bearer(fresh))).status_code == 200


async def test_introspection_shows_only_the_clients_own_active_tokens(
        client: Any, admin: str, tenant_a: uuid.UUID) -> None:
    a = await register(client, admin, ["organisation:read", "employees:read"])
    b = await register(client, admin, ["organisation:read"])
    token_a = (await token_of(client, a, scope="organisation:read"))["access_token"]
    headers_a = basic(a["client"]["client_id"], a["client_secret"])
    own = (await client.post("/oauth/introspect", data={"token": token_a}, headers=headers_a)).json()
    assert own["active"] is True and own["scope"] == "organisation:read"
    assert own["client_id"] == a["client"]["client_id"] and own["tid"] == str(tenant_a)
    assert own["sub"] == a["client"]["service_subject"] and own["token_type"] == "Bearer"
    other = await client.post("/oauth/introspect", data={"token": token_a},
                              headers=basic(b["client"]["client_id"], b["client_secret"]))
    assert other.status_code == 200 and other.json() == {"active": False}
    assert (await client.post("/oauth/introspect", data={"token": "forged"}, headers=headers_a)).json() == {
        "active": False}
    await client.post("/oauth/revoke", data={"token": token_a}, headers=headers_a)
    assert (await client.post("/oauth/introspect", data={"token": token_a}, headers=headers_a)).json() == {
        "active": False}
    wrong = await client.post("/oauth/introspect", data={"token": token_a}, headers=basic(a["client"]["client_id"],
                                                                                            "mcs_wrong"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


async def test_another_tenants_client_token_is_inactive_and_cannot_be_revoked_here(
        client: Any, admin: str, runtime: Any, tenant_a: uuid.UUID, tenant_b: uuid.UUID) -> None:
    """A token of tenant B's client, signed by this installation, presented by tenant A's client."""
    from api.auth import issue_token
    from domain.api_clients import service as api_clients
    from domain.api_clients.model import GrantType, NewApiClient
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal

    owner = Principal(tenant_id=tenant_b, subject="b-oauth-admin", roles=frozenset({Role.TENANT_ADMIN}))
    b = await api_clients.create_client(owner, NewApiClient(
        name="B partner", grant_types=[GrantType.CLIENT_CREDENTIALS], scopes=["organisation:read"],
        roles=[Role.TENANT_ADMIN]))
    token_b = issue_token(runtime.settings, runtime.secret, tenant_id=tenant_b, subject=b.client.service_subject,
                          roles=["tenant_admin"], ttl_seconds=900, scopes=["organisation:read"],
                          extra={"client_id": b.client.client_id})
    a = await register(client, admin, ["organisation:read"])
    headers_a = basic(a["client"]["client_id"], a["client_secret"])
    introspected = await client.post("/oauth/introspect", data={"token": token_b}, headers=headers_a)
    assert introspected.status_code == 200 and introspected.json() == {"active": False}
    revoked = await client.post("/oauth/revoke", data={"token": token_b}, headers=headers_a)
    if runtime.settings.mode is Mode.SHARED:  # another client's token: refused, and still in force
        assert revoked.status_code == 400 and revoked.json()["error"] == "invalid_grant"
        assert (await client.get("/v1/legal-entities", headers=bearer(token_b))).status_code == 200
    else:  # on-prem, another tenant's token is no token of this installation: nothing to revoke
        assert revoked.status_code == 200 and revoked.json() == {}
    # and tenant B's client secret never authenticates tenant A's client id
    swapped = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                headers=basic(a["client"]["client_id"], b.client_secret or ""))
    assert swapped.status_code == 401


async def test_a_token_of_one_client_is_not_another_clients(client: Any, admin: str, runtime: Any) -> None:
    """The client_id claim of a token cannot be swapped: the signature breaks, and the token is refused."""
    a = await register(client, admin, ["organisation:read"])
    b = await register(client, admin, ["organisation:read"])
    token_a = (await token_of(client, a))["access_token"]
    claims = jwt.decode(token_a, options={"verify_signature": False})
    swapped = jwt.encode({**claims, "client_id": b["client"]["client_id"]}, "not-the-key", algorithm="HS256")
    assert (await client.get("/v1/legal-entities", headers=bearer(swapped))).status_code == 401
    # and B's secret with A's client_id authenticates nobody
    mixed = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers=basic(a["client"]["client_id"], b["client_secret"]))
    assert mixed.status_code == 401 and mixed.json()["error"] == "invalid_client"


async def test_a_token_signed_with_more_scopes_than_its_client_has_gets_no_more(
        client: Any, admin: str, runtime: Any, tenant_a: uuid.UUID) -> None:
    """Even a token we signed ourselves with a wider scope than the client now has (an older grant, a bug) is
    bounded by the client's current scopes: the service user carries them, and every request intersects."""
    from api.auth import issue_token

    made = await register(client, admin, ["organisation:read"])
    token = issue_token(runtime.settings, runtime.secret, tenant_id=tenant_a,
                        subject=made["client"]["service_subject"], roles=["tenant_admin"],
                        scopes=["organisation:read", "employees:read", "payroll:read"],
                        extra={"client_id": made["client"]["client_id"]})
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 200
    assert (await client.get("/v1/employees", headers=bearer(token))).status_code == 403
    me = (await client.get("/v1/me", headers=bearer(token))).json()
    assert me["scopes"] == ["organisation:read"]


async def test_deleting_a_client_revokes_its_tokens(client: Any, admin: str) -> None:
    made = await register(client, admin, ["organisation:read"])
    token = (await token_of(client, made))["access_token"]
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 200
    deleted = await client.delete(f"/v1/api-clients/{made['client']['id']}",
                                  headers=bearer(admin, **{"If-Match": '"v1"'}))
    assert deleted.status_code == 204, deleted.text
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 401
    again = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers=basic(made["client"]["client_id"], made["client_secret"]))
    assert again.status_code == 401 and again.json()["error"] == "invalid_client"


async def test_revocations_of_expired_tokens_are_purged(client: Any, admin: str, runtime: Any,
                                                        tenant_a: uuid.UUID) -> None:
    from api.maintenance import purge_expired
    from domain.kernel.db import current_database, unit_of_work

    made = await register(client, admin, ["organisation:read"])
    headers = basic(made["client"]["client_id"], made["client_secret"])
    token = (await token_of(client, made))["access_token"]
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert (await client.post("/oauth/revoke", data={"token": token}, headers=headers)).status_code == 200

    async def kept() -> int:
        async with unit_of_work(tenant_a, write=False):
            rows = await current_database().execute(
                "SELECT count(*) AS n FROM oauth_revoked_tokens WHERE tenant_id = {} AND jti = {}", tenant_a, jti)
        return int(rows[0]["n"])

    await purge_expired()
    assert await kept() == 1  # not expired yet: kept, and the token refused
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 401
    async with unit_of_work(tenant_a):
        await current_database().execute(
            "UPDATE oauth_revoked_tokens SET expires_at = {} WHERE tenant_id = {} AND jti = {}",
            datetime.now(UTC) - timedelta(hours=1), tenant_a, jti)
    await purge_expired()
    assert await kept() == 0


async def test_discovery_metadata(client: Any) -> None:
    answer = await client.get("/.well-known/oauth-authorization-server")
    assert answer.status_code == 200
    body = answer.json()
    assert body["issuer"] == "https://localhost"  # MERIDIAN_PUBLIC_URL unset: the on-prem default
    assert body["authorization_endpoint"].endswith("/oauth/authorize")
    assert body["token_endpoint"].endswith("/oauth/token")
    assert body["revocation_endpoint"].endswith("/oauth/revoke")
    assert body["introspection_endpoint"].endswith("/oauth/introspect")
    assert "client_credentials" in body["grant_types_supported"]
    assert {"recruitment:read", "candidates:write", "payslips:read:self", "employees:read", "payroll:read"} <= set(
        body["scopes_supported"])
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_basic", "client_secret_post"} <= set(body["token_endpoint_auth_methods_supported"])


@pytest.mark.postgres
async def test_a_revocation_announced_by_another_process_is_heard(client: Any, admin: str, runtime: Any,
                                                                  tenant_a: uuid.UUID) -> None:
    """A token remembered as in force is refused once another process revokes it and announces the change."""
    made = await register(client, admin, ["organisation:read"])
    token = (await token_of(client, made))["access_token"]
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    key = f"oauth-token {jti}"
    for _ in range(200):
        assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 200
        if access_cache.recall(tenant_a, key) is not None:
            break
        await asyncio.sleep(0.05)
    assert access_cache.recall(tenant_a, key) is not None  # from now on, no database read for this token
    connection = await asyncpg.connect(runtime.settings.effective_migration_url)
    try:
        async with connection.transaction():
            await connection.execute(
                "INSERT INTO oauth_revoked_tokens (id, tenant_id, jti, client_id, expires_at, revoked_at) "
                "VALUES ($1, $2, $3, $4, now() + interval '1 hour', now())",
                uuid.uuid4(), tenant_a, jti, uuid.UUID(made["client"]["id"]))
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(tenant_a))
    finally:
        await connection.close()
    for _ in range(200):
        if access_cache.recall(tenant_a, key) is None:
            break
        await asyncio.sleep(0.05)
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 401
