"""Webhooks' published types: the event catalogue, the endpoint and delivery views, the inputs, the errors, and
the retry schedule (pure)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.kernel.errors import DomainError, ErrorKind, NotFound


class EventType(StrEnum):
    """An event a webhook endpoint may subscribe to. Each payload's `data` carries ids and the few values named in
    the catalogue (never names, addresses, pay amounts or other personal data): read the resource through the API
    with your own credentials for the rest."""

    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    INTERVIEW_RESULT_RECEIVED = "interview_result.received"
    INTERVIEW_RESULT_PARKED = "interview_result.parked"
    EMPLOYEE_HIRED = "employee.hired"
    EMPLOYEE_CHANGED = "employee.changed"
    EMPLOYEE_DEPARTED = "employee.departed"
    PAY_RUN_CALCULATED = "pay_run.calculated"
    PAY_RUN_APPROVED = "pay_run.approved"
    PAY_RUN_FINALISED = "pay_run.finalised"
    COMPLIANCE_PARAMETERS_CHANGED = "compliance.parameters_changed"
    ONBOARDING_ITEM_DUE = "onboarding.item_due"


#: The test event ``POST /v1/webhook-endpoints/{id}/ping`` sends; no endpoint subscribes to it.
PING = "ping"

#: What each event's `data` holds besides `resource_type` and `id` (the catalogue the OpenAPI description prints).
EVENT_DATA: dict[str, str] = {
    EventType.APPLICATION_STAGE_CHANGED: "`id` the application; `job_id`, `candidate_id`, `from_stage`, "
                                         "`to_stage` (stage codes).",
    EventType.INTERVIEW_RESULT_RECEIVED: "`id` the stored result; `vendor_id`, `application_id`, `status` "
                                         "(`received` or `evaluated`).",
    EventType.INTERVIEW_RESULT_PARKED: "`id` the stored result; `vendor_id`: no application is mapped to its "
                                       "reference yet.",
    EventType.EMPLOYEE_HIRED: "`id` the employee; `legal_entity_id`, `application_id` (or null), `start_date`.",
    EventType.EMPLOYEE_CHANGED: "`id` the employee; `effective_from`, `fields` (names of the employment fields "
                                "changed, never their values).",
    EventType.EMPLOYEE_DEPARTED: "`id` the employee; `departure_date`.",
    EventType.PAY_RUN_CALCULATED: "`id` the pay run; `state`, `results_hash`.",
    EventType.PAY_RUN_APPROVED: "`id` the pay run; `state`, `results_hash`, `approvals` (how many).",
    EventType.PAY_RUN_FINALISED: "`id` the pay run; `state`, `results_hash`.",
    EventType.COMPLIANCE_PARAMETERS_CHANGED: "`id` the tenant's law version or the imported law bundle; `change` "
                                             "(`law_version.approved`, `law_version.retired`, `law_bundle.imported`),"
                                             " `series` (country/series names).",
    EventType.ONBOARDING_ITEM_DUE: "`id` the onboarding item; `employee_id`, `due_date`. Sent once per item, on "
                                   "the day it falls due in the employee's own time zone.",
}

DeliveryStatus = Literal["pending", "sending", "delivered", "given_up"]
#: How much of a receiver's answer the delivery log keeps.
EXCERPT_BYTES = 2048
#: How long the outbox and the delivery log keep an event and its attempts.
KEPT = timedelta(days=30)
#: The longest overlap a secret rotation may give the previous secret.
MAX_OVERLAP_HOURS = 168

WebhookUrl = Annotated[str, msgspec.Meta(min_length=8, max_length=2000,
                                         description="Where events are POSTed: an https URL (shared service).")]
Events = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=len(EventType),
                                                 description="The events this endpoint receives.")]
Description = Annotated[str, msgspec.Meta(max_length=500)]


class NewWebhookEndpoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An endpoint to subscribe: its URL, the events it receives, an optional description for people, and whether
    it starts enabled."""

    url: WebhookUrl
    events: Events
    description: Description = ""
    enabled: bool = True


class WebhookEndpointPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The fields to change (If-Match); enabling a disabled endpoint clears why it was disabled."""

    url: WebhookUrl | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None


class SecretRotation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How long, in hours (0 to 168), the previous secret keeps signing beside the new one, so receivers can switch
    over without losing a delivery (Standard Webhooks sends one signature per secret)."""

    overlap_hours: Annotated[int, msgspec.Meta(ge=0, le=MAX_OVERLAP_HOURS)] = 24


