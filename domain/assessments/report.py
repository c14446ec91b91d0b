"""Comparing evaluated applications against one competency model version, and the HTML report.

The report is one self-contained page: inline CSS, inline SVG, no scripts and no external assets,
so it can be stored, mailed or printed as it is. Every fixed text goes through the gettext catalogue
(its msgids are in REPORT_MESSAGES); every text from data is escaped.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from html import escape
from typing import Annotated, Literal, TypeVar
from uuid import UUID

import msgspec
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from domain.assessments.scoring import Evaluation, ModelVersion
from domain.kernel.errors import InvalidInput
from domain.kernel.html_pages import REPORT_CSS, babel_locale, page_head, shorten
from domain.kernel.i18n import translate
from domain.kernel.reports import JobModelSubject, Produced, heading_lines

MIN_ENTRIES = 2
MAX_ENTRIES = 20


class ComparisonSize(InvalidInput):
    code = "comparison_size"
    title = "Wrong number of applications"
    template = "A comparison needs between {minimum} and {maximum} applications; it has {count}."


class ComparisonModelMismatch(InvalidInput):
    code = "comparison_model_mismatch"
    title = "Evaluated against another model"
    template = "Application {application_id} was not evaluated against this competency model version."


class DuplicateComparisonEntry(InvalidInput):
    code = "comparison_duplicate_application"
    title = "Application listed twice"
    template = "Application {application_id} appears more than once in the comparison."


class ComparisonEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    application_id: UUID
    candidate_label: Annotated[
        str, msgspec.Meta(min_length=1, max_length=200, description="Display name; may be masked for the reader.")
    ]
    evaluation: Evaluation
    evaluation_source: EvaluationSource = "ai"


class ComparedCompetency(msgspec.Struct, frozen=True, kw_only=True):
    """A competency of the compared model version: its code, its weight in the overall score, and its pass threshold on
    0-100."""

    code: str
    weight: Decimal
    pass_threshold: Decimal


Outcome = Literal["passed", "failed", "not_scored"]
#: Where a candidate's scores come from: an AI vendor's result (used only with the candidate's consent to AI-assisted
#: evaluation), a person's human evaluation, or nothing scored yet.
EvaluationSource = Literal["ai", "human", "none"]


class CandidateScore(msgspec.Struct, frozen=True, kw_only=True):
    """One candidate's result on one competency: the score normalised to 0-100 (null when the interview gave none),
    whether it passed, the gap to the threshold, how many pieces of evidence back it, the vendor's confidence, and
    whether evidence is missing."""

    code: str
    scored: Annotated[bool, msgspec.Meta(
        description="False when the interview gave no score for this competency: not scored is not failed.")]
    score: Decimal | None  # normalised 0-100; None when not scored
    passed: Annotated[bool | None, msgspec.Meta(
        description="At or above the pass threshold; null when not scored (neither passed nor failed).")]
    gap: Decimal | None  # score - pass_threshold
    evidence_count: int
    confidence: Decimal | None
    missing_evidence: bool  # scored with no evidence items, or not scored at all


class CandidateResult(msgspec.Struct, frozen=True, kw_only=True):
    """One candidate of a comparison: their rank, name, overall score (0-100), whether they pass, and their score on
    each competency in the model's order, with the competencies not scored or lacking evidence."""

    rank: Annotated[int, msgspec.Meta(
        description="1 is best. Candidates who pass every threshold rank above those who do not; within each "
                    "group by overall score, then competencies passed, then name. Ties are broken, so ranks are 1..n.")]
    application_id: UUID
    candidate_label: str
    overall: Decimal | None
    outcome: Annotated[Outcome, msgspec.Meta(
        description="passed: every competency scored and at or above its threshold, and the overall score too; "
                    "failed: a scored competency, or the overall score of a fully scored candidate, is below its "
                    "threshold; not_scored: nothing failed but some competency has no score yet.")]
    passes_all_thresholds: Annotated[bool, msgspec.Meta(description="outcome is passed.")]
    passed: Annotated[bool, msgspec.Meta(description="The same as passes_all_thresholds (kept for older clients).")]
    passed_count: int  # competencies at or above their threshold
    failed_count: Annotated[int, msgspec.Meta(description="Scored competencies below their threshold.")]
    scores: list[CandidateScore]  # in the model's order
    missing: list[str]  # competency codes not scored
    missing_evidence: list[str]  # competency codes flagged missing evidence
    evaluation_source: Annotated[EvaluationSource, msgspec.Meta(description=(
        "ai: an AI vendor's result, used only while the candidate consents to AI-assisted evaluation; human: a "
        "person's scores; none: nothing scored yet. A ranking is a recommendation: a person decides (decision "
        "records)."))] = "ai"


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    """2 to 20 applications of one job compared side by side against one version of its competency model: the model's
    competencies and overall pass threshold, and the candidates in ranking order."""

    model_id: UUID
    model_version: int
    overall_pass_threshold: Decimal
    competencies: list[ComparedCompetency]  # in the model's order
    candidates: list[CandidateResult]  # in ranking order


