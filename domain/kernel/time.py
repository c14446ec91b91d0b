"""Time rules: store UTC, show each person's zone, and decide DST edge cases on purpose.

pytz zones must never be passed as ``tzinfo=`` (that gives Berlin its +00:53 LMT offset);
``localize`` and ``normalize`` are the only ways in and out here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytz

from domain.kernel.errors import InvalidInput, NaiveDateTime


class Ambiguity(StrEnum):
    """What a local time that occurs twice (clocks going back) means."""

    EARLIER = "earlier"
    LATER = "later"
    REJECT = "reject"


class NonExistent(StrEnum):
    """What a local time that never occurs (clocks going forward) becomes."""

    SHIFT_FORWARD = "shift_forward"
    REJECT = "reject"


class InvalidTimezone(InvalidInput):
    code = "invalid_timezone"
    title = "Unknown time zone"
    template = "{zone} is not an IANA time zone name (for example Europe/Berlin or Asia/Shanghai)."


class AmbiguousLocalTime(InvalidInput):
    code = "ambiguous_local_time"
    title = "Ambiguous local time"
    template = "{local} happens twice in {zone} because the clocks go back; say which one you mean."


class NonExistentLocalTime(InvalidInput):
    code = "nonexistent_local_time"
    title = "Local time does not exist"
    template = "{local} does not exist in {zone} because the clocks go forward."


def utc_now() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> pytz.BaseTzInfo:
    if name not in pytz.all_timezones_set:
        raise InvalidTimezone(zone=name)
    return pytz.timezone(name)


def require_timezone(name: str) -> str:
    zone(name)
    return name


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDateTime()
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone_name: str) -> datetime:
    return to_utc(moment).astimezone(zone(zone_name))


def from_local(
    wall_clock: datetime,
    zone_name: str,
    *,
    ambiguous: Ambiguity = Ambiguity.REJECT,
    nonexistent: NonExistent = NonExistent.REJECT,
) -> datetime:
    """The UTC instant of a wall-clock time in a zone, with DST gaps and overlaps decided explicitly."""
    tz = zone(zone_name)
    naive = wall_clock.replace(tzinfo=None)
    try:
        return tz.localize(naive, is_dst=None).astimezone(UTC)
    except pytz.AmbiguousTimeError:
        if ambiguous is Ambiguity.REJECT:
            raise AmbiguousLocalTime(local=naive.isoformat(), zone=zone_name) from None
        return tz.localize(naive, is_dst=ambiguous is Ambiguity.EARLIER).astimezone(UTC)
    except pytz.NonExistentTimeError:
        if nonexistent is NonExistent.REJECT:
            raise NonExistentLocalTime(local=naive.isoformat(), zone=zone_name) from None
        # Shifting forward keeps the meeting at the same elapsed time after midnight: 02:30 becomes 03:30.
        before_gap = tz.normalize(tz.localize(naive, is_dst=False))
        return before_gap.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") if moment.microsecond == 0 else moment.isoformat()
