"""The authorisation server's hardening: a stolen refresh token without the client's credentials (or in another
client's hands) is refused and never rotates nor burns its family; the discovery document (RFC 8414) names the
issuer the tokens carry and every endpoint; a client's service user is the client's alone; a person's consent is
remembered and revocable."""

from __future__ import annotations

import base64
import logging
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from tests.conftest import bearer
from tests.integration.test_oauth_pkce import (
    APP_REDIRECT,
    approve,
    authorize_url,
    form_value,
    pkce,
    query_of,
    set_provider,
    sign_in_cookie,
)

pytestmark = pytest.mark.anyio


async def form_post(client: Any, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return await client.post(
        path, content=urlencode(form), headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    )


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture(scope="module")
async def admin(token_for: Any, tenant_a: uuid.UUID) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="hardening-admin")


@pytest.fixture(scope="module")
async def person(token_for: Any, tenant_a: uuid.UUID) -> str:
    subject = f"employee:{uuid.uuid4()}"
    await token_for(tenant_a, "employee", subject=subject)
    return subject


async def app_client(
    client: Any, admin: str, confidential: bool, name: str, scopes: list[str] | None = None
) -> tuple[str, str | None]:
    answer = await client.post(
        "/v1/api-clients",
        headers=bearer(admin),
        json={
            "name": name,
            "grant_types": ["authorization_code", "refresh_token"],
            "scopes": scopes or ["payslips:read:self", "recruitment:read"],
            "redirect_uris": [APP_REDIRECT],
            "confidential": confidential,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["client"]["client_id"]), answer.json()["client_secret"]


async def signed_in_page(
    client: Any, admin: str, person: str, client_id: str, challenge: str, scope: str = "payslips:read:self"
) -> tuple[httpx.Response, str]:
    """authorize → local sign-in with a one-time code: the answer (a consent page, or straight back to the app
    when the person already consented) and the browser's cookie."""
    one_time = await client.post("/v1/sign-in-codes", headers=bearer(admin), json={"subject": person})
    assert one_time.status_code == 201, one_time.text
    form = await client.get(authorize_url(client_id, challenge, scope=scope))
    assert form.status_code == 200, form.text
    cookie = sign_in_cookie(form)
    answer = await form_post(
        client,
        "/oauth/sign-in",
        {"request": form_value(form.text, "request"), "subject": person, "code": one_time.json()["code"]},
        headers={"Cookie": cookie},
    )
    return answer, cookie


async def tokens_for(
    client: Any, admin: str, person: str, client_id: str, secret: str | None, scope: str = "payslips:read:self"
) -> dict[str, Any]:
    """A person's tokens for the app: signed in, consented (if asked), code redeemed."""
    verifier, challenge = pkce()
    answer, cookie = await signed_in_page(client, admin, person, client_id, challenge, scope)
    if answer.status_code == 200:
        location = await approve(client, answer.text, cookie)
    else:
        assert answer.status_code == 303, answer.text
        location = answer.headers["location"]
    code = query_of(location)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": APP_REDIRECT, "code_verifier": verifier}
    headers = basic(client_id, secret) if secret else {}
    if not secret:
        form["client_id"] = client_id
    issued = await form_post(client, "/oauth/token", form, headers)
    assert issued.status_code == 200, issued.text
    return dict(issued.json())


async def refresh_as(client: Any, refresh_token: str, client_id: str, secret: str | None) -> Any:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if secret is None:
        return await form_post(client, "/oauth/token", {**form, "client_id": client_id})
    return await form_post(client, "/oauth/token", form, basic(client_id, secret))


# -- 1. refresh tokens: the client proves who it is before anything is spent ------------------------------------


async def test_a_stolen_refresh_token_without_the_clients_secret_changes_nothing(
    client: Any, admin: str, person: str
) -> None:
    await set_provider(client, admin, None, enabled=False)
    client_id, secret = await app_client(client, admin, confidential=True, name="Confidential payslip app")
    assert secret
    first = await tokens_for(client, admin, person, client_id, secret)

    # The live refresh token with a wrong secret, with no secret at all (as a public client would), or with the
    # client id in the form only: invalid_client, and the token is not replaced.
    for attempt in (basic(client_id, "mcs_wrong"), {}):
        form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": client_id}
        refused = await form_post(client, "/oauth/token", form, attempt)
        assert refused.status_code in (400, 401) and refused.json()["error"] == "invalid_client", refused.text
    # The genuine client then renews as usual: the thief rotated nothing.
    renewed = await refresh_as(client, first["refresh_token"], client_id, secret)
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()

    # The replaced token in a thief's hands (no secret): refused, and the family is not burnt.
    replayed = await refresh_as(client, first["refresh_token"], client_id, "mcs_wrong")
    assert replayed.status_code == 401 and replayed.json()["error"] == "invalid_client"
    assert (await client.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 200

    # The replaced token presented by another client that authenticates properly: refused, family intact.
    other_id, other_secret = await app_client(client, admin, confidential=True, name="Other confidential app")
    foreign = await refresh_as(client, first["refresh_token"], other_id, other_secret)
    assert foreign.status_code == 400 and foreign.json()["error"] == "invalid_grant"
    public_id, _ = await app_client(client, admin, confidential=False, name="Other public app")
    foreign = await refresh_as(client, second["refresh_token"], public_id, None)
    assert foreign.status_code == 400 and foreign.json()["error"] == "invalid_grant"
    assert (await client.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 200
    third = await refresh_as(client, second["refresh_token"], client_id, secret)
    assert third.status_code == 200, third.text

    # A genuine reuse by the client itself still revokes the family, with its access tokens.
    reused = await refresh_as(client, second["refresh_token"], client_id, secret)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert (await refresh_as(client, third.json()["refresh_token"], client_id, secret)).json()[
        "error"
    ] == "invalid_grant"
    assert (await client.get("/v1/me", headers=bearer(third.json()["access_token"]))).status_code == 401


async def test_a_code_presented_without_the_clients_secret_is_not_spent(client: Any, admin: str, person: str) -> None:
    await set_provider(client, admin, None, enabled=False)
    client_id, secret = await app_client(client, admin, confidential=True, name="Confidential code app")
    assert secret
    verifier, challenge = pkce()
    answer, cookie = await signed_in_page(client, admin, person, client_id, challenge)
    location = await approve(client, answer.text, cookie) if answer.status_code == 200 else answer.headers["location"]
    code = query_of(location)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": APP_REDIRECT, "code_verifier": verifier}
    thief = await form_post(client, "/oauth/token", form, basic(client_id, "mcs_wrong"))
    assert thief.status_code == 401 and thief.json()["error"] == "invalid_client"
    genuine = await form_post(client, "/oauth/token", form, basic(client_id, secret))
    assert genuine.status_code == 200, genuine.text


# -- 2. discovery (RFC 8414): the issuer the tokens carry, and every endpoint ---------------------------------


async def test_the_discovery_document_names_the_issuer_the_tokens_carry(client: Any, admin: str, runtime: Any) -> None:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    issuer = runtime.settings.oauth_issuer
    assert metadata["issuer"] == issuer and issuer.startswith("https://") and not issuer.endswith("/")
    for name, path in (
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("introspection_endpoint", "/oauth/introspect"),
    ):
        assert metadata[name].endswith(path), (name, metadata[name])
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert {"client_credentials", "authorization_code", "refresh_token"} <= set(metadata["grant_types_supported"])
    assert metadata["response_types_supported"] == ["code"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "none",
    }
    assert "payslips:read:self" in metadata["scopes_supported"]

    # A client-credentials token carries that issuer as iss, works, and introspects with the same iss; its
    # subject is the client's service user and it names the client.
    made = await client.post(
        "/v1/api-clients",
        headers=bearer(admin),
        json={
            "name": "Discovery partner",
            "grant_types": ["client_credentials"],
            "scopes": ["organisation:read"],
            "roles": ["tenant_admin"],
        },
    )
    assert made.status_code == 201, made.text
    client_id, secret = made.json()["client"]["client_id"], made.json()["client_secret"]
    issued = await form_post(client, "/oauth/token", {"grant_type": "client_credentials"}, basic(client_id, secret))
    assert issued.status_code == 200, issued.text
    access = issued.json()["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["iss"] == issuer and claims["client_id"] == client_id
    assert claims["sub"] == made.json()["client"]["service_subject"] == f"client:{made.json()['client']['id']}"
    assert (await client.get("/v1/legal-entities", headers=bearer(access))).status_code == 200
    introspected = await form_post(client, "/oauth/introspect", {"token": access}, basic(client_id, secret))
    assert introspected.json()["active"] is True and introspected.json()["iss"] == issuer


def test_the_public_url_must_be_an_https_base_url() -> None:
    from domain.kernel.settings import SettingsError, load_settings

    assert load_settings({}).oauth_issuer == "https://localhost"
    assert load_settings({"MERIDIAN_PUBLIC_URL": "https://hr.example.com/"}).oauth_issuer == "https://hr.example.com"
    for wrong in (
        "http://hr.example.com",
        "https://user:pw@hr.example.com",
        "https://hr.example.com/?a=1",
        "https://hr.example.com/#x",
        "hr.example.com",
    ):
        with pytest.raises(SettingsError, match="MERIDIAN_PUBLIC_URL"):
            load_settings({"MERIDIAN_PUBLIC_URL": wrong})


# -- 3. a client's service user is the client's alone -------------------------------------------------------


async def test_a_clients_service_user_cannot_be_changed_behind_its_back(client: Any, admin: str) -> None:
    made = await client.post(
        "/v1/api-clients",
        headers=bearer(admin),
        json={
            "name": "Guarded partner",
            "grant_types": ["client_credentials"],
            "scopes": ["organisation:read"],
            "roles": ["auditor"],
        },
    )
    assert made.status_code == 201, made.text
    view = made.json()["client"]
    users = await client.get("/v1/users?limit=200&role=auditor", headers=bearer(admin))
    service_user = next(u for u in users.json()["items"] if u["subject"] == view["service_subject"])
    current = await client.get(f"/v1/users/{service_user['id']}", headers=bearer(admin))
    for change in (
        {"roles": ["tenant_admin"]},
        {"scopes": ["users:write"]},
        {"status": "disabled"},
        {"display_name": "Renamed"},
    ):
        refused = await client.patch(
            f"/v1/users/{service_user['id']}",
            json=change,
            headers=bearer(admin, **{"If-Match": current.headers["etag"]}),
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "user_managed_by_api_client"
    # Nor can a user be created under a client's subject.
    squat = await client.post(
        "/v1/users",
        headers=bearer(admin),
        json={
            "subject": f"client:{uuid.uuid4()}",
            "display_name": "Squatter",
            "roles": ["tenant_admin"],
            "kind": "client",
        },
    )
    assert squat.status_code == 409 and squat.json()["code"] == "user_managed_by_api_client"
    # The roles still follow the client's definition.
    changed = await client.patch(
        f"/v1/api-clients/{view['id']}",
        json={"roles": ["payroll_preparer"]},
        headers=bearer(admin, **{"If-Match": f'"v{view["version"]}"'}),
    )
    assert changed.status_code == 200, changed.text
    after = (await client.get(f"/v1/users/{service_user['id']}", headers=bearer(admin))).json()
    assert after["roles"] == ["payroll_preparer"]


# -- 4. consent: remembered for the same or fewer scopes, revocable by the person ---------------------------


async def test_consent_is_remembered_and_the_person_can_revoke_it(
    client: Any, admin: str, token_for: Any, tenant_a: uuid.UUID
) -> None:
    await set_provider(client, admin, None, enabled=False)
    subject = f"employee:{uuid.uuid4()}"
    own = await token_for(tenant_a, "employee", subject=subject)
    client_id, _ = await app_client(client, admin, confidential=False, name="Remembering app")

    # First time: the consent page, for both scopes.
    first = await tokens_for(client, admin, subject, client_id, None, scope="payslips:read:self recruitment:read")
    # The same scopes, then fewer: no consent page, straight back to the app with a code.
    for scope in ("payslips:read:self recruitment:read", "payslips:read:self"):
        _, challenge = pkce()
        answer, _ = await signed_in_page(client, admin, subject, client_id, challenge, scope=scope)
        assert answer.status_code == 303, answer.text
        back = query_of(answer.headers["location"])
        assert answer.headers["location"].startswith(APP_REDIRECT) and back["code"] and back["state"] == "app-state-1"
    narrower = await tokens_for(client, admin, subject, client_id, None, scope="payslips:read:self")
    assert narrower["scope"] == "payslips:read:self"

    # The person sees the app and what they allowed it.
    listed = await client.get("/v1/my/authorised-apps", headers=bearer(own))
    assert listed.status_code == 200, listed.text
    apps = [a for a in listed.json()["items"] if a["client_id"] == client_id]
    assert len(apps) == 1 and apps[0]["name"] == "Remembering app"
    assert apps[0]["scopes"] == ["payslips:read:self", "recruitment:read"]
    # Not through an app's token, and not someone else's.
    through_app = await client.get("/v1/my/authorised-apps", headers=bearer(first["access_token"]))
    assert through_app.status_code == 403 and through_app.json()["code"] == "authorised_apps_not_through_an_app"
    other = await token_for(tenant_a, "employee", subject=f"employee:{uuid.uuid4()}")
    assert (await client.get("/v1/my/authorised-apps", headers=bearer(other))).json()["items"] == []
    stranger = await client.delete(f"/v1/my/authorised-apps/{apps[0]['id']}", headers=bearer(other))
    assert stranger.status_code == 404 and stranger.json()["code"] == "authorised_app_not_found"

    # Revoked: every refresh token the app holds for the person, and their access tokens, stop working; the
    # consent page is shown again.
    revoked = await client.delete(f"/v1/my/authorised-apps/{apps[0]['id']}", headers=bearer(own))
    assert revoked.status_code == 204, revoked.text
    for tokens in (first, narrower):
        refused = await refresh_as(client, tokens["refresh_token"], client_id, None)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
        assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401
    listed = await client.get("/v1/my/authorised-apps", headers=bearer(own))
    assert all(a["client_id"] != client_id for a in listed.json()["items"])
    _, challenge = pkce()
    answer, _ = await signed_in_page(client, admin, subject, client_id, challenge)
    assert answer.status_code == 200 and 'name="csrf"' in answer.text
    again = await client.delete(f"/v1/my/authorised-apps/{apps[0]['id']}", headers=bearer(own))
    assert again.status_code == 404
    audit = await client.get("/v1/audit/entries?entity_type=api_client&limit=200", headers=bearer(admin))
    actions = {entry["action"] for entry in audit.json()["items"]}
    assert {"oauth.consent_given", "oauth.consent_remembered", "oauth.consent_revoked"} <= actions


async def test_a_wider_request_shows_the_consent_page_again(client: Any, admin: str, person: str) -> None:
    await set_provider(client, admin, None, enabled=False)
    client_id, _ = await app_client(client, admin, confidential=False, name="Widening app")
    await tokens_for(client, admin, person, client_id, None, scope="payslips:read:self")
    _, challenge = pkce()
    answer, _ = await signed_in_page(
        client, admin, person, client_id, challenge, scope="payslips:read:self recruitment:read"
    )
    assert answer.status_code == 200 and 'name="csrf"' in answer.text and "recruitment:read" in answer.text


async def test_a_deleted_apps_consent_is_no_longer_listed(
    client: Any, admin: str, token_for: Any, tenant_a: uuid.UUID
) -> None:
    await set_provider(client, admin, None, enabled=False)
    subject = f"employee:{uuid.uuid4()}"
    own = await token_for(tenant_a, "employee", subject=subject)
    client_id, _ = await app_client(client, admin, confidential=False, name="Short-lived app")
    await tokens_for(client, admin, subject, client_id, None)
    listed = (await client.get("/v1/my/authorised-apps", headers=bearer(own))).json()["items"]
    assert [a["client_id"] for a in listed] == [client_id]
    row_id = client_id.split(".", 1)[1]
    current = await client.get(f"/v1/api-clients/{row_id}", headers=bearer(admin))
    deleted = await client.delete(
        f"/v1/api-clients/{row_id}", headers=bearer(admin, **{"If-Match": current.headers["etag"]})
    )
    assert deleted.status_code == 204, deleted.text
    assert (await client.get("/v1/my/authorised-apps", headers=bearer(own))).json()["items"] == []


# -- 6. the tenant's identity provider is called under the webhooks' SSRF policy ------------------------------


@pytest.mark.parametrize(
    ("issuer", "loopback_allowed"),
    [
        ("https://169.254.169.254", True),  # cloud metadata, link-local
        ("https://10.0.0.1", True),  # private
        ("https://[::ffff:10.0.0.1]", True),  # private, in IPv6 clothing
        ("https://localhost:1", False),  # loopback by name, where a provider on this machine is not allowed
    ],
)
async def test_a_provider_at_an_internal_address_is_never_called(
    issuer: str, loopback_allowed: bool, caplog: Any
) -> None:
    from domain.sign_in import oidc
    from domain.sign_in.model import IdentityProviderFailed

    with caplog.at_level(logging.WARNING, logger="domain.sign_in.oidc"), pytest.raises(IdentityProviderFailed):
        await oidc.discover(issuer, allow_loopback_http=loopback_allowed)
    assert "identity provider call refused (address)" in caplog.text


@pytest.mark.parametrize(
    "issuer",
    [
        "https://169.254.169.254",  # cloud metadata, link-local
        "https://10.0.0.1/realms/staff",  # private
        "https://192.168.1.10:8443",  # private, with a port
        "https://[::ffff:10.0.0.1]",  # private, in IPv6 clothing
        "https://[fe80::1]",  # link-local IPv6
        "https://0x0a.1",  # 10.0.0.1 in a resolver's shorthand
        "https://0.0.0.0",  # unspecified
    ],
)
async def test_an_issuer_at_an_internal_address_is_refused_when_saved(client: Any, admin: str, issuer: str) -> None:
    await set_provider(client, admin, None, enabled=False)
    current = await client.get("/v1/identity-provider", headers=bearer(admin))
    body = {"issuer": issuer, "client_id": "metadata", "client_secret": "x", "enabled": True}
    refused = await client.put("/v1/identity-provider", json=body, headers=bearer(
        admin, **{"If-Match": current.headers["etag"], "Accept-Language": "ja"}))
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "identity_provider_issuer_address_not_allowed"
    assert [error["pointer"] for error in problem["errors"]] == ["/issuer"]
    assert "内部" in problem["detail"]  # in the reader's language
    after = await client.get("/v1/identity-provider", headers=bearer(admin))
    assert after.headers["etag"] == current.headers["etag"] and after.json()["issuer"] != issuer  # nothing saved


async def test_a_loopback_issuer_is_refused_when_saved_unless_a_provider_on_this_machine_is_allowed(
    tenant_a: uuid.UUID,
) -> None:
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.sign_in.model import IdentityProviderSettings, IssuerAddressNotAllowed
    from domain.sign_in.service import set_identity_provider

    admin = Principal(tenant_id=tenant_a, subject="hardening-admin", roles=frozenset({Role.TENANT_ADMIN}))
    for issuer in ("https://127.0.0.1:9443", "https://localhost", "https://idp.localhost", "https://2130706433",
                   "https://[::1]"):
        settings = IdentityProviderSettings(issuer=issuer, client_id="x", client_secret="x", enabled=False)
        with pytest.raises(IssuerAddressNotAllowed) as refused:
            await set_identity_provider(admin, settings, None, allow_loopback_http=False)
        assert refused.value.field == "issuer"


async def test_an_installation_that_allows_internal_targets_may_save_an_internal_issuer(tenant_a: uuid.UUID) -> None:
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal
    from domain.kernel.ssrf import TargetPolicy
    from domain.sign_in.model import IdentityProviderSettings
    from domain.sign_in.service import identity_provider, provider_version, set_identity_provider
    from domain.webhooks import service as webhooks
    from domain.webhooks.service import WebhookConfig

    admin = Principal(tenant_id=tenant_a, subject="hardening-admin", roles=frozenset({Role.TENANT_ADMIN}))
    previous = webhooks.current_config()
    try:
        webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True)))  # on-prem, by setting
        settings = IdentityProviderSettings(issuer="https://10.20.30.40/realms/staff", client_id="x",
                                            client_secret="x", enabled=False)
        saved = await set_identity_provider(admin, settings, await provider_version(admin), allow_loopback_http=False)
        assert saved.issuer == "https://10.20.30.40/realms/staff"
    finally:
        webhooks.configure(previous)
    settings = IdentityProviderSettings(issuer="https://unused.example.com", client_id="x", enabled=False)
    await set_identity_provider(admin, settings, await provider_version(admin), allow_loopback_http=False)
    assert (await identity_provider(admin)).issuer == "https://unused.example.com"  # a name: no DNS asked


async def test_signing_in_through_a_provider_at_an_internal_address_stops_at_meridian(
    client: Any, admin: str, tenant_a: uuid.UUID, caplog: Any
) -> None:
    """A provider saved before its address was checked on saving is still refused when it would be called."""
    from domain.kernel.db import current_database, unit_of_work

    current = await client.get("/v1/identity-provider", headers=bearer(admin))
    body = {"issuer": "https://idp.example.com", "client_id": "metadata", "client_secret": "x", "enabled": True}
    headers = bearer(admin, **({"If-Match": current.headers["etag"]} if current.status_code == 200 else {}))
    assert (await client.put("/v1/identity-provider", json=body, headers=headers)).status_code == 200
    async with unit_of_work(tenant_a) as uow:
        await current_database().execute("UPDATE identity_providers SET issuer = {} WHERE tenant_id = {}",
                                          "https://169.254.169.254", str(uow.tenant_id))
    client_id, _ = await app_client(client, admin, confidential=False, name="SSRF probe app")
    _, challenge = pkce()
    with caplog.at_level(logging.WARNING, logger="domain.sign_in.oidc"):
        started = await client.get(authorize_url(client_id, challenge))
    assert started.status_code == 401 and "location" not in started.headers
    assert "identity provider call refused (address)" in caplog.text
    await set_provider(client, admin, None, enabled=False)


def test_the_providers_policy_is_the_webhooks_with_loopback_where_allowed() -> None:
    from domain.kernel.ssrf import TargetPolicy
    from domain.sign_in import oidc
    from domain.webhooks import service as webhooks
    from domain.webhooks.service import WebhookConfig

    previous = webhooks.current_config()
    try:
        webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=False)))
        assert oidc.policy(False) == TargetPolicy(internal=False, loopback=False)
        assert oidc.policy(True) == TargetPolicy(internal=False, loopback=True)
        webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True)))  # on-prem, internal targets allowed
        assert oidc.policy(False).internal is True
    finally:
        webhooks.configure(previous)
