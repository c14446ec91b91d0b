"""The vendor contract's refusal of emotion, face-sentiment and biometric-personality evidence (EU AI Act art.
5(1)(f)), read from field names, evidence kinds and competency codes, never from what the candidate said."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.assessments.contract import ProhibitedEvidenceKind, refuse_prohibited_evidence


def body(competency: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"schema": "meridian.interview-result.v1", "result_id": "r", "competencies": [
        {"code": "communication", "score": "4", **competency}], **extra}).encode()


@pytest.mark.parametrize(("document", "found", "pointer"), [
    (body({"emotion": {"joy": "0.8"}}), "emotion", "/competencies/0/emotion"),
    (body({"evidence_kind": "facial_expression"}), "facial_expression", "/competencies/0/evidence_kind"),
    (body({"code": "micro_expressions"}), "micro_expressions", "/competencies/0/code"),
    (body({}, analysis={"Personality-From-Voice": "0.3"}), "Personality-From-Voice",
     "/analysis/Personality-From-Voice"),
    (body({"evidence": [{"quote": "x", "sentiment_of_face": "0.2"}]}), "sentiment_of_face",
     "/competencies/0/evidence/0/sentiment_of_face"),
])
def test_a_prohibited_field_kind_or_code_is_refused_with_where_it_is(document: bytes, found: str,
                                                                     pointer: str) -> None:
    with pytest.raises(ProhibitedEvidenceKind) as refused:
        refuse_prohibited_evidence(document)
    assert refused.value.code == "prohibited_evidence_kind"
    assert (refused.value.params["found"], refused.value.params["pointer"]) == (found, pointer)


@pytest.mark.parametrize("document", [
    body({"evidence_kind": "work_sample"}),
    body({"code": "emotional_intelligence", "evidence_kind": "answer_content"}),  # a competency, from answers
    body({"evidence": [{"quote": "I stay calm; emotion and facial expression never decide for me."}]}),
    b"not json, though it says emotion",
])
def test_allowed_evidence_and_what_the_candidate_said_pass(document: bytes) -> None:
    refuse_prohibited_evidence(document)
