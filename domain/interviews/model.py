"""Interview scheduling rules: pure values and checks, no database and no clock.

Every instant is kept in UTC. Each participant reads the interview in their own IANA zone, and a
wall-clock booking in an organiser's zone decides DST gaps and overlaps explicitly
(``domain.kernel.time.from_local``). Slots are half-open intervals ``[start, end)``: back-to-back
interviews do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Protocol
from uuid import UUID

import msgspec
from msgspec.structs import force_setattr

from domain.kernel.errors import Conflict, InvalidInput, NaiveDateTime
from domain.kernel.time import (
    Ambiguity,
    InvalidTimezone,
    NonExistent,
    from_local,
    require_timezone,
    rfc3339,
    to_local,
    to_utc,
)

#: The longest interview that can be booked.
MAX_DURATION = timedelta(hours=8)
MAX_DURATION_MINUTES = int(MAX_DURATION.total_seconds()) // 60
MAX_PARTICIPANTS = 20


class ParticipantKind(StrEnum):
    """A participant's part in an interview: the `candidate` (exactly one) or an `interviewer` (at least one)."""

    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"


# --- Errors (titles and templates are gettext msgids: keep them as plain class attributes) ---


class InterviewEndsBeforeStart(InvalidInput):
    code = "interview_ends_before_start"
    title = "Interview ends before it starts"
    template = "An interview must end after it starts; {end} is not after {start}."


class WindowEndsBeforeStart(InvalidInput):
    code = "window_ends_before_start"
    title = "Window ends before it starts"
    template = "A time window must end after it starts; {end} is not after {start}."


class InterviewTooLong(InvalidInput):
    code = "interview_too_long"
    title = "Interview too long"
    template = "An interview may last at most {maximum} minutes; this one lasts {minutes} minutes."


class InterviewNeedsOneCandidate(InvalidInput):
    code = "interview_needs_one_candidate"
    title = "Exactly one candidate"
    template = "An interview has exactly one candidate among its participants; this one has {count}."


class InterviewNeedsAnInterviewer(InvalidInput):
    code = "interview_needs_an_interviewer"
    title = "No interviewer"
    template = "An interview needs at least one interviewer among its participants."


class InterviewDuplicateParticipant(InvalidInput):
    code = "interview_duplicate_participant"
    title = "Participant listed twice"
    template = "The person {person_id} is listed more than once among the participants."


class InterviewerDoubleBooked(Conflict):
    code = "interviewer_double_booked"
    title = "Interviewer already booked"
    template = "{interviewer} already has an interview between {start} and {end}."


# --- Inputs ---

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Location = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
VideoLink = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^https?://\S+$")]


def _utc(moment: datetime, field: str) -> datetime:
    try:
        return to_utc(moment)
    except NaiveDateTime:
        raise NaiveDateTime(field=field) from None


class ParticipantInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A participant of an interview to schedule: the `candidate` (the application's candidate, by candidate id) or an
    `interviewer` (by user id in your tenant), with the name to show and the time zone (IANA name) their local times are
    given in."""

    kind: ParticipantKind
    person_id: UUID
    display_name: DisplayName
    timezone: TimezoneName

    def __post_init__(self) -> None:
        try:
            require_timezone(self.timezone)
        except InvalidTimezone:
            raise InvalidTimezone(zone=self.timezone, field="timezone") from None


class InterviewFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What a list of interviews may be narrowed to: one application's, or those starting in the half-open
    window ``[starts_from, starts_before)``, either end open."""

    application_id: UUID | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None

    def __post_init__(self) -> None:
        if self.starts_from and self.starts_before and self.starts_before <= self.starts_from:
            raise WindowEndsBeforeStart(start=rfc3339(self.starts_from), end=rfc3339(self.starts_before),
                                        field="to")


class InterviewSlot(msgspec.Struct, frozen=True, order=True):
    """A half-open interval ``[start_utc, end_utc)``. Aware datetimes in any zone are accepted and
    kept in UTC; naive ones are refused."""

    start_utc: datetime
    end_utc: datetime

    def __post_init__(self) -> None:
        start, end = _utc(self.start_utc, "start"), _utc(self.end_utc, "end")
        if end <= start:
            raise InterviewEndsBeforeStart(start=rfc3339(start), end=rfc3339(end), field="end")
        force_setattr(self, "start_utc", start)
        force_setattr(self, "end_utc", end)

    @property
    def duration(self) -> timedelta:
        return self.end_utc - self.start_utc

    def overlaps(self, other: InterviewSlot) -> bool:
        """True when the two share any instant; one ending exactly when the other starts is fine."""
        return self.start_utc < other.end_utc and other.start_utc < self.end_utc


def require_bookable(slot: InterviewSlot) -> InterviewSlot:
    """A slot that may be booked: at most ``MAX_DURATION`` long."""
    if slot.duration > MAX_DURATION:
        minutes = int(slot.duration.total_seconds() // 60)
        raise InterviewTooLong(maximum=MAX_DURATION_MINUTES, minutes=minutes, field="end")
    return slot


class NewInterview(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An interview to schedule for an application: a title, its start and end (RFC 3339 with a UTC offset; at most 8
    hours), exactly one candidate and at least one interviewer, each listed once, and optionally a location and a video
    link (http or https). An interviewer already booked at an overlapping time is refused."""

    application_id: UUID
    title: Title
    start: datetime
    end: datetime
    participants: Annotated[list[ParticipantInput], msgspec.Meta(min_length=1, max_length=MAX_PARTICIPANTS)]
    location: Location | None = None
    video_link: VideoLink | None = None

    def __post_init__(self) -> None:
        require_bookable(InterviewSlot(self.start, self.end))
        candidates = sum(1 for p in self.participants if p.kind is ParticipantKind.CANDIDATE)
        if candidates != 1:
            raise InterviewNeedsOneCandidate(count=candidates, field="participants")
        if not any(p.kind is ParticipantKind.INTERVIEWER for p in self.participants):
            raise InterviewNeedsAnInterviewer(field="participants")
        seen: set[UUID] = set()
        for participant in self.participants:
            if participant.person_id in seen:
                raise InterviewDuplicateParticipant(person_id=str(participant.person_id), field="participants")
            seen.add(participant.person_id)

    @property
    def slot(self) -> InterviewSlot:
        return InterviewSlot(self.start, self.end)

    @property
    def candidate(self) -> ParticipantInput:
        return next(p for p in self.participants if p.kind is ParticipantKind.CANDIDATE)

    @property
    def interviewers(self) -> list[ParticipantInput]:
        return [p for p in self.participants if p.kind is ParticipantKind.INTERVIEWER]


# --- Booking and conflicts ---


def slot_from_local(
    start_local: datetime,
    duration_minutes: int,
    zone: str,
    *,
    ambiguous: Ambiguity = Ambiguity.REJECT,
    nonexistent: NonExistent = NonExistent.REJECT,
) -> InterviewSlot:
    """The slot for a wall-clock start in the organiser's zone, lasting ``duration_minutes`` of elapsed time.

    A start inside a DST gap or overlap raises ``NonExistentLocalTime``/``AmbiguousLocalTime`` unless
    the caller decides. The end is start + duration in real time, so its wall-clock reading shifts by
    the DST change when one falls inside the interview.
    """
    if start_local.tzinfo is not None:
        raise TypeError("start_local must be a naive wall-clock time; pass aware datetimes to InterviewSlot")
    start_utc = from_local(start_local, zone, ambiguous=ambiguous, nonexistent=nonexistent)
    if duration_minutes <= 0:
        raise InterviewEndsBeforeStart(
            start=rfc3339(start_utc), end=rfc3339(start_utc + timedelta(minutes=duration_minutes)), field="duration"
        )
    return require_bookable(InterviewSlot(start_utc, start_utc + timedelta(minutes=duration_minutes)))


def find_conflicts(
    new_slot: InterviewSlot,
    interviewer_id: UUID,
    existing: Iterable[tuple[UUID, UUID, InterviewSlot]],
    *,
    ignore: UUID | None = None,
) -> list[UUID]:
    """Ids of the interviews (in input order, without repeats) where ``interviewer_id`` is already
    busy during ``new_slot``. ``existing`` holds (interview id, interviewer id, slot) rows; pass
    ``ignore`` when rescheduling so an interview does not conflict with itself."""
    found: list[UUID] = []
    for interview_id, booked_interviewer, slot in existing:
        if booked_interviewer != interviewer_id or interview_id == ignore or interview_id in found:
            continue
        if new_slot.overlaps(slot):
            found.append(interview_id)
    return found


# --- Views ---


class Participant(Protocol):
    @property
    def person_id(self) -> UUID: ...
    @property
    def kind(self) -> ParticipantKind: ...
    @property
    def display_name(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class ParticipantTime(msgspec.Struct, frozen=True):
    """An interview's time as one participant sees it: start and end in their own time zone (RFC 3339 with their
    offset), their UTC offset at the start, and whether a daylight-saving change falls during the interview."""

    person_id: UUID
    kind: ParticipantKind
    display_name: str
    timezone: str
    #: RFC 3339 with the participant's offset at that instant, e.g. 2026-03-29T03:30:00+02:00.
    start_local: str
    end_local: str
    #: The participant's UTC offset at the start, e.g. "+02:00" or "+05:30".
    utc_offset: str
    #: True when the participant's offset at the end differs from the one at the start.
    dst_changes_during: bool


class InterviewTimes(msgspec.Struct, frozen=True):
    start_utc: datetime
    end_utc: datetime
    participants: list[ParticipantTime]


def format_offset(offset: timedelta) -> str:
    """``+02:00``, ``-04:00``, ``+05:30``; seconds are shown only if a zone ever has them."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def participant_time(slot: InterviewSlot, participant: Participant) -> ParticipantTime:
    start = to_local(slot.start_utc, participant.timezone)
    end = to_local(slot.end_utc, participant.timezone)
    start_offset, end_offset = start.utcoffset(), end.utcoffset()
    assert start_offset is not None and end_offset is not None
    return ParticipantTime(
        person_id=participant.person_id,
        kind=ParticipantKind(participant.kind),
        display_name=participant.display_name,
        timezone=participant.timezone,
        start_local=rfc3339(start),
        end_local=rfc3339(end),
        utc_offset=format_offset(start_offset),
        dst_changes_during=start_offset != end_offset,
    )


def times_for(slot: InterviewSlot, participants: Iterable[Participant]) -> InterviewTimes:
    """The interview in UTC and as each participant reads it in their own zone."""
    return InterviewTimes(
        start_utc=slot.start_utc,
        end_utc=slot.end_utc,
        participants=[participant_time(slot, p) for p in participants],
    )
