"""The pure part of the audit chain: canonical encoding and the hash that links entries."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import msgspec

from domain.kernel.i18n import translate

GENESIS_HASH = "0" * 64

_encoder = msgspec.json.Encoder(order="sorted", decimal_format="string", uuid_format="canonical")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Link(msgspec.Struct, frozen=True):
    tenant_id: UUID
    seq: int
    prev_hash: str
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: str | None
    after: str | None
    request_id: str

    def digest(self) -> str:
        body = {
            "tenant_id": str(self.tenant_id),
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "occurred_at": utc_text(self.occurred_at),
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
        }
        return hashlib.sha256(_encoder.encode(body)).hexdigest()


ENTRY_MISSING = "audit.entry_missing"
PREVIOUS_HASH_MISMATCH = "audit.previous_hash_mismatch"
CONTENT_CHANGED = "audit.content_changed"
#: Why a link does not hold, by its code.
CHAIN_MESSAGES = {
    ENTRY_MISSING: "An entry is missing: the sequence jumps here.",
    PREVIOUS_HASH_MISMATCH: "The entry's prev_hash does not match the previous entry's hash.",
    CONTENT_CHANGED: "The entry's content does not match its hash: it was changed after it was recorded.",
}


class BrokenLink(msgspec.Struct, frozen=True):
    """Where an audit chain breaks: the entry's sequence number and why, as a stable `code` (`audit.entry_missing`,
    `audit.previous_hash_mismatch` or `audit.content_changed`) and as a `reason` in the reader's language."""

    seq: int
    code: str
    reason: str


def first_broken_link(expected_seq: int, expected_prev: str, link: Link, stored_hash: str,
                      locale: str = "en") -> BrokenLink | None:
    if link.seq != expected_seq:
        return _broken(expected_seq, ENTRY_MISSING, locale)
    if link.prev_hash != expected_prev:
        return _broken(link.seq, PREVIOUS_HASH_MISMATCH, locale)
    if link.digest() != stored_hash:
        return _broken(link.seq, CONTENT_CHANGED, locale)
    return None


def _broken(seq: int, code: str, locale: str) -> BrokenLink:
    return BrokenLink(seq=seq, code=code, reason=translate(CHAIN_MESSAGES[code], locale))


def snapshot(value: Any) -> Any:
    """A JSON-ready copy of a before/after value (enums by value, dates as ISO text)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date | Decimal | UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [snapshot(v) for v in value]
    return value
