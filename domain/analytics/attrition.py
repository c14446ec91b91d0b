"""Attrition risk: a score per employee, 0-1, with the factors that drive it.

Features (``AttritionFeatures``):

- ``culture_fit``: the culture-fit interview score, 0-100, or None when there was none.
- ``training_participation``: the fraction of assigned trainings completed, 0-1, or None when no training was
  ever assigned: its own value, which neither raises nor lowers the risk (not "100% completed").
- ``tenure_months``: months since the employee started.
- ``review_trend``: the last performance rating minus the previous one (0 with fewer than two reviews).
- ``pay_position``: pay divided by the midpoint of the position's pay range (0.9 is 10% below the midpoint).
- ``recent_manager_change``: the employee's manager changed within the last 6 months.

Two methods. ``TrainedModel``: a tenant's own logistic regression, trained on its history once it has
at least 30 departures and 30 stayers. ``TransparentFallback``: a fixed, documented points model for
tenants with less history. Both explain a score by per-feature contributions in log-odds, which readers see in
plain words (``Effect``: raises or lowers the risk a lot or a little); a factor contributing nothing is not listed.
Every report carries a ``ModelCard``: what the model is, the history it was fitted on, how well it ranked people it
was not fitted on, and its limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from domain.kernel.errors import InvalidInput
from domain.kernel.reports import Produced

MIN_DEPARTURES = 30
MIN_STAYERS = 30
L2_PENALTY = 0.1  # on the coefficients of the standardised features, not on the intercept
LEARNING_RATE = 0.5
ITERATIONS = 600
MEDIUM_FROM = Decimal("0.300")  # score bands: low < 0.3 <= medium < 0.6 <= high
HIGH_FROM = Decimal("0.600")
TOP_FACTORS = 3
SCORE_PLACES = Decimal("0.001")

Band = Literal["low", "medium", "high"]
Method = Literal["trained", "fallback"]
FEATURES = (
    "culture_fit",
    "training_participation",
    "tenure_months",
    "review_trend",
    "pay_position",
    "recent_manager_change",
)


class AttritionFeatureOutOfRange(InvalidInput):
    code = "attrition_feature_out_of_range"
    title = "Feature out of range"
    template = "{value} is not a valid value for {feature}."


class AttritionFeatures(msgspec.Struct, frozen=True, kw_only=True):
    culture_fit: Decimal | float | None = None  # interview score 0-100
    training_participation: Decimal | float | None  # completed / assigned trainings, 0-1; None: none assigned
    tenure_months: Decimal | float  # >= 0
    review_trend: Decimal | float = 0  # last rating - previous rating
    pay_position: Decimal | float  # pay / midpoint of the position's range, > 0
    recent_manager_change: bool = False  # within the last 6 months

    def __post_init__(self) -> None:
        checks = (
            ("culture_fit", self.culture_fit, 0, 100),
            ("training_participation", self.training_participation, 0, 1),
            ("tenure_months", self.tenure_months, 0, 1200),
            ("review_trend", self.review_trend, -100, 100),
            ("pay_position", self.pay_position, 0, 100),
        )
        for feature, value, low, high in checks:
            if value is None:
                continue
            number = float(value)
            if not (math.isfinite(number) and low <= number <= high) or (feature == "pay_position" and number == 0):
                raise AttritionFeatureOutOfRange(feature=feature, value=str(value))


class LabelledHistory(msgspec.Struct, frozen=True, kw_only=True):
    """One past employee of the tenant: their features at the time, and whether they left."""

    features: AttritionFeatures
    left: bool


Effect = Literal["raises_a_lot", "raises_a_little", "lowers_a_little", "lowers_a_lot"]
#: A contribution of at least this size in log-odds is "a lot": it multiplies (or divides) the odds of leaving by
#: e^0.5 = 1.65 or more, which moves a 20% risk to 29% (or 13%). Smaller contributions are "a little". The fallback's
#: points of 0.5 and more (a new hire, skipped training, pay well below the midpoint, a manager change, a sharp
#: review drop, a low culture fit) are "a lot"; its 0.2-0.4 brackets "a little".
STRONG_EFFECT = Decimal("0.5")


def effect_of(contribution: Decimal) -> Effect:
    """A non-zero contribution in plain words (see STRONG_EFFECT)."""
    strong = abs(contribution) >= STRONG_EFFECT
    if contribution > 0:
        return "raises_a_lot" if strong else "raises_a_little"
    return "lowers_a_lot" if strong else "lowers_a_little"


class RiskFactor(msgspec.Struct, frozen=True, kw_only=True):
    """One factor behind an employee's attrition risk: the feature (`culture_fit`, `training_participation`,
    `tenure_months`, `review_trend`, `pay_position` or `recent_manager_change`), an explanation in the reader's
    language, and its contribution in log-odds (negative lowers the risk), a decimal with 3 places."""

    feature: str  # one of FEATURES
    explanation: str  # msgid
    contribution: Decimal  # log-odds added to the risk (negative lowers it), 3 places; never 0
    effect: Annotated[Effect, msgspec.Meta(
        description="The contribution in plain words: a lot when its size is at least 0.5 in log-odds (the odds of "
                    "leaving multiplied or divided by 1.65 or more), else a little.")]


class RiskScore(msgspec.Struct, frozen=True, kw_only=True):
    """An employee's attrition risk: the probability of leaving (0-1, 3 decimal places), its band (`low` below 0.3,
    `medium` below 0.6, else `high`), the method (`trained`, your tenant's own model once its history holds at least 30
    departures and 30 stayers, else `fallback`, a fixed points model) and the 3 largest factors, largest first."""

    score: Decimal  # probability of leaving, 0-1, 3 places
    band: Band
    method: Method
    top_factors: list[RiskFactor]  # the TOP_FACTORS largest contributions by size, largest first


class EmployeeRisk(msgspec.Struct, frozen=True, kw_only=True):
    """A row of the attrition report: who (name, employee number, and where they work, so two people of one name
    are told apart) and their risk."""

    employee_id: UUID
    label: str
    employee_number: Annotated[str | None, msgspec.Meta(
        description="The tenant's own number for the employee, when it gave one.")] = None
    department: Annotated[str | None, msgspec.Meta(description="The employee's department, when recorded.")] = None
    position: Annotated[str | None, msgspec.Meta(description="The position of the current employment.")] = None
    legal_entity: Annotated[str | None, msgspec.Meta(description="The name of the employing legal entity.")] = None
    risk: RiskScore


class AttritionReport(msgspec.Struct, frozen=True, kw_only=True):
    """Every active employee's attrition risk on a date, highest first. One document, not a page: the ranking
    comes from a model fitted over the whole workforce at each request, so no stored order exists that a cursor
    could hold from one page to the next."""

    as_of: date
    produced: Produced
    model_card: ModelCard
    employees: list[EmployeeRisk]


# -- explanations (msgids) -------------------------------------------------------------------

# The fallback's brackets, each with its fixed log-odds points and explanation (see TransparentFallback).
CULTURE_LOW = "Culture-fit interview score below 50"
CULTURE_MIDDLE = "Culture-fit interview score from 50 to 69"
CULTURE_HIGH = "Culture-fit interview score of 70 or more"
CULTURE_MISSING = "No culture-fit interview score"
TRAINING_LOW = "Completed less than half of the assigned trainings"
TRAINING_MIDDLE = "Completed half to 80% of the assigned trainings"
TRAINING_HIGH = "Completed 80% or more of the assigned trainings"
TRAINING_NONE = "No trainings assigned"
TENURE_NEW = "Less than 12 months in the company"
TENURE_MIDDLE = "12 to 35 months in the company"
TENURE_LONG = "36 months or more in the company"
TREND_DOWN_SHARP = "Last review at least one point below the previous one"
TREND_DOWN = "Last review below the previous one"
TREND_FLAT = "Last review equal to the previous one, or fewer than two reviews"
TREND_UP = "Last review above the previous one"
PAY_WELL_BELOW = "Paid less than 90% of the position's range midpoint"
PAY_BELOW = "Paid 90% to 97% of the position's range midpoint"
PAY_AT = "Paid 97% to 110% of the position's range midpoint"
PAY_ABOVE = "Paid 110% or more of the position's range midpoint"
MANAGER_CHANGED = "Manager changed within the last 6 months"
MANAGER_SAME = "No manager change within the last 6 months"

# The trained model compares with the tenant's average employee: (above average, below average).
TRAINED_EXPLANATIONS = {
    "culture_fit": ("Culture-fit score above the average", "Culture-fit score below the average"),
    "training_participation": (
        "Training participation above the average",
        "Training participation below the average",
    ),
    "tenure_months": ("Longer tenure than the average", "Shorter tenure than the average"),
    "review_trend": ("Review trend better than the average", "Review trend worse than the average"),
    "pay_position": ("Pay position above the average", "Pay position below the average"),
    "recent_manager_change": (
        "Manager changed within the last 6 months",
        "No manager change within the last 6 months",
    ),
}

ATTRITION_MESSAGES = tuple(
    dict.fromkeys(
        [
            CULTURE_LOW,
            CULTURE_MIDDLE,
            CULTURE_HIGH,
            CULTURE_MISSING,
            TRAINING_LOW,
            TRAINING_MIDDLE,
            TRAINING_HIGH,
            TRAINING_NONE,
            TENURE_NEW,
            TENURE_MIDDLE,
            TENURE_LONG,
            TREND_DOWN_SHARP,
            TREND_DOWN,
            TREND_FLAT,
            TREND_UP,
            PAY_WELL_BELOW,
            PAY_BELOW,
            PAY_AT,
            PAY_ABOVE,
            MANAGER_CHANGED,
            MANAGER_SAME,
            *(text for pair in TRAINED_EXPLANATIONS.values() for text in pair),
        ]
    )
)


# -- the fallback ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransparentFallback:
    """A fixed points model for tenants with too little history (< 30 departures or < 30 stayers).

    The risk is logistic(BASELINE + the points of each feature), the points being log-odds:

    ====================== ===================================== ======
    feature                bracket                               points
    ====================== ===================================== ======
    (baseline)             every employee                        -1.5
    culture_fit            below 50 / 50-69 / 70+ / none         +0.6 / +0.2 / -0.3 / 0
    training_participation below 0.5 / 0.5 to below 0.8 / 0.8+   +0.7 / +0.2 / -0.3 / 0
                           / none assigned
    tenure_months          below 12 / 12-35 / 36+                +0.8 / +0.3 / -0.4
    review_trend           <= -1 / below 0 / 0 / above 0         +0.6 / +0.3 / 0 / -0.2
    pay_position           below 0.9 / 0.9-0.97 / to 1.1 / 1.1+  +0.7 / +0.3 / 0 / -0.3
    recent_manager_change  yes / no                              +0.5 / 0
    ====================== ===================================== ======

    A baseline employee scores logistic(-1.5) = 0.182; a new hire (+0.8) who skipped training (+0.7)
    and is paid well below the midpoint (+0.7) scores logistic(0.7) = 0.668. The amounts are the
    product's judgement, not fitted: they rank people, and a tenant's own model replaces them once
    it has the history.
    """

    baseline: float = -1.5

    def contributions(self, features: AttritionFeatures) -> list[tuple[str, str, float]]:
        """(feature, explanation msgid, points) for each feature, in FEATURES order."""
        fit = features.culture_fit
        if fit is None:
            culture = (CULTURE_MISSING, 0.0)
        elif fit < 50:
            culture = (CULTURE_LOW, 0.6)
        elif fit < 70:
            culture = (CULTURE_MIDDLE, 0.2)
        else:
            culture = (CULTURE_HIGH, -0.3)
        done = features.training_participation
        if done is None:
            training = (TRAINING_NONE, 0.0)
        elif done < 0.5:
            training = (TRAINING_LOW, 0.7)
        else:
            training = (TRAINING_MIDDLE, 0.2) if done < 0.8 else (TRAINING_HIGH, -0.3)
        months = float(features.tenure_months)
        tenure = (TENURE_NEW, 0.8) if months < 12 else (TENURE_MIDDLE, 0.3) if months < 36 else (TENURE_LONG, -0.4)
        trend_value = float(features.review_trend)
        if trend_value <= -1:
            trend = (TREND_DOWN_SHARP, 0.6)
        elif trend_value < 0:
            trend = (TREND_DOWN, 0.3)
        elif trend_value == 0:
            trend = (TREND_FLAT, 0.0)
        else:
            trend = (TREND_UP, -0.2)
        ratio = float(features.pay_position)
        if ratio < 0.9:
            pay = (PAY_WELL_BELOW, 0.7)
        elif ratio < 0.97:
            pay = (PAY_BELOW, 0.3)
        elif ratio < 1.1:
            pay = (PAY_AT, 0.0)
        else:
            pay = (PAY_ABOVE, -0.3)
        manager = (MANAGER_CHANGED, 0.5) if features.recent_manager_change else (MANAGER_SAME, 0.0)
        parts = (culture, training, tenure, trend, pay, manager)
        return [(feature, text, points) for feature, (text, points) in zip(FEATURES, parts, strict=True)]


FALLBACK = TransparentFallback()


# -- the trained model -----------------------------------------------------------------------


class TrainedModel(msgspec.Struct, frozen=True, kw_only=True):
    """A tenant's logistic regression on standardised features (storable as JSON with msgspec).

    Inputs are ``_vector``: the six features, tenure as log(1 + months) (the first months matter
    most), a missing culture-fit score or training participation (no training assigned) replaced by the
    training mean (so it contributes nothing).
    """

    means: list[float]  # per feature, in FEATURES order
    scales: list[float]  # population standard deviations (1 for a feature that did not vary)
    coefficients: list[float]  # log-odds per standard deviation
    intercept: float
    departures: int
    stayers: int
    iterations: int = ITERATIONS
    l2_penalty: float = L2_PENALTY


def _vector(features: AttritionFeatures, culture_default: float, training_default: float) -> list[float]:
    training = features.training_participation
    return [
        float(features.culture_fit) if features.culture_fit is not None else culture_default,
        float(training) if training is not None else training_default,
        math.log1p(float(features.tenure_months)),
        float(features.review_trend),
        float(features.pay_position),
        1.0 if features.recent_manager_change else 0.0,
    ]


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1 / (1 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1 + exp)


def train(history: Sequence[LabelledHistory]) -> TrainedModel | None:
    """Fit the tenant's model, or None with fewer than 30 departures or 30 stayers.

    Logistic regression with an L2 penalty (0.1, intercept unpenalised) on standardised features,
    fitted by batch gradient descent: 600 full-batch steps of size 0.5 from zero coefficients and the
    base-rate intercept. No randomness and a fixed order: the same history gives the same model.
    """
    departures = sum(1 for item in history if item.left)
    stayers = len(history) - departures
    if departures < MIN_DEPARTURES or stayers < MIN_STAYERS:
        return None
    return _fit(history)


def _mean_of(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def _fit(history: Sequence[LabelledHistory]) -> TrainedModel:
    """The logistic regression of ``train`` on any history with at least one departure and one stayer."""
    departures = sum(1 for item in history if item.left)
    stayers = len(history) - departures
    culture_default = _mean_of([float(i.features.culture_fit) for i in history if i.features.culture_fit is not None])
    training_default = _mean_of([float(i.features.training_participation) for i in history
                                 if i.features.training_participation is not None])
    rows = [_vector(item.features, culture_default, training_default) for item in history]
    labels = [1.0 if item.left else 0.0 for item in history]
    count = len(rows)
    width = len(FEATURES)
    means = [math.fsum(row[j] for row in rows) / count for j in range(width)]
    scales = []
    for j in range(width):
        spread = math.sqrt(math.fsum((row[j] - means[j]) ** 2 for row in rows) / count)
        scales.append(spread if spread > 1e-12 else 1.0)
    standard = [[(row[j] - means[j]) / scales[j] for j in range(width)] for row in rows]

    weights = [0.0] * width
    intercept = math.log(departures / stayers)
    for _ in range(ITERATIONS):
        gradient = [0.0] * width
        gradient_intercept = 0.0
        for row, label in zip(standard, labels, strict=True):
            error = _sigmoid(intercept + sum(w * x for w, x in zip(weights, row, strict=True))) - label
            gradient_intercept += error
            for j in range(width):
                gradient[j] += error * row[j]
        intercept -= LEARNING_RATE * gradient_intercept / count
        weights = [w - LEARNING_RATE * (g / count + L2_PENALTY * w) for w, g in zip(weights, gradient, strict=True)]
    return TrainedModel(
        means=means,
        scales=scales,
        coefficients=weights,
        intercept=intercept,
        departures=departures,
        stayers=stayers,
    )


def _trained_contributions(features: AttritionFeatures, model: TrainedModel) -> list[tuple[str, str, float]]:
    vector = _vector(features, model.means[0], model.means[1])
    parts = []
    for j, feature in enumerate(FEATURES):
        deviation = (vector[j] - model.means[j]) / model.scales[j]
        above, below = TRAINED_EXPLANATIONS[feature]
        if feature == "recent_manager_change":
            text = above if features.recent_manager_change else below
        elif feature == "culture_fit" and features.culture_fit is None:
            text = CULTURE_MISSING
        elif feature == "training_participation" and features.training_participation is None:
            text = TRAINING_NONE
        else:
            text = above if deviation >= 0 else below
        parts.append((feature, text, model.coefficients[j] * deviation))
    return parts


# -- scoring ---------------------------------------------------------------------------------


def band(score: Decimal) -> Band:
    return "high" if score >= HIGH_FROM else "medium" if score >= MEDIUM_FROM else "low"


def score(features: AttritionFeatures, model: TrainedModel | TransparentFallback) -> RiskScore:
    """The employee's risk of leaving with the tenant's model (or the fallback), and its top factors.

    A contribution is in log-odds: for the fallback, the bracket's fixed points; for a trained model,
    coefficient x the feature's distance from the tenant's average in standard deviations. The top
    factors are the three largest contributions by size (raising or lowering the risk), ties in
    FEATURES order; a factor contributing 0 (at 3 places) is not a factor and is left out, so there may be
    fewer than three.
    """
    if isinstance(model, TrainedModel):
        parts = _trained_contributions(features, model)
        logit = model.intercept + math.fsum(points for _, _, points in parts)
        method: Method = "trained"
    else:
        parts = model.contributions(features)
        logit = model.baseline + math.fsum(points for _, _, points in parts)
        method = "fallback"
    value = Decimal(repr(_sigmoid(logit))).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
    rounded = [
        (index, feature, text, Decimal(repr(points)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP))
        for index, (feature, text, points) in enumerate(parts)
    ]
    ranked = sorted((part for part in rounded if part[3] != 0), key=lambda part: (-abs(part[3]), part[0]))
    factors = [
        RiskFactor(feature=feature, explanation=text, contribution=contribution, effect=effect_of(contribution))
        for _, feature, text, contribution in ranked[:TOP_FACTORS]
    ]
    return RiskScore(score=value, band=band(value), method=method, top_factors=factors)


def model_for(history: Sequence[LabelledHistory]) -> TrainedModel | TransparentFallback:
    """The tenant's trained model when its history allows one, else the fallback."""
    return train(history) or FALLBACK


