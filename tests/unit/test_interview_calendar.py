"""The interview as an RFC 5545 calendar file: exact output, escaping, folding and line endings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.interviews.calendar_export import escape_text, fold, to_ics
from domain.interviews.model import InterviewSlot, ParticipantInput, ParticipantKind
from domain.kernel.errors import NaiveDateTime

INTERVIEW_ID = UUID("6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b")
CANDIDATE_ID = UUID("11111111-1111-4111-8111-111111111111")
ALICE_ID = UUID("22222222-2222-4222-8222-222222222222")
SLOT = InterviewSlot(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 3, 30, tzinfo=UTC))
NOW = datetime(2026, 3, 1, 12, 0, 5, 123456, tzinfo=UTC)

CANDIDATE = ParticipantInput(
    kind=ParticipantKind.CANDIDATE, person_id=CANDIDATE_ID, display_name="Li Wei", timezone="Asia/Shanghai"
)
ALICE = ParticipantInput(
    kind=ParticipantKind.INTERVIEWER, person_id=ALICE_ID, display_name="Alice Meyer", timezone="Europe/Berlin"
)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def prop(text: str, name: str) -> str:
    (value,) = [line.split(":", 1)[1] for line in unfold(text) if line.split(":", 1)[0].split(";")[0] == name]
    return value


def ics(**changes: object) -> str:
    arguments: dict[str, object] = {
        "interview_id": INTERVIEW_ID,
        "title": "Technical interview",
        "slot": SLOT,
        "participants": [CANDIDATE, ALICE],
        "organiser_email": None,
        "location": None,
        "description": None,
        "now_utc": NOW,
    }
    arguments.update(changes)
    return to_ics(**arguments)  # type: ignore[arg-type]


def test_a_simple_interview_is_exactly_this_calendar() -> None:
    text = to_ics(
        INTERVIEW_ID,
        "Technical interview",
        SLOT,
        [CANDIDATE, ALICE],
        "recruiting@example.com",
        "Room 4",
        "Second round",
        NOW,
        emails={ALICE_ID: "alice@example.com"},
    )
    assert text == (
        "BEGIN:VCALENDAR\r\n"
        "PRODID:-//Meridian//Interviews//EN\r\n"
        "VERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b@meridian\r\n"
        "DTSTAMP:20260301T120005Z\r\n"
        "DTSTART:20260329T013000Z\r\n"
        "DTEND:20260329T033000Z\r\n"
        "SEQUENCE:0\r\n"
        "SUMMARY:Technical interview\r\n"
        "LOCATION:Room 4\r\n"
        "DESCRIPTION:Second round\r\n"
        "ORGANIZER:mailto:recruiting@example.com\r\n"
        'ATTENDEE;CN="Li Wei";ROLE=REQ-PARTICIPANT:urn:uuid:11111111-1111-4111-8111-\r\n'
        " 111111111111\r\n"  # folded: the line above is exactly 75 octets
        'ATTENDEE;CN="Alice Meyer";ROLE=REQ-PARTICIPANT:mailto:alice@example.com\r\n'
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_optional_properties_are_left_out_and_times_are_written_in_utc() -> None:
    shanghai = timezone(timedelta(hours=8))
    slot = InterviewSlot(datetime(2026, 3, 29, 9, 30, tzinfo=shanghai), datetime(2026, 3, 29, 11, 30, tzinfo=shanghai))
    text = ics(
        slot=slot, now_utc=datetime(2026, 3, 1, 20, 0, tzinfo=shanghai), sequence=2, url="https://meet.example.com/abc"
    )
    lines = unfold(text)
    assert "DTSTART:20260329T013000Z" in lines and "DTEND:20260329T033000Z" in lines
    assert "DTSTAMP:20260301T120000Z" in lines
    assert "SEQUENCE:2" in lines and "URL:https://meet.example.com/abc" in lines
    assert not any(line.startswith(("LOCATION", "DESCRIPTION", "ORGANIZER")) for line in lines)


def test_text_is_escaped() -> None:
    title = r"Backend, round 2; C:\temp"
    description = "Line one\nLine two\r\nLine three\rLine four, done; ok \\ end"
    text = ics(title=title, description=description, location="Berlin; Room 4, 2nd floor")
    assert prop(text, "SUMMARY") == r"Backend\, round 2\; C:\\temp"
    assert prop(text, "LOCATION") == r"Berlin\; Room 4\, 2nd floor"
    assert prop(text, "DESCRIPTION") == r"Line one\nLine two\nLine three\nLine four\, done\; ok \\ end"
    assert unescape(prop(text, "SUMMARY")) == title
    assert unescape(prop(text, "DESCRIPTION")) == "Line one\nLine two\nLine three\nLine four, done; ok \\ end"
    assert escape_text("bell\x07 and tab\t") == "bell and tab\t"


def test_display_names_are_quoted_parameter_values() -> None:
    odd = ParticipantInput(
        kind=ParticipantKind.INTERVIEWER, person_id=ALICE_ID, display_name='Meyer, "Al"; ^x:y', timezone="UTC"
    )
    text = ics(participants=[CANDIDATE, odd])
    assert f"ATTENDEE;CN=\"Meyer, ^'Al^'; ^^x:y\";ROLE=REQ-PARTICIPANT:urn:uuid:{ALICE_ID}" in unfold(text)


def test_a_long_chinese_and_japanese_summary_is_folded_at_75_octets_and_unfolds_back() -> None:
    title = "技術面接：バックエンドエンジニア（シニア）— 第二次面试，系统设计与编码；" * 4
    text = ics(title=title, description="説明、" * 60, participants=[CANDIDATE, ALICE])
    physical = text.split("\r\n")
    assert physical[-1] == ""
    assert all(len(line.encode()) <= 75 for line in physical)
    assert sum(1 for line in physical if line.startswith(" ")) > 10
    for line in physical:
        line.encode().decode("utf-8", errors="strict")  # no multi-byte character was split
    assert unescape(prop(text, "SUMMARY")) == title
    assert unescape(prop(text, "DESCRIPTION")) == "説明、" * 60


def test_fold_never_splits_a_character_or_an_escape() -> None:
    line = "SUMMARY:" + "a" * 66 + "\\,b"  # the escape would straddle octet 75
    folded = fold(line)
    assert folded.split("\r\n") == ["SUMMARY:" + "a" * 66, " \\,b"]
    emoji = "SUMMARY:" + "😀" * 60  # four octets each
    pieces = fold(emoji).split("\r\n")
    assert [len(p.encode()) for p in pieces] == [72, 73, 73, 33]  # 8 + 16*4, then 1 + 18*4 twice, then 1 + 8*4
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == emoji
    assert fold("X" * 75) == "X" * 75


def test_every_line_ends_in_crlf() -> None:
    text = ics(title="Long " * 40, description="a\nb", location="x" * 200)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_addresses_cannot_inject_lines_and_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="calendar address"):
        ics(organiser_email="a@example.com\r\nATTENDEE:mailto:evil@example.com")
    with pytest.raises(ValueError, match="calendar address"):
        ics(emails={ALICE_ID: "alice @example.com"})
    with pytest.raises(NaiveDateTime):
        ics(now_utc=datetime(2026, 3, 1, 12, 0))
