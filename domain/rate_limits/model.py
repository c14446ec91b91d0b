"""What a lease of rate-limit quota is, and how large the blocks are."""

from __future__ import annotations

import msgspec

#: A lease takes at most a twentieth of the limit: few enough round trips, little quota held by any one process.
BLOCKS_PER_LIMIT = 20
#: As the window's budget shrinks, a lease takes at most this fraction of what is left, so the last requests of a
#: window are not stranded in a process the client's next requests do not reach.
SHARE_OF_WHAT_IS_LEFT = 8


class Lease(msgspec.Struct, frozen=True):
    """``leased`` units of quota now held by the asking process; ``granted`` all units leased in the window so far."""

    leased: int
    granted: int


def largest_block(limit: int) -> int:
    return max(1, limit // BLOCKS_PER_LIMIT)
