"""What assessments publishes to other contexts: competency codes, the checked-Decimal rule vendors'
numbers and onboarding thresholds share, and an evaluation as stored against a model version."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from uuid import UUID

import msgspec

# Every number a vendor sends stays within these bounds, so arithmetic on it stays cheap and exact.
DECIMAL_LIMIT = Decimal(1_000_000)
DECIMAL_PLACES = 12
_PLACES_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)

CompetencyCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9_]{1,64}$",
        description="Stable competency code: lowercase letters, digits and underscores, 1-64 characters.",
        examples=["communication"],
    ),
]


def require_decimal(value: Decimal, name: str, *, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    """Check a Decimal is finite, within ±1,000,000, has at most 12 decimal places, and lies in [low, high].

    Raises ValueError (which msgspec reports as a validation error when it happens during decoding).
    """
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number")
    if not _within_limits(value):
        if abs(value) > DECIMAL_LIMIT:
            raise ValueError(f"{name} must be between -{DECIMAL_LIMIT} and {DECIMAL_LIMIT}")
        raise ValueError(f"{name} must have at most {DECIMAL_PLACES} decimal places")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}")
    return value


@lru_cache(maxsize=4096)
def _within_limits(value: Decimal) -> bool:
    """Within ±1,000,000 with at most 12 decimal places. Both depend on the number alone (1.50 and 1.5 pass or fail
    together), and a vendor's scores, scales and confidences repeat, so a result of 30 numbers mostly hits the
    cache instead of quantizing each."""
    return abs(value) <= DECIMAL_LIMIT and value == value.quantize(_PLACES_QUANTUM)


class CompetencyEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    score: Decimal | None  # normalised 0-100; None when the vendor did not score this competency
    weight: Decimal  # the model's weight, as configured (not renormalised)
    pass_threshold: Decimal
    passed: bool | None  # None when not scored
    gap: Decimal | None  # score - pass_threshold; negative means below the threshold
    evidence_count: int
    confidence: Decimal | None


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    """A result evaluated against one model version.

    ``overall`` is the weighted sum of the scored competencies' normalised scores. When the vendor did
    not score some of the model's competencies, their codes are listed in ``missing``, ``overall`` uses
    the scored competencies' weights renormalised to sum to 1 (so it stays on 0-100), and the
    evaluation does not pass. ``overall`` is None only when no model competency was scored.
    Vendor competencies the model does not have are ignored and listed in ``unmapped``.
    """

    result_id: str
    model_id: UUID
    model_version: int
    competencies: list[CompetencyEvaluation]  # in the model's order
    overall: Decimal | None
    overall_pass_threshold: Decimal
    passed: bool
    missing: list[str]
    unmapped: list[str]


class StoredEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    """An evaluation as recorded for an application, with the full ``detail`` it was made of."""

    id: UUID
    tenant_id: UUID
    result_id: UUID
    application_id: UUID
    model_id: UUID
    model_version: int
    overall: str | None
    passed: bool
    detail: Evaluation
    reason: str
    created_by: str
    created_at: datetime
