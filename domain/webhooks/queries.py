"""Every read and write of the webhook tables, each scoped to the unit of work's tenant."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.query.functions.aggregate import Max

from domain.kernel.db import UnitOfWork
from domain.kernel.versioning import update_versioned
from domain.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

OPEN = ("pending", "sending")


class EndpointRow(msgspec.Struct, frozen=True):
    id: UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    secret_ciphertext: str
    previous_secret_ciphertext: str | None
    previous_secret_until: datetime | None
    failing_since: datetime | None
    disabled_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class EventRow(msgspec.Struct, frozen=True):
    id: UUID
    event_type: str
    resource_type: str
    resource_id: str
    data: dict[str, Any]
    occurred_at: datetime


class DeliveryRow(msgspec.Struct, frozen=True):
    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    resource_key: str
    seq: int
    status: str
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    first_attempt_at: datetime | None
    finished_at: datetime | None
    created_at: datetime


class AttemptRow(msgspec.Struct, frozen=True):
    delivery_id: UUID
    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


def _endpoint(row: dict[str, Any]) -> EndpointRow:
    return msgspec.convert({**row, "events": json.loads(row["events"])}, EndpointRow)


def _event(row: dict[str, Any]) -> EventRow:
    return msgspec.convert({**row, "data": json.loads(row["data"])}, EventRow)


def _delivery(row: dict[str, Any]) -> DeliveryRow:
    return msgspec.convert(row, DeliveryRow)


_DELIVERY_COLUMNS = [getattr(WebhookDelivery, name) for name in DeliveryRow.__struct_fields__]
_ENDPOINT_COLUMNS = [getattr(WebhookEndpoint, name) for name in EndpointRow.__struct_fields__]
_EVENT_COLUMNS = [getattr(WebhookEvent, name) for name in EventRow.__struct_fields__]
_ATTEMPT_COLUMNS = [getattr(WebhookAttempt, name) for name in AttemptRow.__struct_fields__]


# -- endpoints ---------------------------------------------------------------------------------------------------

async def insert_endpoint(uow: UnitOfWork, endpoint_id: UUID, *, url: str, description: str, events: list[str],
                          enabled: bool, secret_ciphertext: str, now: datetime) -> None:
    await WebhookEndpoint.insert(WebhookEndpoint(
        id=endpoint_id, tenant_id=uow.tenant_id, url=url, description=description, events=json.dumps(events),
        enabled=enabled, secret_ciphertext=secret_ciphertext, version=1, created_at=now, updated_at=now))


async def endpoint(uow: UnitOfWork, endpoint_id: UUID) -> EndpointRow | None:
    row = await WebhookEndpoint.select(*_ENDPOINT_COLUMNS).where(
        (WebhookEndpoint.tenant_id == uow.tenant_id) & (WebhookEndpoint.id == endpoint_id)).first()
    return _endpoint(row) if row else None


async def endpoints(uow: UnitOfWork, *, after: UUID | None, limit: int) -> list[EndpointRow]:
    query = WebhookEndpoint.select(*_ENDPOINT_COLUMNS).where(WebhookEndpoint.tenant_id == uow.tenant_id)
    if after is not None:
        query = query.where(WebhookEndpoint.id > after)
    return [_endpoint(row) for row in await query.order_by(WebhookEndpoint.id).limit(limit)]


async def subscribed(uow: UnitOfWork, event_type: str) -> list[UUID]:
    """The enabled endpoints that receive ``event_type``."""
    rows = await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        (WebhookEndpoint.tenant_id == uow.tenant_id) & (WebhookEndpoint.enabled == True))  # noqa: E712
    return [row["id"] for row in rows if event_type in json.loads(row["events"])]


async def update_endpoint(uow: UnitOfWork, endpoint_id: UUID, expected_version: int, values: dict[str, Any]) -> None:
    if "events" in values:
        values = {**values, "events": json.dumps(values["events"])}
    await update_versioned(uow, WebhookEndpoint, endpoint_id, expected_version, values, "webhook endpoint")


async def set_endpoint(uow: UnitOfWork, endpoint_id: UUID, values: dict[str, Any], *, new_version: bool) -> None:
    """Values the platform sets (failure tracking, disabling, a rotated secret); ``new_version`` for a change a
    reader's ETag must see."""
    changes: dict[Any, Any] = dict(values)
    if new_version:
        changes[WebhookEndpoint.version] = WebhookEndpoint.version + 1
    await WebhookEndpoint.update(changes).where(
        (WebhookEndpoint.tenant_id == uow.tenant_id) & (WebhookEndpoint.id == endpoint_id))


async def delete_endpoint(uow: UnitOfWork, endpoint_id: UUID) -> bool:
    own = WebhookDelivery.tenant_id == uow.tenant_id
    deliveries = [row["id"] for row in await WebhookDelivery.select(WebhookDelivery.id).where(
        own & (WebhookDelivery.endpoint_id == endpoint_id))]
    await _delete_deliveries(uow, deliveries)
    deleted = await WebhookEndpoint.delete().where(
        (WebhookEndpoint.tenant_id == uow.tenant_id) & (WebhookEndpoint.id == endpoint_id)).returning(
        WebhookEndpoint.id)
    return bool(deleted)


