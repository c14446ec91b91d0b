"""Mapping an interview result onto a job's competency model version.

Every vendor score is normalised to 0-100 and compared with the model's per-competency pass
threshold; the overall score is the weighted sum of the normalised competency scores.

Arithmetic is exact (Decimals with rounding trapped, integer ratios) and each published figure is rounded
once, to 0.01 with ROUND_HALF_UP.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Overflow
from fractions import Fraction
from typing import Annotated
from uuid import UUID

import msgspec

from domain.assessments.contract import InterviewResultV1
from domain.assessments.model import CompetencyCode, CompetencyEvaluation, Evaluation, require_decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class ModelCompetency(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One competency of a competency model version, with its weight and pass threshold."""

    code: CompetencyCode
    weight: Annotated[
        Decimal, msgspec.Meta(description="Share of the overall score, in (0, 1]; a version's weights sum to 1.")
    ]
    pass_threshold: Annotated[
        Decimal, msgspec.Meta(description="The lowest normalised score (0-100) that passes this competency.")
    ]

    def __post_init__(self) -> None:
        require_decimal(self.weight, "weight", high=Decimal(1))
        if self.weight <= 0:
            raise ValueError("weight must be above 0")
        require_decimal(self.pass_threshold, "pass_threshold", low=Decimal(0), high=HUNDRED)


class ModelVersion(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A version of a job's competency model: what a result is evaluated against."""

    model_id: Annotated[UUID, msgspec.Meta(description="The competency model.")]
    number: Annotated[int, msgspec.Meta(ge=1, description="The version number, from 1.")]
    competencies: Annotated[
        list[ModelCompetency],
        msgspec.Meta(min_length=1, max_length=50, description="The competencies (1-50), codes unique, weights sum 1."),
    ]
    overall_pass_threshold: Annotated[
        Decimal, msgspec.Meta(description="The lowest overall score (0-100) that passes.")
    ]

    def __post_init__(self) -> None:
        require_decimal(self.overall_pass_threshold, "overall_pass_threshold", low=Decimal(0), high=HUNDRED)
        codes = [competency.code for competency in self.competencies]
        if len(set(codes)) != len(codes):
            raise ValueError("competency codes must be unique")
        # Exactly 1, added without rounding: 0.333 + 0.333 + 0.334 passes, three times 0.3333 does not.
        if sum((Fraction(competency.weight) for competency in self.competencies), Fraction(0)) != 1:
            raise ValueError("competency weights must sum to exactly 1")


#: Sums and products of a vendor's bounded numbers fit in 80 digits many times over; Inexact is trapped, so any
#: rounding would fail loudly. Decimals and integer ratios rather than Fractions: as exact, and a batch of a hundred
#: results scores in a fraction of the time (a Fraction reduces by gcd at every step).
_EXACT = Context(prec=80, traps=[Inexact, InvalidOperation, Overflow])


def _round_cent(numerator: int, denominator: int) -> Decimal:
    """Round the exact non-negative value numerator/denominator to 0.01, half up (12.345 becomes 12.35)."""
    whole, rest = divmod(numerator * 100, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(CENT, rounding=ROUND_HALF_UP)


def normalise(score: Decimal, scale_min: Decimal, scale_max: Decimal) -> Decimal:
    """A score on [scale_min, scale_max] as 0-100, quantized to 0.01 with ROUND_HALF_UP.

    Computed exactly, then rounded once: on a 1-5 scale 4 becomes 75.00; on 0-3, 1 becomes 33.33 and 2
    becomes 66.67.
    """
    if not scale_min < scale_max:
        raise ValueError("scale_min must be below scale_max")
    if not scale_min <= score <= scale_max:
        raise ValueError("score must lie between scale_min and scale_max")
    above, above_scale = _EXACT.subtract(score, scale_min).as_integer_ratio()
    width, width_scale = _EXACT.subtract(scale_max, scale_min).as_integer_ratio()
    return _round_cent(above * width_scale * 100, above_scale * width)


def _quotient(dividend: Decimal, divisor: Decimal) -> tuple[int, int]:
    """dividend / divisor as an exact integer ratio."""
    dividend_numerator, dividend_denominator = dividend.as_integer_ratio()
    divisor_numerator, divisor_denominator = divisor.as_integer_ratio()
    return dividend_numerator * divisor_denominator, dividend_denominator * divisor_numerator


def evaluate(result: InterviewResultV1, model: ModelVersion) -> Evaluation:
    """Evaluate a vendor result against a competency model version (see Evaluation for the rules)."""
    vendor = {competency.code: competency for competency in result.competencies}
    model_codes = {competency.code for competency in model.competencies}
    evaluations: list[CompetencyEvaluation] = []
    missing: list[str] = []
    weighted = Decimal(0)
    scored_weight = Decimal(0)
    for competency in model.competencies:
        scored = vendor.get(competency.code)
        if scored is None:
            missing.append(competency.code)
            evaluations.append(
                CompetencyEvaluation(
                    code=competency.code,
                    score=None,
                    weight=competency.weight,
                    pass_threshold=competency.pass_threshold,
                    passed=None,
                    gap=None,
                    evidence_count=0,
                    confidence=None,
                )
            )
            continue
        score = normalise(scored.score, scored.scale_min, scored.scale_max)
        # The overall uses the published (rounded) competency scores, so a reader can recompute it.
        weighted = _EXACT.add(weighted, _EXACT.multiply(competency.weight, score))
        scored_weight = _EXACT.add(scored_weight, competency.weight)
        evaluations.append(
            CompetencyEvaluation(
                code=competency.code,
                score=score,
                weight=competency.weight,
                pass_threshold=competency.pass_threshold,
                passed=score >= competency.pass_threshold,
                gap=score - competency.pass_threshold,
                evidence_count=len(scored.evidence),
                confidence=scored.confidence,
            )
        )
    overall = _round_cent(*_quotient(weighted, scored_weight)) if scored_weight else None
    passed = (
        overall is not None
        and not missing
        and overall >= model.overall_pass_threshold
        and all(evaluation.passed for evaluation in evaluations)
    )
    return Evaluation(
        result_id=result.result_id,
        model_id=model.model_id,
        model_version=model.number,
        competencies=evaluations,
        overall=overall,
        overall_pass_threshold=model.overall_pass_threshold,
        passed=passed,
        missing=missing,
        unmapped=[competency.code for competency in result.competencies if competency.code not in model_codes],
    )
