"""An interview as an iCalendar (RFC 5545) file that any calendar client can import.

Times are written in UTC (``DTSTART:20260329T013000Z``), so no VTIMEZONE is needed and every
client shows them in its own user's zone. TEXT values are escaped (RFC 5545 §3.3.11), parameter
values use RFC 6868 caret encoding inside quotes, and content lines are folded at 75 octets
without splitting a UTF-8 character (§3.1). Lines end in CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

from domain.interviews.model import InterviewSlot, Participant, ParticipantKind
from domain.kernel.time import to_utc

PRODID = "-//Meridian//Interviews//EN"
CRLF = "\r\n"
MAX_LINE_OCTETS = 75

ROLES = {ParticipantKind.CANDIDATE: "REQ-PARTICIPANT", ParticipantKind.INTERVIEWER: "REQ-PARTICIPANT"}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # RFC 5545 TEXT allows HTAB and (escaped) newlines only
_URI_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"<>]")


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped; other control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def quote_param(value: str) -> str:
    """A quoted parameter value (e.g. CN). Quotes, carets and newlines use RFC 6868 encoding."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return '"' + _CONTROL.sub("", value) + '"'


def _uri(value: str) -> str:
    if not value or _URI_FORBIDDEN.search(value):
        raise ValueError("a calendar address or URL must not contain spaces, quotes or control characters")
    return value


def _address(email: str) -> str:
    return "mailto:" + _uri(email)


def ics_utc(moment: datetime) -> str:
    """UTC in iCalendar basic format, e.g. 20260329T013000Z (seconds resolution)."""
    return to_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuation lines starting with one
    space. A UTF-8 character, or a backslash escape, is never split across lines."""
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS  # the first line; later lines spend one octet on the leading space
    i = 0
    while i < len(line):
        token = line[i : i + 2] if line[i] == "\\" and i + 1 < len(line) else line[i]
        octets = len(token.encode())
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(token)
        size += octets
        i += len(token)
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def to_ics(
    interview_id: UUID,
    title: str,
    slot: InterviewSlot,
    participants: Iterable[Participant],
    organiser_email: str | None,
    location: str | None,
    description: str | None,
    now_utc: datetime,
    *,
    emails: Mapping[UUID, str] | None = None,
    url: str | None = None,
    sequence: int = 0,
) -> str:
    """One VEVENT in a PUBLISH calendar.

    ``emails`` maps a participant's person id to an address; a participant without one is named by
    ``urn:uuid:<person id>`` instead (no address is ever invented). ``url`` is, for example, the
    video link; ``sequence`` goes up by one each time the interview is rescheduled, so clients
    replace the earlier copy that has the same UID.
    """
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    emails = emails or {}
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{interview_id}@meridian",
        f"DTSTAMP:{ics_utc(now_utc)}",
        f"DTSTART:{ics_utc(slot.start_utc)}",
        f"DTEND:{ics_utc(slot.end_utc)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape_text(title)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if url:
        lines.append(f"URL:{_uri(url)}")
    if organiser_email:
        lines.append(f"ORGANIZER:{_address(organiser_email)}")
    for participant in participants:
        email = emails.get(participant.person_id)
        address = _address(email) if email else f"urn:uuid:{participant.person_id}"
        role = ROLES[ParticipantKind(participant.kind)]
        lines.append(f"ATTENDEE;CN={quote_param(participant.display_name)};ROLE={role}:{address}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)
