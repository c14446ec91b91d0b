"""Effective-dated, cited parameters loaded from data files.

A pack keeps each *series* of parameters (for example CN individual income tax, or the
social-insurance bases of one city) in its own folder of TOML files, one file per version.
Each file says when it is in force and, for every value, which official source it comes from.
Adding a tax year or a city is adding a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgspec

from compliance.errors import LawNotYetPublished, NoParametersInForce, PackDataError

P = TypeVar("P")
T = TypeVar("T")


class Verification(StrEnum):
    """How well a figure is known. A pay run uses ``unverified`` figures only where the tenant accepted them."""

    #: Read in the issuing body's own document (notice, gazette, official calculator or XML).
    OFFICIAL = "official"
    #: Not read in an official document, but two independent secondary sources agree; both are cited.
    CORROBORATED = "corroborated"
    UNVERIFIED = "unverified"


_STRENGTH = {Verification.OFFICIAL: 2, Verification.CORROBORATED: 1, Verification.UNVERIFIED: 0}


def weakest(levels: Iterable[Verification]) -> Verification:
    """A version is only as well known as its least known figure."""
    return min(levels, key=_STRENGTH.__getitem__, default=Verification.OFFICIAL)


def usable_without_acceptance(level: Verification) -> bool:
    return level is not Verification.UNVERIFIED


class Origin(StrEnum):
    """Where a version came from: the project's release, a signed law bundle, or the tenant's own layer."""

    SHIPPED = "shipped"
    BUNDLE = "bundle"
    TENANT = "tenant"


class SecondarySource(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An independent secondary source (its publisher and page) that agrees with a `corroborated` figure, with an
    optional note."""

    publisher: str
    url: str
    note: str | None = None


class Citation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where a statutory figure comes from: the issuing body, its document and URL, the article where there is one, and
    how well the figure is known (`verification`); a `corroborated` figure names at least two independent secondary
    sources in `corroboration`."""

    issuer: str
    document: str
    url: str
    verification: Verification
    article: str | None = None
    #: The independent secondary sources behind a ``corroborated`` figure (at least two).
    corroboration: list[SecondarySource] = []

    def __post_init__(self) -> None:
        if self.verification is Verification.CORROBORATED and len(self.corroboration) < 2:
            raise ValueError("a corroborated figure cites at least two independent secondary sources (corroboration)")


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
    #: Set when loaded, never written in a data file: the weakest level of the version's cited figures,
    #: where it came from, and whether it is the last known version carried past its end (provisional).
    verification: Verification = Verification.OFFICIAL
    origin: Origin = Origin.SHIPPED
    provisional: bool = False

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def carried_forward(self) -> ParameterVersion[P]:
        """This version applied past its end until the law for the later period is known (补差 follows)."""
        return msgspec.structs.replace(self, provisional=True, effective_to=None)


class ParameterChange(msgspec.Struct, frozen=True):
    """One statutory parameter that changes on `effective_from`, an item of the policy-update feed: the series, region
    and version that change it, the parameter's dotted name, its value `before` (null where it had none) and `after` as
    the law data holds them, the citation, where the version came from and whether it is provisional (carried forward
    past its end)."""

    series: str
    region: str | None
    version: str
    effective_from: date
    parameter: str
    before: Any
    after: Any
    source: Citation | None
    origin: Origin = Origin.SHIPPED
    verification: Verification | None = None
    provisional: bool = False


#: Which version wins where versions of several origins cover the same day.
_PRECEDENCE = (Origin.TENANT, Origin.BUNDLE, Origin.SHIPPED)


@dataclass(frozen=True)
class EffectiveSeries(Generic[P]):
    """Every version of one parameter series, by region, ordered by effective date.

    Versions come from three origins; on any day the tenant's own version wins over a signed bundle's, which
    wins over the shipped one. A series the pack marks ``carry_forward`` may, where the tenant opted in, apply
    its last known version provisionally past its end, until the law for the later period is published.
    """

    country: str
    name: str
    versions: tuple[ParameterVersion[P], ...]
    carry_forward: bool = False
    provisional_allowed: bool = False

    def in_force(self, on: date, region: str | None = None) -> ParameterVersion[P]:
        """The version in force on ``on``: the region's own if it has one, else the country's."""
        last_known: ParameterVersion[P] | None = None
        for candidate_region in ((region, None) if region else (None,)):
            found, latest = self._version_on(on, candidate_region)
            if found is not None:
                return found
            last_known = last_known or latest
        if last_known is not None and self.carry_forward:
            if self.provisional_allowed:
                return last_known.carried_forward()
            raise LawNotYetPublished(country=self.country, series=self.name, on=on.isoformat(),
                                     ended=(last_known.effective_to or on).isoformat())
        raise NoParametersInForce(country=self.country, series=self.name, on=on.isoformat())

    def _version_on(
        self, on: date, region: str | None
    ) -> tuple[ParameterVersion[P] | None, ParameterVersion[P] | None]:
        """The version of ``region`` in force on ``on`` by precedence, else the latest that began before it."""
        latest: ParameterVersion[P] | None = None
        for origin in _PRECEDENCE:
            for version in self.versions:
                if version.region != region or version.origin is not origin or version.effective_from > on:
                    continue
                if version.in_force(on):
                    return version, None
                if latest is None or version.effective_from > latest.effective_from:
                    latest = version
        return None, latest

    def layered(self, extra: Iterable[ParameterVersion[P]], provisional_allowed: bool) -> EffectiveSeries[P]:
        """This series as one tenant sees it: with its own (and bundled) versions and its carry-forward choice."""
        merged = sorted((*self.versions, *extra), key=lambda v: (v.region or "", v.effective_from))
        return EffectiveSeries(self.country, self.name, tuple(merged), self.carry_forward, provisional_allowed)

    def known_until(self, region: str | None) -> date | None:
        """The last day for which this series' law is known (None: open-ended), not a guess."""
        own = [v for v in self.versions if v.region == region]
        if not own:
            return None
        return None if any(v.effective_to is None for v in own) else max(v.effective_to for v in own if v.effective_to)

    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({v.region for v in self.versions if v.region}))

    def changes(self, since: date) -> Iterator[ParameterChange]:
        """Parameter-level differences between consecutive versions taking effect on or after ``since``."""
        by_region: dict[str | None, list[ParameterVersion[P]]] = {}
        # On one day a tenant's version follows the bundled and shipped ones, so it reads as a change to them.
        for version in sorted(self.versions, key=lambda v: (v.effective_from, -_PRECEDENCE.index(v.origin))):
            by_region.setdefault(version.region, []).append(version)
        for versions in by_region.values():
            previous: dict[str, tuple[Any, Any]] = {}
            for version in versions:
                current = _flatten(msgspec.to_builtins(version.parameters))
                if version.effective_from >= since:
                    yield from _diff(self.name, version, previous, current)
                previous = current


