"""The canonical vendor result contract, version 1: what an AI-interview vendor sends Meridian.

Vocabulary after HR-XML assessment results and Kombo's assessment API: a result carries the vendor's
own references, the model that produced it, and one score per competency on the vendor's own scale,
with the evidence (quotes with their place in the recording) behind each score.

Decimal ranges are checked in ``__post_init__`` (not ``msgspec.Meta(ge=...)``, which fails at request
time on Decimal fields): a ValueError there becomes a msgspec ValidationError, so a clean 400.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from domain.assessments.model import CompetencyCode, require_decimal
from domain.kernel.date_range import EARLIEST, LATEST, in_range
from domain.kernel.errors import ErrorKind, InvalidInput

SCHEMA_V1 = "meridian.interview-result.v1"

class Evidence(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A passage of the interview that supports a competency score."""

    start_seconds: Annotated[
        Decimal, msgspec.Meta(description="Where the passage starts, in seconds from the start of the recording.")
    ]
    end_seconds: Annotated[
        Decimal, msgspec.Meta(description="Where the passage ends, in seconds; not before start_seconds.")
    ]
    quote: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=2000, description="What the candidate said, verbatim or transcribed."),
    ]

    def __post_init__(self) -> None:
        require_decimal(self.start_seconds, "start_seconds", low=Decimal(0))
        require_decimal(self.end_seconds, "end_seconds", low=Decimal(0))
        if self.end_seconds < self.start_seconds:
            raise ValueError("end_seconds must not be before start_seconds")


#: What a competency score may rest on (contract v1): what the candidate said or did, never how their face, voice or
#: body looked or sounded. ``answer_content`` (the content of their answers), ``structured_interview`` (answers to a
#: structured interview guide), ``work_sample`` (a task or case they completed), ``knowledge_test`` (a test of
#: knowledge), ``skills_test`` (a practical skills test), ``situational_judgement`` (choices in described situations).
EVIDENCE_KINDS = ("answer_content", "structured_interview", "work_sample", "knowledge_test", "skills_test",
                  "situational_judgement")
EvidenceKind = Literal["answer_content", "structured_interview", "work_sample", "knowledge_test", "skills_test",
                       "situational_judgement"]
#: Refused outright, as a field anywhere in a result, as an ``evidence_kind`` or as a competency ``code``: emotion
#: recognition and inferences from biometric data (face, voice, micro-expressions). EU AI Act (Regulation (EU)
#: 2024/1689) art. 5(1)(f) prohibits emotion recognition in the workplace, which covers recruitment.
PROHIBITED_EVIDENCE = re.compile(
    r"^(emotions?|emotion_[a-z0-9_]*|emotional_state|affect_[a-z0-9_]*|facial_[a-z0-9_]*|face_[a-z0-9_]*"
    r"|[a-z0-9_]*_of_face|sentiment_of_[a-z0-9_]*|micro_?expressions?|[a-z0-9_]*personality_from_[a-z0-9_]*"
    r"|voice_(stress|emotion|sentiment|tone)[a-z0-9_]*|biometric[a-z0-9_]*|gaze_[a-z0-9_]*)$")
PROHIBITED_EXAMPLES = ("emotion", "facial_expression", "sentiment_of_face", "personality_from_voice",
                       "personality_from_face", "micro_expressions", "voice_stress", "biometric_personality")
_MAYBE_PROHIBITED = re.compile(rb"(?i)emotion|affect|fac(e|ial)|express|personality|voice|biometric|gaze")


