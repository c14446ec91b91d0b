"""One canonical JSON encoding for everything that is hashed: the audit chain, a pay run's results, its inputs."""

from __future__ import annotations

from typing import Any

import msgspec


def _enc_hook(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise NotImplementedError(type(value))


_hooked_encoder = msgspec.json.Encoder(
    order="sorted", decimal_format="string", uuid_format="canonical", enc_hook=_enc_hook
)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, Decimals and UUIDs as strings: the same bytes on every database."""
    return _hooked_encoder.encode(value).decode()
