"""How long an organisation has to answer a data subject's request, per country: effective-dated law data with a
citation and a verification level on every figure.

``data/<country>/*.toml`` hold versions of one series, ``subject_requests``, read by the same loader as every
statutory series (``compliance.parameters``). ``data/gdpr/`` is the one schedule of the EU/EEA countries and the
United Kingdom (UK GDPR keeps Art. 12(3) word for word); ``data/generic/`` answers for every other country. Each
version gives the answer period as a value in a unit (calendar ``months``, calendar ``days`` or ``working_days`` of
the country's public-holiday calendar) and labels it ``statutory`` (the law's number), ``practice`` (a regulator's
or an industry's customary period where the statute says only "promptly") or ``product_default`` (Meridian's own
choice where the law gives no number). Pure: the due date is a function of the day the request arrived.
"""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

import msgspec

from compliance.calendar import working_day_calendar
from compliance.errors import NoParametersInForce
from compliance.parameters import Citation, Cited, EffectiveSeries, Verification, load_series, weakest

SERIES = "subject_requests"
DATA_FOLDER = Path(__file__).parent / "data"
GENERIC = "generic"
GDPR = "gdpr"

#: The EU member states, the EEA countries that apply the GDPR (IS, LI, NO), and the United Kingdom (UK GDPR).
GDPR_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB",
})

Count = Annotated[int, msgspec.Meta(ge=1, le=366)]


class Unit(StrEnum):
    """How an answer period counts: calendar `months` (same date a month later, or that month's last day), calendar
    `days`, or `working_days` of the person's country (weekends and public holidays skipped)."""

    MONTHS = "months"
    DAYS = "days"
    WORKING_DAYS = "working_days"


class Basis(StrEnum):
    """What an answer period rests on: `statutory` (the law's own number), `practice` (a regulator's or the
    industry's customary period where the statute says only "promptly"), `product_default` (Meridian's choice where
    the law gives no number)."""

    STATUTORY = "statutory"
    PRACTICE = "practice"
    PRODUCT_DEFAULT = "product_default"


class AnswerPeriod(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The period to answer a request, in a unit, with what it rests on; `statute` cites what the law itself says
    where the period is practice or the product's (for example APPI's "without delay")."""

    period: Cited[Count]
    unit: Unit
    basis: Basis
    statute: Citation | None = None

    def __post_init__(self) -> None:
        if self.basis is not Basis.STATUTORY and self.statute is None:
            raise ValueError("a period that is not the statute's own cites what the statute says (statute)")

    @property
    def verification(self) -> Verification:
        return weakest([self.period.source.verification, *([self.statute.verification] if self.statute else [])])


class DueDate(msgspec.Struct, frozen=True):
    """When a request received on `received_on` must be answered, and the law behind it."""

    country: str
    received_on: date
    due_on: date
    period: int
    unit: Unit
    basis: Basis
    law: str
    law_version: str
    verification: Verification
    citation: Citation


@cache
def answer_series() -> dict[str, EffectiveSeries[AnswerPeriod]]:
    """The shipped schedules, loaded once (at startup: a bad file stops it)."""
    return {folder.name: load_series(folder.name.upper(), SERIES, folder, AnswerPeriod)
            for folder in sorted(DATA_FOLDER.iterdir()) if folder.is_dir() and not folder.name.startswith("_")}


def schedule_of(country: str) -> str:
    """The data folder that answers for ``country``: the GDPR's, its own, or the generic one."""
    code = country.upper()
    if code in GDPR_COUNTRIES:
        return GDPR
    return code.lower() if code.lower() in answer_series() else GENERIC


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; where that month is shorter, its last day (31 January + 1 month is
    28 or 29 February), as the EU computes periods in months (Regulation 1182/71, Art. 3(2)(c))."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def due_date(country: str, received_on: date) -> DueDate:
    """The day a request received on ``received_on`` from a person of ``country`` must be answered by."""
    folder = schedule_of(country)
    try:
        version = answer_series()[folder].in_force(received_on)
    except NoParametersInForce:  # before the country's own law applied: the generic default
        folder = GENERIC
        version = answer_series()[folder].in_force(received_on)
    rule = version.parameters
    count = rule.period.value
    if rule.unit is Unit.MONTHS:
        due = add_months(received_on, count)
    elif rule.unit is Unit.DAYS:
        due = received_on + timedelta(days=count)
    else:
        due = working_day_calendar(country.upper()).add_working_days(received_on, count)
    return DueDate(country=country.upper(), received_on=received_on, due_on=due, period=count, unit=rule.unit,
                   basis=rule.basis, law=folder, law_version=version.version, verification=rule.verification,
                   citation=rule.period.source)
