"""Time rules at the edges: DST gaps and overlaps are decided on purpose, never by accident."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import pytz

from domain.kernel.errors import NaiveDateTime
from domain.kernel.time import (
    Ambiguity,
    AmbiguousLocalTime,
    InvalidTimezone,
    NonExistent,
    NonExistentLocalTime,
    from_local,
    to_local,
    to_utc,
)


def test_berlin_never_gets_the_lmt_offset() -> None:
    # pytz's trap: datetime(..., tzinfo=pytz.timezone("Europe/Berlin")) is +00:53.
    assert pytz.timezone("Europe/Berlin").utcoffset(datetime(2026, 1, 15)).total_seconds() == 3600
    assert from_local(datetime(2026, 1, 15, 9, 0), "Europe/Berlin") == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def test_a_wall_clock_time_in_the_spring_gap_is_refused_or_shifted_forward() -> None:
    gap = datetime(2026, 3, 29, 2, 30)  # Berlin jumps from 02:00 to 03:00
    with pytest.raises(NonExistentLocalTime):
        from_local(gap, "Europe/Berlin")
    shifted = from_local(gap, "Europe/Berlin", nonexistent=NonExistent.SHIFT_FORWARD)
    assert to_local(shifted, "Europe/Berlin").strftime("%H:%M %z") == "03:30 +0200"


def test_a_wall_clock_time_in_the_autumn_overlap_must_say_which_one() -> None:
    overlap = datetime(2026, 10, 25, 2, 30)  # Berlin passes 02:00-03:00 twice
    with pytest.raises(AmbiguousLocalTime):
        from_local(overlap, "Europe/Berlin")
    earlier = from_local(overlap, "Europe/Berlin", ambiguous=Ambiguity.EARLIER)
    later = from_local(overlap, "Europe/Berlin", ambiguous=Ambiguity.LATER)
    assert earlier == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert later == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_new_york_and_shanghai_see_the_same_instant_in_their_own_zones() -> None:
    instant = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 02:30 would not exist in New York that day
    assert to_local(instant, "America/New_York").isoformat() == "2026-03-08T03:30:00-04:00"
    assert to_local(instant, "Asia/Shanghai").isoformat() == "2026-03-08T15:30:00+08:00"


def test_naive_datetimes_and_unknown_zones_are_refused() -> None:
    with pytest.raises(NaiveDateTime):
        to_utc(datetime(2026, 1, 1, 9, 0))
    with pytest.raises(InvalidTimezone):
        to_local(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus_Mons")