# -- the model card --------------------------------------------------------------------------

#: Validation of a tenant model: every HOLDOUT_EVERY-th employee of the history is held out, a model is fitted on
#: the others with the same method, and it is measured on the held-out employees it never saw.
HOLDOUT_EVERY = 5
FIGURE_PLACES = Decimal("0.001")

TRAINED_DESCRIPTION = (
    "Tenant model: a logistic regression fitted to this organisation's own current and former employees, on the "
    "six factors listed."
)
FALLBACK_DESCRIPTION = (
    "Standard points model: fixed, documented points per factor, the same for every organisation and not fitted to "
    "this organisation's data. It is used until there are at least {leavers} leavers and {stayers} stayers."
)
LIMIT_STAYERS = "Current employees count as stayers although some of them will leave."
LIMIT_FACTORS = (
    "The model sees only the six factors listed; workload, the job market and personal reasons are invisible to it."
)
LIMIT_CAUSES = "A factor that goes with leaving is not shown to cause it."
LIMIT_DECISIONS = (
    "A score ranks people for a conversation; it must not be the only ground for a decision about anyone."
)
LIMIT_MISSING = "A missing culture-fit score, or no trainings assigned, counts as average for that factor."
LIMIT_SMALL = "With few leavers the validation figures are uncertain."
LIMIT_NOT_FITTED = "The points are the product's judgement, not learned from this organisation."

