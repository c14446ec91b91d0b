"""Webhooks' use cases: endpoints (audited, tenant admins), publishing events into the outbox inside the caller's
unit of work, and delivering them on the durable job queue.

    await webhooks.publish(uow, EventType.EMPLOYEE_HIRED, "employee", employee_id, {"legal_entity_id": ...})

An event is written, with one delivery per subscribed endpoint, only if the change's transaction commits, and a
``webhooks.deliver`` job per endpoint is queued in the same transaction. A delivery job sends, for each resource,
only the oldest delivery not yet delivered or given up (the next waits for it: in order per resource), signed per
Standard Webhooks; a failure is retried after an exponential, jittered delay (a job queued with that delay) until
the retry window (3 days) has passed, and an endpoint failing for that whole window is disabled, its open deliveries
given up and the tenant admins told. Every attempt is logged; the log and the outbox are kept 30 days.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.identity.service import users_with_role_in
from domain.jobs import service as jobs
from domain.jobs.model import JobRun
from domain.kernel import ssrf
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import StaleVersion
from domain.kernel.i18n import translate
from domain.kernel.ids import new_id
from domain.kernel.pagination import Page, decode_keyed_cursor, decode_uuid_cursor, instant, keyed_position, page_of
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.settings import Mode, Settings
from domain.kernel.time import rfc3339, utc_now
from domain.keys.service import cipher_for
from domain.notifications.model import Message
from domain.notifications.service import enqueue_in
from domain.webhooks import delivery, queries, signing
from domain.webhooks.model import (
    DISABLED_BODY,
    DISABLED_SUBJECT,
    KEPT,
    PING,
    AttemptView,
    DeliveryView,
    EventType,
    NewWebhookEndpoint,
    SecretRotation,
    WebhookDeliveryNotFound,
    WebhookEndpointDisabled,
    WebhookEndpointNotFound,
    WebhookEndpointPatch,
    WebhookEndpointSecret,
    WebhookEndpointView,
    WebhookEventPayload,
    WebhookUrlCredentials,
    WebhookUrlInternal,
    WebhookUrlMalformed,
    WebhookUrlRefused,
    WebhookUrlScheme,
    WebhookUrlUnresolved,
    retry_delay,
)

log = logging.getLogger("meridian.webhooks")
AUDIT_ENTITY = "webhook_endpoint"
SYSTEM = SystemActor(subject="webhooks")
#: How many deliveries one pass of a job takes (and sends at once, each to another resource): a receiver meets at
#: most this many concurrent requests from one endpoint's pass.
TAKE = 20

__all__ = ["EventType", "WebhookConfig", "changed_fields", "configure", "publish", "publish_many"]


STRICT = ssrf.TargetPolicy(internal=False)


@dataclass(frozen=True)
class WebhookConfig:
    """How this process sends webhooks (from the settings; tests shorten the retry schedule)."""

    policy: ssrf.TargetPolicy = STRICT
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 21_600.0
    give_up_seconds: float = 259_200.0
    timeout_seconds: float = 10.0
    max_redirects: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig:
        internal = settings.webhook_allow_internal_targets and settings.mode is Mode.ONPREM
        return cls(policy=ssrf.TargetPolicy(internal=internal),
                   retry_base_seconds=settings.webhook_retry_base_seconds,
                   retry_max_seconds=settings.webhook_retry_max_seconds,
                   give_up_seconds=settings.webhook_give_up_seconds,
                   timeout_seconds=settings.webhook_timeout_seconds, max_redirects=settings.webhook_max_redirects)

    @property
    def rules(self) -> delivery.SendRules:
        return delivery.SendRules(policy=self.policy, timeout_seconds=self.timeout_seconds,
                                  max_redirects=self.max_redirects)

    @property
    def lease(self) -> timedelta:
        """Longer than any one attempt can take, redirects included."""
        return timedelta(seconds=self.timeout_seconds * 4 * (self.max_redirects + 1) + 30)


_config = WebhookConfig()


def configure(config: WebhookConfig) -> None:
    global _config
    _config = config


def current_config() -> WebhookConfig:
    return _config


class DeliverOrder(msgspec.Struct, frozen=True):
    """Send what is due to one endpoint."""

    endpoint_id: UUID


async def deliver_ordered(job: JobRun, order: DeliverOrder) -> None:
    await deliver_due(job.tenant_id, order.endpoint_id)


DELIVER = jobs.register("webhooks.deliver", DeliverOrder, deliver_ordered, max_attempts=3)


# -- publishing --------------------------------------------------------------------------------------------------

async def publish(uow: UnitOfWork, event_type: EventType | str, resource_type: str, resource_id: UUID | str,
                  data: dict[str, Any] | None = None, *, once_key: str | None = None) -> bool:
    """Write the event to the outbox in ``uow`` (the change's own transaction), with a delivery to each enabled
    endpoint subscribed to it. ``data``: ids and the minimum, never personal data. ``once_key``: the event is
    published at most once under that key. Nothing is written when no endpoint listens (and no key asks for it)."""
    endpoint_ids = await queries.subscribed(uow, str(event_type))
    if not endpoint_ids and once_key is None:
        return False
    event_id, now, resource = new_id(), utc_now(), str(resource_id)
    seq = await queries.next_seq(uow, resource_type, resource)
    if not await queries.insert_event(uow, event_id, event_type=str(event_type), resource_type=resource_type,
                                      resource_id=resource, seq=seq, data=_plain(data or {}), occurred_at=now,
                                      once_key=once_key):
        return False
    await _queue(uow, event_id, str(event_type), f"{resource_type}:{resource}", seq, endpoint_ids, now)
    return True


async def publish_many(uow: UnitOfWork, event_type: EventType | str, resource_type: str,
                       events: list[tuple[UUID | str, dict[str, Any]]]) -> int:
    """``publish`` for many resources at once (a bulk import): a few statements whatever their number, and nothing
    at all when no endpoint listens; how many events were written."""
    endpoint_ids = await queries.subscribed(uow, str(event_type)) if events else []
    if not endpoint_ids:
        return 0
    now, kind = utc_now(), str(event_type)
    seqs = await queries.next_seqs(uow, resource_type, [str(resource_id) for resource_id, _ in events])
    rows, deliveries = [], []
    for resource_id, data in events:
        event_id, resource = new_id(), str(resource_id)
        rows.append({"id": event_id, "event_type": kind, "resource_type": resource_type, "resource_id": resource,
                     "seq": seqs[resource], "data": _plain(data), "occurred_at": now, "once_key": None})
        deliveries += [{"id": new_id(), "endpoint_id": endpoint_id, "event_id": event_id, "event_type": kind,
                        "resource_key": f"{resource_type}:{resource}", "seq": seqs[resource], "status": "pending",
                        "attempts": 0, "next_attempt_at": now, "created_at": now} for endpoint_id in endpoint_ids]
    await queries.insert_events(uow, rows)
    await queries.insert_deliveries(uow, deliveries)
    await _wake(uow, endpoint_ids)
    return len(rows)


def changed_fields(change: msgspec.Struct) -> list[str]:
    """The names of the fields a change sets (never their values), for an event's ``fields``."""
    return [name for name, value in msgspec.structs.asdict(change).items()
            if value is not None and name not in ("reason", "override_reason", "effective_from")]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return msgspec.json.decode(msgspec.json.encode(data))  # type: ignore[no-any-return]


async def _queue(uow: UnitOfWork, event_id: UUID, event_type: str, resource_key: str, seq: int,
                 endpoint_ids: list[UUID], now: datetime) -> list[UUID]:
    rows = [{"id": new_id(), "endpoint_id": endpoint_id, "event_id": event_id, "event_type": event_type,
             "resource_key": resource_key, "seq": seq, "status": "pending", "attempts": 0, "next_attempt_at": now,
             "created_at": now} for endpoint_id in endpoint_ids]
    await queries.insert_deliveries(uow, rows)
    await _wake(uow, endpoint_ids)
    return [row["id"] for row in rows]


#: The endpoints a unit of work has queued a delivery job for already: one job per endpoint and transaction
#: delivers everything the transaction published to it.
_woken: weakref.WeakKeyDictionary[UnitOfWork, set[UUID]] = weakref.WeakKeyDictionary()


async def _wake(uow: UnitOfWork, endpoint_ids: list[UUID]) -> None:
    queued = _woken.setdefault(uow, set())
    for endpoint_id in endpoint_ids:
        if endpoint_id not in queued:
            queued.add(endpoint_id)
            await jobs.enqueue(uow, DELIVER, DeliverOrder(endpoint_id=endpoint_id))


# -- endpoints ---------------------------------------------------------------------------------------------------

_REFUSALS: dict[str, type[WebhookUrlRefused]] = {
    ssrf.TargetRefused.SCHEME: WebhookUrlScheme, ssrf.TargetRefused.MALFORMED: WebhookUrlMalformed,
    ssrf.TargetRefused.CREDENTIALS: WebhookUrlCredentials, ssrf.TargetRefused.UNRESOLVED: WebhookUrlUnresolved,
    ssrf.TargetRefused.ADDRESS: WebhookUrlInternal,
}


async def check_url(url: str) -> None:
    """Refuse, now and clearly, a URL the sender would refuse at send time."""
    try:
        await ssrf.checked(url, _config.policy)
    except ssrf.TargetRefused as refused:
        raise _REFUSALS[refused.reason](field="url") from None


def _view(row: queries.EndpointRow) -> WebhookEndpointView:
    now = utc_now()
    overlap = row.previous_secret_until if row.previous_secret_until and row.previous_secret_until > now else None
    return WebhookEndpointView(
        id=row.id, url=row.url, description=row.description, events=[EventType(e) for e in row.events],
        enabled=row.enabled, disabled_reason=row.disabled_reason, failing_since=row.failing_since,
        previous_secret_until=overlap, version=row.version, created_at=row.created_at, updated_at=row.updated_at)


def _audited(row: queries.EndpointRow) -> dict[str, Any]:
    return {"url": row.url, "events": row.events, "enabled": row.enabled, "description": row.description}


async def _existing(uow: UnitOfWork, endpoint_id: UUID) -> queries.EndpointRow:
    row = await queries.endpoint(uow, endpoint_id)
    if row is None:
        raise WebhookEndpointNotFound()
    return row


def _seal(cipher: Any, endpoint_id: UUID, secret: str, column: str = "secret") -> str:
    return str(cipher.seal(secret, "webhook_endpoints", column, endpoint_id))


async def create_endpoint(principal: Principal, request: NewWebhookEndpoint) -> WebhookEndpointSecret:
    await check_url(request.url)
    endpoint_id, secret = new_id(), signing.new_secret()
    events = sorted({str(e) for e in request.events})
    async with unit_of_work(principal.tenant_id) as uow:
        sealed = _seal(await cipher_for(uow), endpoint_id, secret)
        await queries.insert_endpoint(uow, endpoint_id, url=request.url, description=request.description,
                                      events=events, enabled=request.enabled, secret_ciphertext=sealed,
                                      now=utc_now())
        row = await _existing(uow, endpoint_id)
        await record(uow, principal, "webhook_endpoint.created", AUDIT_ENTITY, endpoint_id, after=_audited(row))
    return WebhookEndpointSecret(endpoint=_view(row), secret=secret)


async def list_endpoints(principal: Principal, cursor: str | None, limit: int) -> Page[WebhookEndpointView]:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await queries.endpoints(uow, after=decode_uuid_cursor(cursor), limit=limit + 1)
    return page_of([_view(row) for row in rows], limit, lambda view: str(view.id))


async def get_endpoint(principal: Principal, endpoint_id: UUID) -> WebhookEndpointView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        return _view(await _existing(uow, endpoint_id))


async def update_endpoint(principal: Principal, endpoint_id: UUID, patch: WebhookEndpointPatch,
                          expected_version: int) -> WebhookEndpointView:
    if patch.url is not None:
        await check_url(patch.url)
    values: dict[str, Any] = {name: value for name, value in msgspec.structs.asdict(patch).items()
                              if value is not None}
    if "events" in values:
        values["events"] = sorted({str(e) for e in values["events"]})
    if values.get("enabled"):
        values.update(disabled_reason=None, failing_since=None)
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _existing(uow, endpoint_id)
        await queries.update_endpoint(uow, endpoint_id, expected_version, values)
        after = await _existing(uow, endpoint_id)
        await record(uow, principal, "webhook_endpoint.updated", AUDIT_ENTITY, endpoint_id, before=_audited(before),
                     after=_audited(after))
    return _view(after)


async def delete_endpoint(principal: Principal, endpoint_id: UUID, expected_version: int) -> None:
    """The endpoint, its deliveries and their log."""
    async with unit_of_work(principal.tenant_id) as uow:
        before = await _existing(uow, endpoint_id)
        if before.version != expected_version:
            raise StaleVersion(resource="webhook endpoint")
        await queries.delete_endpoint(uow, endpoint_id)
        await record(uow, principal, "webhook_endpoint.deleted", AUDIT_ENTITY, endpoint_id, before=_audited(before))


async def rotate_secret(principal: Principal, endpoint_id: UUID, rotation: SecretRotation) -> WebhookEndpointSecret:
    """A new secret, shown once; the current one keeps signing beside it for the overlap asked for."""
    secret, now = signing.new_secret(), utc_now()
    async with unit_of_work(principal.tenant_id) as uow:
        row = await _existing(uow, endpoint_id)
        cipher = await cipher_for(uow)
        current = cipher.open(row.secret_ciphertext, "webhook_endpoints", "secret", endpoint_id)
        overlap = rotation.overlap_hours > 0
        await queries.set_endpoint(uow, endpoint_id, {
            "secret_ciphertext": _seal(cipher, endpoint_id, secret),
            "previous_secret_ciphertext": _seal(cipher, endpoint_id, current, "previous_secret") if overlap else None,
            "previous_secret_until": now + timedelta(hours=rotation.overlap_hours) if overlap else None,
            "updated_at": now}, new_version=True)
        rotated = await _existing(uow, endpoint_id)
        await record(uow, principal, "webhook_endpoint.secret_rotated", AUDIT_ENTITY, endpoint_id,
                     after={"overlap_hours": rotation.overlap_hours})
    return WebhookEndpointSecret(endpoint=_view(rotated), secret=secret)


# -- the delivery log --------------------------------------------------------------------------------------------

def _delivery_view(row: queries.DeliveryRow, event: queries.EventRow | None,
                   attempts: list[queries.AttemptRow]) -> DeliveryView:
    resource_type, _, resource_id = row.resource_key.partition(":")
    return DeliveryView(
        id=row.id, webhook_id=str(row.event_id), event_type=row.event_type, resource_type=resource_type,
        resource_id=resource_id, status=row.status,  # type: ignore[arg-type]
        attempt_count=row.attempts, next_attempt_at=row.next_attempt_at if row.status in queries.OPEN else None,
        created_at=row.created_at, finished_at=row.finished_at,
        attempts=[AttemptView(attempted_at=a.attempted_at, succeeded=a.succeeded, status_code=a.status_code,
                              latency_ms=a.latency_ms, response_excerpt=a.response_excerpt, error=a.error)
                  for a in attempts])


async def _delivery_views(uow: UnitOfWork, rows: list[queries.DeliveryRow]) -> list[DeliveryView]:
    events = await queries.events(uow, [row.event_id for row in rows])
    attempts = await queries.attempts(uow, [row.id for row in rows])
    return [_delivery_view(row, events.get(row.event_id), attempts.get(row.id, [])) for row in rows]


async def list_deliveries(principal: Principal, endpoint_id: UUID, cursor: str | None,
                          limit: int) -> Page[DeliveryView]:
    """Newest first, each with its attempts."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        await _existing(uow, endpoint_id)
        rows = await queries.deliveries(uow, endpoint_id, before=decode_keyed_cursor(cursor, instant),
                                        limit=limit + 1)
        views = await _delivery_views(uow, rows)
    return page_of(views, limit, lambda view: keyed_position(view.created_at.isoformat(), view.id))


async def redeliver(principal: Principal, endpoint_id: UUID, delivery_id: UUID) -> DeliveryView:
    """The delivery's event again, as a new delivery with the same ``webhook-id`` (receivers deduplicate on it)."""
    async with unit_of_work(principal.tenant_id) as uow:
        endpoint = await _existing(uow, endpoint_id)
        if not endpoint.enabled:
            raise WebhookEndpointDisabled()
        found = await queries.delivery(uow, endpoint_id, delivery_id)
        if found is None:
            raise WebhookDeliveryNotFound()
        [new] = await _queue(uow, found.event_id, found.event_type, found.resource_key, found.seq, [endpoint_id],
                             utc_now())
        await record(uow, principal, "webhook_endpoint.redelivery_requested", AUDIT_ENTITY, endpoint_id,
                     after={"delivery": delivery_id, "redelivery": new})
        [view] = await _delivery_views(uow, [await _must(queries.delivery(uow, endpoint_id, new))])
    return view


async def ping(principal: Principal, endpoint_id: UUID) -> DeliveryView:
    """A ``ping`` event to this endpoint alone (also when it is disabled, to test it before enabling)."""
    async with unit_of_work(principal.tenant_id) as uow:
        await _existing(uow, endpoint_id)
        event_id, now = new_id(), utc_now()
        resource = str(endpoint_id)
        seq = await queries.next_seq(uow, AUDIT_ENTITY, resource)
        await queries.insert_event(uow, event_id, event_type=PING, resource_type=AUDIT_ENTITY, resource_id=resource,
                                   seq=seq, data={}, occurred_at=now, once_key=None)
        [new] = await _queue(uow, event_id, PING, f"{AUDIT_ENTITY}:{resource}", seq, [endpoint_id], now)
        [view] = await _delivery_views(uow, [await _must(queries.delivery(uow, endpoint_id, new))])
    return view


async def _must(found: Any) -> Any:
    row = await found
    if row is None:
        raise WebhookDeliveryNotFound()
    return row


# -- delivering --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Taken:
    delivery: queries.DeliveryRow
    url: str
    body: bytes
    secrets: tuple[str, ...]


async def deliver_due(tenant_id: UUID, endpoint_id: UUID) -> int:
    """Send what is due to the endpoint, each resource's deliveries in order, until nothing more is due now; how
    many attempts were made."""
    made, rules = 0, _config.rules
    async with delivery.client(rules) as sender:
        while True:
            taken = await _take_heads(tenant_id, endpoint_id)
            if not taken:
                return made
            # Heads of different resources: sent at once; each resource's next waits for this pass's outcome.
            outcomes = await asyncio.gather(*(_send(item, rules, sender) for item in taken))
            async with unit_of_work(tenant_id) as uow:  # the pass's outcomes in one transaction
                for item, outcome in zip(taken, outcomes, strict=True):
                    await _settle(uow, endpoint_id, item.delivery, outcome)
            made += len(taken)


async def _send(item: _Taken, rules: delivery.SendRules, sender: Any) -> delivery.Outcome:
    message_id, timestamp = str(item.delivery.event_id), int(utc_now().timestamp())
    headers = signing.headers(item.secrets, message_id, timestamp, item.body)
    return await delivery.post(item.url, item.body, headers, rules, sender)


def _heads(open_rows: list[queries.DeliveryRow]) -> list[queries.DeliveryRow]:
    """The first open delivery of each resource."""
    heads: dict[str, queries.DeliveryRow] = {}
    for row in open_rows:
        heads.setdefault(row.resource_key, row)
    return sorted(heads.values(), key=lambda row: (row.created_at, row.id))


def _takeable(row: queries.DeliveryRow, now: datetime, enabled: bool) -> bool:
    if not enabled and row.event_type != PING:
        return False
    if row.status == "pending":
        return row.next_attempt_at <= now
    return row.lease_until is not None and row.lease_until < now


async def _take_heads(tenant_id: UUID, endpoint_id: UUID) -> list[_Taken]:
    now = utc_now()
    async with unit_of_work(tenant_id) as uow:
        endpoint = await queries.endpoint(uow, endpoint_id)
        if endpoint is None:
            return []
        due = [row for row in _heads(await queries.open_deliveries(uow, endpoint_id))
               if _takeable(row, now, endpoint.enabled)][:TAKE]
        taken = [row for row in due if await queries.take(uow, row, now, now + _config.lease)]
        if not taken:
            return []
        events = await queries.events(uow, [row.event_id for row in taken])
        cipher = await cipher_for(uow)
        secrets = [cipher.open(endpoint.secret_ciphertext, "webhook_endpoints", "secret", endpoint_id)]
        if endpoint.previous_secret_ciphertext and endpoint.previous_secret_until \
                and endpoint.previous_secret_until > now:
            secrets.append(cipher.open(endpoint.previous_secret_ciphertext, "webhook_endpoints", "previous_secret",
                                       endpoint_id))
    return [_Taken(delivery=row, url=endpoint.url, body=_body(events[row.event_id]), secrets=tuple(secrets))
            for row in taken]


def _body(event: queries.EventRow) -> bytes:
    data = {"resource_type": event.resource_type, "id": event.resource_id, **event.data}
    return msgspec.json.encode(WebhookEventPayload(id=str(event.id), type=event.event_type,
                                                   timestamp=rfc3339(event.occurred_at), data=data))


async def _settle(uow: UnitOfWork, endpoint_id: UUID, row: queries.DeliveryRow, outcome: delivery.Outcome) -> None:
    now, config = utc_now(), _config
    first = row.first_attempt_at or now
    attempts = row.attempts + 1
    await queries.insert_attempt(uow, new_id(), queries.AttemptRow(
        delivery_id=row.id, attempted_at=now, succeeded=outcome.succeeded, status_code=outcome.status_code,
        latency_ms=outcome.latency_ms, response_excerpt=outcome.excerpt, error=outcome.error))
    common = {"attempts": attempts, "first_attempt_at": first, "lease_until": None,
              "last_status_code": outcome.status_code, "last_error": outcome.error}
    endpoint = await queries.endpoint(uow, endpoint_id)
    if outcome.succeeded:
        await queries.settle(uow, row.id, {**common, "status": "delivered", "finished_at": now})
        if endpoint is not None and endpoint.failing_since is not None:
            await queries.set_endpoint(uow, endpoint_id, {"failing_since": None}, new_version=False)
        return
    if endpoint is not None and not endpoint.enabled and row.event_type != PING:
        await queries.settle(uow, row.id, {**common, "status": "given_up", "finished_at": now})
        return  # disabled meanwhile (by this pass's earlier failure, or by an admin): nothing more is sent
    window = timedelta(seconds=config.give_up_seconds)
    if endpoint is not None and row.event_type != PING:
        failing_since = endpoint.failing_since or first
        if endpoint.failing_since is None:
            await queries.set_endpoint(uow, endpoint_id, {"failing_since": failing_since}, new_version=False)
        if endpoint.enabled and now - failing_since >= window:
            await queries.settle(uow, row.id, {**common, "status": "given_up", "finished_at": now})
            await _disable(uow, endpoint, now)
            return
    if now - first >= window:
        await queries.settle(uow, row.id, {**common, "status": "given_up", "finished_at": now})
        await jobs.enqueue(uow, DELIVER, DeliverOrder(endpoint_id=endpoint_id))  # the resource's next, now
        return
    wait = retry_delay(attempts, config.retry_base_seconds, config.retry_max_seconds)
    await queries.settle(uow, row.id, {**common, "status": "pending", "next_attempt_at": now + wait})
    await jobs.enqueue(uow, DELIVER, DeliverOrder(endpoint_id=endpoint_id), delay=wait)


async def _disable(uow: UnitOfWork, endpoint: queries.EndpointRow, now: datetime) -> None:
    """Deliveries failed for the whole window: the endpoint stops, its open deliveries are given up, the tenant
    admins are told (a message each, in their language) and the audit trail records it."""
    await queries.set_endpoint(uow, endpoint.id, {"enabled": False, "disabled_reason": "failing",
                                                  "updated_at": now}, new_version=True)
    await queries.give_up_open(uow, endpoint.id, now)
    days = max(1, round(_config.give_up_seconds / 86_400))
    for admin in await users_with_role_in(uow, Role.TENANT_ADMIN):
        await enqueue_in(uow, Message(
            recipient_kind="user", recipient_id=admin.id, locale=admin.locale,
            subject=translate(DISABLED_SUBJECT, admin.locale),
            body=translate(DISABLED_BODY, admin.locale, url=endpoint.url, days=days),
            about_kind=AUDIT_ENTITY, about_id=endpoint.id))
    await record(uow, SYSTEM, "webhook_endpoint.disabled", AUDIT_ENTITY, endpoint.id,
                 before={"enabled": True}, after={"enabled": False, "reason": "failing"})
    log.warning("webhook endpoint disabled after failing for the whole retry window")


# -- housekeeping ------------------------------------------------------------------------------------------------

async def housekeep(tenant_id: UUID) -> int:
    """For the periodic purge: drop events and their log older than 30 days, and queue a delivery job for each
    endpoint with something due whose job was lost (a worker stopped mid-send); how many events were purged."""
    now = utc_now()
    async with unit_of_work(tenant_id) as uow:
        purged = await queries.purge_before(uow, now - KEPT)
        for endpoint_id in await queries.endpoints_with_due(uow, now - timedelta(seconds=60)):
            await jobs.enqueue(uow, DELIVER, DeliverOrder(endpoint_id=endpoint_id))
    return purged


def with_policy(config: WebhookConfig, policy: ssrf.TargetPolicy) -> WebhookConfig:
    return replace(config, policy=policy)
