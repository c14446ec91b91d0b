"""Deny by default: a route runs only if it is declared public or names an operation the
principal's roles (and, for partner clients, scopes) allow in the authorisation matrix."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from api.context import header
from api.problems import WWW_AUTHENTICATE
from domain.kernel.i18n import negotiate
from domain.kernel.permissions import Operation
from domain.kernel.principal import Principal


def requires(operation: Operation) -> dict[str, Any]:
    """The ``opt`` of a route that performs ``operation``."""
    return {"operation": operation}


PUBLIC: dict[str, Any] = {"public": True}


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # A coroutine, though it awaits nothing: Litestar runs a plain function guard in a worker thread, a thread
    # hop (and a wait for the GIL back) on every request for a few dictionary lookups.
    # Litestar answers OPTIONS itself with the Allow header; it runs no handler and reveals nothing.
    if handler.opt.get("public") is True or connection.scope["method"] == "OPTIONS":
        return
    operation = handler.opt.get("operation")
    if not isinstance(operation, Operation):
        raise PermissionDeniedException("route declares no permission")
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException(headers=WWW_AUTHENTICATE)
    if not principal.may(operation):
        raise PermissionDeniedException()


def authorize_every_route(app: Any, hook: Any) -> None:
    """The app authorises in its ``before_request`` ``hook`` (which calls :func:`authorize` first), not as a Litestar
    guard, which copies the route handler on every request to pass it. That holds only if every route runs the
    hook: a route with a ``before_request`` of its own, or a cached response (served before the hook), would skip
    the check, so either stops the server from starting."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if hasattr(handler, "resolve_before_request") and (
                    handler.resolve_before_request() is not hook or handler.cache):
                raise RuntimeError(f"{handler} would not be authorised: it has a before_request hook of its own "
                                   "or a response cache")


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    return connection.scope.get("state", {}).get("principal")  # type: ignore[return-value]


def caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The authenticated principal of a route the guard has already let through. Handlers take it as the
    ``principal`` dependency (:data:`PRINCIPAL`); middleware and exception handlers call this directly."""
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException(headers=WWW_AUTHENTICATE)
    return principal


#: The ``principal`` every protected handler declares as a parameter, provided from the verified token.
def _principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller, reading in the language the request asks for (Accept-Language) where Meridian has it, else
    in the user's own: the one language of the answer, its problems and its Content-Language."""
    principal = caller(request)
    asked = header(request.scope, b"accept-language")  # the one header wanted: no Headers object built
    locale = negotiate(asked, principal.locale) if asked else principal.locale
    request.scope["state"]["locale"] = locale  # type: ignore[typeddict-item]
    return principal if locale == principal.locale else replace(principal, locale=locale)


PRINCIPAL = {"principal": Provide(_principal, sync_to_thread=False)}

#: A handler's ``principal`` parameter: the caller, resolved by the :data:`PRINCIPAL` dependency.
Caller = NamedDependency[Principal]
