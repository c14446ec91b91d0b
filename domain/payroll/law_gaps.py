"""Law gaps ahead of time: for a pay group's next pay dates, each series its runs read that is not plainly in
force for the group's country and region: not yet published, not in force at all, carried forward
(provisional) or unverified and not accepted, with what the tenant can do about it. Pure and cheap: it asks
each series for its version on each date, and calculates nobody's pay."""

from __future__ import annotations

from datetime import date

from compliance.errors import LawNotYetPublished, NoParametersInForce
from compliance.pack import LABOUR_SERIES
from compliance.parameters import EffectiveSeries, Verification
from domain.payroll.calendar import PayGroupRule, periods
from domain.payroll.model import LawGap, LawGapAction, LawGapKind
from domain.regulation.model import LawLayers

#: How many of the group's coming pay dates are checked.
PAY_DATES_AHEAD = 3
#: Series a pay run reads without refusing unverified figures (the labour law it prorates by) or does not read
#: at all (the part-time hourly minimum wage, for contract checks): their level is no gap for a run.
_LEVEL_NOT_CHECKED = frozenset({LABOUR_SERIES, "part_time_minimum_wage"})

_ACTIONS = {
    LawGapKind.NOT_YET_PUBLISHED: [LawGapAction.CARRY_FORWARD, LawGapAction.PUBLISH_TENANT_VERSION,
                                   LawGapAction.IMPORT_LAW_BUNDLE],
    LawGapKind.NOT_IN_FORCE: [LawGapAction.PUBLISH_TENANT_VERSION, LawGapAction.IMPORT_LAW_BUNDLE],
    LawGapKind.PROVISIONAL: [LawGapAction.PUBLISH_TENANT_VERSION, LawGapAction.IMPORT_LAW_BUNDLE,
                             LawGapAction.SETTLE_WHEN_PUBLISHED],
    LawGapKind.UNVERIFIED: [LawGapAction.ACCEPT_UNVERIFIED, LawGapAction.PUBLISH_TENANT_VERSION],
}


def next_pay_dates(rule: PayGroupRule, today: date, count: int = PAY_DATES_AHEAD) -> list[date]:
    coming = [p.pay_date for year in (today.year, today.year + 1) for p in periods(rule, year)]
    return sorted(d for d in coming if d >= today)[:count]


def law_gaps(rule: PayGroupRule, region: str | None, law: LawLayers, today: date) -> list[LawGap]:
    pack = law.pack(rule.country)
    region = region if region in pack.regions else None
    gaps = []
    for pay_date in next_pay_dates(rule, today):
        for name, series in pack.series.items():
            own_region = region if region in series.regions() else None
            if own_region is None and not any(v.region is None for v in series.versions):
                continue
            gaps += [LawGap(pay_date=pay_date, country=pack.country, series=name, region=own_region, kind=kind,
                            version=version, actions=list(_ACTIONS[kind]))
                     for kind, version in _gaps(series, name, own_region, pay_date, law)]
    return gaps


def _gaps(series: EffectiveSeries[object], name: str, region: str | None, on: date, law: LawLayers
          ) -> list[tuple[LawGapKind, str | None]]:
    try:
        version = series.in_force(on, region)
    except LawNotYetPublished:
        return [(LawGapKind.NOT_YET_PUBLISHED, None)]
    except NoParametersInForce:
        return [(LawGapKind.NOT_IN_FORCE, None)]
    found = [(LawGapKind.PROVISIONAL, version.version)] if version.provisional else []
    accepted = (series.country, name) in law.accepted_unverified
    if version.verification is Verification.UNVERIFIED and not accepted and name not in _LEVEL_NOT_CHECKED:
        found.append((LawGapKind.UNVERIFIED, version.version))
    return found
