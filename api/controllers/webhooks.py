"""Webhooks: a tenant's endpoints, their signing secrets, the delivery log, redelivery and a test ping."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.enums import ParamType
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, JSONBody

from api.guards import Caller, requires
from api.http import Cursor, Limit, created, expected_version, with_etag
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation as Permission
from domain.webhooks import service
from domain.webhooks.model import (
    EVENT_DATA,
    PING,
    DeliveryView,
    EventType,
    NewWebhookEndpoint,
    SecretRotation,
    WebhookEndpointPatch,
    WebhookEndpointSecret,
    WebhookEndpointView,
    WebhookEventPayload,
)

NO_STORE = {"Cache-Control": "no-store"}
MANAGE = requires(Permission.WEBHOOKS_MANAGE)


class WebhookEndpointController(Controller):
    path = "/v1/webhook-endpoints"
    tags = ["Webhooks"]

    @post("/", operation_id="createWebhookEndpoint", opt=MANAGE,
          summary="Subscribe an endpoint to events; its signing secret is in this answer and never shown again "
                  "(audited)")
    async def create(self, principal: Caller, data: JSONBody[NewWebhookEndpoint]) -> Response[WebhookEndpointSecret]:
        """The URL is checked now as it is at every send: https only on the shared service, and its host must
        resolve to public addresses only (never private, loopback, link-local or other internal ones)."""
        made = await service.create_endpoint(principal, data)
        answer = created(made, f"/v1/webhook-endpoints/{made.endpoint.id}")
        answer.headers.update({**NO_STORE, "ETag": f'"v{made.endpoint.version}"'})
        return answer

    @get("/", operation_id="listWebhookEndpoints", opt=MANAGE, summary="Your webhook endpoints")
    async def list(self, principal: Caller, limit: Limit = 50, cursor: Cursor = None) -> Page[WebhookEndpointView]:
        return await service.list_endpoints(principal, cursor, limit)

    @get("/{endpoint_id:uuid}", operation_id="getWebhookEndpoint", opt=MANAGE, summary="Read a webhook endpoint")
    async def read(self, principal: Caller, endpoint_id: FromPath[UUID]) -> Response[WebhookEndpointView]:
        return with_etag(await service.get_endpoint(principal, endpoint_id))

    @patch("/{endpoint_id:uuid}", operation_id="updateWebhookEndpoint", opt=MANAGE,
           summary="Change an endpoint's URL, events, description or whether it is enabled (If-Match; audited)")
    async def update(self, request: Request[Any, Any, Any], principal: Caller, endpoint_id: FromPath[UUID],
                     data: JSONBody[WebhookEndpointPatch]) -> Response[WebhookEndpointView]:
        """Enabling an endpoint Meridian disabled after its deliveries failed for the whole retry window clears why
        it was disabled; events published from then on are delivered."""
        return with_etag(await service.update_endpoint(principal, endpoint_id, data, expected_version(request)))

    @delete("/{endpoint_id:uuid}", operation_id="deleteWebhookEndpoint", opt=MANAGE,
            summary="Delete an endpoint with its deliveries and their log (If-Match; audited)")
    async def remove(self, request: Request[Any, Any, Any], principal: Caller, endpoint_id: FromPath[UUID]) -> None:
        await service.delete_endpoint(principal, endpoint_id, expected_version(request))

    @post("/{endpoint_id:uuid}/secret-rotations", operation_id="rotateWebhookEndpointSecret", opt=MANAGE,
          summary="A new signing secret, shown this once; the previous one keeps signing beside it for the overlap "
                  "(24 hours unless given; audited)")
    async def rotate(self, principal: Caller, endpoint_id: FromPath[UUID],
                     data: JSONBody[SecretRotation]) -> Response[WebhookEndpointSecret]:
        """During the overlap every request carries two signatures in `webhook-signature`, one per secret, so a
        receiver verifies with either while it switches over."""
        rotated = await service.rotate_secret(principal, endpoint_id, data)
        return Response(rotated, status_code=201, headers={**NO_STORE, "ETag": f'"v{rotated.endpoint.version}"'})

    @get("/{endpoint_id:uuid}/deliveries", operation_id="listWebhookDeliveries", opt=MANAGE,
         summary="The endpoint's delivery log, newest first: every attempt with its status, latency and the start "
                 "of the answer (kept 30 days)")
    async def deliveries(self, principal: Caller, endpoint_id: FromPath[UUID], limit: Limit = 50,
                         cursor: Cursor = None) -> Page[DeliveryView]:
        return await service.list_deliveries(principal, endpoint_id, cursor, limit)

    @post("/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver", operation_id="redeliverWebhook",
          opt=MANAGE, status_code=202,
          summary="Send a delivery's event again, with the same webhook-id (audited)")
    async def redeliver(self, principal: Caller, endpoint_id: FromPath[UUID],
                        delivery_id: FromPath[UUID]) -> DeliveryView:
        """The answer is the new delivery, queued now; it is sent in its resource's order like any other."""
        return await service.redeliver(principal, endpoint_id, delivery_id)

    @post("/{endpoint_id:uuid}/ping", operation_id="pingWebhookEndpoint", opt=MANAGE, status_code=202,
          summary="Send a signed `ping` event to the endpoint, to test it (also while it is disabled)")
    async def ping(self, principal: Caller, endpoint_id: FromPath[UUID]) -> DeliveryView:
        """Its delivery shows in the log like any other; the answer is the delivery, queued now."""
        return await service.ping(principal, endpoint_id)


