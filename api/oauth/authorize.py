"""The browser's side of the authorization code grant with PKCE: ``GET /oauth/authorize`` checks the app's request
against its client, then the person signs in (through the tenant's OpenID Connect provider, back at
``/oauth/callback``, or with a one-time code on ``/oauth/sign-in``) and answers the consent page
(``/oauth/consent``), which sends them back to the app with a code or ``error=access_denied``.

Nothing here is redirected to an address before it is known to be one of the client's registered redirect URIs
(exactly); errors before that are a page for the person. The browser that started a sign-in holds its secret in an
HttpOnly, SameSite=Lax cookie; the provider's state, the sign-in form and the consent form carry the request's
handle, and the consent form a CSRF token of its own, so no other page or browser can finish someone's sign-in."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import QueryParameter

from api.guards import PUBLIC
from api.openapi import HTML_ERRORS
from api.problems import PROBLEM_MEDIA_TYPE, Problem, request_id_of, status_of
from domain.api_clients.model import GrantType
from domain.api_clients.service import TokenEndpointClient, client_for_token_endpoint
from domain.kernel.html_pages import page_head
from domain.kernel.i18n import SUPPORTED, locale_code, negotiate, translate
from domain.kernel.permissions import SCOPE_MESSAGES, SCOPES
from domain.sign_in import service as sign_in
from domain.sign_in.model import (
    PKCE_METHOD,
    REQUEST_SECONDS,
    RedirectNotRegistered,
    SignInError,
    SignInExpired,
    SignInRefused,
    UnknownClient,
    with_query,
)

COOKIE = "meridian_sign_in"

SIGN_IN_PAGE_MESSAGES = {
    "sign_in_title": "Sign in",
    "sign_in_intro": "{app} asks to act for you. Sign in with your user name and the one-time sign-in code your "
                     "administrator gave you.",
    "subject_label": "User name",
    "code_label": "One-time sign-in code",
    "sign_in_button": "Sign in",
    "consent_title": "Allow {app} to act for you?",
    "consent_intro": "You are signed in as {person}. If you allow it, {app} may do the following for you, and never "
                     "more than your own role allows:",
    "approve_button": "Allow",
    "deny_button": "Deny",
    "error_again": "Go back to the app and start again.",
}

_CSS = """body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Hiragino Sans",sans-serif;
color:#1f2328;margin:2rem auto;max-width:32rem;padding:0 1rem;line-height:1.5}
body:lang(ja){font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK JP","Hiragino Sans",
"Yu Gothic",Meiryo,sans-serif}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=text]{width:100%;padding:.5rem;
font-size:1rem;box-sizing:border-box}button{font-size:1rem;padding:.5rem 1.2rem;margin:1rem .5rem 0 0}
li{margin:.3rem 0}.error{color:#b42318}"""


def _text(key: str, locale: str, **params: str) -> str:
    return escape(translate(SIGN_IN_PAGE_MESSAGES[key], locale, **params))


def _page(locale: str, title: str, body: list[str], status: int = 200, form_action: str = "'self'",
          cookie: Cookie | None = None) -> Response[bytes]:
    html = "\n".join([*page_head(locale, title, title, _CSS), *body, "</body>", "</html>"])
    headers = {
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                                   f"base-uri 'none'; form-action {form_action}",
    }
    return Response(html.encode(), status_code=status, media_type=MediaType.HTML, headers=headers,
                    cookies=[cookie] if cookie else None)


def _error_page(request: Request[Any, Any, Any], locale: str, exc: SignInError) -> Response[bytes]:
    request.scope["state"]["locale"] = locale
    title = escape(translate(exc.title, locale))
    return _page(locale, title, [f'<p class="error">{escape(translate(exc.template, locale, **exc.params))}</p>',
                                 f"<p>{_text('error_again', locale)}</p>"], status=status_of(exc))


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}">'


def _sign_in_form(locale: str, app: str, handle: str, error: SignInError | None = None,
                  cookie: Cookie | None = None) -> Response[bytes]:
    body = [f"<p>{_text('sign_in_intro', locale, app=app)}</p>"]
    if error is not None:
        body.append(f'<p class="error">{escape(translate(error.template, locale, **error.params))}</p>')
    body += [
        '<form method="post" action="/oauth/sign-in">', _hidden("request", handle),
        f'<label for="subject">{_text("subject_label", locale)}</label>',
        '<input type="text" id="subject" name="subject" autocomplete="username" required maxlength="200">',
        f'<label for="code">{_text("code_label", locale)}</label>',
        '<input type="text" id="code" name="code" autocomplete="one-time-code" required maxlength="40">',
        f'<button type="submit">{_text("sign_in_button", locale)}</button>', "</form>"]
    return _page(locale, _text("sign_in_title", locale), body, status=400 if error else 200, cookie=cookie)