MODEL_CARD_MESSAGES = (
    TRAINED_DESCRIPTION,
    FALLBACK_DESCRIPTION,
    LIMIT_STAYERS,
    LIMIT_FACTORS,
    LIMIT_CAUSES,
    LIMIT_DECISIONS,
    LIMIT_MISSING,
    LIMIT_SMALL,
    LIMIT_NOT_FITTED,
)

ValidationMethod = Literal["holdout", "history"]


class Validation(msgspec.Struct, frozen=True, kw_only=True):
    """How well the model ranked employees it was not fitted on."""

    method: Annotated[ValidationMethod, msgspec.Meta(
        description="holdout: a tenant model fitted without every fifth employee, measured on them; history: the "
                    "standard points model (fitted on nothing) measured on the organisation's whole history.")]
    employees: Annotated[int, msgspec.Meta(description="Employees it was measured on.")]
    leavers: Annotated[int, msgspec.Meta(description="Of those, the ones who left.")]
    auc: Annotated[Decimal, msgspec.Meta(
        description="The chance that a leaver scores higher than a stayer (area under the ROC curve), 3 places: "
                    "0.5 is a coin toss, 1 a perfect ranking.")]
    brier: Annotated[Decimal, msgspec.Meta(
        description="The mean squared error of the probabilities (Brier score), 3 places: lower is better.")]
    base_rate_brier: Annotated[Decimal, msgspec.Meta(
        description="The Brier score of always answering the share of leavers: what a useful model beats.")]


