"""The interview feedback loop: do a job's interview competency scores predict later performance?

Pure functions over hires that have both interview scores (0-100 per competency) and performance
ratings (1-5), no database. Per competency: the Pearson correlation between the interview score and
the rating of the same competency (the overall rating when that competency was not rated), its sample
size and a 95% confidence interval by Fisher's z transform. When there is enough data, new weights are
proposed; hires whose performance diverges from what the interview predicted are flagged.

Statistics run in floats (``math``/``statistics``); every published figure is a rounded Decimal.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Literal
from uuid import UUID

import msgspec

from domain.kernel.errors import InvalidInput
from domain.kernel.reports import JobModelSubject, Produced

MIN_SAMPLE = 10  # hires a competency needs before its correlation is used
SHRINKAGE_PRIOR = 20  # pseudo-hires of belief in the current weights: a weight moves by n / (n + 20)
DIVERGENCE_THRESHOLD = 1.5  # z-score gap between performance and interview that flags a hire
Z_95 = 1.96  # two-sided 95% normal quantile
WEIGHT_PLACES = Decimal("0.0001")
STAT_PLACES = Decimal("0.0001")
Z_PLACES = Decimal("0.01")

Direction = Literal["outperformed", "underperformed"]

# Why there is no proposal, or why one competency is left out (msgids; {minimum} is the minimum sample).
NOT_ENOUGH_HIRES = "Fewer than {minimum} hires have both interview scores and performance ratings yet."
NO_COMPETENCY_HAS_ENOUGH = "No competency has at least {minimum} hires with an interview score and a rating yet."
COMPETENCY_TOO_FEW = "Fewer than {minimum} hires have an interview score for this competency."
COMPETENCY_NO_VARIATION = "The interview scores or the ratings do not vary, so no correlation can be computed."

FEEDBACK_LOOP_MESSAGES = (NOT_ENOUGH_HIRES, NO_COMPETENCY_HAS_ENOUGH, COMPETENCY_TOO_FEW, COMPETENCY_NO_VARIATION)


class InvalidFeedbackWeights(InvalidInput):
    code = "feedback_weights_invalid"
    title = "Invalid competency weights"
    template = "The current weights must be above 0 and sum to exactly 1; they sum to {total}."


class FeedbackValueOutOfRange(InvalidInput):
    code = "feedback_value_out_of_range"
    title = "Value out of range"
    template = "Hire {employee_id}: {value} is outside {low}-{high} for {field_name}."


class DuplicateHireOutcome(InvalidInput):
    code = "feedback_duplicate_hire"
    title = "Hire listed twice"
    template = "Hire {employee_id} appears more than once in the feedback analysis."


class FeedbackMinimumSampleTooSmall(InvalidInput):
    code = "feedback_min_sample_too_small"
    title = "Minimum sample too small"
    template = "The minimum sample must be at least {minimum}; it is {value}."


class HireOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One hire: what the interview said and how the person later performed."""

    employee_id: UUID
    label: str  # display name; may be masked for the reader
    interview_scores: dict[str, Decimal | float]  # competency code -> normalised interview score, 0-100
    performance: dict[str, Decimal | float]  # competency code -> performance rating, 1-5 (may be partial)
    overall_performance: Decimal | float  # overall performance rating, 1-5


class CompetencyStats(msgspec.Struct, frozen=True, kw_only=True):
    """How one competency's interview score relates to later performance over a job's hires: the hires with a score
    (`n`) and, of those, the hires rated on this competency (`rated_n`; the others count with their overall rating),
    Pearson's r with its 95% confidence interval, whether the sample suffices for a proposal (at least 10 hires) and, if
    not, why (in the reader's language, Accept-Language), and the current and proposed weights."""

    code: str
    n: int  # hires with an interview score for this competency
    rated_n: int  # of those, hires rated on this competency (the others use their overall rating)
    correlation: Decimal | None  # Pearson r, 4 places; None when it cannot be computed
    ci_low: Decimal | None  # 95% confidence interval (Fisher z); None when n <= 3
    ci_high: Decimal | None
    sufficient: bool  # n >= the minimum sample and r computed: used for the proposal
    reason: str | None  # msgid when not sufficient ({minimum})
    current_weight: Decimal
    proposed_weight: Decimal | None  # None when no proposal is made


class Divergence(msgspec.Struct, frozen=True, kw_only=True):
    """A hire whose performance diverged from what the interview predicted by more than the threshold: `outperformed` or
    `underperformed`, with the performance and interview z-scores and their gap (performance less interview)."""

    employee_id: UUID
    label: str
    direction: Direction  # outperformed: performance well above what the interview predicted
    performance_z: Decimal
    interview_z: Decimal
    gap: Decimal  # performance_z - interview_z