async def _delete_deliveries(uow: UnitOfWork, delivery_ids: list[UUID]) -> None:
    for start in range(0, len(delivery_ids), 500):
        chunk = delivery_ids[start:start + 500]
        await WebhookAttempt.delete().where(
            (WebhookAttempt.tenant_id == uow.tenant_id) & WebhookAttempt.delivery_id.is_in(chunk))
        await WebhookDelivery.delete().where(
            (WebhookDelivery.tenant_id == uow.tenant_id) & WebhookDelivery.id.is_in(chunk))


# -- events ------------------------------------------------------------------------------------------------------

async def next_seq(uow: UnitOfWork, resource_type: str, resource_id: str) -> int:
    """The resource's next place in its order: one past its latest event. A change to one resource holds that
    resource's row lock until it commits, so the next change's event reads this one's and comes after it."""
    row = await WebhookEvent.select(WebhookEvent.seq).where(
        (WebhookEvent.tenant_id == uow.tenant_id) & (WebhookEvent.resource_type == resource_type)
        & (WebhookEvent.resource_id == resource_id)).order_by(WebhookEvent.seq, ascending=False).first()
    return (int(row["seq"]) if row else 0) + 1


async def next_seqs(uow: UnitOfWork, resource_type: str, resource_ids: list[str]) -> dict[str, int]:
    """``next_seq`` for many resources at once (a bulk import's new employees)."""
    found: dict[str, int] = {}
    for start in range(0, len(resource_ids), 500):
        chunk = resource_ids[start:start + 500]
        rows = await WebhookEvent.select(WebhookEvent.resource_id, Max(WebhookEvent.seq).as_alias("seq")).where(
            (WebhookEvent.tenant_id == uow.tenant_id) & (WebhookEvent.resource_type == resource_type)
            & WebhookEvent.resource_id.is_in(chunk)).group_by(WebhookEvent.resource_id)
        found.update({row["resource_id"]: int(row["seq"]) for row in rows})
    return {resource_id: found.get(resource_id, 0) + 1 for resource_id in resource_ids}


async def insert_events(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 500):
        await WebhookEvent.insert(*[WebhookEvent(tenant_id=uow.tenant_id, **{**row, "data": json.dumps(
            row["data"], sort_keys=True)}) for row in rows[start:start + 500]])


async def insert_event(uow: UnitOfWork, event_id: UUID, *, event_type: str, resource_type: str, resource_id: str,
                       seq: int, data: dict[str, Any], occurred_at: datetime, once_key: str | None) -> bool:
    """False when an event with ``once_key`` was published before (nothing is written)."""
    inserted = await WebhookEvent.insert(WebhookEvent(
        id=event_id, tenant_id=uow.tenant_id, event_type=event_type, resource_type=resource_type,
        resource_id=resource_id, seq=seq, data=json.dumps(data, sort_keys=True), occurred_at=occurred_at,
        once_key=once_key)).on_conflict(action="DO NOTHING").returning(WebhookEvent.id)
    return bool(inserted)


async def events(uow: UnitOfWork, event_ids: list[UUID]) -> dict[UUID, EventRow]:
    if not event_ids:
        return {}
    rows = await WebhookEvent.select(*_EVENT_COLUMNS).where(
        (WebhookEvent.tenant_id == uow.tenant_id) & WebhookEvent.id.is_in(list(set(event_ids))))
    return {row["id"]: _event(row) for row in rows}


# -- deliveries --------------------------------------------------------------------------------------------------

async def insert_deliveries(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 500):
        await WebhookDelivery.insert(*[WebhookDelivery(tenant_id=uow.tenant_id, **row)
                                       for row in rows[start:start + 500]])


async def open_deliveries(uow: UnitOfWork, endpoint_id: UUID) -> list[DeliveryRow]:
    """The endpoint's deliveries not yet delivered or given up, in delivery order within each resource."""
    rows = await WebhookDelivery.select(*_DELIVERY_COLUMNS).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id)
        & WebhookDelivery.status.is_in(list(OPEN))).order_by(
        WebhookDelivery.resource_key, WebhookDelivery.seq, WebhookDelivery.created_at, WebhookDelivery.id)
    return [_delivery(row) for row in rows]


