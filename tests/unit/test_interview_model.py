"""Interview scheduling without a database: each person's local time across DST changes, booking
from a wall-clock time, double-booking rules and input validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.interviews.model import (
    InterviewDuplicateParticipant,
    InterviewEndsBeforeStart,
    InterviewerDoubleBooked,
    InterviewNeedsAnInterviewer,
    InterviewNeedsOneCandidate,
    InterviewSlot,
    InterviewTooLong,
    NewInterview,
    ParticipantInput,
    ParticipantKind,
    find_conflicts,
    slot_from_local,
    times_for,
)
from domain.kernel.errors import Conflict, InvalidInput, NaiveDateTime
from domain.kernel.time import Ambiguity, AmbiguousLocalTime, InvalidTimezone, NonExistent, NonExistentLocalTime

CANDIDATE_ID = UUID("00000000-0000-4000-8000-000000000001")
ALICE_ID = UUID("00000000-0000-4000-8000-000000000002")
BOB_ID = UUID("00000000-0000-4000-8000-000000000003")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def person(zone: str, kind: ParticipantKind = ParticipantKind.INTERVIEWER, person_id: UUID | None = None):
    return ParticipantInput(kind=kind, person_id=person_id or uuid4(), display_name=zone, timezone=zone)


def seen(slot: InterviewSlot, zone: str) -> tuple[str, str, str, bool]:
    (view,) = times_for(slot, [person(zone)]).participants
    return view.start_local, view.end_local, view.utc_offset, view.dst_changes_during


# --- Each participant's local time ---


def test_the_spring_morning_in_berlin_is_already_summer_time_after_01_00_utc() -> None:
    # Berlin's clocks jump 02:00 -> 03:00 local at 01:00 UTC, so 01:30-03:30 UTC lies wholly after it.
    slot = InterviewSlot(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 3, 30))
    assert seen(slot, "Europe/Berlin") == ("2026-03-29T03:30:00+02:00", "2026-03-29T05:30:00+02:00", "+02:00", False)
    # New York has been on summer time since 8 March: still the evening before there.
    assert seen(slot, "America/New_York") == ("2026-03-28T21:30:00-04:00", "2026-03-28T23:30:00-04:00", "-04:00", False)
    assert seen(slot, "Asia/Shanghai") == ("2026-03-29T09:30:00+08:00", "2026-03-29T11:30:00+08:00", "+08:00", False)
    assert seen(slot, "Asia/Kolkata") == ("2026-03-29T07:00:00+05:30", "2026-03-29T09:00:00+05:30", "+05:30", False)
    assert seen(slot, "UTC") == ("2026-03-29T01:30:00+00:00", "2026-03-29T03:30:00+00:00", "+00:00", False)


def test_an_interview_across_the_spring_change_in_berlin_flags_it() -> None:
    slot = InterviewSlot(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2, 30))  # two hours of real time
    assert seen(slot, "Europe/Berlin") == ("2026-03-29T01:30:00+01:00", "2026-03-29T04:30:00+02:00", "+01:00", True)
    # Shanghai and Kolkata have no DST: the same two hours, no flag.
    assert seen(slot, "Asia/Shanghai") == ("2026-03-29T08:30:00+08:00", "2026-03-29T10:30:00+08:00", "+08:00", False)
    assert seen(slot, "Asia/Kolkata") == ("2026-03-29T06:00:00+05:30", "2026-03-29T08:00:00+05:30", "+05:30", False)


def test_an_interview_across_the_spring_change_in_new_york_flags_it() -> None:
    # New York jumps 02:00 EST -> 03:00 EDT at 07:00 UTC on 8 March 2026.
    slot = InterviewSlot(utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 8, 30))
    assert seen(slot, "America/New_York") == ("2026-03-08T01:30:00-05:00", "2026-03-08T04:30:00-04:00", "-05:00", True)
    # Berlin changes three weeks later: nothing moves there.
    assert seen(slot, "Europe/Berlin") == ("2026-03-08T07:30:00+01:00", "2026-03-08T09:30:00+01:00", "+01:00", False)


def test_an_interview_across_the_autumn_change_in_berlin_flags_it() -> None:
    # Berlin goes back 03:00 CEST -> 02:00 CET at 01:00 UTC on 25 October 2026.
    slot = InterviewSlot(utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 2, 0))
    assert seen(slot, "Europe/Berlin") == ("2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00", "+02:00", True)
    # One real hour that starts and ends at the same wall-clock time, told apart by the offset.
    hour = InterviewSlot(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30))
    assert seen(hour, "Europe/Berlin") == ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "+02:00", True)
    assert seen(hour, "Asia/Kolkata") == ("2026-10-25T06:00:00+05:30", "2026-10-25T07:00:00+05:30", "+05:30", False)
    assert seen(hour, "America/New_York")[3] is False  # New York changes on 1 November


def test_times_for_lists_every_participant_and_the_utc_instants() -> None:
    slot = InterviewSlot(datetime(2026, 3, 29, 9, 0, tzinfo=timezone(timedelta(hours=8))), utc(2026, 3, 29, 2, 0))
    candidate = person("Asia/Shanghai", ParticipantKind.CANDIDATE, CANDIDATE_ID)
    alice = person("Europe/Berlin", person_id=ALICE_ID)
    times = times_for(slot, [candidate, alice])
    assert (times.start_utc, times.end_utc) == (utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0))
    assert [(p.person_id, p.kind, p.timezone) for p in times.participants] == [
        (CANDIDATE_ID, ParticipantKind.CANDIDATE, "Asia/Shanghai"),
        (ALICE_ID, ParticipantKind.INTERVIEWER, "Europe/Berlin"),
    ]
    wire = json.loads(msgspec.json.encode(times))
    assert wire["start_utc"] == "2026-03-29T01:00:00Z"
    assert wire["participants"][1] == {
        "person_id": str(ALICE_ID),
        "kind": "interviewer",
        "display_name": "Europe/Berlin",
        "timezone": "Europe/Berlin",
        "start_local": "2026-03-29T03:00:00+02:00",
        "end_local": "2026-03-29T04:00:00+02:00",
        "utc_offset": "+02:00",
        "dst_changes_during": False,
    }


# --- Booking from a wall-clock time in the organiser's zone ---


def test_booking_inside_the_spring_gap_is_refused_unless_shifted_forward() -> None:
    gap = datetime(2026, 3, 29, 2, 30)  # never happens in Berlin
    with pytest.raises(NonExistentLocalTime):
        slot_from_local(gap, 60, "Europe/Berlin")
    slot = slot_from_local(gap, 60, "Europe/Berlin", nonexistent=NonExistent.SHIFT_FORWARD)
    assert slot == InterviewSlot(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30))
    assert seen(slot, "Europe/Berlin")[:2] == ("2026-03-29T03:30:00+02:00", "2026-03-29T04:30:00+02:00")


def test_booking_inside_the_autumn_overlap_must_say_earlier_or_later() -> None:
    twice = datetime(2026, 10, 25, 2, 30)  # happens twice in Berlin
    with pytest.raises(AmbiguousLocalTime):
        slot_from_local(twice, 45, "Europe/Berlin")
    with pytest.raises(AmbiguousLocalTime):
        slot_from_local(twice, 45, "Europe/Berlin", nonexistent=NonExistent.SHIFT_FORWARD)
    earlier = slot_from_local(twice, 45, "Europe/Berlin", ambiguous=Ambiguity.EARLIER)
    later = slot_from_local(twice, 45, "Europe/Berlin", ambiguous=Ambiguity.LATER)
    assert earlier == InterviewSlot(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 15))
    assert later == InterviewSlot(utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 2, 15))
    # The earlier one spans the change: 45 real minutes that end at 02:15 on the second pass.
    assert seen(earlier, "Europe/Berlin") == ("2026-10-25T02:30:00+02:00", "2026-10-25T02:15:00+01:00", "+02:00", True)


def test_booking_an_ordinary_time_and_its_limits() -> None:
    slot = slot_from_local(datetime(2026, 7, 1, 9, 0), 90, "Asia/Kolkata")
    assert slot == InterviewSlot(utc(2026, 7, 1, 3, 30), utc(2026, 7, 1, 5, 0))
    assert slot_from_local(datetime(2026, 7, 1, 9, 0), 480, "Asia/Shanghai").duration == timedelta(hours=8)
    with pytest.raises(InterviewTooLong):
        slot_from_local(datetime(2026, 7, 1, 9, 0), 481, "Asia/Shanghai")
    with pytest.raises(InterviewEndsBeforeStart):
        slot_from_local(datetime(2026, 7, 1, 9, 0), 0, "Asia/Shanghai")
    with pytest.raises(InvalidTimezone):
        slot_from_local(datetime(2026, 7, 1, 9, 0), 60, "Europe/Atlantis")
    with pytest.raises(TypeError):
        slot_from_local(utc(2026, 7, 1, 9, 0), 60, "Europe/Berlin")


# --- Overlaps and double booking ---

NINE_TO_TEN = InterviewSlot(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10))


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        ((9, 30), (10, 30), True),  # overlaps the end
        ((8, 30), (9, 30), True),  # overlaps the start
        ((9, 15), (9, 45), True),  # contained
        ((8, 0), (11, 0), True),  # contains
        ((9, 0), (10, 0), True),  # identical
        ((10, 0), (11, 0), False),  # back to back after
        ((8, 0), (9, 0), False),  # back to back before
        ((11, 0), (12, 0), False),  # apart
    ],
)
def test_slots_are_half_open(start: tuple[int, int], end: tuple[int, int], overlaps: bool) -> None:
    other = InterviewSlot(utc(2026, 6, 1, *start), utc(2026, 6, 1, *end))
    assert NINE_TO_TEN.overlaps(other) is overlaps
    assert other.overlaps(NINE_TO_TEN) is overlaps


def test_the_same_instant_in_another_offset_is_the_same_slot() -> None:
    cest = timezone(timedelta(hours=2))
    assert InterviewSlot(datetime(2026, 6, 1, 11, tzinfo=cest), datetime(2026, 6, 1, 12, tzinfo=cest)) == NINE_TO_TEN


def test_find_conflicts_only_sees_the_same_interviewer_and_real_overlaps() -> None:
    overlapping, contained, back_to_back, bobs = uuid4(), uuid4(), uuid4(), uuid4()
    existing = [
        (overlapping, ALICE_ID, InterviewSlot(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 10, 30))),
        (back_to_back, ALICE_ID, InterviewSlot(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11))),
        (bobs, BOB_ID, InterviewSlot(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10))),
        (contained, ALICE_ID, InterviewSlot(utc(2026, 6, 1, 9, 15), utc(2026, 6, 1, 9, 45))),
        (overlapping, ALICE_ID, InterviewSlot(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 10, 30))),  # repeated row
    ]
    assert find_conflicts(NINE_TO_TEN, ALICE_ID, existing) == [overlapping, contained]
    assert find_conflicts(NINE_TO_TEN, BOB_ID, existing) == [bobs]
    assert find_conflicts(NINE_TO_TEN, uuid4(), existing) == []
    assert find_conflicts(NINE_TO_TEN, BOB_ID, existing, ignore=bobs) == []  # rescheduling itself
    assert find_conflicts(NINE_TO_TEN, ALICE_ID, iter(existing)) == [overlapping, contained]


def test_double_booking_is_a_conflict_with_its_own_code() -> None:
    error = InterviewerDoubleBooked(interviewer="Alice", start="2026-06-01T09:00:00Z", end="2026-06-01T10:00:00Z")
    assert isinstance(error, Conflict)
    assert error.code == "interviewer_double_booked"
    assert str(error) == "Alice already has an interview between 2026-06-01T09:00:00Z and 2026-06-01T10:00:00Z."


# --- Validation ---


def payload(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "application_id": str(uuid4()),
        "title": "Technical interview",
        "start": "2026-06-01T09:00:00+02:00",
        "end": "2026-06-01T10:00:00+02:00",
        "participants": [
            {"kind": "candidate", "person_id": str(CANDIDATE_ID), "display_name": "Li", "timezone": "Asia/Shanghai"},
            {"kind": "interviewer", "person_id": str(ALICE_ID), "display_name": "Alice", "timezone": "Europe/Berlin"},
        ],
    }
    body.update(changes)
    return body


def decode(body: dict[str, object]) -> NewInterview:
    return msgspec.json.decode(json.dumps(body).encode(), type=NewInterview)


def test_a_valid_interview_decodes_and_gives_its_utc_slot() -> None:
    interview = decode(payload(location="Room 4", video_link="https://meet.example.com/abc"))
    assert interview.slot == InterviewSlot(utc(2026, 6, 1, 7), utc(2026, 6, 1, 8))
    assert interview.candidate.person_id == CANDIDATE_ID
    assert [p.person_id for p in interview.interviewers] == [ALICE_ID]
    eight_hours = decode(payload(end="2026-06-01T17:00:00+02:00"))
    assert eight_hours.slot.duration == timedelta(hours=8)


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        ({"end": "2026-06-01T08:00:00+02:00"}, InterviewEndsBeforeStart, "interview_ends_before_start"),
        ({"end": "2026-06-01T09:00:00+02:00"}, InterviewEndsBeforeStart, "interview_ends_before_start"),
        ({"end": "2026-06-01T17:00:01+02:00"}, InterviewTooLong, "interview_too_long"),
        ({"start": "2026-06-01T09:00:00"}, NaiveDateTime, "naive_datetime"),
        ({"end": "2026-06-01T10:00:00"}, NaiveDateTime, "naive_datetime"),
    ],
)
def test_times_are_validated(changes: dict[str, object], error: type[InvalidInput], code: str) -> None:
    with pytest.raises(error) as raised:
        decode(payload(**changes))
    assert raised.value.code == code


def test_participants_are_validated_each_with_its_own_error() -> None:
    candidate, alice = payload()["participants"]  # type: ignore[misc]
    bob = {**alice, "person_id": str(BOB_ID), "display_name": "Bob"}
    second_candidate = {**candidate, "person_id": str(uuid4())}
    two_candidates = [candidate, second_candidate, alice]
    cases = [
        ([alice, bob], InterviewNeedsOneCandidate, "interview_needs_one_candidate", {"count": 0}),
        (two_candidates, InterviewNeedsOneCandidate, "interview_needs_one_candidate", {"count": 2}),
        ([candidate], InterviewNeedsAnInterviewer, "interview_needs_an_interviewer", {}),
        (
            [candidate, alice, alice],
            InterviewDuplicateParticipant,
            "interview_duplicate_participant",
            {"person_id": str(ALICE_ID)},
        ),
        (
            [candidate, {**alice, "timezone": "Europe/Atlantis"}],
            InvalidTimezone,
            "invalid_timezone",
            {"zone": "Europe/Atlantis"},
        ),
    ]
    for participants, error, code, params in cases:
        with pytest.raises(error) as raised:
            decode(payload(participants=participants))
        assert raised.value.code == code
        assert raised.value.params == params
        assert raised.value.field in {"participants", "timezone"}


def test_too_long_reports_minutes() -> None:
    with pytest.raises(InterviewTooLong) as raised:
        decode(payload(end="2026-06-01T18:00:00+02:00"))
    assert str(raised.value) == "An interview may last at most 480 minutes; this one lasts 540 minutes."


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"location": "x" * 501},
        {"video_link": "https://example.com/" + "x" * 481},
        {"video_link": "javascript:alert(1)"},
        {"participants": []},
        {"surprise": True},
    ],
)
def test_shape_and_bounds_are_enforced_by_decoding(changes: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        decode(payload(**changes))


def test_too_many_participants_and_unknown_participant_fields_are_refused() -> None:
    candidate, alice = payload()["participants"]  # type: ignore[misc]
    many = [candidate] + [{**alice, "person_id": str(uuid4())} for _ in range(20)]
    with pytest.raises(msgspec.ValidationError):
        decode(payload(participants=many))
    with pytest.raises(msgspec.ValidationError):
        decode(payload(participants=[candidate, {**alice, "email": "a@example.com"}]))
    assert len(decode(payload(participants=many[:20])).participants) == 20
