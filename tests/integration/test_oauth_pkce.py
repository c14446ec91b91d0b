"""A partner's mobile app acting for a person: authorization code with PKCE end to end, through our own OpenID
provider over real HTTP (tests/oidc_issuer.py) or, without one, the local sign-in with a one-time code; consent with
its CSRF token; tokens that act as the person within the granted scopes; refresh tokens rotated on every use, a
reused one revoking its family; and every way of presenting a code wrongly refused with an RFC 6749 error."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.conftest import bearer, provision
from tests.oidc_issuer import OidcTestIssuer, running_issuer

pytestmark = pytest.mark.anyio

APP_REDIRECT = "com.example.payslips:/callback"
CALLBACK = "http://testserver/oauth/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return unescape(found.group(1))


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in_cookie(response: httpx.Response) -> str:
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("SameSite=Lax", "SameSite=lax")
    return cookie.split(";", 1)[0]


async def new_app_client(client: Any, admin: str, scopes: list[str], name: str = "Payslip app") -> str:
    answer = await client.post("/v1/api-clients", headers=bearer(admin), json={
        "name": name, "grant_types": ["authorization_code", "refresh_token"], "scopes": scopes,
        "redirect_uris": [APP_REDIRECT], "confidential": False})
    assert answer.status_code == 201, answer.text
    assert answer.json()["client_secret"] is None
    return str(answer.json()["client"]["client_id"])


async def set_provider(client: Any, admin: str, issuer: OidcTestIssuer | None, enabled: bool) -> None:
    """Configure (or disable) the tenant's identity provider, with If-Match when one exists."""
    current = await client.get("/v1/identity-provider", headers=bearer(admin))
    body: dict[str, Any] = {"issuer": issuer.issuer if issuer else "https://unused.example.com",
                            "client_id": issuer.client_id if issuer else "unused", "enabled": enabled}
    if issuer is not None:
        body["client_secret"] = issuer.client_secret
    if current.status_code == 404:
        body.setdefault("client_secret", "unused")
        answer = await client.put("/v1/identity-provider", headers=bearer(admin), json=body)
    else:
        answer = await client.put("/v1/identity-provider", json=body,
                                  headers=bearer(admin, **{"If-Match": current.headers["etag"]}))
    assert answer.status_code == 200, answer.text
    assert answer.json()["client_secret_set"] is True and "client_secret" not in answer.json()


def authorize_url(client_id: str, challenge: str, scope: str = "payslips:read:self", **extra: str) -> str:
    return "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": APP_REDIRECT, "scope": scope,
        "state": "app-state-1", "code_challenge": challenge, "code_challenge_method": "S256", **extra})


async def through_provider(client: Any, issuer: OidcTestIssuer, client_id: str, challenge: str,
                           language: str = "ja") -> tuple[str, str]:
    """authorize → the provider (real HTTP) → callback: the consent page and the browser's cookie."""
    started = await client.get(authorize_url(client_id, challenge), headers={"Accept-Language": language})
    assert started.status_code == 303, started.text
    cookie = sign_in_cookie(started)
    provider_url = started.headers["location"]
    assert provider_url.startswith(issuer.issuer + "/authorize?")
    asked = query_of(provider_url)
    assert asked["redirect_uri"] == CALLBACK and asked["code_challenge_method"] == "S256" and asked["nonce"]
    async with httpx.AsyncClient() as browser:  # the provider is a real server on a loopback port
        signed_in = await browser.get(provider_url)
    assert signed_in.status_code == 302
    back = signed_in.headers["location"]
    assert back.startswith(CALLBACK)
    consent = await client.get(back.removeprefix("http://testserver"), headers={"Cookie": cookie})
    if consent.status_code == 303:  # the person allowed this app these scopes before: straight back to the app
        assert consent.headers["location"].startswith(APP_REDIRECT + "?")
        return REMEMBERED + consent.headers["location"], cookie
    assert consent.status_code == 200, consent.text
    return consent.text, cookie


#: What :func:`through_provider` answers in place of a consent page when the consent was remembered.
REMEMBERED = "remembered:"


