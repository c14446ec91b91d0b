"""How people of a tenant sign in to partner apps: the tenant's OpenID Connect provider, one-time sign-in codes for
installations without one, and the apps each person allowed to act for them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, expected_version, with_etag
from api.openapi import NOT_FOUND
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.sign_in import service
from domain.sign_in.model import (
    AuthorisedAppView,
    IdentityProviderSettings,
    IdentityProviderView,
    NewSignInCode,
    SignInCodeView,
)


class IdentityProviderController(Controller):
    path = "/v1/identity-provider"
    tags = ["Sign-in"]

    @get("/", operation_id="getIdentityProvider", opt=requires(Operation.IDENTITY_PROVIDER_READ),
         responses={404: NOT_FOUND},
         summary="Your organisation's OpenID Connect provider for signing people in to partner apps (never its "
                 "secret)")
    async def read(self, principal: Caller) -> Response[IdentityProviderView]:
        """The provider through which employees and candidates sign in when a partner's app asks to act for them
        (`GET /oauth/authorize`): its issuer, Meridian's client id there, the ID token claim that names a user's
        `subject`, and whether it is enabled. The client secret is never shown, only whether one is stored. 404
        `identity_provider_not_set` while none is configured: people then sign in with one-time codes
        (`POST /v1/sign-in-codes`)."""
        return with_etag(await service.identity_provider(principal))

    @put("/", operation_id="setIdentityProvider", opt=requires(Operation.IDENTITY_PROVIDER_WRITE),
         summary="Configure your organisation's OpenID Connect provider (If-Match to replace one; audited)")
    async def set(self, request: Request[Any, Any, Any], principal: Caller,
                  data: JSONBody[IdentityProviderSettings]) -> Response[IdentityProviderView]:
        """Sets the provider people sign in through for partner apps. The issuer must be https (400
        `identity_provider_issuer_not_https`) and may not name a private, loopback, link-local or other internal
        address (422 `identity_provider_issuer_address_not_allowed`, pointing at `/issuer`; the host is resolved
        and checked again whenever Meridian calls the provider). Meridian reads its
        `/.well-known/openid-configuration` when someone signs in and verifies every ID token against the keys it
        publishes. Register `<this server>/oauth/callback` as the redirect URI at the provider. The client secret
        is sealed with your organisation's data key; send it the first time, and later only to change it. Replacing
        a configured provider needs `If-Match` with its ETag (428 without, 412 when stale). Every change is in the
        audit trail, without the secret."""
        version = expected_version(request) if request.headers.get("if-match") else None
        settings = request.app.state.settings
        return with_etag(await service.set_identity_provider(principal, data, version,
                                                             settings.oidc_allow_loopback_http))


class SignInCodeController(Controller):
    path = "/v1/sign-in-codes"
    tags = ["Sign-in"]

    @post("/", operation_id="createSignInCode", opt=requires(Operation.USERS_WRITE), status_code=201,
          summary="A one-time code a person signs in to a partner app with, where no identity provider is "
                  "configured (shown once; audited)")
    async def create(self, principal: Caller, data: JSONBody[NewSignInCode]) -> SignInCodeView:
        """For installations without an identity provider: a code for one person (a user's `subject`, who must be
        an active person) to sign in with on the sign-in page of `GET /oauth/authorize`. It is shown this once
        (Meridian keeps only its SHA-256), works once, and only for an hour; five wrong codes end a sign-in. Hand it
        to the person as you would a first password. The app then stays signed in with its refresh token."""
        return await service.issue_sign_in_code(principal, data)


class OwnAuthorisedAppController(Controller):
    path = "/v1/my/authorised-apps"
    tags = ["Sign-in"]

    @get("/", operation_id="listMyAuthorisedApps", opt=requires(Operation.ME_READ),
         summary="The partner apps you allowed to act for you, and the scopes you allowed each")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[AuthorisedAppView]:
        """Each app you approved on the consent page of `GET /oauth/authorize`, with the scopes you allowed it: while
        it asks for these or fewer, you are not asked again. Only with your own sign-in, never through an app's
        token (403 `authorised_apps_not_through_an_app`)."""
        return await service.authorised_apps(principal, cursor, limit)

    @delete("/{authorisation_id:uuid}", operation_id="revokeMyAuthorisedApp", opt=requires(Operation.ME_READ),
            responses={404: NOT_FOUND},
            summary="Withdraw an app's permission to act for you; its tokens for you stop working at once")
    async def revoke(self, principal: Caller, authorisation_id: FromPath[UUID]) -> None:
        """The app must ask you again (the consent page) before it may act for you, and every refresh token it
        holds for you, with the access tokens issued beside them, is refused from its next use. Audited. 404
        `authorised_app_not_found` for an app you have not allowed (or revoked already)."""
        await service.revoke_authorised_app(principal, authorisation_id)
