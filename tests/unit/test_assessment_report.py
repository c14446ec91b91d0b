"""Comparing evaluated applications, and the self-contained HTML report."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
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
    report_of,
)
from domain.assessments.scoring import Evaluation, ModelCompetency, ModelVersion, evaluate
from domain.kernel import reports
from domain.kernel.i18n import translate
from domain.kernel.reports import REPORT_HEADING_MESSAGES, JobModelSubject, Produced, ReportAuthor

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
SUBJECT = JobModelSubject(job_id=UUID(int=7), job_title="Support lead", model_id=MODEL.model_id,
                          model_name="Support lead competencies", model_version=2,
                          model_effective_from=date(2026, 1, 15))
PRODUCED = Produced(at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC), timezone="Asia/Tokyo",
                    by=ReportAuthor(subject="hr-lead", display_name="Mei Tanaka"))


def evaluation(
    scores: dict[str, str], *, evidence: int = 1, bare: tuple[str, ...] = (), model: ModelVersion = MODEL
) -> Evaluation:
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
    return evaluate(result, model)


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
    return render_html(report_of(comparison(), SUBJECT, PRODUCED), NAMES if names is None else names, locale)


def test_one_radar_chart_per_candidate_and_each_is_valid_svg() -> None:
    html = page()
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)
    assert len(charts) == html.count("<svg") == 4
    for chart in charts:
        svg = ET.fromstring(chart)
        circles = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle") if c.get("fill") == "none"]
        assert sorted(float(c.get("r", "0")) for c in circles) == [37.5, 75.0, 112.5, 150.0]
        polygons = list(svg.iter("{http://www.w3.org/2000/svg}polygon"))
        assert len(polygons) == 2  # the pass thresholds and the candidate
        assert all(len(p.get("points", "").split()) == 3 for p in polygons)
        labels = "".join(svg.itertext())
        assert "Communication" in labels and "Problem solving" in labels and "Teamwork" in labels
        # The ring values are drawn after both shapes, with a white halo: nothing covers them.
        children = list(svg)
        ticks = [c for c in children if c.tag.endswith("text") and (c.text or "") in ("25", "50", "75", "100")]
        assert len(ticks) == 4 and all(t.get("stroke") == "#ffffff" and t.get("paint-order") == "stroke" for t in ticks)
        assert min(children.index(t) for t in ticks) > max(children.index(p) for p in polygons)


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
    assert 'class="num pass"><b>90.00</b> <span class="verdict">Passed</span>' in html
    fail, passed = '<span class="verdict">Failed</span>', '<span class="verdict">Passed</span>'
    assert f'class="num fail"><b>20.00</b> {fail}<span class="gap">Gap -30.00</span>' in html
    assert f'class="num pass"><b>100.00</b> {passed}<span class="gap">Gap +50.00</span>' in html
    assert html.count('<td class="notscored">Not scored') == 1
    assert html.count('class="badge">Missing evidence') == 1  # scored without evidence; not scored says enough
    assert "3 of 3" in html and "82.50" in html
    assert "Passed" in html and "Failed" in html


def test_numbers_follow_the_locale() -> None:
    german = page("de")
    assert "82,50" in german and "-30,00" in german and "82.50" not in german
    english = page("en")
    assert "82.50" in english and "82,50" not in english
    assert '<html lang="zh-CN">' in page("zh_CN")
    assert "82.50" in page("zh_CN") and "82.50" in page("not-a-locale")


def wide_model(competencies: int) -> ModelVersion:
    """A model of ``competencies`` equally weighted competencies (the last takes the rounding), pass at 50."""
    share = (D(1) / competencies).quantize(D("0.0001"), rounding="ROUND_DOWN")
    weights = [share] * (competencies - 1) + [D(1) - share * (competencies - 1)]
    return ModelVersion(
        model_id=MODEL.model_id,
        number=2,
        competencies=[
            ModelCompetency(code=f"skill_{i}", weight=w, pass_threshold=D(50)) for i, w in enumerate(weights)
        ],
        overall_pass_threshold=D(50),
    )


def crowd(model: ModelVersion, candidates: int = 20) -> str:
    """The report of ``candidates`` candidates with long Japanese names, partly unscored, rendered in Japanese."""
    entries = []
    for index in range(candidates):
        codes = [c.code for c in model.competencies][: len(model.competencies) - index % 2]
        scores = {code: str(30 + (index * 7 + position * 11) % 70) for position, code in enumerate(codes)}
        label = f"候補者{index:02d} 山田花子ヤマダハナコ"
        entries.append(ComparisonEntry(application_id=UUID(int=index + 1), candidate_label=label,
                                       evaluation=evaluation(scores, model=model)))
    names = {c.code: f"コミュニケーション能力{i}" for i, c in enumerate(model.competencies)}
    return render_html(report_of(compare(model, entries), SUBJECT, PRODUCED), names, "ja")


def test_every_fixed_text_goes_through_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def recording(message: str, locale: str, **params: object) -> str:
        asked.append(message)
        return "⟦" + translate(message, locale, **params) + "⟧"

    monkeypatch.setattr(report, "translate", recording)
    monkeypatch.setattr(reports, "translate", recording)
    html = page("ja")
    wide = crowd(wide_model(8), candidates=3)
    pending = render_html(report_of(compare(MODEL, [PENDING, BARELY]), SUBJECT, PRODUCED), NAMES, "ja")
    assert set(asked) == set(REPORT_MESSAGES) | set(REPORT_HEADING_MESSAGES)
    assert len(REPORT_MESSAGES) == len(set(REPORT_MESSAGES))
    # Whatever is left of the visible text after removing translated parts, names and numbers is untranslated.
    data = {
        *NAMES.values(),
        *(e.candidate_label for e in (STRONG, TIE_MORE_PASSES, TIE_FEWER_PASSES, MISSING)),
        SUBJECT.job_title,
        SUBJECT.model_name,
        PRODUCED.by.display_name,
        PRODUCED.by.subject,
        PRODUCED.timezone,
        *(e.candidate_label for e in (PENDING, BARELY)),
    }
    for text in (html, wide, pending):
        visible = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", "\n", text, flags=re.DOTALL))
        visible = re.sub(r"⟦[^⟧]*⟧", "", visible)
        for name in sorted(data, key=len, reverse=True):
            visible = visible.replace(name, "")
        assert re.findall(r"[A-Za-z]{2,}", visible) == []


# -- not scored is not failed, and the ranking rule -------------------------------------------------

# Scored on two of three competencies, both above their thresholds: nothing failed, nothing complete.
PENDING = entry("Pat", {"communication": "95", "problem_solving": "95"})
# Scored on two, one of them below its threshold: failed, whatever the third says.
FAILING_PARTLY = entry("Quinn", {"communication": "95", "problem_solving": "10"})
# Fully scored, every competency and the overall at or above the thresholds, but a low overall score.
BARELY = entry("Rae", {"communication": "50", "problem_solving": "50", "teamwork": "60"})


def test_a_competency_without_a_score_is_not_scored_not_failed() -> None:
    result = compare(MODEL, [PENDING, FAILING_PARTLY, BARELY])
    by_label = {c.candidate_label: c for c in result.candidates}
    pat = by_label["Pat"]
    assert (pat.outcome, pat.passes_all_thresholds, pat.passed, pat.failed_count) == ("not_scored", False, False, 0)
    teamwork = pat.scores[2]
    assert (teamwork.scored, teamwork.score, teamwork.passed, teamwork.gap) == (False, None, None, None)
    assert [s.scored for s in pat.scores] == [True, True, False]
    quinn = by_label["Quinn"]
    assert (quinn.outcome, quinn.failed_count, quinn.scores[2].passed) == ("failed", 1, None)
    assert by_label["Rae"].outcome == "passed" and by_label["Rae"].passes_all_thresholds
    nobody = compare(MODEL, [entry("Zero", {"leadership": "10"}), BARELY]).candidates[1]
    assert (nobody.outcome, nobody.overall, nobody.failed_count) == ("not_scored", None, 0)
    # Fully scored, every competency passed, the overall below its threshold: failed.
    strict = msgspec.structs.replace(MODEL, overall_pass_threshold=D(55))
    low = ComparisonEntry(application_id=uuid4(), candidate_label="Low", evaluation=evaluation(
        {"communication": "50", "problem_solving": "50", "teamwork": "60"}, model=strict))
    assert report._outcome(low.evaluation, 0) == "failed"


def test_the_page_says_not_scored_where_nothing_failed() -> None:
    html = render_html(report_of(compare(MODEL, [PENDING, FAILING_PARTLY, BARELY]), SUBJECT, PRODUCED), NAMES, "en")
    ranking = html[html.index("<h2>Ranking</h2>") : html.index("<h2>Scores by competency</h2>")]
    rows = {re.search(r'class="candidate">([^<]*)<', row).group(1): row  # type: ignore[union-attr]
            for row in re.findall(r"<tr>.*?</tr>", ranking) if 'class="candidate">' in row and "<td" in row}
    assert '<td class="outcome notscored">Not fully scored</td>' in rows["Pat"] and "Failed" not in rows["Pat"]
    assert '<td class="outcome fail">Failed</td>' in rows["Quinn"]
    assert '<td class="outcome pass">Passed</td>' in rows["Rae"]
    scores = html[html.index("<h2>Scores by competency</h2>") : html.index("<h2>Competency profiles</h2>")]
    pat_row = next(row for row in re.findall(r"<tr>.*?</tr>", scores) if ">Pat<" in row)
    assert pat_row.count("Passed") == 2 and "Failed" not in pat_row and '<td class="notscored">Not scored' in pat_row


def test_candidates_passing_every_threshold_rank_above_higher_scores_that_do_not() -> None:
    result = compare(MODEL, [PENDING, FAILING_PARTLY, BARELY, STRONG, MISSING])
    ranked = [(c.rank, c.candidate_label, c.passes_all_thresholds, c.overall) for c in result.candidates]
    assert ranked == [
        (1, "Dana", True, D("82.50")),
        (2, "Rae", True, D("52.50")),
        (3, "Pat", False, D("95.00")),  # the highest score, but not scored on teamwork
        (4, "Quinn", False, D("66.67")),
        (5, MISSING.candidate_label, False, D("60.00")),
    ]


def test_the_json_comparison_carries_the_same_semantics() -> None:
    answer = msgspec.to_builtins(report_of(compare(MODEL, [PENDING, BARELY]), SUBJECT, PRODUCED))
    first, second = answer["candidates"]
    assert (first["candidate_label"], first["rank"], first["passes_all_thresholds"], first["outcome"]) == (
        "Rae", 1, True, "passed")
    assert (second["candidate_label"], second["outcome"], second["passes_all_thresholds"]) == (
        "Pat", "not_scored", False)
    assert second["scores"][2] == {
        "code": "teamwork", "scored": False, "score": None, "passed": None, "gap": None, "evidence_count": 0,
        "confidence": None, "missing_evidence": True}
    assert answer["subject"] == {
        "job_id": str(UUID(int=7)), "job_title": "Support lead", "model_id": str(MODEL.model_id),
        "model_name": "Support lead competencies", "model_version": 2, "model_effective_from": "2026-01-15"}
    assert answer["produced"] == {"at": "2026-03-31T23:30:00Z", "timezone": "Asia/Tokyo",
                                  "by": {"subject": "hr-lead", "display_name": "Mei Tanaka"}}


def test_the_footer_explains_the_ranking_rule() -> None:
    notes = page()[page().index('<div class="notes">') :]
    assert report.RANKING_RULE in notes
    assert "neither passed nor failed" in notes


# -- what the report is about ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "effective", "produced"),
    [
        ("en", "January 15, 2026", "April 1, 2026"),  # 23:30 UTC on 31 March is the morning of 1 April in Tokyo
        ("ja", "2026年1月15日", "2026年4月1日"),
        ("zh_CN", "2026年1月15日", "2026年4月1日"),
    ],
)
def test_the_report_names_its_job_model_version_date_and_producer(locale: str, effective: str, produced: str) -> None:
    html = page(locale)
    head = html[: html.index("<h2>")]
    for text in ("Support lead", "Support lead competencies", effective, produced, "8:30", "Asia/Tokyo",
                 "Mei Tanaka", "hr-lead"):
        assert text in head, text
    assert head.count('class="meta subject"') == 3


# -- layout: 2 to 20 candidates on screen and on A4 landscape -----------------------------------------


def css_of(html: str) -> str:
    return html[html.index("<style>") + 7 : html.index("</style>")]


def test_twenty_candidates_never_make_a_page_wider_than_a4_landscape() -> None:
    model = wide_model(14)
    html = crowd(model)
    css = css_of(html)
    assert "@page{size:A4 landscape" in css
    # Candidates are rows: each table has the rank, the candidate and at most COMPETENCIES_PER_TABLE columns.
    tables = re.findall(r"<table.*?</table>", html, flags=re.DOTALL)
    assert len(tables) == 1 + math.ceil(14 / report.COMPETENCIES_PER_TABLE)
    for table in tables[1:]:  # the first is the summary: rank, candidate, overall score, outcome, counts
        header = re.search(r"<thead><tr>(.*?)</tr></thead>", table, flags=re.DOTALL).group(1)  # type: ignore[union-attr]
        assert header.count("<th") <= 2 + report.COMPETENCIES_PER_TABLE
        assert len(re.findall(r"<tr>", table)) == 21  # a header and one row per candidate
    assert "table{border-collapse:collapse;width:100%" in css
    # Nothing has a fixed width: tables fill the page, charts are cards of a wrapping grid scaled to their card.
    for prop, value in re.findall(r"(?:^|[;{])\s*((?:min-)?width):\s*([^;}]+)", css, flags=re.MULTILINE):
        size = re.fullmatch(r"([\d.]+)(%|r?em)?", value)
        assert size and (size.group(2) == "%" or float(size.group(1)) <= 10), (prop, value)  # no px, no wide em
    assert ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%," in css
    assert "grid-template-columns:repeat(2,minmax(0,1fr))" in css  # two charts a row on paper
    assert html.count("<figure>") == 20
    for svg in re.findall(r"<svg[^>]*>", html):
        assert "viewBox=" in svg and "width=" not in svg
    assert "svg{display:block;width:100%;height:auto}" in css


def test_japanese_columns_and_headers_keep_their_shape() -> None:
    css = css_of(crowd(wide_model(3), candidates=2))
    # The candidate column never shrinks to one character a line; long names wrap within it.
    assert ".candidate{min-width:9em;max-width:22em;overflow-wrap:break-word" in css
    # Headers break only between words (never inside one, never between two Japanese characters).
    assert "th{word-break:keep-all;overflow-wrap:normal" in css
    html = crowd(wide_model(3), candidates=2)
    assert html.count('<th class="candidate">') == 2 and html.count('<td class="candidate">') == 4
    assert '<html lang="ja">' in html


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

    html = render_html(report_of(compare(single, [scored("A", "2"), scored("B", "4")]), SUBJECT, PRODUCED), {}, "ja")
    assert html.count("<svg") == 2 and "communication" in html and "75.00" in html
