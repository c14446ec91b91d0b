"""The law library over HTTP: packs and their cited parameters, the policy-change feed,
stateless gross-to-net calculations, contract checks and public holidays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from api.guards import Caller, caller, requires
from api.http import Cursor, Limit
from api.problems import locale_of
from compliance.calculation import CalculationResult, Earnings, PayFrequency
from compliance.labour import Contract
from compliance.numbers import require_sane_decimals
from compliance.pack import Pack
from compliance.parameters import ParameterChange, Verification
from compliance.registry import all_packs, calendar_of, law_pack_for, law_packs
from domain.kernel.i18n import translate
from domain.kernel.pagination import Page, map_page, page_of_sorted
from domain.kernel.permissions import Operation
from domain.regulation import service as regulation
from domain.tenancy.model import CountryCode

RegionCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
_HOLIDAY_LANGUAGE = {"en": "en_US", "zh_CN": "zh_CN", "ja": "ja"}


class SeriesVersion(msgspec.Struct, frozen=True):
    """One version of a statutory series in a pack: the region it applies to (null: the whole country), the days it is
    in force (`effective_to` null: until changed), how well its least known figure is known, and whether the series may
    be carried forward past its end where a tenant opts in."""

    series: str
    version: str
    region: str | None
    effective_from: date
    effective_to: date | None
    #: the weakest level of the version's cited figures
    verification: Verification
    #: the series may be carried forward provisionally where a tenant opts in
    carry_forward: bool


class PackSummary(msgspec.Struct, frozen=True):
    """A country's law pack: its name, currency (ISO 4217), pack version, regions (region code to English name), the pay
    frequencies it calculates, the versions of its series, and the series it covers (`labour` alone for a country whose
    payroll Meridian does not run)."""

    country: str
    name: str
    currency: str
    pack_version: str
    regions: dict[str, str]
    pay_frequencies: list[PayFrequency]
    versions: list[SeriesVersion]
    #: the law the pack keeps: its series (``labour`` alone for a country whose payroll Meridian does not run)
    covers: list[str] = []


class PackDetail(msgspec.Struct, frozen=True):
    """Everything a law pack holds: its summary, every version of each series with its cited figures (`parameters`, by
    series name), and the JSON Schemas of the `employee` and `year_to_date` inputs its payroll calculation takes."""

    summary: PackSummary
    parameters: dict[str, list[Any]]
    employee_schema: dict[str, Any]
    year_to_date_schema: dict[str, Any]


class PayrollCalculationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A stateless gross-to-net calculation for one employee and one period in `country`, with the law your tenant runs
    on; nothing is stored. `employee` and `year_to_date` follow the pack's input schemas (in the pack's detail, or typed
    in the per-country operation), `earnings` are in the pack's currency, and `overrides` replace named parameters
    within the ranges the pack allows."""

    country: CountryCode
    pay_date: date
    pay_frequency: PayFrequency
    earnings: Earnings
    employee: dict[str, Any] = {}
    year_to_date: dict[str, Any] = {}
    region: RegionCode | None = None
    overrides: dict[str, Decimal] = {}

    def __post_init__(self) -> None:
        require_sane_decimals(self)


class ContractCheckRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A contract to check against the labour law of `country`."""

    country: CountryCode
    contract: Contract


class LocalisedViolation(msgspec.Struct, frozen=True):
    """One way a contract breaks the law: a stable `code` (such as `labour.minimum_wage`), a message in the caller's
    language (Accept-Language) and the `params` that fill it, for a client writing its own text."""

    code: str
    message: str
    params: dict[str, str]


class ContractCheckResult(msgspec.Struct, frozen=True):
    """The outcome of a contract check: `compliant` is true exactly when `violations` is empty."""

    compliant: bool
    violations: list[LocalisedViolation]


class Holiday(msgspec.Struct, frozen=True):
    """A public holiday: its date and its name, in the caller's language where the holiday calendar has one, else in the
    calendar's default language."""

    date: date
    name: str


class HolidayCalendar(msgspec.Struct, frozen=True):
    """The public holidays of a country, or of one of its subdivisions, in one year, in date order."""

    country: str
    subdivision: str | None
    year: int
    holidays: list[Holiday]


def _summary(country: str) -> PackSummary:
    pack = law_pack_for(country)
    versions = [
        SeriesVersion(series=name, version=v.version, region=v.region, effective_from=v.effective_from,
                      effective_to=v.effective_to, verification=v.verification, carry_forward=series.carry_forward)
        for name, series in pack.series.items() for v in series.versions
    ]
    return PackSummary(country=pack.country, name=pack.name, currency=pack.currency, pack_version=pack.pack_version,
                       regions=dict(pack.regions), pay_frequencies=sorted(pack.frequencies), versions=versions,
                       covers=sorted(pack.series))


