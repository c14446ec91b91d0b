"""A country whose labour law Meridian checks but whose payroll it does not run: data only, no Python per country.

Each folder under ``compliance/labour_packs/`` holds ``country.toml`` (the country, its name and currency, and the
regions where its labour law differs) and ``labour/*.toml``, effective-dated versions of the same
:class:`~compliance.labour.LabourLaw` series the payroll packs keep. The contract check, the coverage list, the
changes feed, tenant law versions and signed bundles treat it like any other pack; a payroll calculation is
refused with a reason that names the country.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, ClassVar

import holidays
import msgspec

from compliance.calculation import CalculationRequest, CalculationResult
from compliance.errors import NoPayrollForCountry, PackDataError
from compliance.pack import Pack

COUNTRY_FILE = "country.toml"


class CountryFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``country.toml``: who the pack is for. Region codes are the codes contracts and legal entities use."""

    country: str
    name: str
    currency: str
    #: region code -> English name, where the labour law differs by region (a state's minimum wage)
    regions: dict[str, str] = {}
    #: region code -> the ``holidays`` subdivision whose holidays it keeps, where the codes differ
    holiday_subdivisions: dict[str, str] = {}


class LabourPack(Pack):
    """A labour-law pack built from data; :func:`load_labour_pack` makes one class per country."""

    pays_payroll = False
    frequencies = frozenset()
    employee_schema = msgspec.defstruct("NoEmployeeAttributes", [])
    ytd_schema = msgspec.defstruct("NoYearToDate", [])
    series_types: ClassVar[dict[str, type]] = {}
    line_labels: ClassVar[dict[str, str]] = {}

    def calculate(self, request: CalculationRequest[Any, Any]) -> CalculationResult:
        raise NoPayrollForCountry(country=self.country)

    def request(self, **_: Any) -> CalculationRequest[Any, Any]:
        # Refused before any input is read: no pay frequency or attribute of this country is "wrong".
        raise NoPayrollForCountry(country=self.country)


def load_labour_pack(folder: Path) -> LabourPack:
    """The labour pack in ``folder``; a malformed ``country.toml`` or data file stops here, named."""
    described = _country_file(folder / COUNTRY_FILE)
    pack_class = type(f"{described.country}LabourPack", (LabourPack,), {
        "country": described.country, "name": described.name, "currency": described.currency,
        "pack_version": f"{described.country.lower()}-labour", "regions": dict(sorted(described.regions.items())),
        "holiday_subdivisions": _holiday_subdivisions(described),
    })
    pack: LabourPack = pack_class(folder)
    return pack


def _country_file(path: Path) -> CountryFile:
    try:
        return msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), CountryFile)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise PackDataError(file=str(path), problem=str(exc)) from exc


def _holiday_subdivisions(described: CountryFile) -> dict[str, str | None]:
    """Each region's holiday subdivision: the one named, else the region code where the holiday calendar knows it
    as a subdivision, else the national calendar."""
    known = set(holidays.list_supported_countries().get(described.country, []))
    return {region: described.holiday_subdivisions.get(region, region if region in known else None)
            for region in described.regions}
