"""The security log of refused vendor deliveries, and the limit on how many a vendor's address may draw per hour.

Anyone who knows a tenant id and a vendor id can post a delivery, so a refusal must not cost the tenant an audit
entry (the chain would grow without bound, without credentials). It is counted instead, per vendor, reason and
hour, with the first few refusals of each hour kept as samples: when, from which address, and the body's size and
a hash prefix, never the body or anything in it. Windows older than the retention period are pruned whenever a new
one opens, so the log is bounded by vendors x reasons x hours retained, with a few samples each.

Past :data:`REFUSALS_PER_VENDOR_PER_WINDOW` refusals in an hour, further refusals for that vendor are answered 429
until the hour turns, and only counted: no sample, no pruning. Deliveries that verify are never limited here, so a
flood of forgeries cannot stop a vendor's real results.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.queries import RefusalRow, RefusalSampleRow
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.errors import DomainError, ErrorKind

WINDOW_SECONDS = 3600
RETENTION = timedelta(days=30)
SAMPLES_PER_WINDOW = 5
REFUSALS_PER_VENDOR_PER_WINDOW = 30
#: Enough of the body's SHA-256 to tell two bodies apart in a log, too little to confirm a guessed body's content.
BODY_HASH_CHARS = 16
_IP_CHARS = 45  # the longest textual IPv6 address (with an embedded IPv4 part)


class DeliveriesThrottled(DomainError):
    code = "vendor_deliveries_throttled"
    kind = ErrorKind.RATE_LIMITED
    title = "Too many refused deliveries"
    template = ("Too many deliveries for this vendor were refused this hour; check the signing secret and retry "
                "after {retry_after} seconds.")


class RefusedDelivery(msgspec.Struct, frozen=True):
    """What the security log keeps of one refused delivery: nothing the body says, only its size and a hash prefix."""

    received_at: datetime
    source_ip: str | None
    body_bytes: int
    body_sha256: str

    @classmethod
    def of(cls, body: bytes, source_ip: str | None, now: int) -> RefusedDelivery:
        return cls(received_at=datetime.fromtimestamp(now, UTC), source_ip=source_ip[:_IP_CHARS] if source_ip else None,
                   body_bytes=len(body), body_sha256=hashlib.sha256(body).hexdigest()[:BODY_HASH_CHARS])


class RefusalSampleView(msgspec.Struct, frozen=True):
    """One refused delivery kept as a sample: when it arrived, from which address, and the body's size and hash prefix;
    the body itself is not kept."""

    received_at: datetime
    source_ip: Annotated[str | None, msgspec.Meta(
        description="The address the delivery came from, as the server saw it.")]
    body_bytes: Annotated[int, msgspec.Meta(description="The body's size in bytes.")]
    body_sha256: Annotated[str, msgspec.Meta(
        description=f"The first {BODY_HASH_CHARS} hex digits of the body's SHA-256; the body itself is not kept.")]


class RefusalWindowView(msgspec.Struct, frozen=True):
    """One vendor's refusals for one reason (the problem code the vendor was answered) within one hour."""

    id: UUID
    vendor_id: UUID
    reason: Annotated[str, msgspec.Meta(
        description="The problem code the deliveries were refused with, such as vendor_signature_mismatch, "
                    "vendor_signature_expired, vendor_signature_replayed, invalid_interview_result or "
                    "duplicate_json_key.")]
    window_start: datetime
    window_end: datetime
    refused: Annotated[int, msgspec.Meta(description="Refusals for this reason in the hour, throttled ones included.")]
    throttled: Annotated[int, msgspec.Meta(
        description="Of those, how many came past the vendor's hourly limit and were answered 429 instead.")]
    first_at: datetime
    last_at: datetime
    samples: Annotated[list[RefusalSampleView], msgspec.Meta(
        description=f"The first {SAMPLES_PER_WINDOW} refusals of the hour; later ones are only counted.")]


class _UnknownVendorCounts:
    """Refusals for tenant and vendor ids that name no vendor, counted in this process for the current window only.

    Nothing of a tenant was reached, so nothing is written; but these must be throttled like a real vendor's, or the
    first 429 would tell a caller that the vendor exists. (With several replicas each counts its own share, as the
    per-address limit does.)
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._window: datetime | None = None
        self._counts: dict[tuple[UUID, UUID], int] = {}

    def count(self, tenant_id: UUID, vendor_id: UUID, window_start: datetime) -> int:
        """This refusal counted; how many there were in the window before it."""
        if window_start != self._window or len(self._counts) >= self._capacity:
            self._window, self._counts = window_start, {}
        before = self._counts.get((tenant_id, vendor_id), 0)
        self._counts[(tenant_id, vendor_id)] = before + 1
        return before


_unknown_vendors = _UnknownVendorCounts()


def window_start_of(now: int) -> datetime:
    return datetime.fromtimestamp(now - now % WINDOW_SECONDS, UTC)


async def log_refusal(tenant_id: UUID, vendor_id: UUID, reason: str, refused: RefusedDelivery, now: int) -> None:
    """Count a refused delivery in its own transaction (the delivery's own rolled back); raise
    :class:`DeliveriesThrottled` instead of the refusal once the vendor's hour is over its limit."""
    window_start = window_start_of(now)
    async with unit_of_work(tenant_id) as uow:
        if await queries.vendor(uow, vendor_id) is None:
            earlier = _unknown_vendors.count(tenant_id, vendor_id, window_start)
        else:
            earlier = await _count(uow, vendor_id, reason, window_start, refused)
    if earlier >= REFUSALS_PER_VENDOR_PER_WINDOW:
        raise DeliveriesThrottled(retry_after=max(1, WINDOW_SECONDS - now % WINDOW_SECONDS))


async def _count(uow: UnitOfWork, vendor_id: UUID, reason: str, window_start: datetime,
                 refused: RefusedDelivery) -> int:
    earlier = await queries.refusals_in_window(uow, vendor_id, window_start)
    throttled = earlier >= REFUSALS_PER_VENDOR_PER_WINDOW
    counted = await queries.count_refusal(uow, vendor_id, reason, window_start, refused.received_at,
                                          throttled=throttled)
    if not throttled and counted.refused <= SAMPLES_PER_WINDOW:
        await queries.add_refusal_sample(uow, counted.id, refused.received_at, refused.source_ip, refused.body_bytes,
                                         refused.body_sha256)
    if counted.opened:
        await queries.prune_refusals(uow, window_start - RETENTION)
    return earlier


def window_views(rows: list[RefusalRow], samples: list[RefusalSampleRow]) -> list[RefusalWindowView]:
    by_window: dict[UUID, list[RefusalSampleView]] = {row.id: [] for row in rows}
    for sample in samples:
        by_window[sample.refusal_id].append(RefusalSampleView(
            received_at=sample.received_at, source_ip=sample.source_ip, body_bytes=sample.body_bytes,
            body_sha256=sample.body_sha256))
    return [RefusalWindowView(id=row.id, vendor_id=row.vendor_id, reason=row.reason, window_start=row.window_start,
                              window_end=row.window_start + timedelta(seconds=WINDOW_SECONDS), refused=row.refused,
                              throttled=row.throttled, first_at=row.first_at, last_at=row.last_at,
                              samples=by_window[row.id])
            for row in rows]