class ComparisonReport(Comparison, frozen=True, kw_only=True):
    """The comparison with what it is about (job, competency model version) and who produced it, when."""

    subject: JobModelSubject
    produced: Produced


def _outcome(evaluation: Evaluation, failed_count: int) -> Outcome:
    if evaluation.passed:
        return "passed"
    if failed_count or not evaluation.missing:
        return "failed"
    return "not_scored"


def _candidate(entry: ComparisonEntry) -> CandidateResult:
    evaluation = entry.evaluation
    scores = [
        CandidateScore(
            code=item.code,
            scored=item.score is not None,
            score=item.score,
            passed=item.passed,
            gap=item.gap,
            evidence_count=item.evidence_count,
            confidence=item.confidence,
            missing_evidence=item.score is None or item.evidence_count == 0,
        )
        for item in evaluation.competencies
    ]
    failed_count = sum(1 for score in scores if score.passed is False)
    outcome = _outcome(evaluation, failed_count)
    return CandidateResult(
        rank=0,
        application_id=entry.application_id,
        candidate_label=entry.candidate_label,
        overall=evaluation.overall,
        outcome=outcome,
        passes_all_thresholds=outcome == "passed",
        passed=outcome == "passed",
        passed_count=sum(1 for score in scores if score.passed),
        failed_count=failed_count,
        scores=scores,
        missing=list(evaluation.missing),
        missing_evidence=[score.code for score in scores if score.missing_evidence],
        evaluation_source=entry.evaluation_source,
    )


def _ranking_key(candidate: CandidateResult) -> tuple[object, ...]:
    # RANKING_RULE: passing every threshold first, then overall descending (unscored last), more competencies
    # passed, label, and the id for stability.
    overall = candidate.overall if candidate.overall is not None else Decimal(0)
    return (
        not candidate.passes_all_thresholds,
        candidate.overall is None,
        -overall,
        -candidate.passed_count,
        candidate.candidate_label.casefold(),
        candidate.candidate_label,
        str(candidate.application_id),
    )


def compare(model: ModelVersion, entries: list[ComparisonEntry]) -> Comparison:
    """Compare 2-20 applications evaluated against ``model``: scores side by side, ranking and gaps.

    A competency without a score is not scored, neither passed nor failed. Ranking (RANKING_RULE): the
    candidates who pass every threshold first, then the others; within each group overall score descending
    (an application with no scored competency last), ties broken by the number of competencies passed
    (more first), then by candidate label.
    """
    if not MIN_ENTRIES <= len(entries) <= MAX_ENTRIES:
        raise ComparisonSize(minimum=MIN_ENTRIES, maximum=MAX_ENTRIES, count=len(entries))
    codes = [competency.code for competency in model.competencies]
    seen: set[UUID] = set()
    for entry in entries:
        evaluation = entry.evaluation
        if entry.application_id in seen:
            raise DuplicateComparisonEntry(application_id=str(entry.application_id))
        seen.add(entry.application_id)
        if (
            evaluation.model_id != model.model_id
            or evaluation.model_version != model.number
            or [item.code for item in evaluation.competencies] != codes
        ):
            raise ComparisonModelMismatch(application_id=str(entry.application_id))
    ranked = sorted((_candidate(entry) for entry in entries), key=_ranking_key)
    return Comparison(
        model_id=model.model_id,
        model_version=model.number,
        overall_pass_threshold=model.overall_pass_threshold,
        competencies=[
            ComparedCompetency(code=c.code, weight=c.weight, pass_threshold=c.pass_threshold)
            for c in model.competencies
        ],
        candidates=[msgspec.structs.replace(candidate, rank=rank) for rank, candidate in enumerate(ranked, 1)],
    )