async def approve(client: Any, page: str, cookie: str, decision: str = "approve") -> str:
    if page.startswith(REMEMBERED):
        assert decision == "approve", "a remembered consent shows no page to deny on"
        return page.removeprefix(REMEMBERED)
    answer = await client.post("/oauth/consent", content=urlencode({
        "request": form_value(page, "request"), "csrf": form_value(page, "csrf"), "decision": decision}),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(APP_REDIRECT + "?")
    return location


async def token(client: Any, **form: str) -> httpx.Response:
    return await client.post("/oauth/token", content=urlencode(form),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


async def redeem(client: Any, client_id: str, code: str, verifier: str, redirect: str = APP_REDIRECT) -> httpx.Response:
    return await token(client, grant_type="authorization_code", code=code, redirect_uri=redirect,
                       client_id=client_id, code_verifier=verifier)


async def refresh(client: Any, client_id: str, refresh_token: str) -> httpx.Response:
    return await token(client, grant_type="refresh_token", refresh_token=refresh_token, client_id=client_id)


async def client_of_another_tenant(tenant: uuid.UUID) -> str:
    """A public app client registered by another tenant's admin (through the use case: on-prem, the API answers
    only the installation's own tenant)."""
    from domain.api_clients.model import GrantType, NewApiClient
    from domain.api_clients.service import create_client
    from domain.kernel.permissions import Role
    from domain.kernel.principal import Principal

    other_admin = Principal(tenant_id=tenant, subject="pkce-other-admin", roles=frozenset({Role.TENANT_ADMIN}))
    made = await create_client(other_admin, NewApiClient(
        name="Other app", grant_types=[GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN],
        scopes=["payslips:read:self"], redirect_uris=[APP_REDIRECT], confidential=False))
    return made.client.client_id


@pytest.fixture(scope="module")
async def admin(token_for: Any, tenant_a: uuid.UUID) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="pkce-admin")


@pytest.fixture(scope="module")
async def person(token_for: Any, tenant_a: uuid.UUID) -> str:
    """An employee of tenant A (their token's subject names their employee record)."""
    subject = f"employee:{uuid.uuid4()}"
    await token_for(tenant_a, "employee", subject=subject)
    return subject


@pytest.fixture(scope="module")
async def app_client_id(client: Any, admin: str) -> str:
    return await new_app_client(client, admin, ["payslips:read:self", "recruitment:read"])


async def test_the_whole_flow_through_the_identity_provider(client: Any, admin: str, person: str,
                                                          app_client_id: str) -> None:
    with running_issuer() as issuer:
        issuer.redirect_uri, issuer.subject = CALLBACK, person
        await set_provider(client, admin, issuer, enabled=True)
        verifier, challenge = pkce()
        page, cookie = await through_provider(client, issuer, app_client_id, challenge, language="ja")
    # The consent page is in the language asked for, names the app and the scope in plain words, and has a CSRF token.
    assert '<html lang="ja">' in page and "Payslip app" in page and "payslips:read:self" in page
    assert "許可" in page
    assert "default-src 'none'" not in page  # a header, not page text
    location = await approve(client, page, cookie)
    returned = query_of(location)
    assert returned["state"] == "app-state-1" and returned["code"]

    issued = await redeem(client, app_client_id, returned["code"], verifier)
    assert issued.status_code == 200, issued.text
    tokens = issued.json()
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == "payslips:read:self" and tokens["refresh_token"]
    assert issued.headers["cache-control"] == "no-store"

    # The token acts as the person, within the granted scope and their roles.
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json()["subject"] == person
    own = await client.get("/v1/my/payslips", headers=bearer(tokens["access_token"]))
    assert own.status_code == 200, own.text
    # Their role allows report links, but the scope granted does not; their role never allowed reading employees.
    link = await client.post("/v1/report-links", headers=bearer(tokens["access_token"]),
                             json={"report": "payslip", "payslip_id": str(uuid.uuid4())})
    assert link.status_code == 403
    assert (await client.get("/v1/employees", headers=bearer(tokens["access_token"]))).status_code == 403

    # Asking a refresh for a scope the person never granted (though the client has it) is refused, and replaces
    # nothing: the refresh token still works.
    wider = await token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"],
                        client_id=app_client_id, scope="payslips:read:self recruitment:read")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope", wider.text

    # A refresh replaces the refresh token; the new access token works.
    renewed = await refresh(client, app_client_id, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["refresh_token"] != tokens["refresh_token"] and second["scope"] == "payslips:read:self"
    assert (await client.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 200

    # Another app's refresh token presented by this client: refused, and nothing of it replaced.
    other_app = await new_app_client(client, admin, ["payslips:read:self"], name="Second app")
    stolen = await refresh(client, other_app, second["refresh_token"])
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    assert (await client.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 200

    # The replaced refresh token used again: refused, and the whole family is revoked with its access tokens.
    reused = await refresh(client, app_client_id, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert (await refresh(client, app_client_id, second["refresh_token"])).json()["error"] == "invalid_grant"
    for access in (tokens["access_token"], second["access_token"]):
        assert (await client.get("/v1/me", headers=bearer(access))).status_code == 401


async def test_codes_presented_wrongly_are_refused(client: Any, admin: str, person: str, app_client_id: str,
                                                  tenant_a: uuid.UUID) -> None:
    with running_issuer() as issuer:
        issuer.redirect_uri, issuer.subject = CALLBACK, person
        await set_provider(client, admin, issuer, enabled=True)

        async def fresh_code() -> tuple[str, str]:
            verifier, challenge = pkce()
            page, cookie = await through_provider(client, issuer, app_client_id, challenge, language="en")
            return query_of(await approve(client, page, cookie))["code"], verifier

        # A wrong verifier is refused, and the code is spent by the try.
        code, verifier = await fresh_code()
        wrong = await redeem(client, app_client_id, code, pkce()[0])
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        assert (await redeem(client, app_client_id, code, verifier)).json()["error"] == "invalid_grant"
        # No verifier at all.
        code, verifier = await fresh_code()
        bare = await token(client, grant_type="authorization_code", code=code, redirect_uri=APP_REDIRECT,
                           client_id=app_client_id)
        assert bare.status_code == 400 and bare.json()["error"] in ("invalid_request", "invalid_grant")
        # Another redirect URI than the one authorised.
        code, verifier = await fresh_code()
        moved = await redeem(client, app_client_id, code, verifier, redirect="com.example.evil:/callback")
        assert moved.status_code == 400 and moved.json()["error"] == "invalid_grant"
        # Used twice: the second is refused, and the tokens of the first are revoked.
        code, verifier = await fresh_code()
        first = await redeem(client, app_client_id, code, verifier)
        assert first.status_code == 200
        again = await redeem(client, app_client_id, code, verifier)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
        assert (await client.get("/v1/me", headers=bearer(first.json()["access_token"]))).status_code == 401
        assert (await refresh(client, app_client_id, first.json()["refresh_token"])).json()["error"] == "invalid_grant"
        # Another tenant's client, and a client id that puts this tenant's id before another tenant's client.
        code, verifier = await fresh_code()
        tenant_b = await provision(f"PKCE other {uuid.uuid4().hex[:6]}")
        other_client = await client_of_another_tenant(tenant_b)
        foreign = await redeem(client, other_client, code, verifier)
        assert foreign.status_code in (400, 401) and foreign.json()["error"] in ("invalid_grant", "invalid_client")
        spliced = f"{tenant_a}.{other_client.split('.', 1)[1]}"
        forged = await redeem(client, spliced, code, verifier)
        assert forged.status_code in (400, 401), forged.text
        assert forged.json()["error"] == "invalid_client", forged.text
        # Nor does the other tenant's client start a sign-in in this one.
        _, challenge = pkce()
        started = await client.get(authorize_url(spliced, challenge))
        assert started.status_code == 400 and "location" not in started.headers


async def test_authorize_refuses_before_redirecting_and_denial_goes_back(client: Any, admin: str, person: str,
                                                                       app_client_id: str) -> None:
    _, challenge = pkce()
    # An unknown client and an unregistered redirect URI are a page for the person, never a redirect.
    unknown = await client.get(authorize_url(f"{uuid.uuid4()}.{uuid.uuid4()}", challenge),
                               headers={"Accept-Language": "zh-CN"})
    assert unknown.status_code == 400 and "location" not in unknown.headers
    assert '<html lang="zh-CN">' in unknown.text
    elsewhere = await client.get(authorize_url(app_client_id, challenge).replace(
        "com.example.payslips", "com.example.evil"))
    assert elsewhere.status_code == 400 and "location" not in elsewhere.headers
    # With a registered redirect URI, protocol errors go back to the app.
    no_pkce = await client.get(authorize_url(app_client_id, challenge, code_challenge_method="plain"))
    assert no_pkce.status_code == 303 and query_of(no_pkce.headers["location"])["error"] == "invalid_request"
    too_much = await client.get(authorize_url(app_client_id, challenge, scope="payroll:read"))
    assert query_of(too_much.headers["location"])["error"] == "invalid_scope"
    wrong_type = await client.get(authorize_url(app_client_id, challenge, response_type="token"))
    assert query_of(wrong_type.headers["location"])["error"] == "unsupported_response_type"

    # An app this person never allowed: the consent page is shown (an allowed one is remembered).
    app_client_id = await new_app_client(client, admin, ["payslips:read:self"], name="Denied app")
    with running_issuer() as issuer:
        issuer.redirect_uri, issuer.subject = CALLBACK, person
        await set_provider(client, admin, issuer, enabled=True)
        # Denied: access_denied, with the app's state.
        page, cookie = await through_provider(client, issuer, app_client_id, challenge)
        denied = query_of(await approve(client, page, cookie, decision="deny"))
        assert denied == {"error": "access_denied", "state": "app-state-1"}
        # A consent form without this sign-in's CSRF token, or from another browser, does nothing.
        page, cookie = await through_provider(client, issuer, app_client_id, challenge)
        forged = {"request": form_value(page, "request"), "csrf": "guessed", "decision": "approve"}
        for headers in ({"Cookie": cookie}, {"Cookie": "meridian_sign_in=someone-else"}):
            refused = await client.post("/oauth/consent", content=urlencode(forged), headers={
                **headers, "Content-Type": "application/x-www-form-urlencoded"})
            assert refused.status_code == 410 and "location" not in refused.headers
        # An ID token with another nonce than this sign-in drew is refused.
        issuer.tamper = {"nonce": "replayed"}
        started = await client.get(authorize_url(app_client_id, challenge))
        async with httpx.AsyncClient() as browser:
            back = (await browser.get(started.headers["location"])).headers["location"]
        refused = await client.get(back.removeprefix("http://testserver"),
                                   headers={"Cookie": sign_in_cookie(started)})
        assert refused.status_code == 401 and "location" not in refused.headers


async def test_local_sign_in_with_a_one_time_code_and_revocation(client: Any, admin: str, person: str,
                                                                app_client_id: str) -> None:
    # An app this person never allowed: the consent page is shown (an allowed one is remembered).
    app_client_id = await new_app_client(client, admin, ["payslips:read:self"], name="Local sign-in app")
    await set_provider(client, admin, None, enabled=False)  # an installation without an identity provider
    issued = await client.post("/v1/sign-in-codes", headers=bearer(admin), json={"subject": person})
    assert issued.status_code == 201, issued.text
    one_time = issued.json()["code"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", one_time)

    verifier, challenge = pkce()
    form = await client.get(authorize_url(app_client_id, challenge, ui_locales="zh-CN"))
    assert form.status_code == 200 and '<html lang="zh-CN">' in form.text and 'name="code"' in form.text
    cookie = sign_in_cookie(form)
    handle = form_value(form.text, "request")

    async def sign_in(code: str, subject: str = person) -> httpx.Response:
        return await client.post("/oauth/sign-in", content=urlencode({"request": handle, "subject": subject,
                                                                      "code": code}),
                                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})

    wrong = await sign_in("AAAA-BBBB-CCCC")
    assert wrong.status_code == 400 and 'name="code"' in wrong.text and '<html lang="zh-CN">' in wrong.text
    assert (await sign_in(one_time, subject="someone-else")).status_code == 400
    consent = await sign_in(one_time.lower().replace("-", " "))  # typed loosely
    assert consent.status_code == 200 and 'name="csrf"' in consent.text, consent.text
    code = query_of(await approve(client, consent.text, cookie))["code"]
    tokens = (await redeem(client, app_client_id, code, verifier)).json()
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).json()["subject"] == person

    # The code worked once: a new sign-in with it is refused.
    _, challenge = pkce()
    again = await client.get(authorize_url(app_client_id, challenge))
    reuse = await client.post("/oauth/sign-in", content=urlencode({
        "request": form_value(again.text, "request"), "subject": person, "code": one_time}),
        headers={"Cookie": sign_in_cookie(again), "Content-Type": "application/x-www-form-urlencoded"})
    assert reuse.status_code == 400

    # RFC 7009 on the refresh token: the family and its access token stop working.
    revoked = await client.post("/oauth/revoke", content=urlencode({
        "token": tokens["refresh_token"], "token_type_hint": "refresh_token", "client_id": app_client_id}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert revoked.status_code == 200, revoked.text
    assert (await refresh(client, app_client_id, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await client.get("/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401


async def test_housekeeping_deletes_what_expired(client: Any, admin: str, person: str, app_client_id: str,
                                                 tenant_a: uuid.UUID) -> None:
    from datetime import timedelta

    from domain.kernel.time import utc_now
    from domain.sign_in.service import purge_expired

    # An app this person never allowed: the consent page is shown (an allowed one is remembered).
    app_client_id = await new_app_client(client, admin, ["payslips:read:self"], name="Housekeeping app")
    await set_provider(client, admin, None, enabled=False)
    one_time = (await client.post("/v1/sign-in-codes", headers=bearer(admin), json={"subject": person})).json()
    verifier, challenge = pkce()
    form = await client.get(authorize_url(app_client_id, challenge))
    cookie = sign_in_cookie(form)
    consent = await client.post("/oauth/sign-in", content=urlencode({
        "request": form_value(form.text, "request"), "subject": person, "code": one_time["code"]}),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    code = query_of(await approve(client, consent.text, cookie))["code"]
    tokens = (await redeem(client, app_client_id, code, verifier)).json()
    assert await purge_expired(tenant_a) >= 0  # nothing of this sign-in has expired yet
    assert (await refresh(client, app_client_id, tokens["refresh_token"])).status_code == 200
    # A month and two days on, the refresh tokens (30 days) and everything shorter-lived are gone.
    assert await purge_expired(tenant_a, now=utc_now() + timedelta(days=32)) >= 4


async def test_identity_provider_settings_are_for_tenant_admins_and_audited(client: Any, admin: str,
                                                                            token_for: Any,
                                                                            tenant_a: uuid.UUID) -> None:
    employee = await token_for(tenant_a, "employee", subject="pkce-nosy-employee")
    assert (await client.get("/v1/identity-provider", headers=bearer(employee))).status_code == 403
    current = await client.get("/v1/identity-provider", headers=bearer(admin))
    if current.status_code == 404:
        await set_provider(client, admin, None, enabled=False)
        current = await client.get("/v1/identity-provider", headers=bearer(admin))
    body = {"issuer": "http://idp.example.com", "client_id": "x", "enabled": False}
    refused = await client.put("/v1/identity-provider", json=body,
                               headers=bearer(admin, **{"If-Match": current.headers["etag"]}))
    assert refused.status_code == 400 and refused.json()["code"] == "identity_provider_issuer_not_https"
    body["issuer"] = "https://idp.example.com"
    assert (await client.put("/v1/identity-provider", json=body, headers=bearer(admin))).status_code == 428
    stale = await client.put("/v1/identity-provider", json=body, headers=bearer(admin, **{"If-Match": '"v999"'}))
    assert stale.status_code == 412
    audit = await client.get("/v1/audit/entries?entity_type=identity_provider&limit=200", headers=bearer(admin))
    actions = {entry["action"] for entry in audit.json()["items"]}
    assert "identity_provider.updated" in actions or "identity_provider.created" in actions
    assert "issuer-secret" not in audit.text