class CompetencyScore(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The vendor's score for one competency, on the vendor's own scale, and the kind of evidence it rests on.
    Emotion recognition, sentiment of the face and personality inferred from biometrics (voice, face,
    micro-expressions) are refused (EU AI Act art. 5(1)(f)): such a field or kind refuses the result with the code
    prohibited_evidence_kind."""

    code: CompetencyCode
    name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=200, description="The competency's name as the vendor shows it.")
    ]
    score: Annotated[
        Decimal, msgspec.Meta(description="The score, between scale_min and scale_max inclusive (a decimal string).")
    ]
    scale_min: Annotated[Decimal, msgspec.Meta(description="The lowest score the vendor's scale allows.")]
    scale_max: Annotated[
        Decimal, msgspec.Meta(description="The highest score the vendor's scale allows; above scale_min.")
    ]
    confidence: Annotated[
        Decimal | None, msgspec.Meta(description="The vendor's confidence in this score, from 0 to 1.")
    ] = None
    evidence: Annotated[
        list[Evidence],
        msgspec.Meta(max_length=50, description="Passages supporting the score (at most 50); may be empty."),
    ] = msgspec.field(default_factory=list)
    evidence_kind: Annotated[EvidenceKind, msgspec.Meta(description=(
        "What the score rests on: answer_content (default), structured_interview, work_sample, knowledge_test, "
        "skills_test or situational_judgement. Emotion, facial expression, sentiment of the face, micro-expressions "
        "or personality from voice or face are refused (prohibited_evidence_kind; EU AI Act art. 5(1)(f))."))] = (
        "answer_content")

    def __post_init__(self) -> None:
        require_decimal(self.scale_min, "scale_min")
        require_decimal(self.scale_max, "scale_max")
        require_decimal(self.score, "score")
        if self.scale_min >= self.scale_max:
            raise ValueError("scale_min must be below scale_max")
        if not self.scale_min <= self.score <= self.scale_max:
            raise ValueError("score must lie between scale_min and scale_max")
        if self.confidence is not None:
            require_decimal(self.confidence, "confidence", low=Decimal(0), high=Decimal(1))


Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ResultReference(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The vendor's own references for whom and what was assessed; at least one is required."""

    candidate_reference: Annotated[
        Reference | None, msgspec.Meta(description="The vendor's own reference for the candidate.")
    ] = None
    application_reference: Annotated[
        Reference | None, msgspec.Meta(description="The vendor's own reference for the application.")
    ] = None

    def __post_init__(self) -> None:
        if self.candidate_reference is None and self.application_reference is None:
            raise ValueError("reference needs candidate_reference or application_reference")


class Recording(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Where the vendor keeps the interview recording."""

    reference: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=1000, description="The vendor's reference or URI for the recording."),
    ]
    duration_seconds: Annotated[Decimal | None, msgspec.Meta(description="The recording's length in seconds.")] = None

    def __post_init__(self) -> None:
        if self.duration_seconds is not None:
            require_decimal(self.duration_seconds, "duration_seconds", low=Decimal(0))


class InterviewResultV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An AI-interview result, contract meridian.interview-result.v1."""

    schema: Annotated[
        Literal["meridian.interview-result.v1"], msgspec.Meta(description="The contract name and version.")
    ]
    result_id: Annotated[
        str, msgspec.Meta(min_length=1, max_length=200, description="The vendor's id for this result.")
    ]
    vendor: Annotated[str, msgspec.Meta(min_length=1, max_length=100, description="The vendor's name.")]
    model: Annotated[
        str, msgspec.Meta(min_length=1, max_length=100, description="The assessment model that produced the scores.")
    ]
    model_version: Annotated[str, msgspec.Meta(min_length=1, max_length=100, description="The model's version.")]
    rubric_version: Annotated[
        str, msgspec.Meta(min_length=1, max_length=100, description="The version of the scoring rubric applied.")
    ]
    reference: Annotated[ResultReference, msgspec.Meta(description="The vendor's references for the candidate.")]
    interview_language: Annotated[
        str,
        msgspec.Meta(
            min_length=2,
            max_length=35,
            pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
            description="The interview's language as a BCP 47 tag, for example zh-CN.",
            examples=["zh-CN"],
        ),
    ]
    completed_at: Annotated[
        datetime, msgspec.Meta(tz=True, description="When the interview was completed (RFC 3339, with offset).")
    ]
    competencies: Annotated[
        list[CompetencyScore],
        msgspec.Meta(min_length=1, max_length=50, description="One score per competency (1-50), codes unique."),
    ]
    recording: Annotated[Recording | None, msgspec.Meta(description="Where the interview recording is, if kept.")] = (
        None
    )

    def __post_init__(self) -> None:
        if not in_range(self.completed_at.date()):
            raise ValueError(f"completed_at must fall between {EARLIEST} and {LATEST}")
        seen: set[str] = set()
        for competency in self.competencies:
            if competency.code in seen:
                raise ValueError(f"competency code {competency.code} appears more than once")
            seen.add(competency.code)


class InterviewResultBatchV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A batch of AI-interview results in one signed request, contract meridian.interview-result-batch.v1: up to 100
    results, each following meridian.interview-result.v1."""

    schema: Annotated[
        Literal["meridian.interview-result-batch.v1"], msgspec.Meta(description="The contract name and version.")
    ]
    results: Annotated[
        list[InterviewResultV1],
        msgspec.Meta(min_length=1, max_length=100, description=(
            "The results (1-100), each checked on its own: a result that breaks the contract is refused and reported "
            "at its index while the others are stored.")),
    ]


class InvalidResultPayload(InvalidInput):
    code = "invalid_interview_result"
    title = "Invalid interview result"
    template = "The interview result does not follow the contract meridian.interview-result.v1: {problem}"


_decoder = msgspec.json.Decoder(InterviewResultV1)


def decode_result(body: bytes) -> InterviewResultV1:
    """Decode and validate a vendor's JSON body; InvalidResultPayload carries msgspec's message as ``problem``."""
    try:
        return _decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise InvalidResultPayload(problem=str(exc)) from None
    except UnicodeDecodeError:
        raise InvalidResultPayload(problem="the body is not valid UTF-8") from None
    except RecursionError:
        raise InvalidResultPayload(problem="the body is nested too deeply") from None


class DuplicateJsonKey(InvalidResultPayload):
    code = "duplicate_json_key"
    title = "Duplicate key in a signed delivery"
    template = ("The key {key} appears more than once in the same object; a signed delivery must read the same to "
                "every parser, so each key may appear only once.")


#: Enough of a repeated key for the vendor to find it, without echoing a body-sized key back.
_KEY_SHOWN = 100


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateJsonKey(key=key[:_KEY_SHOWN])
        found[key] = value
    return found


def refuse_duplicate_keys(body: bytes) -> None:
    """Refuse a body in which any object, at any depth, names a key twice.

    A signed body must mean one thing: with a key twice, msgspec keeps the last value and another parser (the
    vendor's own, an auditor's) may keep the first, so the same signature would vouch for two results. msgspec
    cannot report duplicates, so the standard library parses the body once more, only on this path. Keys are
    compared after unescaping, so ``"a"`` and ``"\\u0061"`` are the same key, as they are to every parser. A body
    that is not JSON at all is left for :func:`decode_result` to describe.
    """
    try:
        json.loads(body.decode("utf-8"), object_pairs_hook=_unique_object)
    except (ValueError, RecursionError):  # not UTF-8 or not JSON (UnicodeDecodeError is a ValueError)
        return


class ProhibitedEvidenceKind(InvalidResultPayload):
    code = "prohibited_evidence_kind"
    kind = ErrorKind.UNPROCESSABLE
    title = "Prohibited evidence kind"
    template = ("The result carries {found} at {pointer}. Meridian refuses emotion recognition, sentiment of the face "
                "and personality inferred from biometrics (EU AI Act art. 5(1)(f)); a score may rest only on "
                "{allowed}.")


def _pointer(path: list[str]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)


def _prohibited_in(value: Any, path: list[str]) -> tuple[str, str] | None:
    """The first prohibited field name, evidence kind or competency code in a decoded JSON value, and where."""
    if isinstance(value, dict):
        for key, item in value.items():
            if PROHIBITED_EVIDENCE.match(key.strip().lower().replace("-", "_")):
                return key, _pointer([*path, key])
            if key in ("evidence_kind", "code") and isinstance(item, str) and PROHIBITED_EVIDENCE.match(
                    item.strip().lower().replace("-", "_")):
                return item, _pointer([*path, key])
            found = _prohibited_in(item, [*path, key])
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _prohibited_in(item, [*path, str(index)])
            if found:
                return found
    return None


def refuse_prohibited_evidence(body: bytes) -> None:
    """Refuse a result that carries an emotion, face-sentiment or biometric-personality field, evidence kind or
    competency code, naming it and where (a JSON pointer into the result). Quotes are not read: only field names,
    ``evidence_kind`` and ``code`` values. Most bodies never mention any such word and are not parsed again."""
    if not _MAYBE_PROHIBITED.search(body):
        return
    try:
        document = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return  # not JSON: decode_result describes it
    found = _prohibited_in(document, [])
    if found:
        raise ProhibitedEvidenceKind(found=found[0][:_KEY_SHOWN], pointer=found[1][:_KEY_SHOWN * 3],
                                     allowed=", ".join(EVIDENCE_KINDS))


def decode_signed_result(body: bytes) -> InterviewResultV1:
    """A signed delivery's result: read one way only, checked for prohibited evidence, then decoded and validated
    like any result."""
    refuse_duplicate_keys(body)
    refuse_prohibited_evidence(body)
    return decode_result(body)
