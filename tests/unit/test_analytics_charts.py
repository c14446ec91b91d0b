"""The analytics pages: valid SVG, escaped data, every fixed text from the declared tuples, locale numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from uuid import UUID

import msgspec
import pytest

from domain.analytics import charts
from domain.analytics.attrition import (
    ATTRITION_MESSAGES,
    FALLBACK,
    MODEL_CARD_MESSAGES,
    AttritionFeatures,
    AttritionReport,
    EmployeeRisk,
    LabelledHistory,
    RiskFactor,
    RiskScore,
    model_card,
    score,
    train,
)
from domain.analytics.charts import (
    ATTRITION_CHART_MESSAGES,
    FEEDBACK_CHART_MESSAGES,
    render_attrition_html,
    render_feedback_loop_html,
)
from domain.analytics.feedback_loop import (
    FEEDBACK_LOOP_MESSAGES,
    FeedbackLoopAnalysis,
    FeedbackLoopReport,
    HireOutcome,
    analyse,
)
from domain.kernel import reports
from domain.kernel.i18n import translate
from domain.kernel.reports import REPORT_HEADING_MESSAGES, JobModelSubject, Produced, ReportAuthor
from tests.unit.test_attrition import synthetic
from tests.unit.test_feedback_loop import WEIGHTS, population

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
NAMES = {"a": "Analysis & <b>rigour</b>", "b": "Teamwork"}


def planted() -> list[HireOutcome]:
    star = HireOutcome(
        employee_id=UUID(int=999),
        label='Eve <script>alert("x")</script>',
        interview_scores={"a": D(98), "b": D(97)},
        performance={},
        overall_performance=D(1),
    )
    return [*population(), star]


SUBJECT = JobModelSubject(job_id=UUID(int=5), job_title="Data engineer", model_id=UUID(int=6),
                          model_name="Data engineering", model_version=4, model_effective_from=date(2026, 2, 1))
PRODUCED = Produced(at=datetime(2026, 6, 30, 16, 0, tzinfo=UTC), timezone="Asia/Shanghai",
                    by=ReportAuthor(subject="hr-7", display_name="Li Na"))
DATA_TEXTS = (SUBJECT.job_title, SUBJECT.model_name, PRODUCED.by.display_name, PRODUCED.by.subject,
              PRODUCED.timezone)


def report(analysis: FeedbackLoopAnalysis) -> FeedbackLoopReport:
    return FeedbackLoopReport(**msgspec.structs.asdict(analysis), subject=SUBJECT, produced=PRODUCED)


def enough() -> FeedbackLoopReport:
    return report(analyse(planted(), WEIGHTS))


def too_few() -> FeedbackLoopReport:
    return report(analyse(population(6), WEIGHTS))


def nobody() -> FeedbackLoopReport:
    return report(analyse([], WEIGHTS))


def risks() -> list[EmployeeRisk]:
    people = [
        ("Ann", AttritionFeatures(training_participation=0.1, tenure_months=3, pay_position=0.85)),
        ("Bo <i>", AttritionFeatures(training_participation=1, tenure_months=60, pay_position=1.2, culture_fit=90)),
        ("Cy", AttritionFeatures(training_participation=0.6, tenure_months=20, pay_position=1, review_trend=-1)),
        ("Di", AttritionFeatures(training_participation=0.9, tenure_months=40, pay_position=1)),
    ]
    rows = [
        EmployeeRisk(employee_id=UUID(int=i + 1), label=n, risk=score(f, FALLBACK)) for i, (n, f) in enumerate(people)
    ]
    trained = RiskScore(
        score=D("0.912"),
        band="high",
        method="trained",
        top_factors=[
            RiskFactor(
                feature="tenure_months",
                explanation="Shorter tenure than the average",
                contribution=D("1.234"),
                effect="raises_a_lot",
            ),
            RiskFactor(
                feature="training_participation",
                explanation="Training participation below the average",
                contribution=D("0.3"),
                effect="raises_a_little",
            ),
            RiskFactor(
                feature="pay_position",
                explanation="Pay position above the average",
                contribution=D("-0.1"),
                effect="lowers_a_little",
            ),
        ],
    )
    return [*rows, EmployeeRisk(employee_id=UUID(int=9), label="Zed", risk=trained)]


def attrition_report(rows: list[EmployeeRisk], history: list[LabelledHistory] | None = None) -> AttritionReport:
    people = history if history is not None else [
        LabelledHistory(features=AttritionFeatures(training_participation=0.1 * i, tenure_months=i * 6,
                                                   pay_position=1), left=i % 3 == 0)
        for i in range(1, 10)
    ]
    return AttritionReport(as_of=date(2026, 6, 30), produced=PRODUCED, model_card=model_card(people, FALLBACK),
                           employees=rows)


def svgs(html: str) -> list[ET.Element]:
    charts_found = re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)
    assert len(charts_found) == html.count("<svg")
    return [ET.fromstring(chart) for chart in charts_found]


def assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<style>" in html
    for external in ("<script", "<link", "src=", "@import", "url(", "href="):
        assert external not in html.lower()


def test_the_feedback_page_draws_correlations_with_whiskers_and_both_weights() -> None:
    html = render_feedback_loop_html(enough(), NAMES, "en")
    assert_self_contained(html)
    correlation, weights = svgs(html)
    bars = list(correlation.iter(f"{SVG}rect"))
    assert len(bars) == 2
    lines = [line for line in correlation.iter(f"{SVG}line") if line.get("stroke") == "#1f2328"]
    assert len(lines) == 6  # per competency: the interval and its two caps
    # Competency a's bar runs right of zero (r > 0), to past 0.8 on the -1..1 axis.
    zero = charts._x_of_r(0)
    a_bar = bars[0]
    assert float(a_bar.get("x")) == pytest.approx(zero, abs=0.1) and float(a_bar.get("width")) > 0.8 * (zero - 200)
    assert len(list(weights.iter(f"{SVG}rect"))) == 4  # current and proposed, per competency
    fills = [rect.get("fill") for rect in weights.iter(f"{SVG}rect")]
    assert fills == ["#0969da", "#bf5700", "#0969da", "#bf5700"]
    analysis = enough()
    assert "50%" in html and f"{analysis.proposed_weights['a'] * 100:.2f}".rstrip("0").rstrip(".") + "%" in html
    assert "Outperformed the interview" in html or "Underperformed the interview" in html
    assert "Not enough data yet" not in html


def test_not_enough_data_says_so_and_proposes_nothing() -> None:
    html = render_feedback_loop_html(too_few(), NAMES, "en")
    assert_self_contained(html)
    assert "Not enough data yet" in html
    assert "Fewer than 10 hires have both interview scores and performance ratings yet." in html
    assert "No new weights are proposed until there is enough data." in html
    assert len(svgs(html)) == 1  # the correlations only, greyed
    rects = list(svgs(html)[0].iter(f"{SVG}rect"))
    assert all(rect.get("fill") == "#8c959f" for rect in rects)
    assert "No hire&#x27;s performance differs from the interview by more than 1.5 standard deviations." in html


def test_the_feedback_page_is_headed_by_its_job_and_model_version() -> None:
    html = render_feedback_loop_html(enough(), NAMES, "en")
    assert "<h1>Interview feedback loop: Data engineer, competency model version 4</h1>" in html
    head = html[: html.index("<h2>")]
    assert "Competency model: Data engineering, version 4, in force from February 1, 2026" in head
    assert "Produced on July 1, 2026 12:00\u202fAM (Asia/Shanghai) by Li Na (hr-7)" in head


def test_without_any_data_the_page_draws_no_empty_chart() -> None:
    html = render_feedback_loop_html(nobody(), NAMES, "en")
    assert_self_contained(html)
    assert "Not enough data yet" in html and "<svg" not in html and "<figure>" not in html
    assert "Correlation (Pearson r)" not in html  # no legend for a chart that is not there
    assert html.count("<tr><th>") == 1 + 2  # the table still lists each competency with its current weight


def test_the_attrition_page_draws_the_bands_and_the_highest_risks() -> None:
    rows = risks()
    html = render_attrition_html(attrition_report(rows), "en")
    assert_self_contained(html)
    (bands,) = svgs(html)
    rects = list(bands.iter(f"{SVG}rect"))
    assert len(rects) == 3
    counts = {"low": 0, "medium": 0, "high": 0}
    for row in rows:
        counts[row.risk.band] += 1
    heights = [float(rect.get("height")) for rect in rects]
    assert heights == [160 * counts[b] / max(counts.values()) for b in ("low", "medium", "high")]
    table = html[html.index("<h2>Highest risk</h2>") : html.index("<h2>About the model</h2>")]
    order = [unescape(m) for m in re.findall(r'<tr><td class="who">([^<]*)</td>', table)]
    assert order == [r.label for r in sorted(rows, key=lambda r: -r.risk.score)]
    assert "91.2%" in html
    # Factors in plain words, no log-odds: Zed's tenure raises the risk a lot, training a little, pay lowers it.
    zed = next(row for row in re.findall(r"<tr>.*?</tr>", table) if ">Zed<" in row)
    assert re.findall(r"<li>([^<]*)<span[^>]*>([^<]*)</span></li>", zed) == [
        ("Shorter tenure than the average: ", "Raises the risk a lot"),
        ("Training participation below the average: ", "Raises the risk a little"),
        ("Pay position above the average: ", "Lowers the risk a little"),
    ]
    assert "log-odds" not in html and "+1.23" not in html and "1.234" not in html
    assert render_attrition_html(attrition_report(rows), "en", limit=2).count('<tr><td class="who">') == 2


def test_the_attrition_page_tells_people_apart_and_says_who_produced_it() -> None:
    twins = [
        EmployeeRisk(employee_id=UUID(int=1), label="Wang Wei", position="Engineer", legal_entity="Meridian Shanghai",
                     risk=score(AttritionFeatures(training_participation=None, tenure_months=3, pay_position=1),
                                FALLBACK)),
        EmployeeRisk(employee_id=UUID(int=2), label="Wang Wei", position="Accountant", legal_entity="Meridian Tokyo",
                     risk=score(AttritionFeatures(training_participation=1, tenure_months=50, pay_position=1),
                                FALLBACK)),
    ]
    html = render_attrition_html(attrition_report(twins), "en")
    rows = re.findall(r'<tr><td class="who">Wang Wei</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert rows == [("", "Engineer", "Meridian Shanghai"), ("", "Accountant", "Meridian Tokyo")]  # no department
    head = html[: html.index("<h2>")]
    assert "Li Na (hr-7)" in head and "July 1, 2026" in head and "00:00" not in head and "Asia/Shanghai" in head
    # No trainings assigned is no factor at all, never "completed 80% or more".
    assert "Completed 80% or more" not in rows[0] and html.count("Completed 80% or more") == 1


def test_the_attrition_page_has_a_model_card() -> None:
    html = render_attrition_html(attrition_report(risks()), "en")
    card = html[html.index("<h2>About the model</h2>") : html.index('<div class="notes">')]
    assert "Standard points model: fixed, documented points per factor" in card
    assert "at least 30 leavers and 30 stayers" in card
    assert "9 current and former employees, 3 of whom left and 6 stayed." in card
    assert "Tested on this organisation&#x27;s history: 9 employees (3 of whom left)." in card
    assert "Ranking accuracy (AUC): " in card and "Brier score" in card
    assert "Months in the company" in card and "Current employees count as stayers" in card
    stayers_only = [LabelledHistory(features=AttritionFeatures(training_participation=1, tenure_months=12,
                                                                pay_position=1), left=False)]
    unvalidated = render_attrition_html(attrition_report(risks(), stayers_only), "en")
    assert "Not validated yet: the history has no leaver or no stayer to test on." in unvalidated


def test_an_empty_attrition_page_still_renders() -> None:
    html = render_attrition_html(attrition_report([]), "en")
    assert "No employees to show." in html and len(svgs(html)) == 1


def test_text_from_data_is_escaped() -> None:
    feedback = render_feedback_loop_html(enough(), NAMES, "en")
    assert "<script>" not in feedback and "<b>" not in feedback
    assert "Analysis &amp; &lt;b&gt;rigour&lt;/b&gt;" in feedback
    assert "Eve &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in feedback
    attrition = render_attrition_html(attrition_report(risks()), "en")
    assert "<i>" not in attrition and "Bo &lt;i&gt;" in attrition


def test_numbers_follow_the_locale() -> None:
    english = render_feedback_loop_html(enough(), NAMES, "en")
    german = render_feedback_loop_html(enough(), NAMES, "de")
    r = enough().competencies[0].correlation
    assert f"+{r:.2f}" in english
    assert f"+{r:.2f}".replace(".", ",") in german and f"+{r:.2f}" not in german
    assert "91,2" in render_attrition_html(attrition_report(risks()), "de")
    assert "91.2%" in render_attrition_html(attrition_report(risks()), "en")
    assert '<html lang="ja">' in render_attrition_html(attrition_report(risks()), "ja")
    assert "91.2%" in render_attrition_html(attrition_report(risks()), "not-a-locale")


def test_every_fixed_text_comes_from_the_declared_tuples(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def recording(message: str, locale: str, **params: object) -> str:
        asked.append(message)
        return "⟦" + translate(message, locale, **params) + "⟧"

    monkeypatch.setattr(charts, "translate", recording)
    monkeypatch.setattr(reports, "translate", recording)
    labels = [h.label for h in planted()]
    pages = [
        render_feedback_loop_html(enough(), NAMES, "ja"),
        render_feedback_loop_html(too_few(), NAMES, "ja"),
        render_feedback_loop_html(report(analyse(population(40), WEIGHTS)), NAMES, "ja"),
        render_feedback_loop_html(nobody(), NAMES, "ja"),
    ]
    feedback_asked = set(asked)
    asked.clear()
    quiet = EmployeeRisk(employee_id=UUID(int=10), label="Eli", risk=RiskScore(
        score=D("0.2"), band="low", method="fallback", top_factors=[]))
    steady = EmployeeRisk(employee_id=UUID(int=11), label="Eli", risk=RiskScore(
        score=D("0.1"), band="low", method="trained", top_factors=[RiskFactor(
            feature="tenure_months", explanation="Longer tenure than the average", contribution=D("-0.9"),
            effect="lowers_a_lot")]))
    history = synthetic(100, seed=5)
    trained = train(history)
    assert trained is not None
    trained_report = msgspec.structs.replace(attrition_report(risks()), model_card=model_card(history, trained))
    pages += [
        render_attrition_html(attrition_report([*risks(), quiet, steady]), "ja"),
        render_attrition_html(attrition_report([]), "ja"),
        render_attrition_html(trained_report, "ja"),
        render_attrition_html(attrition_report([], []), "ja"),
    ]
    attrition_asked = set(asked)

    headings = set(REPORT_HEADING_MESSAGES)
    assert feedback_asked - set(FEEDBACK_LOOP_MESSAGES) - headings == set(FEEDBACK_CHART_MESSAGES)
    cards = set(MODEL_CARD_MESSAGES)
    assert attrition_asked - set(ATTRITION_MESSAGES) - cards - headings == set(ATTRITION_CHART_MESSAGES)
    assert cards <= attrition_asked and headings <= feedback_asked
    assert feedback_asked & set(FEEDBACK_LOOP_MESSAGES) and attrition_asked & set(ATTRITION_MESSAGES)
    for messages in (FEEDBACK_CHART_MESSAGES, ATTRITION_CHART_MESSAGES):
        assert len(messages) == len(set(messages))

    # What is left of the visible text after removing translated parts, names and labels is untranslated.
    data = sorted({*NAMES.values(), *labels, "Ann", "Bo <i>", "Cy", "Di", "Zed", "Eli", *DATA_TEXTS}, key=len,
                  reverse=True)
    for html in pages:
        visible = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", "\n", html, flags=re.DOTALL))
        visible = re.sub(r"⟦[^⟧]*⟧", "", visible)
        for name in data:
            visible = visible.replace(name, "")
        assert re.findall(r"[A-Za-z]{2,}", visible) == []
