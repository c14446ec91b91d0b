"""What law is known, and how well: one row per country, region and series, for the coverage list and the
warnings before a series runs out. Pure: the caller says what today is."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import msgspec

from compliance.errors import NoParametersInForce
from compliance.pack import Pack
from compliance.parameters import Citation, EffectiveSeries, Origin, ParameterVersion, Verification, citations_of

#: A series that runs out within this many days is flagged, so the law can be updated before a run needs it.
WARNING_DAYS = 60


class CoverageStatus(StrEnum):
    """How current the law of one series is for your tenant on the day asked: `current` (a version is in force and not
    known to end within 60 days), `expiring` (the known law ends within 60 days), `provisional` (no version in force;
    the last known one is carried forward because your tenant chose to) or `not_in_force` (no version in force; a pay
    run is refused until the law arrives or your tenant opts in to carry it forward)."""

    CURRENT = "current"
    #: known until a date within the warning window
    EXPIRING = "expiring"
    #: no version in force; the last known is carried forward for this tenant
    PROVISIONAL = "provisional"
    #: no version in force; a run is refused until the law arrives or the tenant opts in to carry forward
    NOT_IN_FORCE = "not_in_force"


class CoverageRow(msgspec.Struct, frozen=True):
    """One statutory series of a country (or of one of its regions) as your tenant runs on it on the day asked (by
    default today in your tenant's time zone): the version in force, how well it is known, where it came from, until
    when it is known, when the next change is expected, and its first citation."""

    country: str
    series: str
    region: str | None
    status: CoverageStatus
    version: str | None
    in_force_from: date | None
    #: the last date for which the data is law, not a guess (None: until changed)
    known_until: date | None
    verification: Verification | None
    origin: Origin | None
    next_expected_change: date
    #: may be carried forward provisionally where a tenant opts in (China's contribution bases, a new tax year)
    carry_forward: bool
    citation: Citation | None

    @property
    def needs_attention(self) -> bool:
        return self.status is not CoverageStatus.CURRENT


def coverage(pack: Pack, today: date) -> list[CoverageRow]:
    """Every series of the pack, for the country and each region that has its own versions."""
    rows: list[CoverageRow] = []
    for name, series in pack.series.items():
        for region in _regions_of(series):
            rows.append(_row(pack, name, series, region, today))
    return rows


def _regions_of(series: EffectiveSeries[object]) -> list[str | None]:
    regions: list[str | None] = [None] if any(v.region is None for v in series.versions) else []
    return regions + list(series.regions())


def _row(pack: Pack, name: str, series: EffectiveSeries[object], region: str | None, today: date) -> CoverageRow:
    version = _in_force(series, region, today)
    known_until = series.known_until(region)
    return CoverageRow(
        country=pack.country, series=name, region=region, status=_status(version, known_until, today),
        version=version.version if version else None,
        in_force_from=version.effective_from if version else None,
        known_until=known_until, verification=version.verification if version else None,
        origin=version.origin if version else None,
        next_expected_change=_next_change(pack, name, known_until, today), carry_forward=series.carry_forward,
        citation=_first_citation(version) if version else None,
    )


def _next_change(pack: Pack, series: str, known_until: date | None, today: date) -> date:
    """The day after the known law ends (already past where the issuer is late), else the law year's start."""
    return known_until + timedelta(days=1) if known_until else pack.next_expected_change(series, today)


def _in_force(series: EffectiveSeries[object], region: str | None, today: date) -> ParameterVersion[object] | None:
    own = EffectiveSeries(series.country, series.name, tuple(v for v in series.versions if v.region == region),
                          series.carry_forward, series.provisional_allowed)
    try:
        return own.in_force(today, region)
    except NoParametersInForce:
        return None


def _status(version: ParameterVersion[object] | None, known_until: date | None, today: date) -> CoverageStatus:
    if version is None:
        return CoverageStatus.NOT_IN_FORCE
    if version.provisional:
        return CoverageStatus.PROVISIONAL
    if known_until is not None and (known_until - today).days <= WARNING_DAYS:
        return CoverageStatus.EXPIRING
    return CoverageStatus.CURRENT


def _first_citation(version: ParameterVersion[object]) -> Citation | None:
    return next(iter(citations_of(version)), None)
