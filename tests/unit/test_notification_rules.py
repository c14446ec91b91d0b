"""The rules of delivering notifications that need no server: quiet hours kept in the recipient's own zone across
clock changes, the retry schedule, and the settings that configure the channels."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from domain.kernel.settings import SettingsError, load_settings
from domain.notifications.model import QuietHours, RetryPolicy

NIGHT = QuietHours(time(21, 0), time(8, 0))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_quiet_hours_end_at_eight_local_on_the_night_berlin_springs_forward() -> None:
    # 22:30 CET on Saturday 27 March 2027; at 02:00 the clocks go to 03:00 CEST.
    assert NIGHT.ends_after(utc("2027-03-27T21:30:00"), "Europe/Berlin") == utc("2027-03-28T06:00:00")


def test_quiet_hours_end_at_eight_local_on_the_night_new_york_falls_back() -> None:
    # 22:00 EDT on Saturday 6 November 2027; at 02:00 the clocks go back to 01:00 EST.
    assert NIGHT.ends_after(utc("2027-11-07T02:00:00"), "America/New_York") == utc("2027-11-07T13:00:00")


def test_after_midnight_the_window_ends_the_same_morning_and_daytime_is_not_quiet() -> None:
    assert NIGHT.ends_after(utc("2026-12-02T18:30:00"), "Asia/Shanghai") == utc("2026-12-03T00:00:00")  # 02:30
    assert NIGHT.ends_after(utc("2026-12-02T23:59:00"), "Asia/Shanghai") == utc("2026-12-03T00:00:00")  # 07:59
    assert NIGHT.ends_after(utc("2026-12-03T00:00:00"), "Asia/Shanghai") is None  # 08:00 sharp
    assert NIGHT.ends_after(utc("2026-12-03T12:59:00"), "Asia/Shanghai") is None  # 20:59
    assert NIGHT.ends_after(utc("2026-12-03T13:00:00"), "Asia/Shanghai") == utc("2026-12-04T00:00:00")  # 21:00


def test_a_window_within_one_day_and_no_window() -> None:
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch is not None
    assert lunch.ends_after(utc("2026-12-02T12:15:00"), "Europe/London") == utc("2026-12-02T13:30:00")
    assert lunch.ends_after(utc("2026-12-02T13:30:00"), "Europe/London") is None
    assert QuietHours.parse("off") is None


def test_retries_double_from_a_minute_up_to_the_cap() -> None:
    policy = RetryPolicy()
    delays = [policy.delay_after(n) for n in range(1, 9)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=1) and max(delays) == timedelta(hours=1)


def test_channel_settings_are_checked_at_start() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"MERIDIAN_SMS_PROVIDER": "twilio", "MERIDIAN_SMTP_HOST": "mail.example.com",
                       "MERIDIAN_NOTIFICATION_QUIET_HOURS": "9pm-8am"})
    problems = "\n".join(refused.value.problems)
    assert "MERIDIAN_TWILIO_ACCOUNT_SID" in problems and "MERIDIAN_SMTP_FROM" in problems
    assert "MERIDIAN_NOTIFICATION_QUIET_HOURS" in problems
    with pytest.raises(SettingsError, match="MERIDIAN_SMS_PROVIDER"):
        load_settings({"MERIDIAN_SMS_PROVIDER": "carrier-pigeon"})
    settings = load_settings({"MERIDIAN_SMTP_HOST": "mail.example.com", "MERIDIAN_SMTP_FROM": "jobs@example.com",
                              "MERIDIAN_SMTP_STARTTLS": "false", "MERIDIAN_SMTP_PORT": "2525"})
    assert (settings.smtp_port, settings.smtp_starttls, settings.notification_quiet_hours) == (2525, False,
                                                                                                "21:00-08:00")
