"""The messages other contexts hand to the outbox, the queued messages they may read back, and the rules of their
delivery: channels, statuses, quiet hours and the retry schedule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.kernel.i18n import LocaleTag, show_locales
from domain.kernel.time import Ambiguity, NonExistent, from_local, to_local


class NotificationChannel(StrEnum):
    """How a person is notified: by `email`, by `sms`, or `none` (their messages are suppressed)."""

    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


class DeliveryStatus(StrEnum):
    """Where a message is: `pending` (due, or waiting for its next attempt after a failure), `deferred` (held until
    the recipient's quiet hours end), `sent`, `failed` (refused for good, out of attempts, or expired) or
    `suppressed` (the recipient has no channel or no address for it)."""

    PENDING = "pending"
    DEFERRED = "deferred"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


#: The statuses the worker still delivers.
OPEN_STATUSES = (DeliveryStatus.PENDING.value, DeliveryStatus.DEFERRED.value)


class DeliveryProblem(StrEnum):
    """Why the last attempt did not send the message; each has a text for people in :data:`PROBLEM_TEXTS`."""

    NO_CHANNEL = "no_channel"
    NO_ADDRESS = "no_address"
    RECIPIENT_MISSING = "recipient_missing"
    CHANNEL_NOT_CONFIGURED = "channel_not_configured"
    UNREACHABLE = "unreachable"
    TEMPORARY_REFUSAL = "temporary_refusal"
    RECIPIENT_REFUSED = "recipient_refused"
    REJECTED = "rejected"
    CREDENTIALS_REFUSED = "credentials_refused"
    EXPIRED = "expired"


PROBLEM_TEXTS = {
    DeliveryProblem.NO_CHANNEL: "The candidate chose to receive no notifications.",
    DeliveryProblem.NO_ADDRESS: "The candidate has no address for the chosen channel.",
    DeliveryProblem.RECIPIENT_MISSING: "The recipient no longer exists.",
    DeliveryProblem.CHANNEL_NOT_CONFIGURED: "This server is not set up to send on this channel.",
    DeliveryProblem.UNREACHABLE: "The mail server or SMS provider could not be reached; it will be tried again.",
    DeliveryProblem.TEMPORARY_REFUSAL: "The mail server or SMS provider refused the message for now; "
                                       "it will be tried again.",
    DeliveryProblem.RECIPIENT_REFUSED: "The mail server or SMS provider refused the recipient's address.",
    DeliveryProblem.REJECTED: "The mail server or SMS provider refused the message.",
    DeliveryProblem.CREDENTIALS_REFUSED: "The mail server or SMS provider refused Meridian's credentials.",
    DeliveryProblem.EXPIRED: "The message could not be delivered within three days and was given up.",
}
#: Every text above, for the catalogue.
DELIVERY_PROBLEM_MESSAGES = tuple(PROBLEM_TEXTS.values())


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """A message to one recipient, already written in the recipient's language, and what it is about (an
    application), so that the thing can show its messages."""

    recipient_kind: str
    recipient_id: UUID
    locale: str
    subject: str
    body: str
    about_kind: str | None = None
    about_id: UUID | None = None


class QueuedMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: UUID
    recipient_kind: str
    recipient_id: UUID
    locale: str
    subject: str
    body: str
    status: str
    created_at: datetime
    about_kind: str | None
    about_id: UUID | None
    channel: str | None
    destination: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    last_error_detail: str | None
    provider_message_id: str | None
    claimed_until: datetime | None


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """Where a person's messages go, as the context that knows the person says at the moment of sending: the
    channel, the address on it in clear (an email address or an E.164 number, or None when they have none), and
    the zone their quiet hours are kept in."""

    channel: NotificationChannel
    address: str | None
    timezone: str


class NotificationView(msgspec.Struct, frozen=True, kw_only=True):
    """A message to a candidate and its delivery. Times are UTC, each with its `*_local` twin: RFC 3339 in the
    candidate's `timezone`. `destination` is the address it went to, masked; `last_error` is a stable code and
    `last_error_message` says it in your language."""

    id: UUID
    channel: NotificationChannel | None
    status: DeliveryStatus
    destination: str | None
    locale: LocaleTag
    subject: str
    attempts: int
    timezone: str
    created_at: datetime
    created_local: str
    last_attempt_at: datetime | None
    last_attempt_local: str | None
    next_attempt_at: datetime | None
    next_attempt_local: str | None
    sent_at: datetime | None
    sent_local: str | None
    last_error: DeliveryProblem | None
    last_error_message: str | None

    def __post_init__(self) -> None:
        show_locales(self, "locale")


class QuietHours(msgspec.Struct, frozen=True):
    """A daily window of wall-clock time, kept in each recipient's own zone, in which nothing is sent. A window
    whose start is after its end runs over midnight (21:00-08:00)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """``HH:MM-HH:MM`` as the settings carry it; ``off`` or empty for none."""
        if text in ("", "off"):
            return None
        start, _, end = text.partition("-")
        return cls(time.fromisoformat(start), time.fromisoformat(end))

    def ends_after(self, moment: datetime, zone_name: str) -> datetime | None:
        """The UTC instant the window ends when ``moment`` falls inside it in ``zone_name``, else None. The end is
        the wall-clock time on the right local day, so a night the clocks change over still ends at 08:00 local."""
        local = to_local(moment, zone_name)
        now, today = local.time().replace(tzinfo=None), local.date()
        if self.start == self.end:
            return None
        if self.start < self.end:
            inside, end_day = self.start <= now < self.end, today
        else:
            inside, end_day = now >= self.start or now < self.end, today + timedelta(days=1 if now >= self.start else 0)
        return self._end_on(end_day, zone_name) if inside else None

    def _end_on(self, day: date, zone_name: str) -> datetime:
        # 08:00 never falls in a gap or overlap in any zone today; if a rule ever put it there, the earlier (or
        # shifted-forward) instant ends the window rather than refusing to send.
        return from_local(datetime.combine(day, self.end), zone_name, ambiguous=Ambiguity.EARLIER,
                          nonexistent=NonExistent.SHIFT_FORWARD)


class RetryPolicy(msgspec.Struct, frozen=True):
    """Failed attempts are retried after ``first``, doubling each time up to ``cap``; after ``max_attempts`` the
    message has failed. A message still undelivered ``give_up_after`` its creation has failed too."""

    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    give_up_after: timedelta = timedelta(days=3)

    def delay_after(self, attempts: int) -> timedelta:
        """The wait before the next attempt, once ``attempts`` attempts have failed."""
        return min(self.first * 2 ** max(attempts - 1, 0), self.cap)
