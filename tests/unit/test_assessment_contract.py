"""The vendor result contract v1: a valid body decodes; each broken rule is a clean InvalidResultPayload."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from domain.assessments.contract import InterviewResultV1, InvalidResultPayload, decode_result
from domain.kernel.errors import ErrorKind, InvalidInput

EXAMPLE: dict[str, Any] = {
    "schema": "meridian.interview-result.v1",
    "result_id": "res_01HZX",
    "vendor": "Acme Interviews",
    "model": "acme-interviewer",
    "model_version": "2026.03",
    "rubric_version": "r7",
    "reference": {"candidate_reference": "cand-42", "application_reference": "app-9"},
    "interview_language": "zh-CN",
    "completed_at": "2026-03-29T09:00:00+08:00",
    "recording": {"reference": "https://vendor.example/recordings/abc", "duration_seconds": "1834.5"},
    "competencies": [
        {
            "code": "communication",
            "name": "Communication",
            "score": "4.5",
            "scale_min": "1",
            "scale_max": "5",
            "confidence": "0.82",
            "evidence": [{"start_seconds": "12.0", "end_seconds": "48.5", "quote": "I explained the trade-offs."}],
        },
        {"code": "problem_solving", "name": "Problem solving", "score": 7, "scale_min": 0, "scale_max": 10},
    ],
}


def body(**changes: Any) -> bytes:
    return json.dumps({**copy.deepcopy(EXAMPLE), **changes}).encode()


def competency(**changes: Any) -> bytes:
    data = copy.deepcopy(EXAMPLE)
    data["competencies"][0].update(changes)
    return json.dumps(data).encode()


def test_a_valid_result_decodes_to_typed_values() -> None:
    result = decode_result(body())
    assert isinstance(result, InterviewResultV1)
    assert result.reference.candidate_reference == "cand-42"
    assert result.completed_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    first, second = result.competencies
    assert first.score == Decimal("4.5") and isinstance(first.score, Decimal)
    assert first.confidence == Decimal("0.82")
    assert first.evidence[0].end_seconds == Decimal("48.5")
    assert second.score == Decimal(7) and second.confidence is None and second.evidence == []
    assert result.recording is not None and result.recording.duration_seconds == Decimal("1834.5")


def test_optional_parts_may_be_left_out() -> None:
    data = copy.deepcopy(EXAMPLE)
    del data["recording"]
    data["reference"] = {"application_reference": "app-9"}
    result = decode_result(json.dumps(data).encode())
    assert result.recording is None and result.reference.candidate_reference is None


def test_json_numbers_keep_their_decimal_digits() -> None:
    result = decode_result(competency(score=0.1, scale_min=0, scale_max=0.3))
    assert result.competencies[0].score == Decimal("0.1")


INVALID: list[tuple[str, bytes, str]] = [
    ("not json", b"{", "truncated"),
    ("wrong schema", body(schema="meridian.interview-result.v2"), "schema"),
    ("unknown field", body(extra=1), "unknown field"),
    ("empty result id", body(result_id=""), "result_id"),
    ("long result id", body(result_id="x" * 201), "result_id"),
    ("no reference", body(reference={}), "reference"),
    ("bad language", body(interview_language="zh_CN"), "interview_language"),
    ("naive time", body(completed_at="2026-03-29T09:00:00"), "timezone"),
    ("no competencies", body(competencies=[]), "competencies"),
    ("too many competencies", body(competencies=[EXAMPLE["competencies"][1]] * 51), "competencies"),
    ("bad code", competency(code="Communication"), "code"),
    ("score above scale", competency(score="5.5"), "between scale_min and scale_max"),
    ("score below scale", competency(score="0.99"), "between scale_min and scale_max"),
    ("inverted scale", competency(scale_min="5", scale_max="1", score="3"), "below scale_max"),
    ("empty scale", competency(scale_min="5", scale_max="5", score="5"), "below scale_max"),
    ("confidence above 1", competency(confidence="1.01"), "confidence"),
    ("negative confidence", competency(confidence="-0.1"), "confidence"),
    ("not a number", competency(score="NaN"), "finite"),
    ("infinite scale", competency(scale_max="Infinity"), "finite"),
    ("huge exponent", competency(score="1E-999999"), "decimal places"),
    ("float string", competency(score="four"), "decimal"),
    ("evidence ends first", competency(evidence=[{"start_seconds": 5, "end_seconds": 4, "quote": "x"}]), "end"),
    ("negative start", competency(evidence=[{"start_seconds": -1, "end_seconds": 4, "quote": "x"}]), "start"),
    ("long quote", competency(evidence=[{"start_seconds": 0, "end_seconds": 1, "quote": "q" * 2001}]), "quote"),
    ("too much evidence", competency(evidence=[{"start_seconds": 0, "end_seconds": 1, "quote": "q"}] * 51), "evidence"),
    (
        "duplicate codes",
        body(competencies=[EXAMPLE["competencies"][1], EXAMPLE["competencies"][1]]),
        "more than once",
    ),
    ("long recording reference", body(recording={"reference": "r" * 1001}), "reference"),
]


@pytest.mark.parametrize(("payload", "hint"), [(p, h) for _, p, h in INVALID], ids=[name for name, _, _ in INVALID])
def test_each_broken_rule_is_an_invalid_result_payload(payload: bytes, hint: str) -> None:
    with pytest.raises(InvalidResultPayload) as caught:
        decode_result(payload)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.kind is ErrorKind.INVALID and error.code == "invalid_interview_result"
    assert hint.lower() in error.params["problem"].lower()
    assert error.params["problem"] in str(error)


def test_the_error_points_at_the_offending_competency() -> None:
    with pytest.raises(InvalidResultPayload) as caught:
        decode_result(competency(score="9"))
    assert "$.competencies[0]" in caught.value.params["problem"]


def test_the_published_schema_describes_every_field() -> None:
    _, components = msgspec.json.schema_components([InterviewResultV1])
    for definition in components.values():
        for name, field in definition["properties"].items():
            assert field.get("description"), f"{definition['title']}.{name} has no description"
    assert components["InterviewResultV1"]["additionalProperties"] is False
