"""One region vocabulary: the packs' region codes where a pack covers the country, ISO 3166-2 elsewhere."""

from __future__ import annotations

import pycountry
import pytest

from compliance.registry import all_packs
from domain.kernel.errors import NoRegionsInCountry, UnknownCountryCode, UnknownRegionCode
from domain.kernel.places import region_codes, require_place


def iso_subdivisions(country: str) -> set[str]:
    return {s.code.removeprefix(f"{country}-") for s in pycountry.subdivisions.get(country_code=country) or []}


@pytest.mark.parametrize("country", ["DE", "GB", "JP", "US"])
def test_where_a_pack_uses_iso_3166_2_its_regions_are_real_subdivisions(country: str) -> None:
    assert set(all_packs()[country].regions) <= iso_subdivisions(country)


def test_chinas_regions_are_cities_so_the_pack_not_iso_decides() -> None:
    """GZ is Guangzhou in the CN pack, and Guizhou province in ISO 3166-2: the vocabulary is the pack's list."""
    regions = all_packs()["CN"].regions
    assert regions["GZ"] == "Guangzhou" and pycountry.subdivisions.get(code="CN-GZ").name != "Guangzhou"
    assert region_codes("CN") == tuple(regions)


def test_a_region_is_the_packs_code_or_an_iso_subdivision_where_no_pack_covers_the_country() -> None:
    for country, region in (("CN", "SH"), ("DE", "BY"), ("GB", "SCT"), ("JP", "13"), ("US", None), ("US", "CA"),
                            ("LU", "CA")):
        require_place(country, region)
    for country, region, error in (("CN", "CN-SH", UnknownRegionCode), ("GB", "BW", UnknownRegionCode),
                                   ("US", "PR", UnknownRegionCode), ("SG", "01", NoRegionsInCountry),
                                   ("LU", "MARS", UnknownRegionCode), ("ZZ", None, UnknownCountryCode)):
        with pytest.raises(error) as caught:
            require_place(country, region)
        assert caught.value.field in ("country", "region")