def report_of(comparison: Comparison, subject: JobModelSubject, produced: Produced) -> ComparisonReport:
    """The comparison as a report: what it is about and who produced it."""
    return ComparisonReport(**msgspec.structs.asdict(comparison), subject=subject, produced=produced)


# -- HTML ------------------------------------------------------------------------------------

RANKING_RULE = (
    "Ranking: candidates who pass every threshold (each competency and the overall score) come first, then "
    "the others. Within each group, candidates are ordered by overall score, then by the number of "
    "competencies passed, then by name; a candidate without any score comes last."
)
_NOTES = (
    "Scores are normalised to 0-100. The overall score is the weighted sum of the competency scores.",
    "A competency without a score is shown as not scored: it is neither passed nor failed. The overall score "
    "then uses the weights of the scored competencies only, and the candidate cannot pass every threshold "
    "until every competency is scored.",
    "Missing evidence: the competency was scored without supporting passages, or not scored at all. "
    "In the charts, a competency that was not scored is drawn at the centre with a hollow marker.",
    RANKING_RULE,
)

# Every fixed text the page shows, for the gettext catalogue.
REPORT_MESSAGES = (
    "Candidate comparison",
    "Overall pass threshold: {threshold}",
    "Ranking",
    "Rank",
    "Candidate",
    "Overall score",
    "Result",
    "Competencies passed",
    "{passed} of {total}",
    "Not scored",
    "Not fully scored",
    "Competencies not scored",
    "Missing evidence",
    "Scores by competency",
    "Scores by competency ({first}-{last} of {total})",
    "Weight {weight} · pass {threshold}",
    "Passed",
    "Failed",
    "Gap {gap}",
    "Overall score: {score}",
    "Competency profiles",
    "Radar chart of the competency scores of {candidate}",
    "Candidate score",
    "Pass threshold",
    *_NOTES,
)

#: Competency columns per score table: with the rank and candidate columns a table stays within an A4
#: landscape page however many competencies the model has; more competencies continue in the next table.
COMPETENCIES_PER_TABLE = 3

_CSS = REPORT_CSS + """
body{max-width:1400px}
th{word-break:keep-all;overflow-wrap:normal;hyphens:manual}th:lang(ja),th:lang(zh){word-break:normal}
th .sub{display:block;font-weight:400;font-size:.76rem;color:#57606a}
.candidate{min-width:9em;max-width:22em;overflow-wrap:break-word;word-break:normal}
td.rank{width:3em;text-align:right}td.outcome{white-space:nowrap}
.pass{background:#e6f4ea;color:#1a4d2e}.fail{background:#fdeaea;color:#7a1c1c}
.notscored{background:#f1f1f1;color:#57606a;font-style:italic}
.gap{display:block;font-size:.8rem;opacity:.85}.verdict{font-size:.8rem;white-space:nowrap}
.badge{display:inline-block;font-size:.72rem;font-style:normal;padding:0 .4rem;border-radius:.6rem;
background:#fff4e5;color:#7a4a00;border:1px solid #e3b341;margin-top:.15rem;white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:1rem}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;min-width:0;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:.3rem;overflow-wrap:anywhere}svg{display:block;width:100%;height:auto}
.legend{font-size:.8rem;color:#57606a}.swatch{display:inline-block;width:.9rem;height:.6rem;margin:0 .3rem 0 .6rem}
.notes{font-size:.85rem;color:#57606a}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9pt}h2{break-after:avoid}
tr{break-inside:avoid}thead{display:table-header-group}.charts{grid-template-columns:repeat(2,minmax(0,1fr))}
figure svg{max-height:74mm}}
""".strip()

# Radar geometry: floats are fine here, they only place pixels; every figure shown stays a Decimal.
_WIDTH, _HEIGHT, _RADIUS = 640, 420, 150
_CX, _CY = _WIDTH / 2, 205  # room above for a two-line label, below for one
_LABEL_WIDTH = 16  # beside the chart, where the width is short
_LABEL_WIDTH_ABOVE_BELOW = 30  # above and below it, centred on the axis
_LABEL_SIZE, _TICK_SIZE = 16, 13


