"""Comparing evaluated applications, and the self-contained HTML report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.assessments import report
from domain.assessments.contract import CompetencyScore, Evidence, InterviewResultV1, ResultReference
from domain.assessments.report import (
    REPORT_MESSAGES,
    Comparison,
    ComparisonEntry,
    ComparisonModelMismatch,
    ComparisonSize,
    DuplicateComparisonEntry,
    compare,
    render_html,
)
from domain.assessments.scoring import Evaluation, ModelCompetency, ModelVersion, evaluate
from domain.kernel.i18n import translate

D = Decimal
MODEL = ModelVersion(
    model_id=UUID("0b0e8d1e-7c1a-4d7e-9a55-3f1a2b3c4d5e"),
    number=2,
    competencies=[
        ModelCompetency(code="communication", weight=D("0.5"), pass_threshold=D(50)),
        ModelCompetency(code="problem_solving", weight=D("0.25"), pass_threshold=D(50)),
        ModelCompetency(code="teamwork", weight=D("0.25"), pass_threshold=D(60)),
    ],
    overall_pass_threshold=D(50),
)
NAMES = {"communication": "Communication", "problem_solving": "Problem solving", "teamwork": "Teamwork"}


def evaluation(scores: dict[str, str], *, evidence: int = 1, bare: tuple[str, ...] = ()) -> Evaluation:
    """Scores on a 0-100 scale; codes in ``bare`` have no evidence."""
    result = InterviewResultV1(
        schema="meridian.interview-result.v1",
        result_id=str(uuid4()),
        vendor="Acme",
        model="acme",
        model_version="1",
        rubric_version="r1",
        reference=ResultReference(application_reference="app"),
        interview_language="en",
        completed_at=datetime(2026, 3, 1, tzinfo=UTC),
        competencies=[
            CompetencyScore(
                code=code,
                name=code,
                score=D(score),
                scale_min=D(0),
                scale_max=D(100),
                evidence=[] if code in bare else [Evidence(start_seconds=D(1), end_seconds=D(2), quote="q")] * evidence,
            )
            for code, score in scores.items()
        ],
    )
    return evaluate(result, MODEL)


def entry(label: str, scores: dict[str, str], **options: object) -> ComparisonEntry:
    return ComparisonEntry(application_id=uuid4(), candidate_label=label, evaluation=evaluation(scores, **options))


# One passes everything; two tie on the overall (55) but differ in competencies passed; one misses teamwork.
STRONG = entry("Dana", {"communication": "90", "problem_solving": "80", "teamwork": "70"})
TIE_MORE_PASSES = entry("Yusuf", {"communication": "55", "problem_solving": "55", "teamwork": "55"})
TIE_FEWER_PASSES = entry("Ann", {"communication": "100", "problem_solving": "20", "teamwork": "0"})
MISSING = entry(
    "Chen <script>alert(1)</script>", {"communication": "70", "problem_solving": "40"}, bare=("problem_solving",)
)


def comparison() -> Comparison:
    return compare(MODEL, [MISSING, TIE_FEWER_PASSES, STRONG, TIE_MORE_PASSES])


def test_the_ranking_is_by_overall_then_passed_competencies_then_label() -> None:
    result = comparison()
    assert [c.candidate_label for c in result.candidates] == [
        "Dana",  # 82.50
        MISSING.candidate_label,  # (0.5 x 70 + 0.25 x 40) / 0.75 = 60.00
        "Yusuf",  # 55.00, 2 passed
        "Ann",  # 55.00, 1 passed
    ]
    assert [c.rank for c in result.candidates] == [1, 2, 3, 4]
    assert [c.overall for c in result.candidates] == [D("82.50"), D("60.00"), D("55.00"), D("55.00")]
    assert [c.passed_count for c in result.candidates] == [3, 1, 2, 1]
    assert [c.passed for c in result.candidates] == [True, False, False, False]


def test_equal_candidates_are_ordered_by_label() -> None:
    scores = {"communication": "60", "problem_solving": "60", "teamwork": "60"}
    result = compare(MODEL, [entry("bea", scores), entry("Abe", scores), entry("Cy", scores)])
    assert [c.candidate_label for c in result.candidates] == ["Abe", "bea", "Cy"]


def test_unscored_candidates_rank_last() -> None:
    result = compare(MODEL, [entry("Zero", {"leadership": "10"}), entry("Low", {"communication": "1"})])
    assert [c.candidate_label for c in result.candidates] == ["Low", "Zero"]
    assert result.candidates[1].overall is None


def test_scores_and_gaps_sit_side_by_side_in_model_order() -> None:
    result = comparison()
    assert [c.code for c in result.competencies] == ["communication", "problem_solving", "teamwork"]
    ann = result.candidates[3]
    assert [s.code for s in ann.scores] == ["communication", "problem_solving", "teamwork"]
    assert [s.score for s in ann.scores] == [D("100.00"), D("20.00"), D("0.00")]
    assert [s.gap for s in ann.scores] == [D("50.00"), D("-30.00"), D("-60.00")]
    assert [s.passed for s in ann.scores] == [True, False, False]


def test_missing_evidence_flags_unscored_and_unsupported_competencies() -> None:
    chen = comparison().candidates[1]
    assert chen.missing == ["teamwork"]
    assert chen.missing_evidence == ["problem_solving", "teamwork"]
    assert [s.missing_evidence for s in chen.scores] == [False, True, True]
    assert comparison().candidates[0].missing_evidence == []


@pytest.mark.parametrize("count", [0, 1, 21])
def test_a_comparison_needs_two_to_twenty_applications(count: int) -> None:
    entries = [entry(f"c{i}", {"communication": "50"}) for i in range(count)]
    with pytest.raises(ComparisonSize) as caught:
        compare(MODEL, entries)
    assert caught.value.params == {"minimum": 2, "maximum": 20, "count": count}


def test_twenty_applications_are_fine() -> None:
    assert len(compare(MODEL, [entry(f"c{i}", {"communication": str(i)}) for i in range(20)]).candidates) == 20


def test_every_evaluation_must_use_the_same_model_version() -> None:
    newer = msgspec.structs.replace(MODEL, number=3)
    with pytest.raises(ComparisonModelMismatch):
        compare(newer, [STRONG, MISSING])
    other = msgspec.structs.replace(MODEL, model_id=uuid4())
    with pytest.raises(ComparisonModelMismatch):
        compare(other, [STRONG, MISSING])


def test_an_application_may_appear_only_once() -> None:
    with pytest.raises(DuplicateComparisonEntry):
        compare(MODEL, [STRONG, STRONG])


# -- HTML ----------------------------------------------------------------------------------------


def page(locale: str = "en", names: dict[str, str] | None = None) -> str:
    return render_html(comparison(), NAMES if names is None else names, locale)


def test_one_radar_chart_per_candidate_and_each_is_valid_svg() -> None:
    html = page()
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)
    assert len(charts) == html.count("<svg") == 4
    for chart in charts:
        svg = ET.fromstring(chart)
        circles = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle") if c.get("fill") == "none"]
        assert sorted(float(c.get("r", "0")) for c in circles) == [27.5, 55.0, 82.5, 110.0]
        polygons = list(svg.iter("{http://www.w3.org/2000/svg}polygon"))
        assert len(polygons) == 2  # the pass thresholds and the candidate
        assert all(len(p.get("points", "").split()) == 3 for p in polygons)
        labels = "".join(svg.itertext())
        assert "Communication" in labels and "Problem solving" in labels and "Teamwork" in labels


def test_the_page_is_self_contained() -> None:
    html = page()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<style>" in html
    for external in ("<script", "<link", "src=", "@import", "url(", "href="):
        assert external not in html.lower()


def test_text_from_data_is_escaped() -> None:
    names = {**NAMES, "teamwork": '<img onerror="x">Team & "work"'}
    html = page(names=names)
    assert "<script>" not in html and "<img" not in html
    assert "Chen &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img onerror=&quot;x&quot;&gt;Team &amp; &quot;work&quot;" in html


def test_the_tables_show_pass_fail_gaps_and_badges() -> None:
    html = page()
    assert "<h2>Ranking</h2>" in html and "<h2>Scores by competency</h2>" in html
    assert 'class="num pass">90.00' in html
    assert 'class="num fail">20.00<span class="gap">Gap -30.00</span>' in html
    assert 'class="num pass">100.00<span class="gap">Gap +50.00</span>' in html
    assert html.count('<td class="notscored">Not scored') == 1
    assert html.count('class="badge">Missing evidence') == 2
    assert "3 of 3" in html and "82.50" in html
    assert "Passed" in html and "Failed" in html


def test_numbers_follow_the_locale() -> None:
    german = page("de")
    assert "82,50" in german and "-30,00" in german and "82.50" not in german
    english = page("en")
    assert "82.50" in english and "82,50" not in english
    assert '<html lang="zh-CN">' in page("zh_CN")
    assert "82.50" in page("zh_CN") and "82.50" in page("not-a-locale")


def test_every_fixed_text_goes_through_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def recording(message: str, locale: str, **params: object) -> str:
        asked.append(message)
        return "⟦" + translate(message, locale, **params) + "⟧"

    monkeypatch.setattr(report, "translate", recording)
    html = page("ja")
    assert set(asked) == set(REPORT_MESSAGES)
    assert len(REPORT_MESSAGES) == len(set(REPORT_MESSAGES))
    # Whatever is left of the visible text after removing translated parts, names and numbers is untranslated.
    visible = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", "\n", html, flags=re.DOTALL))
    visible = re.sub(r"⟦[^⟧]*⟧", "", visible)
    for name in sorted(
        {*NAMES.values(), *(e.candidate_label for e in (STRONG, TIE_MORE_PASSES, TIE_FEWER_PASSES, MISSING))},
        key=len,
        reverse=True,
    ):
        visible = visible.replace(name, "")
    assert re.findall(r"[A-Za-z]{2,}", visible) == []


def test_a_model_with_one_competency_still_draws_its_charts() -> None:
    single = ModelVersion(
        model_id=MODEL.model_id,
        number=1,
        competencies=[ModelCompetency(code="communication", weight=D(1), pass_threshold=D(50))],
        overall_pass_threshold=D(50),
    )

    def scored(label: str, score: str) -> ComparisonEntry:
        result = InterviewResultV1(
            schema="meridian.interview-result.v1",
            result_id=label,
            vendor="Acme",
            model="acme",
            model_version="1",
            rubric_version="r1",
            reference=ResultReference(application_reference="app"),
            interview_language="ja",
            completed_at=datetime(2026, 3, 1, tzinfo=UTC),
            competencies=[
                CompetencyScore(code="communication", name="c", score=D(score), scale_min=D(1), scale_max=D(5))
            ],
        )
        return ComparisonEntry(application_id=uuid4(), candidate_label=label, evaluation=evaluate(result, single))

    html = render_html(compare(single, [scored("A", "2"), scored("B", "4")]), {}, "ja")
    assert html.count("<svg") == 2 and "communication" in html and "75.00" in html