SIGNING = (
    "Each request is signed per Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the event's "
    "id, the same on every retry and redelivery: deduplicate on it), `webhook-timestamp` (Unix seconds of the "
    "attempt; refuse one more than 5 minutes off) and `webhook-signature`, a space-separated list of "
    "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{raw body}\">` keyed with the base64 after the "
    "`whsec_` prefix of your endpoint's secret; during a secret rotation's overlap it holds one signature per "
    "secret. Answer 2xx within 10 seconds; anything else is retried with exponential backoff and jitter for 3 "
    "days, in order per resource (a resource's next event waits until the previous one is delivered or given up), "
    "and an endpoint failing for 3 days is disabled and your tenant admins are told. Meridian sends only to https "
    "URLs whose host resolves to public addresses (checked again at every attempt and redirect).")
TAG_TEXT = ("Endpoints you subscribe to events, their signing secrets, the delivery log (30 days), redelivery "
            "and a test ping. " + SIGNING + " The events and their payloads are in the document's `webhooks`.")


def _header(name: str, text: str) -> Parameter:
    return Parameter(name=name, param_in=ParamType.HEADER, required=True, description=text,
                     schema=Schema(type=OpenAPIType.STRING))


def _payload(event: str, data_text: str) -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT, required=["id", "type", "timestamp", "data"],
        description=WebhookEventPayload.__doc__, properties={
            "id": Schema(type=OpenAPIType.STRING, description="The event's id, also sent as `webhook-id`."),
            "type": Schema(type=OpenAPIType.STRING, const=event),
            "timestamp": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            "data": Schema(type=OpenAPIType.OBJECT, required=["resource_type", "id"], description=data_text,
                           properties={"resource_type": Schema(type=OpenAPIType.STRING),
                                       "id": Schema(type=OpenAPIType.STRING)}),
        })


def document_webhooks(document: OpenAPI) -> None:
    """The OpenAPI 3.1 ``webhooks`` section: one entry per event (and ``ping``), with its payload and headers."""
    catalogue = {**{str(event): EVENT_DATA[event] for event in EventType},
                 PING: "`resource_type` `webhook_endpoint`, `id` the endpoint: sent by `pingWebhookEndpoint`."}
    headers = [_header("webhook-id", "The event's id (deduplicate on it)."),
               _header("webhook-timestamp", "Unix seconds of this attempt."),
               _header("webhook-signature", "`v1,<base64 HMAC-SHA256>`, one per secret in use, space-separated.")]
    document.webhooks = {
        event: PathItem(post=Operation(
            operation_id="receive" + "".join(part.title() for part in event.replace(".", "_").split("_")),
            summary=f"The `{event}` event, POSTed to your endpoint", description=f"{text}\n\n{SIGNING}",
            tags=["Webhooks"], parameters=list(headers),
            request_body=RequestBody(required=True, content={"application/json": OpenAPIMediaType(
                schema=_payload(event, text), example={
                    "id": "01936c3e-7a4b-7cde-8f01-23456789abcd", "type": event, "timestamp": "2026-12-01T09:30:00Z",
                    "data": {"resource_type": event.split(".")[0] if event != PING else "webhook_endpoint",
                             "id": "01936c3e-7a4b-7cde-8f01-23456789abce"}})}),
            responses={"200": OpenAPIResponse(description="Any 2xx acknowledges the event; anything else, or no "
                                                          "answer within 10 seconds, is retried.")}))
        for event, text in catalogue.items()}