class _Page:
    def __init__(self, report: ComparisonReport, names: dict[str, str], locale: str) -> None:
        self.report = report
        self.names = names
        self.locale = locale
        self.numbers = babel_locale(locale)

    def t(self, message: str, **params: object) -> str:
        """Translated and escaped (the parameters are escaped with the rest)."""
        return escape(translate(message, self.locale, **params))

    def number(self, value: Decimal) -> str:
        return format_decimal(value, format="#,##0.00", locale=self.numbers)

    def signed(self, value: Decimal) -> str:
        return format_decimal(value, format="+#,##0.00;-#,##0.00", locale=self.numbers)

    def percent(self, value: Decimal) -> str:
        return format_percent(value, format="#,##0.##%", locale=self.numbers)

    def name(self, code: str) -> str:
        return self.names.get(code) or code

    # -- sections --

    def render(self) -> str:
        r = self.report
        threshold = self.t("Overall pass threshold: {threshold}", threshold=self.number(r.overall_pass_threshold))
        return "\n".join(
            [
                *page_head(self.locale, self.t("Candidate comparison"), self.t("Candidate comparison"), _CSS),
                *heading_lines(self.locale, r.produced, r.subject),
                f'<p class="meta">{threshold}</p>',
                self.ranking(),
                self.scores(),
                self.charts(),
                self.notes(),
                "</body>",
                "</html>",
            ]
        )

    def outcome(self, candidate: CandidateResult) -> str:
        if candidate.outcome == "not_scored":
            return self.t("Not scored" if candidate.overall is None else "Not fully scored")
        return self.t("Passed" if candidate.outcome == "passed" else "Failed")

    def overall(self, candidate: CandidateResult) -> str:
        return self.number(candidate.overall) if candidate.overall is not None else self.t("Not scored")

    def ranking(self) -> str:
        c = self.report
        total = len(c.competencies)
        head = (
            f'<th>{self.t("Rank")}</th><th class="candidate">{self.t("Candidate")}</th>'
            + "".join(
                f"<th>{self.t(label)}</th>"
                for label in ("Overall score", "Result", "Competencies passed", "Competencies not scored",
                              "Missing evidence")
            )
        )
        rows = []
        for candidate in c.candidates:
            rows.append(
                "<tr>"
                f'<td class="num rank">{candidate.rank}</td>'
                f'<td class="candidate">{escape(candidate.candidate_label)}</td>'
                f'<td class="num">{self.overall(candidate)}</td>'
                f'<td class="outcome {_CSS_OF[candidate.outcome]}">{self.outcome(candidate)}</td>'
                f'<td class="num">{self.t("{passed} of {total}", passed=candidate.passed_count, total=total)}</td>'
                f"<td>{self.code_list(candidate.missing)}</td>"
                f"<td>{self.code_list(candidate.missing_evidence)}</td>"
                "</tr>"
            )
        return _table("ranking", f"<h2>{self.t('Ranking')}</h2>", head, rows)

    def code_list(self, codes: list[str]) -> str:
        """Competency names joined as the reader's language lists things (A, B, and C; A、B和C; A、B、C)."""
        return escape(format_list([self.name(code) for code in codes], locale=self.numbers)) if codes else ""

    def scores(self) -> str:
        """One row per candidate, one column per competency: at most COMPETENCIES_PER_TABLE columns a table."""
        competencies = self.report.competencies
        total = len(competencies)
        tables = []
        for first, chunk in _balanced_chunks(list(enumerate(competencies)), COMPETENCIES_PER_TABLE):
            if total > COMPETENCIES_PER_TABLE:
                title = self.t("Scores by competency ({first}-{last} of {total})", first=first + 1,
                               last=first + len(chunk), total=total)
            else:
                title = self.t("Scores by competency")
            head = f'<th>{self.t("Rank")}</th><th class="candidate">{self.t("Candidate")}</th>' + "".join(
                self.competency_header(competency) for _, competency in chunk
            )
            rows = [
                "<tr>"
                f'<td class="num rank">{candidate.rank}</td>'
                f'<td class="candidate">{escape(candidate.candidate_label)}</td>'
                + "".join(self.score_cell(candidate.scores[index]) for index, _ in chunk)
                + "</tr>"
                for candidate in self.report.candidates
            ]
            tables.append(_table("scores", f"<h2>{title}</h2>", head, rows))
        return "\n".join(tables)

    def competency_header(self, competency: ComparedCompetency) -> str:
        terms = self.t("Weight {weight} · pass {threshold}", weight=self.percent(competency.weight),
                       threshold=self.number(competency.pass_threshold))
        return f'<th>{escape(self.name(competency.code))}<span class="sub">{terms}</span></th>'

    def score_cell(self, score: CandidateScore) -> str:
        badge = f' <span class="badge">{self.t("Missing evidence")}</span>' if score.missing_evidence else ""
        if score.score is None or score.gap is None:
            return f'<td class="notscored">{self.t("Not scored")}</td>'  # no evidence goes without saying
        css = "pass" if score.passed else "fail"
        verdict = self.t("Passed" if score.passed else "Failed")
        return (
            f'<td class="num {css}"><b>{self.number(score.score)}</b> <span class="verdict">{verdict}</span>'
            f'<span class="gap">{self.t("Gap {gap}", gap=self.signed(score.gap))}{badge}</span></td>'
        )

    def charts(self) -> str:
        figures = "\n".join(self.radar(candidate) for candidate in self.report.candidates)
        legend = (
            f'<p class="legend"><span class="swatch" style="background:#0969da;opacity:.6"></span>'
            f"{self.t('Candidate score')}"
            f'<span class="swatch" style="border-top:2px dashed #bf5700;height:0"></span>'
            f"{self.t('Pass threshold')}</p>"
        )
        return f'<h2>{self.t("Competency profiles")}</h2>\n{legend}\n<div class="charts">\n{figures}\n</div>'

    def radar(self, candidate: CandidateResult) -> str:
        competencies = self.report.competencies
        count = len(competencies)
        angles = [-math.pi / 2 + 2 * math.pi * index / count for index in range(count)]

        def point(angle: float, value: Decimal | float) -> tuple[float, float]:
            return _point_at(angle, _RADIUS * float(value) / 100)

        def points(values: list[Decimal]) -> str:
            return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(a, v) for a, v in zip(angles, values, strict=True)))

        label = self.t("Radar chart of the competency scores of {candidate}", candidate=candidate.candidate_label)
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
            f'aria-label="{label}">',
            f"<title>{label}</title>",
        ]
        for ring in _RINGS:
            parts.append(
                f'<circle cx="{_CX:.1f}" cy="{_CY:.1f}" r="{_RADIUS * ring / 100:.1f}" fill="none" '
                f'stroke="#d0d7de" stroke-width="1"/>'
            )
        for angle, competency in zip(angles, competencies, strict=True):
            x, y = point(angle, 100)
            parts.append(
                f'<line x1="{_CX:.1f}" y1="{_CY:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>'
            )
            parts.append(self.axis_label(angle, self.name(competency.code)))
        thresholds = [competency.pass_threshold for competency in competencies]
        values = [score.score if score.score is not None else Decimal(0) for score in candidate.scores]
        parts.append(
            f'<polygon points="{points(thresholds)}" fill="none" stroke="#bf5700" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<polygon points="{points(values)}" fill="#0969da" fill-opacity="0.22" stroke="#0969da" '
            f'stroke-width="2.5" stroke-linejoin="round"/>'
        )
        for angle, score in zip(angles, candidate.scores, strict=True):
            x, y = point(angle, score.score if score.score is not None else 0)
            fill = "#0969da" if score.score is not None else "#ffffff"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#0969da" stroke-width="1.5"/>')
        parts.extend(self.ticks(angles))
        parts.append("</svg>")
        # Raw text here: self.t escapes the whole caption, parameters included.
        overall = (
            self.number(candidate.overall) if candidate.overall is not None else translate("Not scored", self.locale)
        )
        caption = (
            f"{candidate.rank}. {escape(candidate.candidate_label)} · {self.t('Overall score: {score}', score=overall)}"
            f' · <span class="{_CSS_OF[candidate.outcome]}">{self.outcome(candidate)}</span>'
        )
        return f"<figure>\n<figcaption>{caption}</figcaption>\n" + "\n".join(parts) + "\n</figure>"

    def ticks(self, angles: list[float]) -> list[str]:
        """The ring values, drawn last with a white halo so neither shape hides them, half way between the first
        two axes where no axis line or label runs (on the right of the only axis of a one-competency model)."""
        angle = angles[0] + (angles[1] - angles[0]) / 2 if len(angles) > 1 else 0.0
        ticks = []
        for ring in _RINGS:
            x, y = _point_at(angle, _RADIUS * ring / 100)
            ticks.append(
                f'<text x="{x:.1f}" y="{y + _TICK_SIZE / 3:.1f}" font-size="{_TICK_SIZE}" fill="#57606a" '
                f'text-anchor="middle" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" '
                f'paint-order="stroke">{escape(format_decimal(ring, locale=self.numbers))}</text>'
            )
        return ticks

    def axis_label(self, angle: float, name: str) -> str:
        """The competency's name beyond the end of its axis, on up to two lines, away from the chart."""
        x, y = _point_at(angle, _RADIUS + 12)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        lines = _label_lines(name, _LABEL_WIDTH if anchor != "middle" else _LABEL_WIDTH_ABOVE_BELOW)
        leading = _LABEL_SIZE * 1.15
        if sin > 0.3:
            y += _LABEL_SIZE
        elif sin < -0.3:
            y -= 4 + leading * (len(lines) - 1)
        else:
            y += _LABEL_SIZE / 3 - leading * (len(lines) - 1) / 2
        spans = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if index == 0 else leading:.1f}">{escape(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{_LABEL_SIZE}" fill="#1f2328" text-anchor="{anchor}">'
            f"<title>{escape(name)}</title>{spans}</text>"
        )

    def notes(self) -> str:
        return '<div class="notes">\n' + "\n".join(f"<p>{self.t(note)}</p>" for note in _NOTES) + "\n</div>"