class ModelCard(msgspec.Struct, frozen=True, kw_only=True):
    """What the attrition model is, what it was fitted on, how well it did and what it cannot do."""

    method: Method
    description: Annotated[str, msgspec.Meta(description="What the model is, in the reader's language.")]
    employees: Annotated[int, msgspec.Meta(
        description="Current and former employees in the history the model was fitted on (or, for the standard "
                    "points model, measured on).")]
    leavers: int
    stayers: int
    minimum_leavers: int
    minimum_stayers: int
    features: list[str]
    validation: Annotated[Validation | None, msgspec.Meta(
        description="Null while the history has no leaver or no stayer to measure on.")]
    limits: Annotated[list[str], msgspec.Meta(description="What the model cannot do, in the reader's language.")]


def _auc(scored: Sequence[tuple[float, bool]]) -> float:
    """The chance a leaver outscores a stayer (ties count half), by ranks: O(n log n)."""
    ordered = sorted(scored, key=lambda item: item[0])
    rank_sum, position = 0.0, 0
    while position < len(ordered):
        end = position
        while end < len(ordered) and ordered[end][0] == ordered[position][0]:
            end += 1
        average_rank = (position + 1 + end) / 2  # ranks from 1, shared by the tied run
        rank_sum += average_rank * sum(1 for _, left in ordered[position:end] if left)
        position = end
    leavers = sum(1 for _, left in scored if left)
    stayers = len(scored) - leavers
    return (rank_sum - leavers * (leavers + 1) / 2) / (leavers * stayers)


