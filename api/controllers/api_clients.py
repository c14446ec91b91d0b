"""API clients: the OAuth clients a tenant admin registers for partner integrations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from domain.api_clients import service
from domain.api_clients.model import (
    ApiClientPatch,
    ApiClientView,
    ApiClientWithSecret,
    NewApiClient,
    ScopeCatalogue,
    SecretRotation,
)
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation

NO_STORE = {"Cache-Control": "no-store"}


class ApiClientController(Controller):
    path = "/v1/api-clients"
    tags = ["API clients"]

    @get("/", operation_id="listApiClients", opt=requires(Operation.API_CLIENTS_READ),
         summary="List your organisation's API clients (OAuth clients of partner integrations)")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[ApiClientView]:
        return await service.list_clients(principal, cursor, limit)

    @get("/scopes", operation_id="listApiClientScopes", opt=requires(Operation.API_CLIENTS_READ),
         summary="The scope catalogue: every scope a client may be granted and what it allows, in your language")
    async def scopes(self, principal: Caller) -> ScopeCatalogue:
        """Each scope opens a set of operations of the authorisation matrix; a token can never do more than both
        its scopes and its subject's roles allow."""
        return service.scope_catalogue(principal.locale)

    @post("/", operation_id="createApiClient", opt=requires(Operation.API_CLIENTS_WRITE),
          summary="Register an API client; its secret is shown in this answer only (audited)")
    async def create(self, principal: Caller, data: JSONBody[NewApiClient]) -> Response[ApiClientWithSecret]:
        """A confidential client gets a secret, shown here once and stored only as a hash; a public client (a
        mobile or single-page app) gets none and uses authorization_code with PKCE. The client acts as a service
        user holding `roles`, which cannot allow more than your own roles do."""
        made = await service.create_client(principal, data)
        response = created(made, f"{self.path}/{made.client.id}")
        response.headers.update({**NO_STORE, "ETag": f'"v{made.client.version}"'})
        return response

    @get("/{client_id:uuid}", operation_id="getApiClient", opt=requires(Operation.API_CLIENTS_READ),
         summary="Read an API client (never its secret)")
    async def read(self, principal: Caller, client_id: FromPath[UUID]) -> Response[ApiClientView]:
        return with_etag(await service.get_client(principal, client_id))

    @patch("/{client_id:uuid}", operation_id="updateApiClient", opt=requires(Operation.API_CLIENTS_WRITE),
           summary="Change an API client's name, grants, scopes, roles or redirect URIs (If-Match; audited)")
    async def update(self, request: Request[Any, Any, Any], principal: Caller, client_id: FromPath[UUID],
                     data: JSONBody[ApiClientPatch]) -> Response[ApiClientView]:
        """Narrowing the scopes or roles takes effect on the next request of every token the client holds."""
        return with_etag(await service.update_client(principal, client_id, data, expected_version(request)))

    @delete("/{client_id:uuid}", operation_id="deleteApiClient", opt=requires(Operation.API_CLIENTS_WRITE),
            summary="Delete an API client (If-Match); every token it holds is refused from its next request")
    async def remove(self, request: Request[Any, Any, Any], principal: Caller, client_id: FromPath[UUID]) -> None:
        await service.delete_client(principal, client_id, expected_version(request))

    @post("/{client_id:uuid}/secret-rotations", operation_id="rotateApiClientSecret",
          opt=requires(Operation.API_CLIENTS_WRITE),
          summary="A new secret for a confidential client, shown this once; the old one keeps working for the "
                  "overlap (24 hours unless given; audited)")
    async def rotate(self, principal: Caller, client_id: FromPath[UUID],
                     data: JSONBody[SecretRotation]) -> Response[ApiClientWithSecret]:
        rotated = await service.rotate_secret(principal, client_id, data)
        return Response(rotated, status_code=201, headers={**NO_STORE, "ETag": f'"v{rotated.client.version}"'})
