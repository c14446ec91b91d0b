"""Countries and regions as Meridian records them: one vocabulary at every save point.

A country is an ISO 3166-1 alpha-2 code (``pycountry``). A region is a code without the country prefix: where a
payroll pack covers the country, exactly one of the region codes the pack lists at ``GET /v1/compliance/packs``
(``SH`` Shanghai, ``BY`` Bavaria, ``13`` Tokyo, ``SCT`` Scotland, ``CA`` California: the US pack lists the states
and DC, whose minimum wages the contract check applies, though its payroll is federal); elsewhere an ISO 3166-2
subdivision code (``IDF`` for FR-IDF). The packs decide where they cover, because their codes are not all ISO
3166-2: China's are cities, and ``GZ`` is Guangzhou there while ISO's CN-GZ is Guizhou. Legal entities, pay
groups, hires and reviewer assignments all call these, so a region the payroll cannot use is refused (422) when it
is recorded, never found first when a payslip is calculated.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pycountry

from compliance.pack import Pack
from compliance.registry import all_packs, regions_of
from domain.kernel.errors import NoPayrollPack, NoRegionsInCountry, UnknownCountryCode, UnknownRegionCode

_COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)


def is_country(code: str) -> bool:
    return code in _COUNTRIES


def require_countries(countries: Iterable[str], field: str = "country") -> None:
    unknown = [code for code in countries if not is_country(code)]
    if unknown:
        raise UnknownCountryCode(countries=", ".join(unknown), field=field)


def require_country(country: str, field: str = "country") -> None:
    require_countries([country], field)


@cache
def region_codes(country: str) -> tuple[str, ...]:
    """Every region code ``country`` accepts: its pack's, or its ISO 3166-2 subdivisions where no pack covers it."""
    regions = regions_of(country)
    if regions is not None:
        return tuple(regions)
    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    return tuple(sorted(s.code.removeprefix(f"{country}-") for s in subdivisions))


def require_region(country: str, region: str | None, field: str = "region") -> None:
    """``region`` (None: no region) is one of ``country``'s region codes; else 422 pointing at ``field``."""
    if region is None or region in region_codes(country):
        return
    if not region_codes(country):
        raise NoRegionsInCountry(country=country, region=region, field=field)
    raise UnknownRegionCode(country=country, region=region, regions=", ".join(region_codes(country)), field=field)


def require_place(country: str, region: str | None, *, country_field: str = "country",
                  region_field: str = "region") -> None:
    require_country(country, country_field)
    require_region(country, region, region_field)


def payroll_pack(country: str, field: str) -> Pack:
    """The pack that pays staff in ``country``; 422 pointing at ``field`` where there is none."""
    pack = all_packs().get(country)
    if pack is None:
        raise NoPayrollPack(country=country, field=field)
    return pack
