"""Attrition risk: the documented fallback, the tenant's trained model, and scoring."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import msgspec
import pytest

from domain.analytics.attrition import (
    ATTRITION_MESSAGES,
    FALLBACK,
    FALLBACK_DESCRIPTION,
    FEATURES,
    HOLDOUT_EVERY,
    LIMIT_NOT_FITTED,
    MANAGER_CHANGED,
    MIN_DEPARTURES,
    MODEL_CARD_MESSAGES,
    PAY_WELL_BELOW,
    TENURE_NEW,
    TRAINED_DESCRIPTION,
    TRAINING_HIGH,
    TRAINING_LOW,
    TRAINING_NONE,
    AttritionFeatureOutOfRange,
    AttritionFeatures,
    LabelledHistory,
    ModelCard,
    TrainedModel,
    TransparentFallback,
    effect_of,
    model_card,
    model_for,
    score,
    train,
)
from domain.kernel.errors import DomainError

D = Decimal


def features(**overrides: object) -> AttritionFeatures:
    base: dict[str, object] = {
        "culture_fit": None,
        "training_participation": 0.6,
        "tenure_months": 24,
        "review_trend": 0,
        "pay_position": 1.0,
        "recent_manager_change": False,
    }
    return AttritionFeatures(**{**base, **overrides})


def test_the_fallback_contributions_are_the_documented_points() -> None:
    neutral = dict((f, p) for f, _, p in FALLBACK.contributions(features(training_participation=0.97)))
    # culture none 0, training 0.8+ -0.3, tenure 12-35 +0.3, trend 0, pay at midpoint 0, no manager change 0
    assert neutral == {
        "culture_fit": 0.0,
        "training_participation": -0.3,
        "tenure_months": 0.3,
        "review_trend": 0.0,
        "pay_position": 0.0,
        "recent_manager_change": 0.0,
    }
    risky = features(
        culture_fit=40,
        training_participation=0.1,
        tenure_months=3,
        review_trend=-1.5,
        pay_position=0.85,
        recent_manager_change=True,
    )
    points = {f: p for f, _, p in FALLBACK.contributions(risky)}
    assert points == {
        "culture_fit": 0.6,
        "training_participation": 0.7,
        "tenure_months": 0.8,
        "review_trend": 0.6,
        "pay_position": 0.7,
        "recent_manager_change": 0.5,
    }
    steady = features(culture_fit=85, training_participation=1, tenure_months=60, review_trend=1, pay_position=1.15)
    assert [p for _, _, p in FALLBACK.contributions(steady)] == [-0.3, -0.3, -0.4, -0.2, -0.3, 0.0]
    middle = features(culture_fit=55, training_participation=0.5, tenure_months=12, review_trend=-0.5, pay_position=0.9)
    assert [p for _, _, p in FALLBACK.contributions(middle)] == [0.2, 0.2, 0.3, 0.3, 0.3, 0.0]


def test_the_fallback_score_is_the_logistic_of_baseline_plus_points() -> None:
    # The docstring's example: a new hire who skipped training and is paid well below the midpoint.
    example = features(tenure_months=2, training_participation=0, pay_position=0.8, culture_fit=60)
    result = score(example, FALLBACK)
    logit = -1.5 + 0.2 + 0.7 + 0.8 + 0.0 + 0.7 + 0.0
    assert result.score == D(str(round(1 / (1 + math.exp(-logit)), 3)))
    assert result.method == "fallback" and result.band == "high"
    assert [(f.feature, f.explanation, f.contribution) for f in result.top_factors] == [
        ("tenure_months", TENURE_NEW, D("0.800")),
        ("training_participation", TRAINING_LOW, D("0.700")),
        ("pay_position", PAY_WELL_BELOW, D("0.700")),
    ]
    baseline = score(features(training_participation=0.7, tenure_months=12), TransparentFallback())
    assert baseline.score == D("0.269") and baseline.band == "low"  # logistic(-1.5 + 0.2 + 0.3)
    assert score(features(recent_manager_change=True), FALLBACK).top_factors[0].explanation == MANAGER_CHANGED


def test_bands() -> None:
    # low < 0.3 <= medium < 0.6 <= high
    assert score(features(training_participation=1, tenure_months=48), FALLBACK).band == "low"  # logit -2.2
    medium = score(features(tenure_months=3, training_participation=0.1), FALLBACK)  # logit 0
    assert (medium.score, medium.band) == (D("0.500"), "medium")
    high = score(features(tenure_months=3, training_participation=0.1, recent_manager_change=True), FALLBACK)
    assert (high.score, high.band) == (D("0.622"), "high")  # logit 0.5


def synthetic(count: int, seed: int) -> list[LabelledHistory]:
    """Short tenure and skipped training make people leave; the rest is noise."""
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        tenure = rng.uniform(1, 72)
        training = rng.random()
        person = features(
            culture_fit=rng.choice([None, rng.uniform(30, 100)]),
            training_participation=round(training, 2),
            tenure_months=round(tenure, 1),
            review_trend=rng.choice([-1, 0, 0, 1]),
            pay_position=round(rng.uniform(0.85, 1.15), 2),
            recent_manager_change=rng.random() < 0.2,
        )
        logit = -1.0 + 2.5 * (tenure < 12) + 2.5 * (training < 0.3) - 1.0 * (tenure > 36)
        people.append(LabelledHistory(features=person, left=rng.random() < 1 / (1 + math.exp(-logit))))
    return people


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    trained = train(synthetic(300, seed=5))
    assert trained is not None
    return trained


def test_the_trained_model_ranks_short_tenure_without_training_higher(model: TrainedModel) -> None:
    holdout = synthetic(300, seed=6)
    risky = [
        p for p in holdout if float(p.features.tenure_months) < 12 and float(p.features.training_participation) < 0.3
    ]
    safe = [
        p for p in holdout if float(p.features.tenure_months) > 36 and float(p.features.training_participation) > 0.7
    ]
    assert risky and safe
    risky_scores = [score(p.features, model).score for p in risky]
    safe_scores = [score(p.features, model).score for p in safe]
    pairs = [(r, s) for r in risky_scores for s in safe_scores]
    assert sum(1.0 if r > s else 0.5 if r == s else 0.0 for r, s in pairs) / len(pairs) > 0.95

    # AUC against what actually happened in the holdout, well above chance.
    scored = [(score(p.features, model).score, p.left) for p in holdout]
    leavers = [s for s, left in scored if left]
    stayers = [s for s, left in scored if not left]
    auc = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in leavers for b in stayers) / (
        len(leavers) * len(stayers)
    )
    assert auc > 0.75

    # Tenure and training carry the risk: negative coefficients (more of either, less risk), the largest ones.
    coefficients = dict(zip(FEATURES, model.coefficients, strict=True))
    assert coefficients["tenure_months"] < -0.5 and coefficients["training_participation"] < -0.5
    others = [abs(c) for f, c in coefficients.items() if f not in ("tenure_months", "training_participation")]
    assert max(others) < min(abs(coefficients["tenure_months"]), abs(coefficients["training_participation"]))


def test_a_trained_score_explains_itself(model: TrainedModel) -> None:
    result = score(features(tenure_months=2, training_participation=0.05, culture_fit=None), model)
    assert result.method == "trained" and result.band == "high"
    top = {f.feature: f for f in result.top_factors}
    assert set(top) >= {"tenure_months", "training_participation"}
    assert top["tenure_months"].explanation == "Shorter tenure than the average"
    assert top["tenure_months"].contribution > 0
    assert all(f.explanation in ATTRITION_MESSAGES for f in result.top_factors)
    sizes = [abs(f.contribution) for f in result.top_factors]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == 3
    assert result.score.as_tuple().exponent == -3


def test_too_little_history_trains_nothing() -> None:
    history = synthetic(300, seed=5)
    leavers = [p for p in history if p.left]
    stayers = [p for p in history if not p.left]
    assert train(leavers[:29] + stayers) is None
    assert train(leavers + stayers[:29]) is None
    assert train([]) is None
    assert train(leavers[:30] + stayers[:30]) is not None
    assert model_for(leavers[:29] + stayers) is FALLBACK


def test_training_is_deterministic(model: TrainedModel) -> None:
    again = train(synthetic(300, seed=5))
    assert again == model
    person = features(tenure_months=7, training_participation=0.2, culture_fit=70)
    assert score(person, again) == score(person, model)
    # The model survives a JSON round trip unchanged, for storage.
    assert msgspec.json.decode(msgspec.json.encode(model), type=TrainedModel) == model


def test_features_out_of_range_are_domain_errors() -> None:
    for bad in ({"training_participation": 1.2}, {"tenure_months": -1}, {"pay_position": 0}, {"culture_fit": 101}):
        with pytest.raises(AttritionFeatureOutOfRange) as caught:
            features(**bad)
        assert caught.value.code == "attrition_feature_out_of_range"
    assert issubclass(AttritionFeatureOutOfRange, DomainError)


def test_every_explanation_is_a_declared_message() -> None:
    seen = set()
    for person in synthetic(200, seed=9):
        seen.update(text for _, text, _ in FALLBACK.contributions(person.features))
    assert seen <= set(ATTRITION_MESSAGES)
    assert len(ATTRITION_MESSAGES) == len(set(ATTRITION_MESSAGES))


# -- no training assigned, factors that change nothing, plain words, the model card ---------------------


def test_no_training_assigned_is_its_own_value_not_full_completion() -> None:
    untrained = FALLBACK.contributions(features(training_participation=None))
    assert untrained[1] == ("training_participation", TRAINING_NONE, 0.0)
    completed = FALLBACK.contributions(features(training_participation=1))
    assert completed[1] == ("training_participation", TRAINING_HIGH, -0.3)
    # Nobody is credited with completing trainings that were never assigned: the factor is simply not there.
    result = score(features(training_participation=None, tenure_months=3), FALLBACK)
    assert [f.feature for f in result.top_factors] == ["tenure_months"]
    assert TRAINING_NONE in ATTRITION_MESSAGES


def test_no_training_assigned_counts_as_average_in_a_trained_model(model: TrainedModel) -> None:
    person = features(training_participation=None, tenure_months=7)
    average = features(training_participation=model.means[1], tenure_months=7)
    assert score(person, model).score == score(average, model).score
    assert "training_participation" not in {f.feature for f in score(person, model).top_factors}


def test_factors_that_change_nothing_are_not_listed() -> None:
    # culture none, review trend flat, pay at the midpoint, no manager change: 0 points each.
    result = score(features(training_participation=0.1, tenure_months=40), FALLBACK)
    assert [(f.feature, f.contribution) for f in result.top_factors] == [
        ("training_participation", D("0.700")),
        ("tenure_months", D("-0.400")),
    ]
    assert all(f.contribution != 0 for f in result.top_factors)
    nothing = score(features(training_participation=None, tenure_months=24, culture_fit=None), TransparentFallback())
    assert [f.feature for f in nothing.top_factors] == ["tenure_months"]


def test_contributions_are_told_in_plain_words() -> None:
    assert [effect_of(D(v)) for v in ("0.8", "0.5", "0.499", "-0.2", "-0.5", "-1.2")] == [
        "raises_a_lot", "raises_a_lot", "raises_a_little", "lowers_a_little", "lowers_a_lot", "lowers_a_lot"]
    result = score(features(training_participation=0.1, tenure_months=40, pay_position=0.95), FALLBACK)
    assert [(f.feature, f.effect) for f in result.top_factors] == [
        ("training_participation", "raises_a_lot"),  # +0.7
        ("tenure_months", "lowers_a_little"),  # -0.4
        ("pay_position", "raises_a_little"),  # +0.3
    ]


def test_the_standard_model_card_is_measured_on_the_whole_history() -> None:
    history = synthetic(50, seed=3)
    leavers = sum(1 for p in history if p.left)
    assert 0 < leavers < MIN_DEPARTURES  # too few for a tenant model
    card = model_card(history, model_for(history))
    assert (card.method, card.employees, card.leavers, card.stayers) == ("fallback", 50, leavers, 50 - leavers)
    assert card.description == FALLBACK_DESCRIPTION and LIMIT_NOT_FITTED in card.limits
    assert card.features == list(FEATURES) and (card.minimum_leavers, card.minimum_stayers) == (30, 30)
    validation = card.validation
    assert validation is not None and validation.method == "history"
    assert (validation.employees, validation.leavers) == (50, leavers)
    # The fixed points rank short tenure and skipped training as risky, which is how the synthetic people leave.
    assert validation.auc > D("0.6") and validation.auc.as_tuple().exponent == -3
    rate = leavers / 50
    assert validation.base_rate_brier == D(repr(rate * (1 - rate))).quantize(D("0.001"))


def test_a_tenant_model_card_is_validated_on_employees_it_was_not_fitted_on(model: TrainedModel) -> None:
    history = synthetic(300, seed=5)
    card = model_card(history, model)
    assert (card.method, card.description, card.employees) == ("trained", TRAINED_DESCRIPTION, 300)
    assert card.leavers == model.departures and card.stayers == model.stayers
    validation = card.validation
    assert validation is not None and validation.method == "holdout"
    held = history[HOLDOUT_EVERY - 1 :: HOLDOUT_EVERY]
    assert (validation.employees, validation.leavers) == (len(held), sum(1 for p in held if p.left))
    assert validation.auc > D("0.75") and validation.brier < validation.base_rate_brier
    assert msgspec.json.decode(msgspec.json.encode(card), type=ModelCard) == card


def test_a_history_without_leavers_is_not_validated() -> None:
    stayers = [p for p in synthetic(60, seed=4) if not p.left]
    card = model_card(stayers, model_for(stayers))
    assert card.validation is None and card.leavers == 0
    assert {*card.limits, card.description} <= set(MODEL_CARD_MESSAGES)