class FeedbackLoopAnalysis(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a job's interview competency scores predict later performance, over its hires with both an interview
    evaluation and a performance review: statistics per competency, the proposed weights (summing to exactly 1; null
    when there is too little data, with the reason in the reader's language), and the hires whose performance
    diverged from the interview's prediction, largest gap first."""

    hires: int
    min_sample: int
    competencies: list[CompetencyStats]  # in the order of the current weights
    insufficient_data: bool
    reason: str | None  # msgid when insufficient_data ({minimum})
    proposed_weights: dict[str, Decimal] | None  # sums to exactly 1; None when insufficient_data
    divergences: list[Divergence]  # largest gap first
    divergence_threshold: Decimal


class FeedbackLoopReport(FeedbackLoopAnalysis, frozen=True, kw_only=True):
    """The analysis with what it is about (the job, the competency model version whose weights it weighs) and who
    produced it, when."""

    subject: JobModelSubject
    produced: Produced


# -- statistics ------------------------------------------------------------------------------


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of paired samples; None with fewer than 3 pairs or when either side does not vary."""
    if len(xs) != len(ys):
        raise ValueError("pearson needs paired samples")
    n = len(xs)
    if n < 3:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def fisher_interval(r: float, n: int, z_critical: float = Z_95) -> tuple[float, float] | None:
    """The confidence interval of a correlation: tanh(atanh(r) ± z_critical / sqrt(n - 3)); None when n <= 3."""
    if n <= 3:
        return None
    bounded = max(-0.999999999, min(0.999999999, r))  # atanh(±1) is infinite
    z = math.atanh(bounded)
    half = z_critical / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def _decimal(value: float, places: Decimal) -> Decimal:
    rounded = Decimal(repr(value)).quantize(places, rounding=ROUND_HALF_EVEN)
    return rounded.copy_abs() if rounded == 0 else rounded


def _standardise(values: list[float]) -> list[float] | None:
    """z-scores with the sample standard deviation; None when the values do not vary."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    spread = statistics.stdev(values)
    if spread <= 0:
        return None
    return [(value - mean) / spread for value in values]


# -- validation ------------------------------------------------------------------------------


def _check(hire: HireOutcome, field_name: str, value: Decimal | float, low: int, high: int) -> float:
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise FeedbackValueOutOfRange(
            employee_id=str(hire.employee_id), value=str(value), low=low, high=high, field_name=field_name
        )
    return number


def _validate_weights(weights: Mapping[str, Decimal]) -> None:
    total = sum((Fraction(weight) for weight in weights.values()), Fraction(0))
    if not weights or total != 1 or any(Decimal(weight) <= 0 for weight in weights.values()):
        raise InvalidFeedbackWeights(total=str(sum((Decimal(w) for w in weights.values()), Decimal(0))))


# -- analysis --------------------------------------------------------------------------------


def analyse(
    outcomes: Sequence[HireOutcome], weights: Mapping[str, Decimal], min_sample: int = MIN_SAMPLE
) -> FeedbackLoopAnalysis:
    """Relate interview competency scores to later performance, for the hires of one job.

    Per competency of ``weights``: Pearson's r between the interview score and the performance rating
    of the same competency (the overall rating for a hire not rated on it), the sample size n and a 95%
    confidence interval by Fisher's z transform, z = atanh(r) ± 1.96 / sqrt(n - 3). A competency with
    fewer than ``min_sample`` scored hires (or no variation) is insufficient and keeps its weight.

    With fewer than ``min_sample`` hires, or no sufficient competency, ``insufficient_data`` is set with
    a ``reason`` and no weights are proposed. Otherwise each sufficient competency's target weight is
    proportional to current_weight x (1 + max(r, 0)) (a negative or null correlation never earns
    weight), and the proposed weight moves from the current weight toward that target by the
    shrinkage factor n / (n + 20): with 20 hires it goes half way, with 180 hires 90%. The sufficient
    competencies share the weight they hold today; the result is rounded to 4 places and any rounding
    residue goes to the largest weight, so the proposal sums to exactly 1.

    Divergences: hires whose standardised overall performance and standardised weighted interview
    score (the weighted mean of their scored competencies) differ by more than 1.5.
    """
    if min_sample < 4:
        raise FeedbackMinimumSampleTooSmall(minimum=4, value=min_sample)
    _validate_weights(weights)
    seen: set[UUID] = set()
    for hire in outcomes:
        if hire.employee_id in seen:
            raise DuplicateHireOutcome(employee_id=str(hire.employee_id))
        seen.add(hire.employee_id)
        _check(hire, "overall_performance", hire.overall_performance, 1, 5)
        for code, value in hire.interview_scores.items():
            _check(hire, f"interview_scores.{code}", value, 0, 100)
        for code, value in hire.performance.items():
            _check(hire, f"performance.{code}", value, 1, 5)

    codes = list(weights)
    stats: dict[str, tuple[int, int, float | None, tuple[float, float] | None, bool, str | None]] = {}
    for code in codes:
        xs: list[float] = []
        ys: list[float] = []
        rated = 0
        for hire in outcomes:
            if code not in hire.interview_scores:
                continue
            xs.append(float(hire.interview_scores[code]))
            if code in hire.performance:
                rated += 1
                ys.append(float(hire.performance[code]))
            else:
                ys.append(float(hire.overall_performance))
        r = pearson(xs, ys)
        interval = fisher_interval(r, len(xs)) if r is not None else None
        if len(xs) < min_sample:
            sufficient, reason = False, COMPETENCY_TOO_FEW
        elif r is None:
            sufficient, reason = False, COMPETENCY_NO_VARIATION
        else:
            sufficient, reason = True, None
        stats[code] = (len(xs), rated, r, interval, sufficient, reason)

    if len(outcomes) < min_sample:
        insufficient, reason = True, NOT_ENOUGH_HIRES
    elif not any(entry[4] for entry in stats.values()):
        insufficient, reason = True, NO_COMPETENCY_HAS_ENOUGH
    else:
        insufficient, reason = False, None

    current = {code: Decimal(weights[code]) for code in codes}
    proposed = None if insufficient else _propose(current, {c: (s[0], s[2]) for c, s in stats.items() if s[4]})

    competencies = [
        CompetencyStats(
            code=code,
            n=n,
            rated_n=rated,
            correlation=_decimal(r, STAT_PLACES) if r is not None else None,
            ci_low=_decimal(interval[0], STAT_PLACES) if interval else None,
            ci_high=_decimal(interval[1], STAT_PLACES) if interval else None,
            sufficient=sufficient,
            reason=why,
            current_weight=current[code],
            proposed_weight=proposed[code] if proposed else None,
        )
        for code, (n, rated, r, interval, sufficient, why) in stats.items()
    ]
    return FeedbackLoopAnalysis(
        hires=len(outcomes),
        min_sample=min_sample,
        competencies=competencies,
        insufficient_data=insufficient,
        reason=reason,
        proposed_weights=proposed,
        divergences=_divergences(outcomes, current, min_sample),
        divergence_threshold=Decimal(str(DIVERGENCE_THRESHOLD)),
    )


def _propose(current: dict[str, Decimal], used: dict[str, tuple[int, float | None]]) -> dict[str, Decimal]:
    """New weights: see ``analyse``. ``used`` maps each sufficient competency to (n, r)."""
    share = math.fsum(float(current[code]) for code in used)  # what the sufficient competencies hold today
    raw = {code: float(current[code]) * (1 + max(r or 0.0, 0.0)) for code, (_, r) in used.items()}
    raw_total = math.fsum(raw.values())
    blended: dict[str, float] = {}
    for code, (n, _) in used.items():
        target = share * raw[code] / raw_total
        # Shrinkage toward the current weight: trust the data in proportion n / (n + SHRINKAGE_PRIOR).
        trust = n / (n + SHRINKAGE_PRIOR)
        blended[code] = float(current[code]) + trust * (target - float(current[code]))
    blended_total = math.fsum(blended.values())
    floats = {
        code: share * blended[code] / blended_total if code in blended else float(current[code]) for code in current
    }
    rounded = {code: _decimal(value, WEIGHT_PLACES) for code, value in floats.items()}
    residue = Decimal(1) - sum(rounded.values(), Decimal(0))
    if residue:
        largest = max(rounded, key=lambda code: (rounded[code], -list(current).index(code)))
        rounded[largest] += residue
    return rounded


def _weighted_interview(hire: HireOutcome, weights: dict[str, Decimal]) -> float | None:
    scored = [
        (float(weight), float(hire.interview_scores[code]))
        for code, weight in weights.items()
        if code in hire.interview_scores
    ]
    total = math.fsum(weight for weight, _ in scored)
    if not scored or total <= 0:
        return None
    return math.fsum(weight * score for weight, score in scored) / total


def _divergences(outcomes: Sequence[HireOutcome], weights: dict[str, Decimal], min_sample: int) -> list[Divergence]:
    """Hires whose performance and interview z-scores (sample standard deviation, over the hires with
    at least one scored competency) differ by more than DIVERGENCE_THRESHOLD. Needs at least
    ``min_sample`` such hires; z-scores of a handful of people say nothing."""
    pairs = [(hire, _weighted_interview(hire, weights)) for hire in outcomes]
    scored = [(hire, value) for hire, value in pairs if value is not None]
    if len(scored) < min_sample:
        return []
    interview = _standardise([value for _, value in scored])
    performance = _standardise([float(hire.overall_performance) for hire, _ in scored])
    if interview is None or performance is None:
        return []
    flagged = []
    for (hire, _), z_interview, z_performance in zip(scored, interview, performance, strict=True):
        gap = z_performance - z_interview
        if abs(gap) > DIVERGENCE_THRESHOLD:
            flagged.append(
                Divergence(
                    employee_id=hire.employee_id,
                    label=hire.label,
                    direction="outperformed" if gap > 0 else "underperformed",
                    performance_z=_decimal(z_performance, Z_PLACES),
                    interview_z=_decimal(z_interview, Z_PLACES),
                    gap=_decimal(gap, Z_PLACES),
                )
            )
    flagged.sort(key=lambda item: (-abs(item.gap), item.label.casefold(), str(item.employee_id)))
    return flagged
