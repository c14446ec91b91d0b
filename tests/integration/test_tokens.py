"""Every protected route refuses every kind of bad token with 401, and accepts good ones."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest

from domain.kernel.settings import Mode
from tests.conftest import IDP_ISSUER, bearer, user_with_subject
from tests.routes import neutral_url, route_cases

pytestmark = pytest.mark.anyio


def claims(tenant_id: uuid.UUID, settings: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": settings.jwt_issuer, "aud": settings.jwt_audience, "sub": "mutant", "tid": str(tenant_id),
            "roles": ["tenant_admin"], "iat": now, "exp": now + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def private_key(settings: Any, kid: str) -> bytes:
    return (Path(settings.data_dir) / f"{kid}.pem").read_bytes()


def public_pem(settings: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_key(settings, "rsa-1"), None)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def forge_hs256(payload: dict[str, Any], key: bytes) -> str:
    """The classic key-confusion forgery, built by hand because PyJWT refuses to sign it."""
    def part(data: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    signing_input = part({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}) + b"." + part(payload)
    signature = base64.urlsafe_b64encode(hmac.new(key, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    return (signing_input + b"." + signature).decode()


def mutations(settings: Any, secret: bytes, tenant: uuid.UUID, mode: Mode) -> dict[str, str]:
    def hs(**changes: Any) -> str:
        return jwt.encode(claims(tenant, settings, **changes), secret, algorithm="HS256")

    idp = {"iss": IDP_ISSUER}
    unsigned = jwt.encode(claims(tenant, settings), key=None, algorithm="none")  # type: ignore[arg-type]
    cases = {
        "alg none": unsigned,
        "alg none, signature stripped from a real token": ".".join(hs().split(".")[:2]) + ".",
        "wrong key": jwt.encode(claims(tenant, settings), b"not-the-secret-" * 4, algorithm="HS256"),
        "HS256 signed with the IdP's public key": forge_hs256(claims(tenant, settings, **idp), public_pem(settings)),
        "RS256 for the local issuer": jwt.encode(claims(tenant, settings), private_key(settings, "rsa-1"),
                                                algorithm="RS256", headers={"kid": "rsa-1"}),
        "expired": hs(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "not valid yet (future nbf)": hs(nbf=int(time.time()) + 3600),
        "wrong audience": hs(aud="someone-else"),
        "wrong issuer": hs(iss="https://evil.example/"),
        "missing tid": hs(tid=None),
        "missing roles": hs(roles=None),
        "missing exp": hs(exp=None),
        "tid not a uuid": hs(tid="tenant-b"),
        "garbage": "not.a.token",
        "empty bearer": "",
    }
    # On-prem trusts exactly one tenant; in shared mode an unknown tenant is refused just the same.
    cases["tid of another tenant" if mode is Mode.ONPREM else "tid of no tenant"] = hs(tid=str(uuid.uuid4()))
    return cases


async def test_every_mutated_token_is_refused_on_every_protected_route(
    app: Any, client: Any, runtime: Any, tenant_a: Any, tenant_b: Any, token_for: Any
) -> None:
    await token_for(tenant_a, "tenant_admin", subject="mutant")
    cases = mutations(runtime.settings, runtime.secret, tenant_a, runtime.settings.mode)
    if runtime.settings.mode is Mode.ONPREM:
        await token_for(tenant_b, "tenant_admin", subject="mutant")
        cases["tid of another tenant"] = jwt.encode(claims(tenant_b, runtime.settings), runtime.secret, "HS256")
    cases.update(await client_token_mutations(client, token_for, tenant_a))
    protected = [case for case in route_cases(app) if not case.public]
    refused = 0
    for name, token in cases.items():
        for case in protected:
            response = await client.request(case.method, neutral_url(case), headers=bearer(token), json={})
            assert response.status_code == 401, f"{name} on {case}: {response.status_code}"
            assert response.headers["content-type"].startswith("application/problem+json")
            refused += 1
    assert refused == len(cases) * len(protected)


def _with_claims(token: str, **changes: Any) -> str:
    """The token with its claims changed and its signature kept: what a client would try without the key."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


