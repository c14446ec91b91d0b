"""The shared rate-limit counter in Redis, where ``MERIDIAN_REDIS_URL`` names one: the same lease as the database's
(:mod:`domain.rate_limits.queries`), taken by one Lua script, which Redis runs atomically. Keys expire after two
windows, so nothing needs pruning."""

from __future__ import annotations

from typing import Any

from domain.rate_limits.model import SHARE_OF_WHAT_IS_LEFT, Lease, largest_block
from domain.rate_limits.service import key_digest

#: The block rule of ``queries._block_after``: what is left divided by the share, at least 1, at most the largest
#: block, never past the limit.
_LEASE = """
local granted = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = tonumber(ARGV[1]) - granted
local block = math.max(0, math.min(left, tonumber(ARGV[2]), math.max(1, math.floor(left / tonumber(ARGV[3])))))
if block > 0 then
  granted = redis.call('INCRBY', KEYS[1], block)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {granted, block}
"""


class RedisCounter:
    """Leases from Redis; the connection is opened by the first lease, in the event loop that serves requests."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._script: Any = None

    async def lease(self, policy: str, key: str, window_start: int, limit: int, window_seconds: int) -> Lease:
        if self._script is None:
            import redis.asyncio

            self._script = redis.asyncio.Redis.from_url(self.url).register_script(_LEASE)
        granted, leased = await self._script(
            keys=[f"meridian:ratelimit:{key_digest(policy, key)}:{window_start}"],
            args=[limit, largest_block(limit), SHARE_OF_WHAT_IS_LEFT, 2 * window_seconds])
        return Lease(leased=int(leased), granted=int(granted))
