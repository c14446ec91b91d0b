"""The contract every country pack fulfils, and the checks they all share."""

from __future__ import annotations

import copy
import functools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import msgspec

from compliance.calculation import CalculationRequest, CalculationResult, PayFrequency, ResultBuilder
from compliance.calendar import WorkingDayCalendar, working_day_calendar
from compliance.errors import (
    InvalidCalculationInput,
    OverrideNotAllowed,
    OverrideOutOfRange,
    PayCurrencyNotPackCurrency,
    UnknownRegion,
    UnsupportedPayFrequency,
)
from compliance.labour import Contract, LabourLaw, Violation, check_contract
from compliance.parameters import EffectiveSeries, ParameterVersion, load_series

LABOUR_SERIES = "labour"
#: Overtime pay where the law sets no premium and leaves it to contracts.
CUSTOMARY_OVERTIME_MULTIPLIER = Decimal("1.5")
#: The earnings of a period as most payslips name them: the base pay (prorated for part of a period), unpaid leave
#: taken off it, overtime, allowances and a bonus.
EARNING_LABELS: Mapping[str, str] = {
    "base": "Base pay", "unpaid_leave": "Unpaid leave", "overtime": "Overtime pay", "allowances": "Allowances",
    "bonus": "Bonus",
}


class Pack(ABC):
    """One country's law: parameter series loaded from ``data/<series>/*.toml`` beside the pack.

    Subclasses declare their schemas and series and implement :meth:`calculate`.
    """

    country: ClassVar[str]
    name: ClassVar[str]
    currency: ClassVar[str]
    pack_version: ClassVar[str]
    #: False for a labour-law-only pack (``compliance.labour_pack``): it checks contracts, it does not pay.
    pays_payroll: ClassVar[bool] = True
    #: region code -> English name. Regions are where the law differs (CN cities, GB Scotland, ...).
    regions: ClassVar[Mapping[str, str]] = {}
    #: region code -> ``holidays`` subdivision code, where they differ.
    holiday_subdivisions: ClassVar[Mapping[str, str | None]] = {}
    frequencies: ClassVar[frozenset[PayFrequency]]
    employee_schema: ClassVar[type[msgspec.Struct]]
    ytd_schema: ClassVar[type[msgspec.Struct]]
    #: series name -> parameters Struct type, loaded from data/<series>/.
    series_types: ClassVar[Mapping[str, type]]
    #: payslip line code -> English label (a gettext msgid). Every line a calculation emits is here.
    line_labels: ClassVar[Mapping[str, str]]
    #: earning kind -> English label (a gettext msgid), as the country's payslips name the earnings of a period
    earning_labels: ClassVar[Mapping[str, str]] = EARNING_LABELS
    #: the year-to-date figures the country's payslips carry, in their order: key of the pack's year to date ->
    #: English label (a gettext msgid); none where its payslips carry none
    year_to_date_labels: ClassVar[Mapping[str, str]] = {}
    #: the keys of ``year_to_date_labels`` that are the employer's (shown to payroll, not on the employee's copy)
    employer_year_to_date: ClassVar[frozenset[str]] = frozenset()
    #: the keys of ``year_to_date_labels`` of an occasional payment, shown once there is one (a figure of a
    #: regular payment shows 0 too: no tax paid so far is worth reading)
    occasional_year_to_date: ClassVar[frozenset[str]] = frozenset()
    #: Series whose next version the issuer routinely publishes late (China's contribution bases): a tenant
    #: may carry the last known version forward provisionally and settle when the law arrives.
    carry_forward_series: ClassVar[frozenset[str]] = frozenset()
    #: When the law changes each year, as (month, day): the pack's default, and per series where it differs.
    law_year_starts: ClassVar[tuple[int, int]] = (1, 1)
    series_year_starts: ClassVar[Mapping[str, tuple[int, int]]] = {}

    def __init__(self, data_dir: Path) -> None:
        self.series: dict[str, EffectiveSeries[Any]] = {
            name: load_series(self.country, name, data_dir / name, params_type,
                              carry_forward=name in self.carry_forward_series)
            for name, params_type in self.all_series_types().items()
        }

    @classmethod
    def all_series_types(cls) -> dict[str, type]:
        """Every series the pack reads, with the Struct its versions are validated against."""
        return {LABOUR_SERIES: LabourLaw, **cls.series_types}

    def layered(self, layers: Mapping[str, Sequence[ParameterVersion[Any]]], provisional: frozenset[str]) -> Pack:
        """This pack as one tenant sees it: with its bundled and own versions per series, and carrying forward
        the series it opted in to. The shared pack is never changed."""
        view = copy.copy(self)
        view.series = {
            name: series.layered(layers.get(name, ()), name in provisional) if layers.get(name) or
            name in provisional else series
            for name, series in self.series.items()
        }
        return view

    def next_expected_change(self, series: str, after: date) -> date:
        """The next date the series' law usually changes (its law year start), after ``after``."""
        month, day = self.series_year_starts.get(series, self.law_year_starts)
        candidate = date(after.year, month, day)
        return candidate if candidate > after else date(after.year + 1, month, day)

    # -- calculation -------------------------------------------------------------------------

    def results(self) -> ResultBuilder:
        """A builder for one calculation's lines, trace and totals."""
        return ResultBuilder(self.country, self.currency, self.pack_version, self.line_labels)

    @abstractmethod
    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        """Gross to net for one employee and one period."""

    def calculate_raw(
        self,
        *,
        pay_date: date,
        pay_frequency: PayFrequency,
        earnings: Any,
        employee: Mapping[str, Any],
        year_to_date: Mapping[str, Any],
        region: str | None = None,
        overrides: Mapping[str, Decimal] | None = None,
    ) -> CalculationResult:
        """Validate untyped attributes against this pack's schemas, then calculate."""
        request = self.request(
            pay_date=pay_date, pay_frequency=pay_frequency, earnings=earnings, employee=employee,
            year_to_date=year_to_date, region=region, overrides=overrides,
        )
        return self.calculate(request)

    def request(
        self,
        *,
        pay_date: date,
        pay_frequency: PayFrequency,
        earnings: Any,
        employee: Mapping[str, Any],
        year_to_date: Mapping[str, Any],
        region: str | None = None,
        overrides: Mapping[str, Decimal] | None = None,
    ) -> CalculationRequest[Any, Any]:
        self.require_region(region)
        if pay_frequency not in self.frequencies:
            raise UnsupportedPayFrequency(country=self.country, frequency=str(pay_frequency))
        try:
            request = msgspec.convert(
                {
                    "pay_date": pay_date,
                    "pay_frequency": pay_frequency,
                    "earnings": earnings,
                    "employee": employee,
                    "year_to_date": year_to_date,
                    "region": region,
                    "overrides": dict(overrides or {}),
                },
                CalculationRequest[self.employee_schema, self.ytd_schema],  # type: ignore[name-defined]
                from_attributes=True,
            )
        except msgspec.ValidationError as exc:
            raise InvalidCalculationInput(country=self.country, problem=str(exc)) from exc
        self.validate_overrides(request)
        return request

    # -- what a payslip needs, checked when it is recorded ------------------------------------

    def missing_employee_inputs(self, attributes: Mapping[str, Any], region: str | None) -> list[str]:
        """What this pack's payslips will need that the employee's ``attributes`` (or ``region``, named
        ``"region"``) lack: the schema's required attributes, then what :meth:`employee_needs` adds. Asked when
        an employee is hired, their employment changes or their attributes are recorded, so that a payslip never
        finds it missing first. Attributes that do not fit the schema raise :class:`InvalidCalculationInput`."""
        absent = [name for name in _required_fields(self.employee_schema) if name not in attributes]
        if absent:
            return absent
        try:
            employee = msgspec.convert(dict(attributes), self.employee_schema)
        except msgspec.ValidationError as exc:
            raise InvalidCalculationInput(country=self.country, problem=str(exc)) from exc
        return self.employee_needs(employee, region)

    def employee_needs(self, employee: Any, region: str | None) -> list[str]:
        """Optional attributes (or ``"region"``) that this employee's payslips need all the same, given the
        others: none unless a pack says so."""
        return []

    def require_pay_currency(self, currency: str) -> None:
        """Pay is calculated in the pack's currency only: pay recorded in another is refused, never reinterpreted."""
        if currency != self.currency:
            raise PayCurrencyNotPackCurrency(country=self.country, currency=currency, pack_currency=self.currency)

    # -- regions, overrides ------------------------------------------------------------------

    def require_region(self, region: str | None) -> None:
        if region is not None and region not in self.regions:
            raise UnknownRegion(country=self.country, region=region)

    def override_range(self, name: str, request: CalculationRequest[Any, Any]) -> tuple[Decimal, Decimal]:
        """The legal range of an employer-chosen parameter. Packs that allow overrides extend this."""
        raise OverrideNotAllowed(name=name)

    def validate_overrides(self, request: CalculationRequest[Any, Any]) -> None:
        for name, value in request.overrides.items():
            minimum, maximum = self.override_range(name, request)
            if not minimum <= value <= maximum:
                raise OverrideOutOfRange(name=name, value=str(value), minimum=str(minimum), maximum=str(maximum))

    # -- labour law, holidays ----------------------------------------------------------------

    def labour_law(self, on: date, region: str | None = None) -> LabourLaw:
        self.require_region(region)
        return self.series[LABOUR_SERIES].in_force(on, region).parameters

    def overtime_multiplier(self, law: LabourLaw) -> Decimal:
        """What an hour of ordinary overtime (beyond the normal hours of a working day or week) pays, as a
        multiple of the hourly rate, under ``law`` (this pack's labour law in force). Packs whose law sets a
        statutory rate answer with it; where the law sets no premium (DE, GB), customary time and a half."""
        return CUSTOMARY_OVERTIME_MULTIPLIER

    def check_contract(self, contract: Contract) -> list[Violation]:
        return check_contract(self.labour_law(contract.start_date, contract.region), contract)

    def calendar(self, region: str | None = None) -> WorkingDayCalendar:
        self.require_region(region)
        subdivision = self.holiday_subdivisions.get(region) if region else None
        return working_day_calendar(self.country, subdivision)


@functools.cache
def _required_fields(schema: type[msgspec.Struct]) -> tuple[str, ...]:
    """The schema's required attributes by their encoded names. ``msgspec.structs.fields`` resolves the Struct's type
    hints on every call (a few milliseconds), which a bulk import of thousands of hires would pay once a row."""
    return tuple(f.encode_name for f in msgspec.structs.fields(schema) if f.required)