async def take(uow: UnitOfWork, row: DeliveryRow, now: datetime, lease_until: datetime) -> bool:
    """Mark one delivery as being sent, unless another worker took it first (its lease still running) or changed it
    since ``row`` was read: a worker whose read is stale (another sent the delivery and settled it meanwhile, its
    next attempt not yet due) takes nothing, so a delivery is never sent twice for one attempt nor before its retry
    is due, and its attempt count stays the number of attempts logged."""
    taken = await WebhookDelivery.update({WebhookDelivery.status: "sending", WebhookDelivery.lease_until: lease_until})\
        .where((WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.id == row.id)
               & (WebhookDelivery.attempts == row.attempts)
               & (((WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now))
                  | ((WebhookDelivery.status == "sending") & (WebhookDelivery.lease_until < now))))\
        .returning(WebhookDelivery.id)
    return bool(taken)


async def delivery(uow: UnitOfWork, endpoint_id: UUID, delivery_id: UUID) -> DeliveryRow | None:
    row = await WebhookDelivery.select(*_DELIVERY_COLUMNS).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id)
        & (WebhookDelivery.id == delivery_id)).first()
    return _delivery(row) if row else None


async def settle(uow: UnitOfWork, delivery_id: UUID, values: dict[str, Any]) -> None:
    await WebhookDelivery.update({getattr(WebhookDelivery, k): v for k, v in values.items()}).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.id == delivery_id))


async def give_up_open(uow: UnitOfWork, endpoint_id: UUID, now: datetime) -> None:
    await WebhookDelivery.update({WebhookDelivery.status: "given_up", WebhookDelivery.finished_at: now,
                                  WebhookDelivery.lease_until: None}).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id)
        & WebhookDelivery.status.is_in(list(OPEN)))


async def deliveries(uow: UnitOfWork, endpoint_id: UUID, *, before: tuple[datetime, UUID] | None,
                     limit: int) -> list[DeliveryRow]:
    """Newest first."""
    query = WebhookDelivery.select(*_DELIVERY_COLUMNS).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id))
    if before is not None:
        moment, row_id = before
        query = query.where((WebhookDelivery.created_at < moment)
                            | ((WebhookDelivery.created_at == moment) & (WebhookDelivery.id < row_id)))
    rows = await query.order_by(WebhookDelivery.created_at, WebhookDelivery.id, ascending=False).limit(limit)
    return [_delivery(row) for row in rows]


async def endpoints_with_due(uow: UnitOfWork, now: datetime) -> list[UUID]:
    """Endpoints with a delivery due now or whose sender stopped mid-send (its lease ran out)."""
    rows = await WebhookDelivery.select(WebhookDelivery.endpoint_id).where(
        (WebhookDelivery.tenant_id == uow.tenant_id)
        & (((WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now))
           | ((WebhookDelivery.status == "sending") & (WebhookDelivery.lease_until < now)))).distinct()
    return [row["endpoint_id"] for row in rows]


# -- attempts ----------------------------------------------------------------------------------------------------

async def insert_attempt(uow: UnitOfWork, attempt_id: UUID, attempt: AttemptRow) -> None:
    await WebhookAttempt.insert(WebhookAttempt(id=attempt_id, tenant_id=uow.tenant_id,
                                               **msgspec.structs.asdict(attempt)))


async def attempts(uow: UnitOfWork, delivery_ids: list[UUID]) -> dict[UUID, list[AttemptRow]]:
    """Each delivery's attempts, newest first."""
    if not delivery_ids:
        return {}
    rows = await WebhookAttempt.select(*_ATTEMPT_COLUMNS).where(
        (WebhookAttempt.tenant_id == uow.tenant_id) & WebhookAttempt.delivery_id.is_in(delivery_ids)).order_by(
        WebhookAttempt.attempted_at, ascending=False)
    found: dict[UUID, list[AttemptRow]] = {}
    for row in rows:
        found.setdefault(row["delivery_id"], []).append(msgspec.convert(row, AttemptRow))
    return found


# -- keeping -----------------------------------------------------------------------------------------------------

async def purge_before(uow: UnitOfWork, cutoff: datetime) -> int:
    """Events older than ``cutoff`` whose deliveries are all finished, with their deliveries and attempts."""
    own = WebhookEvent.tenant_id == uow.tenant_id
    old = {row["id"] for row in await WebhookEvent.select(WebhookEvent.id).where(
        own & (WebhookEvent.occurred_at < cutoff)).limit(5000)}
    if not old:
        return 0
    busy = {row["event_id"] for row in await WebhookDelivery.select(WebhookDelivery.event_id).where(
        (WebhookDelivery.tenant_id == uow.tenant_id) & WebhookDelivery.event_id.is_in(list(old))
        & WebhookDelivery.status.is_in(list(OPEN)))}
    gone = list(old - busy)
    if not gone:
        return 0
    for start in range(0, len(gone), 500):
        chunk = gone[start:start + 500]
        doomed = [row["id"] for row in await WebhookDelivery.select(WebhookDelivery.id).where(
            (WebhookDelivery.tenant_id == uow.tenant_id) & WebhookDelivery.event_id.is_in(chunk))]
        await _delete_deliveries(uow, doomed)
        await WebhookEvent.delete().where(own & WebhookEvent.id.is_in(chunk))
    return len(gone)
