"""Effective-dated, cited parameters loaded from data files.

A pack keeps each *series* of parameters (for example CN individual income tax, or the
social-insurance bases of one city) in its own folder of TOML files, one file per version.
Each file says when it is in force and, for every value, which official source it comes from.
Adding a tax year or a city is adding a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgspec

from compliance.errors import NoParametersInForce, PackDataError

P = TypeVar("P")
T = TypeVar("T")


class Citation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    issuer: str
    document: str
    url: str
    article: str | None = None


class Cited(msgspec.Struct, Generic[T], frozen=True, forbid_unknown_fields=True):
    """A statutory value next to the source it was taken from."""

    value: T
    source: Citation


class ParameterVersion(msgspec.Struct, Generic[P], frozen=True, forbid_unknown_fields=True):
    version: str
    effective_from: date
    parameters: P
    effective_to: date | None = None
    region: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class ParameterChange(msgspec.Struct, frozen=True):
    series: str
    region: str | None
    version: str
    effective_from: date
    parameter: str
    before: Any
    after: Any
    source: Citation | None


@dataclass(frozen=True)
class EffectiveSeries(Generic[P]):
    """Every version of one parameter series, by region, ordered by effective date."""

    country: str
    name: str
    versions: tuple[ParameterVersion[P], ...]

    def in_force(self, on: date, region: str | None = None) -> ParameterVersion[P]:
        """The version in force on ``on``: the region's own if it has one, else the country's."""
        for candidate_region in ((region, None) if region else (None,)):
            for version in self.versions:
                if version.region == candidate_region and version.in_force(on):
                    return version
        raise NoParametersInForce(country=self.country, series=self.name, on=on.isoformat())

    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({v.region for v in self.versions if v.region}))

    def changes(self, since: date) -> Iterator[ParameterChange]:
        """Parameter-level differences between consecutive versions taking effect on or after ``since``."""
        by_region: dict[str | None, list[ParameterVersion[P]]] = {}
        for version in self.versions:
            by_region.setdefault(version.region, []).append(version)
        for region, versions in by_region.items():
            previous: dict[str, tuple[Any, Any]] = {}
            for version in versions:
                current = _flatten(msgspec.to_builtins(version.parameters))
                if version.effective_from >= since:
                    yield from self._diff(region, version, previous, current)
                previous = current

    def _diff(
        self, region: str | None, version: ParameterVersion[P], before: dict[str, tuple[Any, Any]],
        after: dict[str, tuple[Any, Any]],
    ) -> Iterator[ParameterChange]:
        for name, (value, source) in after.items():
            old = before.get(name, (None, None))[0]
            if old == value:
                continue
            yield ParameterChange(
                series=self.name, region=region, version=version.version, effective_from=version.effective_from,
                parameter=name, before=old, after=value,
                source=msgspec.convert(source, Citation) if source else None,
            )


def _is_citation(data: Any) -> bool:
    return isinstance(data, Mapping) and {"issuer", "document", "url"} <= data.keys()


def _flatten(data: Any, prefix: str = "", source: Any = None) -> dict[str, tuple[Any, Any]]:
    """Leaf parameters by dotted name, each with the citation of the nearest cited value around it."""
    if not isinstance(data, Mapping) or _is_citation(data):
        return {} if _is_citation(data) else {prefix: (data, source)}
    if data.keys() == {"value", "source"} and _is_citation(data["source"]):
        return _flatten(data["value"], prefix, data["source"])
    flat: dict[str, tuple[Any, Any]] = {}
    for key, value in data.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key), source))
    return flat


def load_series(country: str, name: str, folder: Path, parameters_type: type[P]) -> EffectiveSeries[P]:
    """Load and validate every version file in ``folder``. A bad file stops here, named."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise PackDataError(file=str(folder), problem="no parameter files")
    versions = [_load_version(path, parameters_type) for path in files]
    versions.sort(key=lambda v: (v.region or "", v.effective_from))
    _reject_overlaps(folder, versions)
    return EffectiveSeries(country=country, name=name, versions=tuple(versions))


def _load_version(path: Path, parameters_type: type[P]) -> ParameterVersion[P]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        _reject_floats(raw, "$")
        return msgspec.convert(raw, ParameterVersion[parameters_type])  # type: ignore[valid-type]
    except (tomllib.TOMLDecodeError, msgspec.ValidationError, ValueError) as exc:
        raise PackDataError(file=str(path), problem=str(exc)) from exc


def _reject_floats(data: Any, path: str) -> None:
    """Binary floats cannot hold statutory rates exactly; data files write them as strings."""
    if isinstance(data, float):
        raise ValueError(f"{path} is a binary float; write it as a quoted decimal string")
    if isinstance(data, dict):
        for key, value in data.items():
            _reject_floats(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _reject_floats(value, f"{path}[{index}]")


def _reject_overlaps(folder: Path, versions: list[ParameterVersion[Any]]) -> None:
    for earlier, later in pairwise(versions):
        if earlier.region != later.region:
            continue
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise PackDataError(
                file=str(folder),
                problem=f"versions {earlier.version} and {later.version} overlap or leave the first open-ended",
            )
