"""The regulation layer's published types."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.parameters import Verification

CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
SeriesName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="A pack series, e.g. "
                                         "social_insurance (see GET /v1/compliance/packs/{country})")]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]


class LawVersionStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: the tenant went back to the published law for the version's days
    RETIRED = "retired"


class ChoiceKind(StrEnum):
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
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class LawVersionView(msgspec.Struct, frozen=True):
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


class NewLawChoice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    country: CountryCode
    series: SeriesName
    kind: ChoiceKind
    reason: Reason


class LawChoiceView(msgspec.Struct, frozen=True):
    id: UUID
    country: str
    series: str
    kind: ChoiceKind
    reason: str
    chosen_by: str
    chosen_at: datetime
