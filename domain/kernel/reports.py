"""What every report says about itself: what it is about, when it was produced and by whom.

A report's answer carries these as data (an instant in UTC, the producer's subject and name); its page prints
them at the top, the date in the reader's time zone and language, so a printed or forwarded page still says
which job, which competency model version and whose request it shows.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from babel.dates import format_date, format_time

from domain.kernel.html_pages import babel_locale
from domain.kernel.i18n import translate
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now


class ReportAuthor(msgspec.Struct, frozen=True, kw_only=True):
    """Who asked for the report."""

    subject: Annotated[str, msgspec.Meta(description="The user's subject, as in the audit trail.")]
    display_name: Annotated[str, msgspec.Meta(description="The user's name; the subject when they have none.")]


class Produced(msgspec.Struct, frozen=True, kw_only=True):
    """When and by whom a report was produced."""

    at: Annotated[datetime, msgspec.Meta(description="The instant the report was produced, in UTC.")]
    by: ReportAuthor
    timezone: Annotated[str, msgspec.Meta(
        description="The reader's time zone (IANA), in which the page shows the date.", examples=["Asia/Tokyo"])]


class JobModelSubject(msgspec.Struct, frozen=True, kw_only=True):
    """The job and the competency model version a report is about."""

    job_id: UUID
    job_title: Annotated[str, msgspec.Meta(description="In the reader's language, else the tenant's default.")]
    model_id: UUID
    model_name: str
    model_version: Annotated[int, msgspec.Meta(ge=1)]
    model_effective_from: Annotated[date, msgspec.Meta(description="The day this model version took effect.")]


def produced_now(principal: Principal, display_name: str | None) -> Produced:
    """A report produced now for ``principal``, whose user's name is ``display_name`` (None: unknown)."""
    author = ReportAuthor(subject=principal.subject, display_name=display_name or principal.subject)
    return Produced(at=utc_now(), by=author, timezone=principal.timezone)


_JOB = "Job: {title}"
_MODEL = "Competency model: {name}, version {version}, in force from {date}"
_PRODUCED = "Produced on {date} by {author}"
_AUTHOR = "{name} ({subject})"

REPORT_HEADING_MESSAGES = (_JOB, _MODEL, _PRODUCED, _AUTHOR)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def produced_text(produced: Produced, locale: str) -> str:
    """"Produced on <date and time in the reader's zone> by <name> (<subject>)", translated, not escaped."""
    zone = _zone(produced.timezone)
    numbers = babel_locale(locale)
    local = produced.at.astimezone(zone)
    when = (f"{format_date(local, format='long', locale=numbers)} "
            f"{format_time(local, format='short', locale=numbers)} ({zone.key})")
    author = produced.by.display_name
    if produced.by.display_name != produced.by.subject:
        author = translate(_AUTHOR, locale, name=produced.by.display_name, subject=produced.by.subject)
    return translate(_PRODUCED, locale, date=when, author=author)


def heading_lines(locale: str, produced: Produced, subject: JobModelSubject | None = None) -> list[str]:
    """The lines under a report's title: its job and model version (when it has one), then who produced it when."""
    lines = []
    if subject is not None:
        numbers = babel_locale(locale)
        lines.append(translate(_JOB, locale, title=subject.job_title))
        lines.append(translate(_MODEL, locale, name=subject.model_name, version=subject.model_version,
                               date=format_date(subject.model_effective_from, format="long", locale=numbers)))
    lines.append(produced_text(produced, locale))
    return [f'<p class="meta subject">{escape(line)}</p>' for line in lines]
