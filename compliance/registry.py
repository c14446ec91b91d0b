"""Finds every country pack under ``compliance/packs`` and loads it once."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from compliance import labour_packs as labour_pack_folders
from compliance import packs
from compliance.calendar import WorkingDayCalendar, working_day_calendar
from compliance.errors import UnknownCountry
from compliance.labour_pack import COUNTRY_FILE, load_labour_pack
from compliance.pack import Pack


@cache
def all_packs() -> dict[str, Pack]:
    """Each subpackage of ``compliance.packs`` exposes ``PACK_CLASS``; its data sits in ``data/``."""
    loaded: dict[str, Pack] = {}
    for module in pkgutil.iter_modules(packs.__path__):
        if not module.ispkg:
            continue
        package = importlib.import_module(f"{packs.__name__}.{module.name}")
        pack_class: type[Pack] | None = getattr(package, "PACK_CLASS", None)
        if pack_class is None:
            continue
        pack = pack_class(Path(package.__file__).parent / "data")  # type: ignore[arg-type]
        loaded[pack.country] = pack
    return dict(sorted(loaded.items()))


@cache
def labour_packs() -> dict[str, Pack]:
    """The labour-law-only packs: each folder of ``compliance.labour_packs`` with a ``country.toml``."""
    root = Path(labour_pack_folders.__file__).parent  # type: ignore[arg-type]
    loaded = {pack.country: pack for pack in (load_labour_pack(folder) for folder in sorted(root.iterdir())
                                              if (folder / COUNTRY_FILE).is_file())}
    twice = loaded.keys() & all_packs().keys()
    if twice:
        raise ValueError(f"{', '.join(sorted(twice))} has both a payroll pack and a labour pack; keep one")
    return loaded


@cache
def law_packs() -> dict[str, Pack]:
    """Every country whose law Meridian keeps: the payroll packs and the labour-law-only packs."""
    return dict(sorted({**all_packs(), **labour_packs()}.items()))


def law_pack_for(country: str) -> Pack:
    try:
        return law_packs()[country.upper()]
    except KeyError:
        raise UnknownCountry(country=country) from None


def regions_of(country: str) -> Mapping[str, str] | None:
    """The country's region codes as ``GET /v1/compliance/packs`` lists them (code -> English name), or None
    where no pack covers the country. Every saved region of a covered country is one of these."""
    pack = law_packs().get(country)
    return pack.regions if pack else None


def calendar_of(country: str, region: str | None = None) -> WorkingDayCalendar:
    """The working-day calendar of a place: a pack's region code (``SH``, ``13``) is mapped to the holiday
    subdivision the pack keeps; any other region is read as the holiday calendar's own ISO 3166-2 subdivision
    (a US state's holidays, though the US pack has no regions)."""
    pack = law_packs().get(country)
    if pack is not None and (region is None or region in pack.regions):
        return pack.calendar(region)
    return working_day_calendar(country, region)


def pack_for(country: str) -> Pack:
    try:
        return all_packs()[country.upper()]
    except KeyError:
        raise UnknownCountry(country=country) from None
