"""The interview feedback loop: correlations, confidence intervals, proposed weights, divergences."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.analytics.feedback_loop import (
    COMPETENCY_TOO_FEW,
    FEEDBACK_LOOP_MESSAGES,
    NO_COMPETENCY_HAS_ENOUGH,
    NOT_ENOUGH_HIRES,
    DuplicateHireOutcome,
    FeedbackLoopAnalysis,
    FeedbackMinimumSampleTooSmall,
    FeedbackValueOutOfRange,
    HireOutcome,
    InvalidFeedbackWeights,
    analyse,
    fisher_interval,
    pearson,
)
from domain.kernel.errors import DomainError

D = Decimal
WEIGHTS = {"a": D("0.5"), "b": D("0.5")}


def population(count: int = 60, seed: int = 7) -> list[HireOutcome]:
    """Performance follows competency A closely and ignores B."""
    rng = random.Random(seed)
    hires = []
    for index in range(count):
        a, b = rng.uniform(20, 100), rng.uniform(20, 100)
        rating_a = min(5.0, max(1.0, 1 + 4 * (a - 20) / 80 + rng.gauss(0, 0.4)))
        rating_b = min(5.0, max(1.0, 3 + rng.gauss(0, 1)))  # unrelated to b
        overall = min(5.0, max(1.0, 0.8 * rating_a + 0.2 * rating_b + rng.gauss(0, 0.2)))
        hires.append(
            HireOutcome(
                employee_id=UUID(int=index + 1),
                label=f"Hire {index + 1}",
                interview_scores={"a": D(f"{a:.1f}"), "b": D(f"{b:.1f}")},
                performance={"a": round(rating_a, 1), "b": round(rating_b, 1)},
                overall_performance=round(overall, 1),
            )
        )
    return hires


def by_code(analysis: FeedbackLoopAnalysis) -> dict[str, object]:
    return {c.code: c for c in analysis.competencies}


def test_a_predictive_competency_gains_weight_and_a_useless_one_loses_it() -> None:
    analysis = analyse(population(), WEIGHTS)
    stats = by_code(analysis)
    a, b = stats["a"], stats["b"]
    assert not analysis.insufficient_data and analysis.reason is None
    assert a.n == b.n == 60 and a.rated_n == 60
    assert a.correlation > D("0.8")
    assert D(0) < a.ci_low < a.correlation < a.ci_high  # the interval excludes 0
    assert abs(b.correlation) < D("0.2")
    assert b.ci_low < 0 < b.ci_high  # the interval includes 0
    proposed = analysis.proposed_weights
    assert proposed is not None and proposed["a"] > D("0.5") > proposed["b"]
    assert a.proposed_weight == proposed["a"] and b.current_weight == D("0.5")
    assert sum(proposed.values()) == 1
    assert all(value.as_tuple().exponent == -4 for value in proposed.values())


def test_the_proposal_follows_the_documented_formula() -> None:
    analysis = analyse(population(), WEIGHTS)
    stats = by_code(analysis)
    r = {code: float(stats[code].correlation) for code in "ab"}
    raw = {code: 0.5 * (1 + max(r[code], 0)) for code in "ab"}
    trust = 60 / 80  # n / (n + 20)
    expected_a = 0.5 + trust * (raw["a"] / (raw["a"] + raw["b"]) - 0.5)
    assert float(analysis.proposed_weights["a"]) == pytest.approx(expected_a, abs=2e-4)


def test_shrinkage_moves_less_with_fewer_hires() -> None:
    small = analyse(population(15, seed=3), WEIGHTS)
    large = analyse(population(200, seed=3), WEIGHTS)
    assert D("0.5") < small.proposed_weights["a"] < large.proposed_weights["a"]


def test_fewer_than_ten_hires_is_insufficient_and_proposes_nothing() -> None:
    analysis = analyse(population(9), WEIGHTS)
    assert analysis.insufficient_data and analysis.reason == NOT_ENOUGH_HIRES
    assert analysis.proposed_weights is None
    assert all(c.proposed_weight is None and not c.sufficient for c in analysis.competencies)
    assert all(c.reason == COMPETENCY_TOO_FEW for c in analysis.competencies)
    assert analysis.divergences == []


def test_every_competency_insufficient_means_no_proposal() -> None:
    hires = population(12)
    # Only 5 hires were scored on each competency.
    thinned = [
        HireOutcome(
            employee_id=h.employee_id,
            label=h.label,
            interview_scores={("a" if i % 2 else "b"): h.interview_scores["a"]} if i < 10 else {},
            performance=h.performance,
            overall_performance=h.overall_performance,
        )
        for i, h in enumerate(hires)
    ]
    analysis = analyse(thinned, WEIGHTS)
    assert analysis.insufficient_data and analysis.reason == NO_COMPETENCY_HAS_ENOUGH
    assert analysis.proposed_weights is None
    assert {c.n for c in analysis.competencies} == {5}


def test_an_insufficient_competency_keeps_its_weight() -> None:
    hires = population(40)
    weights = {"a": D("0.4"), "b": D("0.35"), "c": D("0.25")}
    few = [
        HireOutcome(
            employee_id=h.employee_id,
            label=h.label,
            interview_scores={**h.interview_scores, **({"c": D(50 + i)} if i < 6 else {})},
            performance=h.performance,
            overall_performance=h.overall_performance,
        )
        for i, h in enumerate(hires)
    ]
    analysis = analyse(few, weights)
    stats = by_code(analysis)
    assert not stats["c"].sufficient and stats["c"].reason == COMPETENCY_TOO_FEW and stats["c"].n == 6
    assert analysis.proposed_weights["c"] == D("0.2500")
    assert analysis.proposed_weights["a"] + analysis.proposed_weights["b"] == D("0.75")
    assert analysis.proposed_weights["a"] > D("0.4")


def test_hand_computed_pearson_and_fisher_interval() -> None:
    # x deviations -20,-10,0,10,20; y deviations -2,0,-1,2,1: sum xy 80, sum xx 1000, sum yy 10 -> r = 0.8
    xs, ys = [10, 20, 30, 40, 50], [1, 3, 2, 5, 4]
    assert pearson(xs, ys) == pytest.approx(0.8)
    z, half = math.atanh(0.8), 1.96 / math.sqrt(2)
    low, high = fisher_interval(0.8, 5)
    assert (low, high) == pytest.approx((math.tanh(z - half), math.tanh(z + half)))
    assert low == pytest.approx(-0.2797, abs=1e-4) and high == pytest.approx(0.9862, abs=1e-4)
    assert pearson([1, 2, 3], [2, 2, 2]) is None and pearson([1, 2], [1, 2]) is None
    assert fisher_interval(0.5, 3) is None

    hires = [
        HireOutcome(
            employee_id=uuid4(),
            label=str(x),
            interview_scores={"a": D(x)},
            performance={"a": D(y)} if x != 30 else {},  # the unrated hire falls back to the overall rating
            overall_performance=D(y),
        )
        for x, y in zip(xs, ys, strict=True)
    ]
    analysis = analyse(hires, {"a": D(1)}, min_sample=5)
    (a,) = analysis.competencies
    assert (a.n, a.rated_n, a.correlation) == (5, 4, D("0.8000"))
    assert (a.ci_low, a.ci_high) == (D("-0.2797"), D("0.9862"))


def test_a_planted_outlier_is_flagged() -> None:
    hires = population()
    star = HireOutcome(
        employee_id=uuid4(),
        label="Planted",
        interview_scores={"a": D(98), "b": D(97)},
        performance={"a": D(1), "b": D(1)},
        overall_performance=D(1),
    )
    analysis = analyse([*hires, star], WEIGHTS)
    flagged = analysis.divergences[0]
    assert flagged.label == "Planted" and flagged.direction == "underperformed"
    assert flagged.interview_z > D("1.5") and flagged.performance_z < D("-1.5")
    assert abs(flagged.gap - (flagged.performance_z - flagged.interview_z)) <= D("0.01")
    assert all(abs(d.gap) > D("1.5") for d in analysis.divergences)
    assert [abs(d.gap) for d in analysis.divergences] == sorted(
        (abs(d.gap) for d in analysis.divergences), reverse=True
    )
    low = HireOutcome(
        employee_id=uuid4(),
        label="Late bloomer",
        interview_scores={"a": D(21), "b": D(22)},
        performance={},
        overall_performance=D(5),
    )
    assert any(
        d.label == "Late bloomer" and d.direction == "outperformed" for d in analyse([*hires, low], WEIGHTS).divergences
    )


@pytest.mark.parametrize(
    "weights",
    [
        {"a": D("0.3333"), "b": D("0.3333"), "c": D("0.3334")},
        {"a": D("0.1"), "b": D("0.2"), "c": D("0.7")},
        {"a": D("0.125"), "b": D("0.125"), "c": D("0.75")},
    ],
)
def test_proposed_weights_sum_to_exactly_one(weights: dict[str, Decimal]) -> None:
    rng = random.Random(11)
    hires = [
        HireOutcome(
            employee_id=uuid4(),
            label=str(i),
            interview_scores={code: D(rng.randint(0, 100)) for code in weights},
            performance={code: D(rng.randint(1, 5)) for code in weights},
            overall_performance=D(rng.randint(1, 5)),
        )
        for i in range(30)
    ]
    proposed = analyse(hires, weights).proposed_weights
    assert proposed is not None and sum(proposed.values()) == D(1)
    assert all(value > 0 for value in proposed.values())


def test_the_analysis_is_deterministic() -> None:
    assert analyse(population(), WEIGHTS) == analyse(population(), WEIGHTS)


def test_invalid_input_raises_domain_errors_with_stable_codes() -> None:
    hires = population(12)
    with pytest.raises(InvalidFeedbackWeights) as caught:
        analyse(hires, {"a": D("0.5"), "b": D("0.4")})
    assert caught.value.code == "feedback_weights_invalid"
    with pytest.raises(InvalidFeedbackWeights):
        analyse(hires, {"a": D("1.5"), "b": D("-0.5")})
    with pytest.raises(DuplicateHireOutcome):
        analyse([hires[0], hires[0]], WEIGHTS)
    bad = HireOutcome(
        employee_id=uuid4(), label="x", interview_scores={"a": D(101)}, performance={}, overall_performance=D(3)
    )
    with pytest.raises(FeedbackValueOutOfRange) as out:
        analyse([bad], WEIGHTS)
    assert out.value.code == "feedback_value_out_of_range" and out.value.params["field_name"] == "interview_scores.a"
    rating = HireOutcome(employee_id=uuid4(), label="x", interview_scores={}, performance={}, overall_performance=0)
    with pytest.raises(FeedbackValueOutOfRange):
        analyse([rating], WEIGHTS)
    with pytest.raises(FeedbackMinimumSampleTooSmall):
        analyse(hires, WEIGHTS, min_sample=3)
    for error in (InvalidFeedbackWeights, FeedbackValueOutOfRange, DuplicateHireOutcome, FeedbackMinimumSampleTooSmall):
        assert issubclass(error, DomainError)


def test_reasons_are_declared_messages() -> None:
    assert {NOT_ENOUGH_HIRES, NO_COMPETENCY_HAS_ENOUGH, COMPETENCY_TOO_FEW} <= set(FEEDBACK_LOOP_MESSAGES)
    assert all("{minimum}" in m for m in (NOT_ENOUGH_HIRES, NO_COMPETENCY_HAS_ENOUGH, COMPETENCY_TOO_FEW))
