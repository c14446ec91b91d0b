"""Leasing rate-limit quota from the counter every process and replica shares.

A process leases a block of a key's quota for the current window in one statement, admits requests from it
locally, and leases again when it runs out; so the database is asked once per block, not once per request, and the
requests admitted across all processes never exceed the limit. Blocks shrink as the window's budget does.
"""

from __future__ import annotations

import hashlib

from domain.rate_limits import queries
from domain.rate_limits.model import Lease, largest_block

#: Windows kept: the current one and the one before (a process whose clock is a little behind still finds its row).
WINDOWS_KEPT = 2


def key_digest(policy: str, key: str) -> str:
    """The stored key: the policy (limit and window) with the tenant and subject, hashed, so the table names no one
    and a changed limit starts a counter of its own."""
    return hashlib.sha256(f"{policy}\n{key}".encode()).hexdigest()


async def lease_quota(policy: str, key: str, window_start: int, limit: int) -> Lease:
    return await queries.lease(key_digest(policy, key), window_start, limit, largest_block(limit))


async def forget_past_windows(window_start: int, window_seconds: int) -> None:
    """Delete counters of windows before the previous one."""
    await queries.forget_windows_before(window_start - (WINDOWS_KEPT - 1) * window_seconds)
