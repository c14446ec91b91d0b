"""Comparing evaluated applications against one competency model version, and the HTML report.

The report is one self-contained page: inline CSS, inline SVG, no scripts and no external assets,
so it can be stored, mailed or printed as it is. Every fixed text goes through the gettext catalogue
(its msgids are in REPORT_MESSAGES); every text from data is escaped.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape
from typing import Annotated
from uuid import UUID

import msgspec
from babel.numbers import format_decimal, format_percent

from domain.assessments.scoring import Evaluation, ModelVersion
from domain.kernel.errors import InvalidInput
from domain.kernel.html_pages import REPORT_CSS, babel_locale, page_head, shorten
from domain.kernel.i18n import translate

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


class ComparedCompetency(msgspec.Struct, frozen=True, kw_only=True):
    """A competency of the compared model version: its code, its weight in the overall score, and its pass threshold on
    0-100."""

    code: str
    weight: Decimal
    pass_threshold: Decimal


class CandidateScore(msgspec.Struct, frozen=True, kw_only=True):
    """One candidate's result on one competency: the score normalised to 0-100 (null when the interview gave none),
    whether it passed, the gap to the threshold, how many pieces of evidence back it, the vendor's confidence, and
    whether evidence is missing."""

    code: str
    score: Decimal | None  # normalised 0-100; None when not scored
    passed: bool | None
    gap: Decimal | None  # score - pass_threshold
    evidence_count: int
    confidence: Decimal | None
    missing_evidence: bool  # scored with no evidence items, or not scored at all


class CandidateResult(msgspec.Struct, frozen=True, kw_only=True):
    """One candidate of a comparison: their rank, name, overall score (0-100), whether they pass, and their score on
    each competency in the model's order, with the competencies not scored or lacking evidence."""

    rank: int  # 1 is best; ties are broken, so ranks are 1..n
    application_id: UUID
    candidate_label: str
    overall: Decimal | None
    passed: bool
    passed_count: int  # competencies at or above their threshold
    scores: list[CandidateScore]  # in the model's order
    missing: list[str]  # competency codes not scored
    missing_evidence: list[str]  # competency codes flagged missing evidence


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    """2 to 20 applications of one job compared side by side against one version of its competency model: the model's
    competencies and overall pass threshold, and the candidates in ranking order."""

    model_id: UUID
    model_version: int
    overall_pass_threshold: Decimal
    competencies: list[ComparedCompetency]  # in the model's order
    candidates: list[CandidateResult]  # in ranking order


def _candidate(entry: ComparisonEntry) -> CandidateResult:
    evaluation = entry.evaluation
    scores = [
        CandidateScore(
            code=item.code,
            score=item.score,
            passed=item.passed,
            gap=item.gap,
            evidence_count=item.evidence_count,
            confidence=item.confidence,
            missing_evidence=item.score is None or item.evidence_count == 0,
        )
        for item in evaluation.competencies
    ]
    return CandidateResult(
        rank=0,
        application_id=entry.application_id,
        candidate_label=entry.candidate_label,
        overall=evaluation.overall,
        passed=evaluation.passed,
        passed_count=sum(1 for score in scores if score.passed),
        scores=scores,
        missing=list(evaluation.missing),
        missing_evidence=[score.code for score in scores if score.missing_evidence],
    )


def _ranking_key(candidate: CandidateResult) -> tuple[object, ...]:
    # Overall descending (unscored last), then more competencies passed, then label, then id for stability.
    overall = candidate.overall if candidate.overall is not None else Decimal(0)
    return (
        candidate.overall is None,
        -overall,
        -candidate.passed_count,
        candidate.candidate_label.casefold(),
        candidate.candidate_label,
        str(candidate.application_id),
    )