def _figure(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(FIGURE_PLACES, rounding=ROUND_HALF_UP)


def _measure(model: TrainedModel | TransparentFallback, people: Sequence[LabelledHistory],
             method: ValidationMethod) -> Validation | None:
    leavers = sum(1 for person in people if person.left)
    if not 0 < leavers < len(people):
        return None
    scored = [(float(score(person.features, model).score), person.left) for person in people]
    rate = leavers / len(people)
    return Validation(
        method=method,
        employees=len(people),
        leavers=leavers,
        auc=_figure(_auc(scored)),
        brier=_figure(math.fsum((p - (1.0 if left else 0.0)) ** 2 for p, left in scored) / len(scored)),
        base_rate_brier=_figure(rate * (1 - rate)),
    )


def _holdout(history: Sequence[LabelledHistory]) -> Validation | None:
    kept = [person for index, person in enumerate(history) if index % HOLDOUT_EVERY != HOLDOUT_EVERY - 1]
    held = [person for index, person in enumerate(history) if index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1]
    if not 0 < sum(1 for person in kept if person.left) < len(kept):
        return None
    return _measure(_fit(kept), held, "holdout")


def model_card(history: Sequence[LabelledHistory], model: TrainedModel | TransparentFallback) -> ModelCard:
    """The card of the model ``model_for(history)`` chose. A tenant model is validated on a hold-out (every fifth
    employee of ``history``, in its order, fitted without them); the standard points model, fitted on nothing, is
    measured on the whole history."""
    leavers = sum(1 for person in history if person.left)
    common = [LIMIT_STAYERS, LIMIT_FACTORS, LIMIT_CAUSES, LIMIT_DECISIONS, LIMIT_MISSING]
    if isinstance(model, TrainedModel):
        method: Method = "trained"
        description, validation = TRAINED_DESCRIPTION, _holdout(history)
        limits = [*common, LIMIT_SMALL]
    else:
        method = "fallback"
        description, validation = FALLBACK_DESCRIPTION, _measure(model, history, "history")
        limits = [LIMIT_NOT_FITTED, *common]
    return ModelCard(
        method=method,
        description=description,
        employees=len(history),
        leavers=leavers,
        stayers=len(history) - leavers,
        minimum_leavers=MIN_DEPARTURES,
        minimum_stayers=MIN_STAYERS,
        features=list(FEATURES),
        validation=validation,
        limits=limits,
    )
