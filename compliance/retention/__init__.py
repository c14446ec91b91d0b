"""How long each kind of personal data is kept, per country: effective-dated law data with a citation on every value.

``data/<country>/*.toml`` (``data/generic/`` for every other country) hold versions of one series, ``retention``,
read by the same loader as every statutory series (``compliance.parameters``): a float, an overlap, an unknown field
or a value without its ``source`` stops loading, naming the file and the field. Each rule is a data class kept after
a trigger (an application closed, consent withdrawn, employment ended, a pay year closed): the statutory minimum
(or ``"none"``), the maximum where the law caps it (or ``"none stated"``: storage limitation with no number), and
the period the product uses by default, labelled ``statutory``, ``practice`` (customary, not the law) or
``product_default`` (Meridian's own choice where the country's data says nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from compliance.errors import PackDataError
from compliance.parameters import Citation, Cited, EffectiveSeries, Verification, load_series, weakest

SERIES = "retention"
DATA_FOLDER = Path(__file__).parent / "data"
GENERIC = "generic"
#: A minimum of ``"none"``: no statutory minimum applies, so a tenant may shorten down to nothing.
NO_MINIMUM = "none"
#: A maximum of ``"none stated"``: the law limits storage to what its purpose needs without giving a number.
NONE_STATED = "none stated"
#: Longer than any statute asks; a bound on what a tenant may type, not law.
LONGEST_MONTHS = 1200

Months = Annotated[int, msgspec.Meta(ge=0, le=LONGEST_MONTHS)]


class DataClass(StrEnum):
    """A kind of personal data Meridian keeps, retained as a whole after its trigger."""

    CANDIDATE_PROFILE = "candidate_profile"
    RECORDING = "recording"
    INTERVIEW_RESULT = "interview_result"
    APPLICATION_HISTORY = "application_history"
    EMPLOYEE_RECORD = "employee_record"
    PAYROLL_RECORDS = "payroll_records"
    BANK_DETAILS = "bank_details"
    AUDIT_TRAIL = "audit_trail"


class Trigger(StrEnum):
    """The event a retention period runs from: an application rejected or withdrawn (`application_closed`), consent
    withdrawn, employment ended, or the pay (tax) year closed."""

    APPLICATION_CLOSED = "application_closed"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    EMPLOYMENT_ENDED = "employment_ended"
    PAY_YEAR_CLOSED = "pay_year_closed"


class DefaultBasis(StrEnum):
    """What a default period rests on: `statutory` (a law's period), `practice` (customary, for example to answer
    claims within their deadlines, not a statutory period) or `product_default` (Meridian's own choice where no
    country's law is recorded)."""

    STATUTORY = "statutory"
    PRACTICE = "practice"
    PRODUCT_DEFAULT = "product_default"


class RetentionRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One data class after one trigger: each figure with its citation."""

    minimum: Cited[Months | Literal["none"]]
    maximum: Cited[Months | Literal["none stated"]]
    default: Cited[Months]
    default_basis: DefaultBasis

    def __post_init__(self) -> None:
        low, high = self.minimum_months, self.maximum_months
        if low is not None and self.default.value < low:
            raise ValueError("default is shorter than the statutory minimum")
        if high is not None and self.default.value > high:
            raise ValueError("default is longer than the maximum")
        if self.default_basis is DefaultBasis.STATUTORY and low is None:
            raise ValueError("a statutory default needs a statutory minimum")

    @property
    def minimum_months(self) -> int | None:
        return None if self.minimum.value == NO_MINIMUM else int(self.minimum.value)

    @property
    def maximum_months(self) -> int | None:
        return None if self.maximum.value == NONE_STATED else int(self.maximum.value)

    @property
    def verification(self) -> Verification:
        return weakest(c.source.verification for c in (self.minimum, self.maximum, self.default))


class ByTrigger(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A data class's rules, one per trigger it is kept after."""

    application_closed: RetentionRule | None = None
    consent_withdrawn: RetentionRule | None = None
    employment_ended: RetentionRule | None = None
    pay_year_closed: RetentionRule | None = None


class RetentionLaw(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One version of a country's retention rules, by data class and trigger (fields named as the enums)."""

    candidate_profile: ByTrigger | None = None
    recording: ByTrigger | None = None
    interview_result: ByTrigger | None = None
    application_history: ByTrigger | None = None
    employee_record: ByTrigger | None = None
    payroll_records: ByTrigger | None = None
    bank_details: ByTrigger | None = None
    audit_trail: ByTrigger | None = None

    def rules(self) -> Iterator[tuple[DataClass, Trigger, RetentionRule]]:
        for data_class in DataClass:
            triggers: ByTrigger | None = getattr(self, data_class.value)
            for trigger in Trigger:
                rule = getattr(triggers, trigger.value) if triggers else None
                if rule is not None:
                    yield data_class, trigger, rule

    def rule(self, data_class: DataClass, trigger: Trigger) -> RetentionRule | None:
        triggers: ByTrigger | None = getattr(self, data_class.value)
        return getattr(triggers, trigger.value) if triggers else None


class CountryRule(msgspec.Struct, frozen=True):
    """A rule as a country's law (or the generic default) gives it, with where it came from."""

    country: str
    data_class: DataClass
    trigger: Trigger
    rule: RetentionRule
    #: False where the country's data has no rule for the pair and the generic product default applies
    from_country_law: bool
    law_version: str

    @property
    def legal_basis(self) -> Citation:
        """The citation behind the default period: the statute's where the default is statutory, else the default's."""
        if self.rule.default_basis is DefaultBasis.STATUTORY:
            return self.rule.minimum.source
        return self.rule.default.source


@cache
def retention_series() -> dict[str, EffectiveSeries[RetentionLaw]]:
    """The shipped retention rules, loaded once (at startup: a bad file stops it)."""
    return load_retention(DATA_FOLDER)


def load_retention(root: Path) -> dict[str, EffectiveSeries[RetentionLaw]]:
    """Every folder under ``root``: one per country (ISO 3166-1 alpha-2, lower case) and ``generic``. A bad file
    stops here, named; so does a country rule for a pair the generic schedule does not keep."""
    loaded = {folder.name.upper() if folder.name != GENERIC else GENERIC:
              load_series(folder.name.upper(), SERIES, folder, RetentionLaw)
              for folder in sorted(root.iterdir()) if folder.is_dir() and not folder.name.startswith("_")}
    if GENERIC not in loaded:
        raise PackDataError(file=str(root / GENERIC), problem="the generic retention schedule is missing")
    _require_scheduled_pairs(loaded)
    return loaded


def _require_scheduled_pairs(loaded: dict[str, EffectiveSeries[RetentionLaw]]) -> None:
    scheduled = {(c, t) for v in loaded[GENERIC].versions for c, t, _ in v.parameters.rules()}
    for country, series in loaded.items():
        for version in series.versions:
            extra = [f"{c}.{t}" for c, t, _ in version.parameters.rules() if (c, t) not in scheduled]
            if extra:
                raise PackDataError(file=f"{country} {version.version}",
                                    problem=f"{', '.join(extra)} is not in the generic retention schedule")


def schedule(on: date) -> list[tuple[DataClass, Trigger]]:
    """Every (data class, trigger) the product keeps a period for, in a stable order."""
    law = retention_series()[GENERIC].in_force(on).parameters
    return [(data_class, trigger) for data_class, trigger, _ in law.rules()]


def pay_year_start(country: str) -> tuple[int, int]:
    """The (month, day) a country's pay year starts, from which a payroll record's period is counted once its year
    has closed: the tax year its payroll pack calculates in (the UK's 6 April, India's 1 April; the calendar year
    in China, Germany, Japan, Singapore and the US), else the calendar year."""
    from compliance.registry import law_packs  # the packs load their own data; only this function needs them

    pack = law_packs().get(country.upper())
    return pack.law_year_starts if pack is not None else (1, 1)


def pay_years_kept_from(country: str, cutoff: date) -> date:
    """The first day of the earliest pay year still kept when a pay year's period ends at ``cutoff``: a pay year
    is past its period once it closed (the next one started) on or before ``cutoff``, so what was paid before the
    last pay year start on or before ``cutoff`` may go. Germany, 72 months, cutoff 2020-12-03: from 2020-01-01 (the
    Lohnkonto of 2019 is kept to the end of 2025); the UK, 36 months, cutoff 2023-04-05: from 2022-04-06."""
    month, day = pay_year_start(country)
    start = date(cutoff.year, month, day)
    return start if start <= cutoff else date(cutoff.year - 1, month, day)


def countries_with_law() -> list[str]:
    return sorted(name for name in retention_series() if name != GENERIC)


def rule_for(country: str, data_class: DataClass, trigger: Trigger, on: date) -> CountryRule | None:
    """The rule in force on ``on``: the country's own, else the generic product default; None where the product
    keeps no period for the pair."""
    series = retention_series()
    own = series.get(country.upper())
    if own is not None:
        version = own.in_force(on)
        rule = version.parameters.rule(data_class, trigger)
        if rule is not None:
            return CountryRule(country.upper(), data_class, trigger, rule, True, version.version)
    generic = series[GENERIC].in_force(on)
    rule = generic.parameters.rule(data_class, trigger)
    if rule is None:
        return None
    return CountryRule(country.upper(), data_class, trigger, rule, False, generic.version)


def rules_for(country: str, on: date) -> list[CountryRule]:
    """Every scheduled pair's rule for ``country`` on ``on``."""
    found = (rule_for(country, c, t, on) for c, t in schedule(on))
    return [rule for rule in found if rule is not None]