def compare(model: ModelVersion, entries: list[ComparisonEntry]) -> Comparison:
    """Compare 2-20 applications evaluated against ``model``: scores side by side, ranking and gaps.

    Ranking: overall score descending (an application with no scored competency last), ties broken
    by the number of competencies passed (more first), then by candidate label.
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


# -- HTML ------------------------------------------------------------------------------------

_NOTES = (
    "Scores are normalised to 0-100. The overall score is the weighted sum of the competency scores.",
    "When a competency is not scored, the overall score uses the weights of the scored competencies only, "
    "and the candidate does not pass.",
    "Missing evidence: the competency was scored without supporting passages, or not scored at all. "
    "In the charts, a competency that was not scored is drawn at the centre with a hollow marker.",
)

# Every fixed text the page shows, for the gettext catalogue (the lead adds zh_CN and ja).
REPORT_MESSAGES = (
    "Candidate comparison",
    "Competency model version {version}",
    "Overall pass threshold: {threshold}",
    "Ranking",
    "Rank",
    "Candidate",
    "Overall score",
    "Result",
    "Competencies passed",
    "{passed} of {total}",
    "Not scored",
    "Missing evidence",
    "Scores by competency",
    "Competency",
    "Weight",
    "Pass threshold",
    "Overall",
    "Passed",
    "Failed",
    "Gap {gap}",
    "Overall score: {score}",
    "Competency profiles",
    "Radar chart of the competency scores of {candidate}",
    "Candidate score",
    *_NOTES,
)

_CSS = REPORT_CSS + """
.pass{background:#e6f4ea;color:#1a4d2e}.fail{background:#fdeaea;color:#7a1c1c}
.notscored{background:#f1f1f1;color:#57606a;font-style:italic}
.gap{display:block;font-size:.8rem;opacity:.85}.verdict{display:block;font-size:.8rem}
.badge{display:inline-block;font-size:.72rem;font-style:normal;padding:0 .4rem;border-radius:.6rem;
background:#fff4e5;color:#7a4a00;border:1px solid #e3b341;margin-top:.15rem;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;width:480px;max-width:100%}
figcaption{font-weight:600;margin-bottom:.3rem}svg{width:100%;height:auto}
.legend{font-size:.8rem;color:#57606a}.swatch{display:inline-block;width:.9rem;height:.6rem;margin:0 .3rem 0 .6rem}
.notes{font-size:.85rem;color:#57606a}
@media print{body{margin:0}figure{break-inside:avoid}}
""".strip()

# Radar geometry: floats are fine here, they only place pixels; every figure shown stays a Decimal.
_WIDTH, _HEIGHT, _RADIUS = 480, 360, 110
_CX, _CY = _WIDTH / 2, _HEIGHT / 2
_LABEL_WIDTH = 22


class _Page:
    def __init__(self, comparison: Comparison, names: dict[str, str], locale: str) -> None:
        self.comparison = comparison
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
        c = self.comparison
        return "\n".join(
            [
                *page_head(self.locale, self.t("Candidate comparison"), self.t("Candidate comparison"), _CSS),
                f'<p class="meta">{self.t("Competency model version {version}", version=c.model_version)}</p>',
                f'<p class="meta">'
                f"{self.t('Overall pass threshold: {threshold}', threshold=self.number(c.overall_pass_threshold))}</p>",
                self.ranking(),
                self.scores(),
                self.charts(),
                self.notes(),
                "</body>",
                "</html>",
            ]
        )

    def verdict(self, passed: bool | None) -> str:
        if passed is None:
            return self.t("Not scored")
        return self.t("Passed") if passed else self.t("Failed")

    def ranking(self) -> str:
        c = self.comparison
        total = len(c.competencies)
        head = "".join(
            f"<th>{self.t(label)}</th>"
            for label in (
                "Rank",
                "Candidate",
                "Overall score",
                "Result",
                "Competencies passed",
                "Not scored",
                "Missing evidence",
            )
        )
        rows = []
        for candidate in c.candidates:
            css = "pass" if candidate.passed else "fail"
            overall = self.number(candidate.overall) if candidate.overall is not None else self.t("Not scored")
            rows.append(
                "<tr>"
                f'<td class="num">{candidate.rank}</td>'
                f"<td>{escape(candidate.candidate_label)}</td>"
                f'<td class="num">{overall}</td>'
                f'<td class="{css}">{self.verdict(candidate.passed)}</td>'
                f'<td class="num">{self.t("{passed} of {total}", passed=candidate.passed_count, total=total)}</td>'
                f"<td>{self.code_list(candidate.missing)}</td>"
                f"<td>{self.code_list(candidate.missing_evidence)}</td>"
                "</tr>"
            )
        return (
            f"<h2>{self.t('Ranking')}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows)
            + "\n</tbody>\n</table>"
        )

    def code_list(self, codes: list[str]) -> str:
        return ", ".join(escape(self.name(code)) for code in codes)

    def scores(self) -> str:
        c = self.comparison
        head = (
            f"<th>{self.t('Competency')}</th><th>{self.t('Weight')}</th><th>{self.t('Pass threshold')}</th>"
            + "".join(f"<th>{candidate.rank}. {escape(candidate.candidate_label)}</th>" for candidate in c.candidates)
        )
        rows = []
        for index, competency in enumerate(c.competencies):
            cells = "".join(self.score_cell(candidate.scores[index]) for candidate in c.candidates)
            rows.append(
                "<tr>"
                f"<th>{escape(self.name(competency.code))}</th>"
                f'<td class="num">{self.percent(competency.weight)}</td>'
                f'<td class="num">{self.number(competency.pass_threshold)}</td>'
                f"{cells}</tr>"
            )
        overall_cells = []
        for candidate in c.candidates:
            css = "pass" if candidate.passed else "fail"
            value = self.number(candidate.overall) if candidate.overall is not None else self.t("Not scored")
            overall_cells.append(
                f'<td class="num {css}">{value}<span class="verdict">{self.verdict(candidate.passed)}</span></td>'
            )
        rows.append(
            f"<tr><th>{self.t('Overall')}</th><td></td>"
            f'<td class="num">{self.number(c.overall_pass_threshold)}</td>{"".join(overall_cells)}</tr>'
        )
        return (
            f"<h2>{self.t('Scores by competency')}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows)
            + "\n</tbody>\n</table>"
        )

    def score_cell(self, score: CandidateScore) -> str:
        badge = f'<br><span class="badge">{self.t("Missing evidence")}</span>' if score.missing_evidence else ""
        if score.score is None or score.gap is None:
            return f'<td class="notscored">{self.t("Not scored")}{badge}</td>'
        css = "pass" if score.passed else "fail"
        return (
            f'<td class="num {css}">{self.number(score.score)}'
            f'<span class="gap">{self.t("Gap {gap}", gap=self.signed(score.gap))}</span>'
            f'<span class="verdict">{self.verdict(score.passed)}</span>{badge}</td>'
        )

    def charts(self) -> str:
        figures = "\n".join(self.radar(candidate) for candidate in self.comparison.candidates)
        legend = (
            f'<p class="legend"><span class="swatch" style="background:#0969da;opacity:.6"></span>'
            f"{self.t('Candidate score')}"
            f'<span class="swatch" style="border-top:2px dashed #bf5700;height:0"></span>'
            f"{self.t('Pass threshold')}</p>"
        )
        return f'<h2>{self.t("Competency profiles")}</h2>\n{legend}\n<div class="charts">\n{figures}\n</div>'

    def radar(self, candidate: CandidateResult) -> str:
        competencies = self.comparison.competencies
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
        for ring in (25, 50, 75, 100):
            parts.append(
                f'<circle cx="{_CX:.1f}" cy="{_CY:.1f}" r="{_RADIUS * ring / 100:.1f}" fill="none" '
                f'stroke="#d0d7de" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{_CX + 3:.1f}" y="{_CY - _RADIUS * ring / 100 - 2:.1f}" font-size="9" '
                f'fill="#8c959f">{escape(format_decimal(ring, locale=self.numbers))}</text>'
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
            f'<polygon points="{points(thresholds)}" fill="none" stroke="#bf5700" stroke-width="1.5" '
            f'stroke-dasharray="5 3"/>'
        )
        parts.append(
            f'<polygon points="{points(values)}" fill="#0969da" fill-opacity="0.25" stroke="#0969da" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
        for angle, score in zip(angles, candidate.scores, strict=True):
            x, y = point(angle, score.score if score.score is not None else 0)
            fill = "#0969da" if score.score is not None else "#ffffff"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{fill}" stroke="#0969da"/>')
        parts.append("</svg>")
        # Raw text here: self.t escapes the whole caption, parameters included.
        overall = (
            self.number(candidate.overall) if candidate.overall is not None else translate("Not scored", self.locale)
        )
        caption = (
            f"{candidate.rank}. {escape(candidate.candidate_label)} · {self.t('Overall score: {score}', score=overall)}"
        )
        return f"<figure>\n<figcaption>{caption}</figcaption>\n" + "\n".join(parts) + "\n</figure>"

    def axis_label(self, angle: float, name: str) -> str:
        x, y = _point_at(angle, _RADIUS + 12)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        if sin > 0.3:
            y += 10
        elif sin < -0.3:
            y -= 4
        else:
            y += 4
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#1f2328" text-anchor="{anchor}">'
            f"<title>{escape(name)}</title>{escape(shorten(name, _LABEL_WIDTH))}</text>"
        )

    def notes(self) -> str:
        return '<div class="notes">\n' + "\n".join(f"<p>{self.t(note)}</p>" for note in _NOTES) + "\n</div>"


def _point_at(angle: float, distance: float) -> tuple[float, float]:
    return _CX + distance * math.cos(angle), _CY + distance * math.sin(angle)


def render_html(comparison: Comparison, competency_names: dict[str, str], locale: str) -> str:
    """The comparison as one self-contained HTML page in ``locale`` (texts via gettext, numbers via Babel).

    ``competency_names`` maps codes to display names in the reader's language; a code without a name
    is shown as the code.
    """
    return _Page(comparison, competency_names, locale).render()