def _consent_page(signed: sign_in.SignedIn, client: TokenEndpointClient) -> Response[bytes]:
    locale, app = signed.locale, client.client.name
    items = [f"<li><strong>{escape(scope)}</strong>: {escape(translate(SCOPE_MESSAGES.get(scope, scope), locale))}"
             f"</li>" for scope in signed.scopes]
    body = [f"<p>{_text('consent_intro', locale, person=signed.display_name, app=app)}</p>", "<ul>", *items, "</ul>",
            '<form method="post" action="/oauth/consent">', _hidden("request", signed.handle),
            _hidden("csrf", signed.csrf),
            f'<button type="submit" name="decision" value="approve">{_text("approve_button", locale)}</button>',
            f'<button type="submit" name="decision" value="deny">{_text("deny_button", locale)}</button>', "</form>"]
    # The consent form's answer redirects to the app: its address must be allowed as a form target.
    targets = " ".join(sorted({_origin(uri) for uri in client.client.redirect_uris}))
    return _page(locale, _text("consent_title", locale, app=app), body, form_action=f"'self' {targets}")


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else f"{parts.scheme}:"


def _locale(request: Request[Any, Any, Any], ui_locales: str | None) -> str:
    """ui_locales (OpenID Connect: space-separated, most wanted first) where it names one of ours, else
    Accept-Language, else the installation's default."""
    for tag in (ui_locales or "").split():
        code = locale_code(tag)
        if code in SUPPORTED:
            return code
        language = negotiate(tag, "")
        if language:
            return language
    return str(request.scope.get("state", {}).get("locale", "en"))


def _settings(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.settings


def _callback_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/") + "/oauth/callback"


def _cookie(request: Request[Any, Any, Any], value: str) -> Cookie:
    return Cookie(key=COOKIE, value=value, path="/oauth", httponly=True, samesite="lax", max_age=REQUEST_SECONDS,
                  secure=request.url.scheme == "https")


async def _client(request: Request[Any, Any, Any], client_id: str | None) -> TokenEndpointClient:
    runtime = request.app.state.runtime
    found = await client_for_token_endpoint(client_id or "", runtime.home_tenant if
                                            _settings(request).mode == "onprem" else None)
    if found is None or GrantType.AUTHORIZATION_CODE not in found.client.grant_types:
        raise UnknownClient()
    return found


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {name: values[0] for name, values in parse_qs(body, max_num_fields=10).items()}


async def _consent_or_back(request: Request[Any, Any, Any], signed: sign_in.SignedIn,
                           client: TokenEndpointClient) -> Response[bytes]:
    """The consent page; or, when the person allowed this app these scopes (or more) before and has not revoked
    it, straight back to the app with a code, as if they had approved again."""
    if not signed.remembered:
        return _consent_page(signed, client)
    try:
        location = await sign_in.decide(signed.handle, request.cookies.get(COOKIE), signed.csrf, True,
                                        request_id_of(request), remembered=True)
    except SignInError as exc:
        return _error_page(request, signed.locale, exc)
    response = _redirect(location)
    response.delete_cookie(COOKIE, path="/oauth")
    return response


def _redirect(location: str, cookie: Cookie | None = None) -> Response[bytes]:
    return Response(b"", status_code=303, headers={"Location": location, "Cache-Control": "no-store"},
                    cookies=[cookie] if cookie else None)


def _page_error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description,
                        generate_examples=False)


#: What the sign-in pages answer when they cannot go on: a page for the person (text/html), or a problem when the
#: request itself is malformed before any page is chosen.
_HTML_ERRORS = {
    401: _page_error("A page: the identity provider did not confirm who the person is"),
    403: _page_error("A page: the person signed in but is not an active user of this organisation"),
    410: _page_error("A page: the sign-in expired, was finished, or was started in another browser"),
}
_PAGE = {**PUBLIC, HTML_ERRORS: True}


def _form_body(fields: dict[str, str], example: dict[str, str]) -> dict[str, Any]:
    """The ``opt`` documenting a page's form (read by the handler itself, as the OAuth endpoints do)."""
    properties = {name: Schema(type=OpenAPIType.STRING, description=text, max_length=2000)
                  for name, text in fields.items()}
    return {"form_body": RequestBody(required=True, content={"application/x-www-form-urlencoded": OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.OBJECT, properties=properties, required=list(fields)),  # type: ignore[arg-type]
        examples={"example": Example(value=example)})})}


