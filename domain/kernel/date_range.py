"""The calendar every date this API accepts falls in.

A date near 9999-12-31 is valid ISO 8601 but overflows as soon as a few working days are added to it, and no
hire, pay date or interview happens before 1900 or after 2200. The edge applies this one rule to every date-shaped
string of a JSON body and every query parameter, before any handler or calendar sees it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.kernel.errors import InvalidInput

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
#: A date alone, or the date that starts an RFC 3339 date-time.
_DATE_SHAPED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])")


class DateOutOfRange(InvalidInput):
    code = "date_out_of_range"
    title = "Date out of range"
    template = "Dates must fall between {earliest} and {latest}."

    def __init__(self, field: str) -> None:
        super().__init__(field=field, earliest=EARLIEST.isoformat(), latest=LATEST.isoformat())


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def is_date_out_of_range(text: str) -> bool:
    """Compared as numbers, so an impossible date (2026-02-30) is left for the type check to name."""
    match = _DATE_SHAPED.match(text)
    if match is None:
        return False
    found = tuple(int(part) for part in match.groups())
    return not (EARLIEST.year, EARLIEST.month, EARLIEST.day) <= found <= (LATEST.year, LATEST.month, LATEST.day)


def first_date_out_of_range(value: Any) -> str | None:
    """The dotted path (``items[2].start``) of the first date-shaped string outside the range, iteratively."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if is_date_out_of_range(item):
                return path
        elif isinstance(item, dict):
            pending.extend((f"{path}.{key}" if path else str(key), child) for key, child in item.items())
        elif isinstance(item, list):
            pending.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
    return None
