"""The regulation layer's published types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.calculation import CalculationResult
from compliance.pack import Pack
from compliance.parameters import ParameterVersion, Verification
from compliance.registry import law_pack_for
from domain.kernel.errors import InvalidInput
from domain.kernel.money import exact

CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
SeriesName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="A pack series, e.g. "
                                         "social_insurance (see GET /v1/compliance/packs/{country})")]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]


class LawVersionStatus(StrEnum):
    """Where your tenant's own law version stands: `proposed` (awaiting approval by someone other than its proposer),
    `approved` (your calculations use it for the days it covers), `rejected`, or `retired` (your tenant went back to the
    published law for its days)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: the tenant went back to the published law for the version's days
    RETIRED = "retired"


class ChoiceKind(StrEnum):
    """A written choice about a series: `carry_forward` (apply the last known version past its end, marked provisional,
    until the law is published, and settle (补差) then; offered only for series a pack marks as carried forward) or
    `accept_unverified` (let pay runs use the series' unverified figures)."""

    #: apply the last known version past its end, marked provisional, until the law is published (补差 follows)
    CARRY_FORWARD = "carry_forward"
    #: let pay runs use this series' unverified figures
    ACCEPT_UNVERIFIED = "accept_unverified"


class NewLawVersion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A tenant's own version of a series, as its data file would read (``version``, ``effective_from``,
    optional ``effective_to`` and ``region``, ``parameters`` with a cited ``source`` on every figure)."""

    country: CountryCode
    series: SeriesName
    data: dict[str, Any]


class LawDecision(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An approver's decision on a law version (approve, reject or retire), with an optional reason kept with it."""

    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class LawVersionView(msgspec.Struct, frozen=True):
    """Your tenant's own version of a statutory series: country, series and region, its name (`version`) and the days it
    covers, how well its figures are known, its status, who proposed and who decided it, when and why, the figures as
    proposed (`data`), and the source document attached, if any. `version_number` counts its changes."""

    id: UUID
    country: str
    series: str
    region: str | None
    version: str
    effective_from: date
    effective_to: date | None
    verification: Verification
    status: LawVersionStatus
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    data: dict[str, Any]
    version_number: int
    #: the notice or gazette the figures were taken from, sealed in the object store
    document_id: UUID | None = None
    document_type: str | None = None


class NewLawChoice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A written choice about one series of a country, with its reason: carry it forward provisionally, or accept its
    unverified figures. It applies to your tenant's calculations until withdrawn."""

    country: CountryCode
    series: SeriesName
    kind: ChoiceKind
    reason: Reason


class LawChoiceView(msgspec.Struct, frozen=True):
    """A written choice your tenant made about one series: its kind and reason, who made it (their subject) and when. It
    applies until withdrawn."""

    id: UUID
    country: str
    series: str
    kind: ChoiceKind
    reason: str
    chosen_by: str
    chosen_at: datetime


class UnverifiedLawNotAccepted(InvalidInput):
    """A calculation read a series whose figures are unverified, and the tenant has not accepted it."""

    code = "law_unverified_not_accepted"
    title = "Unverified law"
    template = ("The {country} {series} figures ({version}) are unverified. A payroll admin can accept them in "
                "writing, or publish a verified version for the tenant.")


SeriesKey = tuple[str, str]


@dataclass(frozen=True)
class LawLayers:
    """The law as one tenant sees it: bundled and own versions by (country, series), and its written choices.
    Plain data, so a pay run hands it to its worker processes whole."""

    versions: dict[SeriesKey, tuple[ParameterVersion[Any], ...]] = field(default_factory=dict)
    carried_forward: frozenset[SeriesKey] = frozenset()
    accepted_unverified: frozenset[SeriesKey] = frozenset()
    _packs: dict[str, Pack] = field(default_factory=dict, compare=False, repr=False)

    def pack(self, country: str) -> Pack:
        """The country's pack with this tenant's layers, built once per process."""
        code = country.upper()
        if code not in self._packs:
            shipped = law_pack_for(code)
            layers = {series: list(v) for (c, series), v in self.versions.items() if c == shipped.country}
            carried = frozenset(series for c, series in self.carried_forward if c == shipped.country)
            self._packs[code] = shipped.layered(layers, carried) if layers or carried else shipped
        return self._packs[code]

    def refusal(self, result: CalculationResult) -> UnverifiedLawNotAccepted | None:
        """Why a pay run may not use this result: it read unverified figures the tenant did not accept."""
        for used in result.law:
            unaccepted = (result.country, used.series) not in self.accepted_unverified
            if used.verification is Verification.UNVERIFIED and unaccepted:
                return UnverifiedLawNotAccepted(country=result.country, series=used.series, version=used.version)
        return None

    def __getstate__(self) -> dict[str, Any]:
        # the layered packs are rebuilt in the receiving process rather than pickled with their data
        return {"versions": self.versions, "carried_forward": self.carried_forward,
                "accepted_unverified": self.accepted_unverified}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in {**state, "_packs": {}}.items():
            object.__setattr__(self, name, value)


def with_exact_amounts(result: CalculationResult) -> CalculationResult:
    """A calculation's amounts as money is shown and kept: exactly its currency's minor-unit digits."""
    return result.with_amounts(lambda amount: exact(amount, result.currency))