def diff_versions(series: str, before: ParameterVersion[Any] | None,
                  after: ParameterVersion[Any]) -> list[ParameterChange]:
    """What ``after`` changes against ``before`` (everything, where nothing was in force)."""
    old = _flatten(msgspec.to_builtins(before.parameters)) if before else {}
    return list(_diff(series, after, old, _flatten(msgspec.to_builtins(after.parameters))))


def _diff(series: str, version: ParameterVersion[Any], before: dict[str, tuple[Any, Any]],
          after: dict[str, tuple[Any, Any]]) -> Iterator[ParameterChange]:
    for name, (value, source) in after.items():
        old = before.get(name, (None, None))[0]
        if old == value:
            continue
        citation = msgspec.convert(source, Citation) if source else None
        yield ParameterChange(
            series=series, region=version.region, version=version.version, effective_from=version.effective_from,
            parameter=name, before=old, after=value, source=citation, origin=version.origin,
            verification=citation.verification if citation else None, provisional=version.provisional,
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


def load_series(
    country: str, name: str, folder: Path, parameters_type: type[P], *, carry_forward: bool = False
) -> EffectiveSeries[P]:
    """Load and validate every version file in ``folder``. A bad file stops here, named."""
    versions = load_versions(folder, parameters_type, Origin.SHIPPED)
    if not versions:
        raise PackDataError(file=str(folder), problem="no parameter files")
    return EffectiveSeries(country=country, name=name, versions=tuple(versions), carry_forward=carry_forward)


def load_versions(folder: Path, parameters_type: type[P], origin: Origin) -> list[ParameterVersion[P]]:
    """Every version file in ``folder`` (none if it does not exist), checked for overlaps within the origin."""
    versions = [_load_version(path, parameters_type, origin) for path in sorted(folder.glob("*.toml"))]
    versions.sort(key=lambda v: (v.region or "", v.effective_from))
    reject_overlaps(str(folder), versions)
    return versions


def read_version(raw: Mapping[str, Any], parameters_type: type[P], origin: Origin) -> ParameterVersion[P]:
    """A version from data (a file, a bundle, a tenant's proposal): schema-checked, no binary floats, and its
    verification level taken from its citations. Raises ValueError or msgspec.ValidationError, named by path."""
    derived = {"verification", "origin", "provisional"} & raw.keys()
    if derived:
        raise ValueError(f"{', '.join(sorted(derived))} is derived from the citations and origin, not written")
    _reject_floats(raw, "$")
    version = msgspec.convert(raw, ParameterVersion[parameters_type])  # type: ignore[valid-type]
    return msgspec.structs.replace(version, origin=origin, verification=version_verification(version))


def version_verification(version: ParameterVersion[Any]) -> Verification:
    return weakest(citation.verification for citation in citations_of(version))


def citations_of(version: ParameterVersion[Any]) -> list[Citation]:
    """The citation behind each figure of the version, in the order the figures appear."""
    leaves = _flatten(msgspec.to_builtins(version.parameters)).values()
    return [msgspec.convert(source, Citation) for _, source in leaves if source]


def _load_version(path: Path, parameters_type: type[P], origin: Origin) -> ParameterVersion[P]:
    try:
        return read_version(tomllib.loads(path.read_text(encoding="utf-8")), parameters_type, origin)
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


def reject_overlaps(where: str, versions: list[ParameterVersion[Any]]) -> None:
    """Versions of one region follow each other; only the last may be open-ended."""
    versions = sorted(versions, key=lambda v: (v.region or "", v.effective_from))
    for earlier, later in pairwise(versions):
        if earlier.region != later.region:
            continue
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise PackDataError(
                file=where,
                problem=f"versions {earlier.version} and {later.version} overlap or leave the first open-ended",
            )
