"""Scoring a vendor result against a competency model version: exact Decimals, thresholds, gaps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from domain.assessments.contract import CompetencyScore, Evidence, InterviewResultV1, ResultReference
from domain.assessments.scoring import ModelCompetency, ModelVersion, evaluate, normalise

D = Decimal
MODEL_ID = UUID("0b0e8d1e-7c1a-4d7e-9a55-3f1a2b3c4d5e")


def result(*scores: tuple[str, str, str, str], evidence: int = 1) -> InterviewResultV1:
    return InterviewResultV1(
        schema="meridian.interview-result.v1",
        result_id="res-1",
        vendor="Acme",
        model="acme",
        model_version="1",
        rubric_version="r1",
        reference=ResultReference(candidate_reference="cand-1"),
        interview_language="en-GB",
        completed_at=datetime(2026, 3, 1, tzinfo=UTC),
        competencies=[
            CompetencyScore(
                code=code,
                name=code.title(),
                score=D(score),
                scale_min=D(low),
                scale_max=D(high),
                confidence=D("0.9"),
                evidence=[Evidence(start_seconds=D(0), end_seconds=D(1), quote="q")] * evidence,
            )
            for code, score, low, high in scores
        ],
    )


def model(*competencies: tuple[str, str, str], overall: str = "60") -> ModelVersion:
    return ModelVersion(
        model_id=MODEL_ID,
        number=3,
        competencies=[ModelCompetency(code=c, weight=D(w), pass_threshold=D(t)) for c, w, t in competencies],
        overall_pass_threshold=D(overall),
    )


MODEL = model(("communication", "0.5", "60"), ("problem_solving", "0.3", "50"), ("teamwork", "0.2", "70"))


@pytest.mark.parametrize(
    ("score", "expected"),
    [("1", "0.00"), ("2", "25.00"), ("3", "50.00"), ("4", "75.00"), ("5", "100.00"), ("4.5", "87.50"), ("1.1", "2.50")],
)
def test_normalise_a_one_to_five_scale(score: str, expected: str) -> None:
    value = normalise(D(score), D(1), D(5))
    assert value == D(expected) and str(value) == expected


@pytest.mark.parametrize(("score", "expected"), [("0", "0.00"), ("7", "70.00"), ("10", "100.00"), ("6.25", "62.50")])
def test_normalise_a_zero_to_ten_scale(score: str, expected: str) -> None:
    assert str(normalise(D(score), D(0), D(10))) == expected


def test_normalise_rounds_half_up_to_the_cent() -> None:
    assert normalise(D(1), D(0), D(3)) == D("33.33")
    assert normalise(D(2), D(0), D(3)) == D("66.67")
    assert normalise(D("0.12345"), D(0), D(1)) == D("12.35")  # exactly half: up, not to even
    assert normalise(D("0.12344999"), D(0), D(1)) == D("12.34")
    assert normalise(D("-2"), D("-5"), D("5")) == D("30.00")


def test_normalise_rejects_scores_outside_the_scale() -> None:
    with pytest.raises(ValueError, match="between"):
        normalise(D(6), D(1), D(5))
    with pytest.raises(ValueError, match="below"):
        normalise(D(1), D(5), D(1))


def test_the_overall_is_the_exact_weighted_sum() -> None:
    evaluation = evaluate(
        result(("communication", "4", "1", "5"), ("problem_solving", "7", "0", "10"), ("teamwork", "1", "0", "3")),
        MODEL,
    )
    # 0.5 x 75.00 + 0.3 x 70.00 + 0.2 x 33.33 = 37.5 + 21 + 6.666 = 65.166 -> 65.17
    assert evaluation.overall == D("65.17")
    assert isinstance(evaluation.overall, D)
    by_code = {item.code: item for item in evaluation.competencies}
    assert by_code["communication"].score == D("75.00") and by_code["communication"].gap == D("15.00")
    assert by_code["teamwork"].score == D("33.33") and by_code["teamwork"].gap == D("-36.67")
    assert by_code["teamwork"].passed is False and by_code["communication"].passed is True
    assert by_code["problem_solving"].weight == D("0.3") and by_code["problem_solving"].evidence_count == 1
    assert by_code["problem_solving"].confidence == D("0.9")
    assert evaluation.passed is False  # teamwork is below its threshold although the overall passes
    assert evaluation.missing == [] and evaluation.unmapped == []
    assert (evaluation.model_id, evaluation.model_version, evaluation.result_id) == (MODEL_ID, 3, "res-1")
    assert [item.code for item in evaluation.competencies] == ["communication", "problem_solving", "teamwork"]


def test_no_float_drift_in_the_overall() -> None:
    thirds = model(("a", "0.1", "0"), ("b", "0.2", "0"), ("c", "0.7", "0"))
    evaluation = evaluate(result(("a", "0.1", "0", "1"), ("b", "0.2", "0", "1"), ("c", "0.3", "0", "1")), thirds)
    # 0.1 x 10 + 0.2 x 20 + 0.7 x 30 = 26 exactly (floats give 25.999999999999996)
    assert evaluation.overall == D("26.00") and str(evaluation.overall) == "26.00"


def test_everything_at_or_above_its_threshold_passes() -> None:
    evaluation = evaluate(
        result(("communication", "3.4", "1", "5"), ("problem_solving", "5", "0", "10"), ("teamwork", "2.1", "0", "3")),
        MODEL,
    )
    by_code = {item.code: item for item in evaluation.competencies}
    assert by_code["communication"].score == D("60.00") and by_code["communication"].gap == D("0.00")
    assert all(item.passed for item in evaluation.competencies)
    # 0.5 x 60 + 0.3 x 50 + 0.2 x 70 = 59 < 60
    assert evaluation.overall == D("59.00") and evaluation.passed is False
    assert evaluate(
        result(("communication", "3.4", "1", "5"), ("problem_solving", "5", "0", "10"), ("teamwork", "2.1", "0", "3")),
        model(
            ("communication", "0.5", "60"), ("problem_solving", "0.3", "50"), ("teamwork", "0.2", "70"), overall="59"
        ),
    ).passed


def test_missing_competencies_renormalise_the_weights_and_fail() -> None:
    evaluation = evaluate(result(("communication", "5", "1", "5"), ("problem_solving", "5", "0", "10")), MODEL)
    assert evaluation.missing == ["teamwork"]
    teamwork = evaluation.competencies[2]
    assert (teamwork.score, teamwork.passed, teamwork.gap, teamwork.evidence_count) == (None, None, None, 0)
    assert teamwork.weight == D("0.2")
    # (0.5 x 100 + 0.3 x 50) / 0.8 = 81.25
    assert evaluation.overall == D("81.25")
    assert evaluation.passed is False


def test_nothing_scored_has_no_overall() -> None:
    evaluation = evaluate(result(("leadership", "5", "1", "5")), MODEL)
    assert evaluation.overall is None and evaluation.passed is False
    assert evaluation.missing == ["communication", "problem_solving", "teamwork"]
    assert evaluation.unmapped == ["leadership"]


def test_vendor_competencies_outside_the_model_are_ignored_and_listed() -> None:
    evaluation = evaluate(
        result(
            ("creativity", "1", "1", "5"),
            ("communication", "5", "1", "5"),
            ("problem_solving", "10", "0", "10"),
            ("teamwork", "3", "0", "3"),
            ("leadership", "1", "1", "5"),
        ),
        MODEL,
    )
    assert evaluation.unmapped == ["creativity", "leadership"]
    assert evaluation.overall == D("100.00") and evaluation.passed is True


def test_evidence_counts_come_from_the_vendor() -> None:
    evaluation = evaluate(
        result(
            ("communication", "5", "1", "5"),
            ("problem_solving", "10", "0", "10"),
            ("teamwork", "3", "0", "3"),
            evidence=0,
        ),
        MODEL,
    )
    assert [item.evidence_count for item in evaluation.competencies] == [0, 0, 0]


def test_weights_must_sum_to_exactly_one() -> None:
    with pytest.raises(ValueError, match="sum to exactly 1"):
        model(("a", "0.5", "50"), ("b", "0.4", "50"))
    with pytest.raises(ValueError, match="sum to exactly 1"):
        model(("a", "0.3333", "50"), ("b", "0.3333", "50"), ("c", "0.3333", "50"))
    assert model(("a", "0.333", "50"), ("b", "0.333", "50"), ("c", "0.334", "50"))


@pytest.mark.parametrize(
    ("competencies", "overall", "message"),
    [
        ([("a", "0", "50"), ("b", "1", "50")], "50", "weight must be above 0"),
        ([("a", "1.5", "50"), ("b", "-0.5", "50")], "50", "weight must be at most 1"),
        ([("a", "0.5", "50"), ("a", "0.5", "50")], "50", "unique"),
        ([("a", "1", "101")], "50", "pass_threshold"),
        ([("a", "1", "-1")], "50", "pass_threshold"),
        ([("a", "1", "50")], "100.5", "overall_pass_threshold"),
        ([("a", "1", "NaN")], "50", "finite"),
    ],
)
def test_invalid_models_are_rejected(competencies: list[tuple[str, str, str]], overall: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model(*competencies, overall=overall)


def test_a_model_decoded_from_json_reports_a_validation_error() -> None:
    body = (
        b'{"model_id":"0b0e8d1e-7c1a-4d7e-9a55-3f1a2b3c4d5e","number":1,"overall_pass_threshold":"60",'
        b'"competencies":[{"code":"a","weight":"0.6","pass_threshold":"50"},'
        b'{"code":"b","weight":"0.6","pass_threshold":"50"}]}'
    )
    with pytest.raises(msgspec.ValidationError, match="sum to exactly 1"):
        msgspec.json.decode(body, type=ModelVersion)
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(body.replace(b'"number":1,', b'"number":1,"x":1,'), type=ModelVersion)