_HANDLE = "01936c3e-7a4b-7cde-8f01-23456789abcd.01936c3e-7a4b-7cde-8f01-23456789abce"
_SIGN_IN_FORM = _form_body(
    {"request": "The sign-in's handle, from the page.", "subject": "The person's user name (their subject).",
     "code": "The one-time sign-in code."},
    {"request": _HANDLE, "subject": "employee:01936c3e-7a4b-7cde-8f01-23456789abcf", "code": "K7QM-2XTR-9HWD"})
_CONSENT_FORM = _form_body(
    {"request": "The sign-in's handle, from the page.", "csrf": "The page's CSRF token.",
     "decision": "`approve` or `deny`."},
    {"request": _HANDLE, "csrf": "Yx1c3F0bm9yZWFsdG9rZW4", "decision": "approve"})


class AuthorizeController(Controller):
    path = "/oauth"
    tags = ["OAuth"]  # noqa: RUF012
    include_in_schema = True

    @get("/authorize", operation_id="authorize", opt=_PAGE, security=[{}], media_type=MediaType.HTML,
         responses={303: ResponseSpec(data_container=None, description="To the organisation's identity provider "
                                      "or, with an error, back to the app's redirect URI"), **_HTML_ERRORS},
         summary="Start an authorization code sign-in with PKCE for a person (a browser page)")
    async def authorize(
        self, request: Request[Any, Any, Any],
        client_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        redirect_uri: Annotated[str | None, QueryParameter(max_length=2000)] = None,
        response_type: Annotated[str | None, QueryParameter(max_length=50)] = None,
        asked_scope: Annotated[str | None, QueryParameter(name="scope", max_length=2000)] = None,
        app_state: Annotated[str | None, QueryParameter(name="state", max_length=500)] = None,
        code_challenge: Annotated[str | None, QueryParameter(max_length=128,
                                                        required=False)] = None,
        code_challenge_method: Annotated[str | None, QueryParameter(max_length=10,
                                                               required=False)] = None,
        nonce: Annotated[str | None, QueryParameter(max_length=500)] = None,
        ui_locales: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Response[bytes]:
        """Where a partner's app sends a person's browser to act for them (RFC 6749 4.1 with PKCE, RFC 7636;
        `response_type=code`, `code_challenge` with `code_challenge_method=S256` required). An unknown `client_id`
        or a `redirect_uri` that is not exactly one registered for the client is answered with a page, never a
        redirect. Otherwise the person signs in through the organisation's identity provider (a redirect there)
        or, without one, on a sign-in page with a one-time code; then a consent page lists the scopes in plain
        words; their answer sends them back to `redirect_uri` with `code` and `state`, or with
        `error=access_denied`. Other problems go back as `error=invalid_request`, `unsupported_response_type`,
        `invalid_scope` or `unauthorized_client`. Pages are in the language of `ui_locales`, else
        Accept-Language."""
        locale = _locale(request, ui_locales)
        try:
            client = await _client(request, client_id)
            if not redirect_uri or redirect_uri not in client.client.redirect_uris:
                raise RedirectNotRegistered()
        except SignInError as exc:
            return _error_page(request, locale, exc)
        request.scope["state"]["locale"] = locale

        def back(error: str, description: str) -> Response[bytes]:
            return _redirect(with_query(redirect_uri, error=error, error_description=description, state=app_state))

        if response_type != "code":
            return back("unsupported_response_type", "response_type must be code")
        if not code_challenge or code_challenge_method != PKCE_METHOD or not 43 <= len(code_challenge) <= 128:
            return back("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256")
        scopes = sorted(set((asked_scope or "").split()))
        if not scopes or not set(scopes) <= set(client.client.scopes) or not set(scopes) <= set(SCOPES):
            return back("invalid_scope", "scope must name scopes this client is allowed")
        ask = sign_in.Ask(client_id=client_id or "", redirect_uri=redirect_uri, scopes=scopes, state=app_state,
                          code_challenge=code_challenge, nonce=nonce, locale=locale)
        try:
            begun = await sign_in.begin(client.tenant_id, ask, _callback_url(request),
                                        _settings(request).oidc_allow_loopback_http)
        except SignInError as exc:
            return _error_page(request, locale, exc)
        cookie = _cookie(request, begun.browser_secret)
        if begun.provider_url is not None:
            return _redirect(begun.provider_url, cookie)
        return _sign_in_form(locale, client.client.name, begun.handle, cookie=cookie)

    @get("/callback", operation_id="authorizeCallback", opt=_PAGE, security=[{}], media_type=MediaType.HTML,
         responses=_HTML_ERRORS,
         summary="Where the organisation's identity provider sends the person back (a browser page)")
    async def callback(
        self, request: Request[Any, Any, Any],
        provider_state: Annotated[str | None, QueryParameter(name="state", max_length=1000)] = None,
        code: Annotated[str | None, QueryParameter(max_length=2000)] = None,
    ) -> Response[bytes]:
        """The redirect URI to register at the organisation's OpenID Connect provider. Meridian checks `state`
        against the sign-in this browser started, trades `code` for an ID token, verifies it against the
        provider's keys (issuer, audience, expiry and nonce), and shows the consent page to the user whose subject
        the token names (or, when they allowed this app these scopes before and have not revoked it, sends them
        straight back to the app with a code). Any other visit is answered with a page saying to start again."""
        locale = str(request.scope["state"].get("locale", "en"))
        try:
            signed = await sign_in.provider_returned(
                provider_state or "", code, request.cookies.get(COOKIE), _callback_url(request),
                _settings(request).oidc_allow_loopback_http)
            client = await _client(request, signed.client_id)
        except SignInError as exc:
            return _error_page(request, locale, exc)
        request.scope["state"]["locale"] = signed.locale
        return await _consent_or_back(request, signed, client)

    @post("/sign-in", operation_id="signInWithCode", opt={**_PAGE, **_SIGN_IN_FORM}, security=[{}],
          media_type=MediaType.HTML,
          status_code=200, responses=_HTML_ERRORS,
          summary="The local sign-in form's answer: user name and one-time code (a browser page)")
    async def sign_in_with_code(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """For installations without an identity provider: the person's user name (`subject`) and the one-time
        sign-in code a tenant admin issued (`POST /v1/sign-in-codes`), as a form (`request`, `subject`, `code`).
        A right code shows the consent page (or, when the person allowed this app these scopes before and has not
        revoked it, sends them straight back to the app with a code); a wrong one the form again; five wrong codes
        end the sign-in."""
        form = await _form(request)
        locale = str(request.scope["state"].get("locale", "en"))
        handle = form.get("request", "")
        try:
            signed = await sign_in.local_sign_in(handle, request.cookies.get(COOKIE), form.get("subject", ""),
                                                 form.get("code", ""))
            client = await _client(request, signed.client_id)
        except SignInRefused as exc:
            return await self._again(request, handle, locale, exc)
        except SignInError as exc:
            return _error_page(request, locale, exc)
        request.scope["state"]["locale"] = signed.locale
        return await _consent_or_back(request, signed, client)

    async def _again(self, request: Request[Any, Any, Any], handle: str, locale: str,
                     exc: SignInRefused) -> Response[bytes]:
        try:
            pending = await sign_in.pending(handle, request.cookies.get(COOKIE))
            client = await _client(request, pending.client_id)
        except SignInError as expired:
            return _error_page(request, locale, expired)
        request.scope["state"]["locale"] = pending.locale
        return _sign_in_form(pending.locale, client.client.name, handle, error=exc)

    @post("/consent", operation_id="answerConsent", opt={**_PAGE, **_CONSENT_FORM}, security=[{}],
          media_type=MediaType.HTML,
          status_code=303, responses={303: ResponseSpec(data_container=None, description="Back to the app's "
                                                        "redirect URI with code and state, or error=access_denied"),
                                      **_HTML_ERRORS},
          summary="The person's answer on the consent page (a browser form)")
    async def consent(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The consent form: `request`, its `csrf` token and `decision` (`approve` or `deny`). Approval sends the
        browser back to the app's redirect URI with a `code` that works once within 60 seconds, for this client,
        redirect URI and PKCE verifier; denial with `error=access_denied`; both carry the app's `state`. A form
        without the CSRF token and cookie of this sign-in is refused with a page."""
        form = await _form(request)
        locale = str(request.scope["state"].get("locale", "en"))
        decision = form.get("decision")
        try:
            if decision not in ("approve", "deny"):
                raise SignInExpired()
            location = await sign_in.decide(form.get("request", ""), request.cookies.get(COOKIE),
                                            form.get("csrf", ""), decision == "approve", request_id_of(request))
        except SignInError as exc:
            return _error_page(request, locale, exc)
        response = _redirect(location)
        response.delete_cookie(COOKIE, path="/oauth")
        return response