class ComplianceController(Controller):
    path = "/v1/compliance"
    tags = ["Compliance"]

    @get("/packs", operation_id="listPacks",
         opt=requires(Operation.COMPLIANCE_READ),
         summary="Countries, regions, versions, effective ranges; by country code")
    async def packs(self, limit: Limit = 50, cursor: Cursor = None) -> Page[PackSummary]:
        return map_page(page_of_sorted(law_packs(), limit, cursor, lambda country: (country,)), _summary)

    @get("/packs/{country:str}", operation_id="getPack", opt=requires(Operation.COMPLIANCE_READ),
         summary="Every parameter version with its citation, and the pack's input schemas")
    async def pack(self, country: FromPath[CountryCode]) -> PackDetail:
        pack = law_pack_for(country)
        parameters = {name: [msgspec.to_builtins(v) for v in series.versions] for name, series in pack.series.items()}
        return PackDetail(
            summary=_summary(country), parameters=parameters,
            employee_schema=msgspec.json.schema(pack.employee_schema),
            year_to_date_schema=msgspec.json.schema(pack.ytd_schema),
        )

    @get("/packs/{country:str}/changes", operation_id="listPackChanges", opt=requires(Operation.COMPLIANCE_READ),
         summary="Parameter changes taking effect on or after a date, by that date: the policy-update feed")
    async def changes(
        self, principal: Caller, country: FromPath[CountryCode],
        since: Annotated[date, QueryParameter(description="ISO date")], limit: Limit = 50, cursor: Cursor = None,
    ) -> Page[ParameterChange]:
        """Shipped, bundled and the tenant's own versions, each change with its origin and verification level."""
        return await regulation.list_changes(principal, country, since, cursor, limit)

    @post("/payroll-calculations", operation_id="calculatePayroll",
          opt=requires(Operation.COMPLIANCE_CALCULATE), status_code=200,
          summary="Gross to net for one employee and one period (stateless)")
    async def calculate(self, request: Request[Any, Any, Any], principal: Caller,
                        data: JSONBody[PayrollCalculationRequest]) -> CalculationResult:
        """With the law as the caller's tenant sees it: its own approved and bundled versions, and the series it
        carries forward."""
        result = await regulation.calculate(
            principal, data.country, pay_date=data.pay_date, pay_frequency=data.pay_frequency,
            earnings=data.earnings, employee=data.employee, year_to_date=data.year_to_date, region=data.region,
            overrides=data.overrides,
        )
        return localised(result, locale_of(request))

    @post("/contract-checks", operation_id="checkContract",
          opt=requires(Operation.COMPLIANCE_CHECK_CONTRACT), status_code=200,
          summary="Check a contract against minimum wage, hours, probation, leave, notice and working age")
    async def check_contract(self, request: Request[Any, Any, Any], principal: Caller,
                             data: JSONBody[ContractCheckRequest]) -> ContractCheckResult:
        violations = (await regulation.law_layers(principal)).pack(data.country).check_contract(data.contract)
        locale = locale_of(request)
        localised = [LocalisedViolation(code=v.code, message=translate(v.message, locale, **v.params), params=v.params)
                     for v in violations]
        return ContractCheckResult(compliant=not violations, violations=localised)

    @get("/holidays", operation_id="listHolidays",
         opt=requires(Operation.COMPLIANCE_READ), summary="Public holidays of a country or region")
    async def holidays(
        self, request: Request[Any, Any, Any], country: Annotated[CountryCode, QueryParameter()],
        year: Annotated[int, QueryParameter(ge=1950, le=2100)],
        subdivision: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> HolidayCalendar:
        calendar = calendar_of(country, subdivision)
        language = _HOLIDAY_LANGUAGE.get(locale_of(request))
        days = [Holiday(date=day, name=name) for day, name in calendar.holidays_in(year, language)]
        return HolidayCalendar(country=country, subdivision=subdivision, year=year, holidays=days)



def localised(result: CalculationResult, locale: str) -> CalculationResult:
    lines = [msgspec.structs.replace(line, label=translate(line.label, locale)) for line in result.lines]
    return msgspec.structs.replace(result, lines=lines)


def country_calculation_routes() -> list[HTTPRouteHandler]:
    """One typed calculation route per pack, so each pack's input schema is part of the OpenAPI document."""
    return [_typed_calculation_route(pack) for pack in all_packs().values()]


def _typed_calculation_route(pack: Pack) -> HTTPRouteHandler:
    country = pack.country
    body_type = msgspec.defstruct(
        f"{country}PayrollCalculation",
        [
            ("pay_date", date),
            ("pay_frequency", PayFrequency),
            ("earnings", Earnings),
            ("employee", pack.employee_schema),
            ("year_to_date", pack.ytd_schema, msgspec.field(default_factory=pack.ytd_schema)),
            ("region", RegionCode | None, None),
            ("overrides", dict[str, Decimal], msgspec.field(default_factory=dict)),
        ],
        frozen=True,
        forbid_unknown_fields=True,
        namespace={"__post_init__": require_sane_decimals, "__doc__": (
            f"A stateless gross-to-net calculation for one employee and one period in {pack.name}, with the law your "
            f"tenant runs on; nothing is stored. `employee` and `year_to_date` are this pack's typed inputs, "
            f"`earnings` are in {pack.currency}, and `overrides` replace named parameters within the ranges the pack "
            "allows."
        )},
    )

    async def calculate(request: Request[Any, Any, Any], data: Any) -> CalculationResult:
        result = await regulation.calculate(
            caller(request), country, pay_date=data.pay_date, pay_frequency=data.pay_frequency, earnings=data.earnings,
            employee=msgspec.to_builtins(data.employee), year_to_date=msgspec.to_builtins(data.year_to_date),
            region=data.region, overrides=data.overrides,
        )
        return localised(result, locale_of(request))

    calculate.__annotations__ = {
        "request": Request[Any, Any, Any], "data": JSONBody[body_type], "return": CalculationResult,
    }
    return post(
        f"/v1/compliance/packs/{country}/payroll-calculations", opt=requires(Operation.COMPLIANCE_CALCULATE),
        status_code=200, tags=["Compliance"], operation_id=f"calculate{country.title()}Payroll",
        summary=f"Gross to net for one employee and one period in {pack.name}, with its typed input schema",
    )(calculate)