_RINGS = (25, 50, 75, 100)
_CSS_OF: dict[str, str] = {"passed": "pass", "failed": "fail", "not_scored": "notscored"}


def _table(css: str, heading: str, head: str, rows: list[str]) -> str:
    return (
        f'{heading}\n<table class="{css}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _label_lines(name: str, width: int) -> list[str]:
    """A competency name on one line, or two of about ``width`` Latin letters' width (a CJK character counts
    two), broken between words where it has spaces; what does not fit the second line is cut with an ellipsis."""
    if _display_width(name) <= width:
        return [name]
    words = name.split(" ")
    if len(words) > 1:
        first = words[0]
        for word in words[1:]:
            if _display_width(f"{first} {word}") > width:
                break
            first = f"{first} {word}"
        rest = name[len(first) :].strip()
    else:
        first = shorten(name, width + 1).removesuffix("…")
        first = first if _display_width(first) <= width else first[:-1]
        rest = name[len(first) :]
    return [shorten(first, width), shorten(rest, width)] if rest else [shorten(first, width)]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _point_at(angle: float, distance: float) -> tuple[float, float]:
    return _CX + distance * math.cos(angle), _CY + distance * math.sin(angle)


def render_html(report: ComparisonReport, competency_names: dict[str, str], locale: str) -> str:
    """The comparison report as one self-contained HTML page in ``locale`` (texts via gettext, numbers and
    dates via Babel), laid out for 2 to 20 candidates on screen and on A4 landscape paper: candidates are rows
    of the tables and cards of a wrapping grid of charts, never columns.

    ``competency_names`` maps codes to display names in the reader's language; a code without a name
    is shown as the code.
    """
    return _Page(report, competency_names, locale).render()


Item = TypeVar("Item")


def _balanced_chunks(items: list[Item], most: int) -> list[tuple[int, list[Item]]]:
    """``items`` in as few chunks of at most ``most`` as possible, as even as possible (7 by 4: 4 and 3, never a
    table of one column left over), each with the index of its first item."""
    count = -(-len(items) // most) if items else 0
    chunks, start = [], 0
    for index in range(count):
        size = len(items) // count + (1 if index < len(items) % count else 0)
        chunks.append((start, items[start : start + size]))
        start += size
    return chunks