class WebhookEndpointView(msgspec.Struct, frozen=True):
    """A webhook endpoint. `enabled` false with `disabled_reason` `failing` means Meridian disabled it after its
    deliveries failed for the whole retry window (3 days); `failing_since` is when the current run of failures
    began (null while deliveries succeed). `previous_secret_until`: the previous secret signs beside the current
    one until then. Its ETag is `"v<version>"`."""

    id: UUID
    url: str
    description: str
    events: list[EventType]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_until: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookEndpointSecret(msgspec.Struct, frozen=True):
    """The endpoint with its signing secret (`whsec_` and base64), shown here once: Meridian keeps it sealed."""

    endpoint: WebhookEndpointView
    secret: str


class AttemptView(msgspec.Struct, frozen=True):
    """One attempt: when, whether the receiver answered 2xx, its status code, how long it took, the start of its
    answer (at most 2 KiB) and, when no answer came, why (`timeout`, `connect_error`, `refused_address`, ...). A
    307 or 308 redirect is followed with the same signed POST; a 301, 302 or 303 (which would turn it into a GET
    without its body) fails the attempt with `redirect_not_followed`, its status, and the excerpt naming where it
    pointed."""

    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryView(msgspec.Struct, frozen=True):
    """An event's delivery to the endpoint: `pending` (waiting for its turn or its next attempt), `sending`,
    `delivered` or `given_up` (failed for the whole retry window, or its endpoint was disabled). `webhook_id` is
    the `webhook-id` header, the same on every attempt and redelivery of the event. Attempts newest first."""

    id: UUID
    webhook_id: str
    event_type: str
    resource_type: str
    resource_id: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    attempts: list[AttemptView]


class WebhookEventPayload(msgspec.Struct, frozen=True):
    """The body of every webhook request (Standard Webhooks): `id` (also the `webhook-id` header), `type`, the
    event's `timestamp` (RFC 3339, UTC) and `data`: `resource_type`, `id` and the event's few other ids."""

    id: str
    type: str
    timestamp: str
    data: dict[str, Any]


def retry_delay(attempts: int, base: float, ceiling: float, rng: random.Random | None = None) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: ``base`` doubling each time up to
    ``ceiling``, with full jitter over the upper half (so receivers coming back are not hit by every sender at
    once)."""
    step = min(ceiling, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=step * (0.5 + 0.5 * (rng or random).random()))


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    title = "Webhook endpoint not found"
    template = "The webhook endpoint you asked for does not exist."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    title = "Webhook delivery not found"
    template = "The endpoint has no delivery with this id (deliveries are kept 30 days)."


class WebhookUrlRefused(DomainError):
    code = "webhook_url_refused"
    kind = ErrorKind.UNPROCESSABLE
    title = "Webhook URL refused"
    template = "Webhooks cannot be sent to this URL."


class WebhookUrlScheme(WebhookUrlRefused):
    code = "webhook_url_scheme"
    template = "A webhook URL must start with https:// (http only where the installation allows internal targets)."


class WebhookUrlMalformed(WebhookUrlRefused):
    code = "webhook_url_malformed"
    template = "This is not a URL webhooks can be sent to: it needs a host name, and no spaces."


class WebhookUrlCredentials(WebhookUrlRefused):
    code = "webhook_url_credentials"
    template = "A webhook URL may not hold a user name or password: receivers check the signature instead."


class WebhookUrlUnresolved(WebhookUrlRefused):
    code = "webhook_url_unresolved"
    template = "The webhook URL's host name does not resolve to any address."


class WebhookUrlInternal(WebhookUrlRefused):
    code = "webhook_url_internal"
    template = ("The webhook URL leads to a private, loopback, link-local or other internal address; webhooks are "
                "sent to public addresses only.")


class WebhookEndpointDisabled(DomainError):
    code = "webhook_endpoint_disabled"
    kind = ErrorKind.CONFLICT
    title = "Webhook endpoint disabled"
    template = "The endpoint is disabled: enable it before redelivering events to it."


DISABLED_SUBJECT = "A webhook endpoint was disabled"
DISABLED_BODY = ("Deliveries to the webhook endpoint {url} failed for {days} days, so Meridian disabled it and gave "
                 "up its pending deliveries. Fix the receiver, then enable the endpoint again.")