async def client_token_mutations(client: Any, token_for: Any, tenant_a: uuid.UUID) -> dict[str, str]:
    """API client tokens (client credentials): widened or swapped without the key, revoked, or of a deleted
    client."""
    admin = await token_for(tenant_a, "tenant_admin", subject="client-token-mutations")

    async def issued() -> tuple[dict[str, Any], str]:
        made = (await client.post("/v1/api-clients", headers=bearer(admin), json={
            "name": f"Mutations {uuid.uuid4().hex[:6]}", "grant_types": ["client_credentials"],
            "scopes": ["organisation:read"], "roles": ["tenant_admin"]})).json()
        answer = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                   auth=(made["client"]["client_id"], made["client_secret"]))
        assert answer.status_code == 200, answer.text
        return made, answer.json()["access_token"]

    (_, token_a), (b, _) = await issued(), await issued()
    (revoked, token_revoked), (deleted, token_deleted) = await issued(), await issued()
    refused = await client.post("/oauth/revoke", data={"token": token_revoked},
                                auth=(revoked["client"]["client_id"], revoked["client_secret"]))
    assert refused.status_code == 200
    gone = await client.delete(f"/v1/api-clients/{deleted['client']['id']}",
                               headers=bearer(admin, **{"If-Match": '"v1"'}))
    assert gone.status_code == 204
    every_scope = "organisation:read employees:write payroll:write recruitment:write"
    return {
        "client token, scope widened without the key": _with_claims(token_a, scope=every_scope),
        "client token, client_id of another client without the key": _with_claims(
            token_a, client_id=b["client"]["client_id"]),
        "client token, roles widened without the key": _with_claims(token_a, roles=["tenant_admin", "hr_admin"]),
        "client token, revoked": token_revoked,
        "client token, of a deleted client": token_deleted,
    }


async def test_no_token_is_refused_with_a_bearer_challenge(client: Any) -> None:
    response = await client.get("/v1/legal-entities")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("kid, algorithm", [("rsa-1", "RS256"), ("ec-1", "ES256")])
async def test_the_corporate_idp_tokens_are_accepted(
    client: Any, runtime: Any, tenant_a: Any, token_for: Any, kid: str, algorithm: str
) -> None:
    await token_for(tenant_a, "hr_admin", subject="idp-user")
    token = jwt.encode(claims(tenant_a, runtime.settings, iss=IDP_ISSUER, sub="idp-user", roles=["hr_admin"]),
                       private_key(runtime.settings, kid), algorithm=algorithm, headers={"kid": kid})
    response = await client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["hr_admin"]


async def test_disabling_a_user_stops_their_token_at_once(client: Any, tenant_a: Any, token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="disabler")
    victim = await token_for(tenant_a, "hr_admin", subject="soon-disabled")
    assert (await client.get("/v1/me", headers=bearer(victim))).status_code == 200
    user = await user_with_subject(client, admin, "soon-disabled")
    changed = await client.patch(f"/v1/users/{user['id']}", json={"status": "disabled"},
                                 headers=bearer(admin, **{"If-Match": f'"v{user["version"]}"'}))
    assert changed.status_code == 200, changed.text
    assert (await client.get("/v1/me", headers=bearer(victim))).status_code == 401


async def test_a_role_removed_from_the_user_is_gone_from_old_tokens(client: Any, tenant_a: Any,
                                                                    token_for: Any) -> None:
    admin = await token_for(tenant_a, "tenant_admin", subject="role-remover")
    token = await token_for(tenant_a, "hr_admin", "auditor", subject="shrinking")
    user = await user_with_subject(client, admin, "shrinking")
    await client.patch(f"/v1/users/{user['id']}", json={"roles": ["auditor"]},
                       headers=bearer(admin, **{"If-Match": f'"v{user["version"]}"'}))
    me = (await client.get("/v1/me", headers=bearer(token))).json()
    assert me["roles"] == ["auditor"]


