"""The one statement that leases quota, and the pruning of past windows. Platform rows: no unit of work, no tenant."""

from __future__ import annotations

from domain.kernel.db import current_database
from domain.rate_limits.model import SHARE_OF_WHAT_IS_LEFT, Lease


def _block_after(granted: str, limit: int, block: int) -> tuple[str, list[object]]:
    """The block a lease takes once ``granted`` (an SQL expression) units are out: what is left divided by
    SHARE_OF_WHAT_IS_LEFT, at least 1, at most ``block``, and never past the limit (0 once it is reached)."""
    sql = f"GREATEST(0, LEAST({{}} - {granted}, {{}}, GREATEST(1, ({{}} - {granted}) / {SHARE_OF_WHAT_IS_LEFT})))"
    return sql, [limit, block, limit]


async def lease(key_digest: str, window_start: int, limit: int, block: int) -> Lease:
    """One atomic upsert: the row is locked while it is updated, so concurrent leases from every process and replica
    add up exactly and ``granted`` never passes ``limit``. Both SET expressions read the row as it was."""
    first, first_args = _block_after("0", limit, block)
    more, more_args = _block_after("c.granted", limit, block)
    # Only the rule's own text is formatted in; every value is a parameter.
    statement = (
        "INSERT INTO rate_limit_counters AS c (key_digest, window_start, granted, last_lease) "  # noqa: S608
        f"VALUES ({{}}, {{}}, {first}, {first}) ON CONFLICT (key_digest, window_start) DO UPDATE "
        f"SET granted = c.granted + {more}, last_lease = {more} RETURNING granted, last_lease"
    )
    rows = await current_database().execute(
        statement, key_digest, window_start, *first_args, *first_args, *more_args, *more_args)
    return Lease(leased=int(rows[0]["last_lease"]), granted=int(rows[0]["granted"]))


async def forget_windows_before(window_start: int) -> None:
    await current_database().execute("DELETE FROM rate_limit_counters WHERE window_start < {}", window_start)
