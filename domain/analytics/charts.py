"""The analytics pages: the interview feedback loop and attrition risk, as self-contained HTML.

Like the comparison report: inline CSS, inline SVG, no scripts and no external assets. Every fixed
text goes through the gettext catalogue (msgids in FEEDBACK_CHART_MESSAGES, ATTRITION_CHART_MESSAGES,
and the analyses' own FEEDBACK_LOOP_MESSAGES and ATTRITION_MESSAGES); every text from data is escaped;
numbers are formatted for the locale by Babel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape

from babel.numbers import format_decimal, format_percent

from domain.analytics.attrition import AttritionReport, EmployeeRisk, Validation
from domain.analytics.feedback_loop import CompetencyStats, FeedbackLoopReport
from domain.kernel.html_pages import REPORT_CSS, babel_locale, page_head, shorten
from domain.kernel.i18n import translate
from domain.kernel.reports import heading_lines

_FEEDBACK_NOTES = (
    "Correlation: Pearson's r between the interview score of a competency and the later performance "
    "rating of the same competency (the overall rating when that competency was not rated). "
    "The whiskers show the 95% confidence interval by Fisher's z transform.",
    "Proposed weights: each competency's target is proportional to its current weight times one plus its "
    "correlation (a negative correlation counts as zero), and the proposal moves from the current weight "
    "toward the target by n / (n + 20), so a few hires move it little. Competencies without enough data keep "
    "their weight. The proposal sums to exactly 1.",
    "Divergence: the hire's standardised overall performance minus the standardised weighted interview score.",
)

# Every fixed text of the feedback loop page, for the gettext catalogue.
FEEDBACK_CHART_MESSAGES = (
    "Interview feedback loop: {job}, competency model version {version}",
    "Hires analysed: {count}",
    "Not enough data yet",
    "Interview scores and later performance",
    "Correlation of interview scores with later performance, by competency",
    "Correlation (Pearson r)",
    "95% confidence interval",
    "Not enough data",
    "Competency",
    "Hires",
    "Correlation",
    "Current weight",
    "Proposed weight",
    "Status",
    "Used",
    "{low} to {high}",
    "Current and proposed weights",
    "Current and proposed weight of each competency",
    "No new weights are proposed until there is enough data.",
    "Hires whose performance diverges from their interview",
    "Hire",
    "Direction",
    "Performance (z)",
    "Interview (z)",
    "Difference",
    "Outperformed the interview",
    "Underperformed the interview",
    "No hire's performance differs from the interview by more than {threshold} standard deviations.",
    *_FEEDBACK_NOTES,
)

_ATTRITION_NOTES = (
    "The risk is the estimated probability of leaving: low below 30%, medium from 30% to 60%, high from 60%.",
    "Each factor shown raises or lowers the risk a lot or a little; a lot means it multiplies or divides the odds of "
    "leaving by 1.65 or more. Up to three factors are shown, the strongest first; a factor that changes nothing is "
    "not shown.",
)

_EFFECTS = {
    "raises_a_lot": "Raises the risk a lot",
    "raises_a_little": "Raises the risk a little",
    "lowers_a_little": "Lowers the risk a little",
    "lowers_a_lot": "Lowers the risk a lot",
}
_FEATURE_NAMES = {
    "culture_fit": "Culture-fit interview score",
    "training_participation": "Share of the assigned trainings completed",
    "tenure_months": "Months in the company",
    "review_trend": "Change between the last two reviews",
    "pay_position": "Pay against the position's midpoint",
    "recent_manager_change": "Manager change in the last 6 months",
}
_VALIDATION = {
    "holdout": "Tested on {employees} employees it was not fitted on ({leavers} of whom left).",
    "history": "Tested on this organisation's history: {employees} employees ({leavers} of whom left).",
}

ATTRITION_CHART_MESSAGES = (
    "Attrition risk",
    "Employees scored: {count}",
    "Risk bands",
    "Number of employees in each risk band",
    "Low",
    "Medium",
    "High",
    "Highest risk",
    "Employee",
    "Department",
    "Position",
    "Legal entity",
    "Risk",
    "Band",
    "Top factors",
    "{factor}: {effect}",
    "No factor stands out.",
    "No employees to show.",
    "About the model",
    "Model",
    "Data",
    "Validation",
    "Factors",
    "Limits",
    "{employees} current and former employees, {leavers} of whom left and {stayers} stayed.",
    "Ranking accuracy (AUC): {auc}. The chance that a leaver scores higher than a stayer: 0.5 is a coin toss, 1 is "
    "perfect.",
    "Error of the probabilities (Brier score): {brier}, against {base} for always guessing the share of leavers. "
    "Lower is better.",
    "Not validated yet: the history has no leaver or no stayer to test on.",
    *_EFFECTS.values(),
    *_FEATURE_NAMES.values(),
    *_VALIDATION.values(),
    *_ATTRITION_NOTES,
)

_CSS = REPORT_CSS + """
.empty{background:#fff4e5;border:1px solid #e3b341;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.empty h2{border:0;margin-top:.3rem}.muted{color:#57606a;font-style:italic}
.low{background:#e6f4ea;color:#1a4d2e}.medium{background:#fff4e5;color:#7a4a00}.high{background:#fdeaea;color:#7a1c1c}
.up{color:#7a1c1c}.down{color:#1a4d2e}ul.factors{margin:0;padding-left:1.1rem}
th{word-break:keep-all;overflow-wrap:normal}td.who{min-width:8em;overflow-wrap:anywhere}
td.who .number{color:#57606a;font-size:.85em;font-variant-numeric:tabular-nums}
table.card th{width:9em;white-space:nowrap}
figure{margin:0 0 1rem;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;max-width:100%}
svg{width:100%;height:auto;max-width:720px}
.legend{font-size:.8rem;color:#57606a}.swatch{display:inline-block;width:.9rem;height:.6rem;margin:0 .3rem 0 .6rem}
.notes{font-size:.85rem;color:#57606a}
@media print{body{margin:0}figure{break-inside:avoid}}
""".strip()

_BLUE, _ORANGE, _GREY = "#0969da", "#bf5700", "#8c959f"
_BAND_COLOURS = {"low": "#2da44e", "medium": "#d4a72c", "high": "#cf222e"}
_BAND_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
_LABEL_WIDTH = 24
HIGHEST_RISK_ROWS = 20


class _Texts:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.numbers = babel_locale(locale)

    def t(self, message: str, **params: object) -> str:
        """Translated and escaped (the parameters are escaped with the rest)."""
        return escape(translate(message, self.locale, **params))

    def markup(self, message: str, **html: str) -> str:
        """Translated and escaped, its parameters HTML already made safe (placed after escaping the text)."""
        text = escape(translate(message, self.locale, **{name: f"\ue000{name}\ue001" for name in html}))
        for name, value in html.items():
            text = text.replace(f"\ue000{name}\ue001", value)
        return text

    def number(self, value: Decimal | float, places: int = 2) -> str:
        pattern = "#,##0." + "0" * places if places else "#,##0"
        return format_decimal(value, format=pattern, locale=self.numbers)

    def signed(self, value: Decimal | float, places: int = 2) -> str:
        digits = "0" * places
        return format_decimal(value, format=f"+#,##0.{digits};-#,##0.{digits}", locale=self.numbers)

    def percent(self, value: Decimal | float) -> str:
        return format_percent(value, format="#,##0.##%", locale=self.numbers)

    def head(self, title_msgid: str) -> list[str]:
        return page_head(self.locale, self.t(title_msgid), self.t(title_msgid), _CSS)

    def label(self, x: float, y: float, name: str, anchor: str = "end") -> str:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" fill="#1f2328" text-anchor="{anchor}">'
            f"<title>{escape(name)}</title>{escape(shorten(name, _LABEL_WIDTH))}</text>"
        )

    def table(self, headers: Sequence[str], rows: Sequence[str]) -> str:
        head = "".join(f"<th>{self.t(header)}</th>" for header in headers)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


# -- the feedback loop ------------------------------------------------------------------------

# Correlation chart geometry: r from -1 to 1 maps onto [_PLOT_LEFT, _PLOT_RIGHT].
_WIDTH, _ROW, _TOP = 720, 30, 30
_PLOT_LEFT, _PLOT_RIGHT = 200.0, 660.0


def _x_of_r(r: Decimal | float) -> float:
    return _PLOT_LEFT + (float(r) + 1) / 2 * (_PLOT_RIGHT - _PLOT_LEFT)


class _FeedbackPage(_Texts):
    def __init__(self, analysis: FeedbackLoopReport, names: Mapping[str, str], locale: str) -> None:
        super().__init__(locale)
        self.analysis = analysis
        self.names = names

    def name(self, code: str) -> str:
        return self.names.get(code) or code

    def render(self) -> str:
        a = self.analysis
        heading = self.t("Interview feedback loop: {job}, competency model version {version}",
                         job=a.subject.job_title, version=a.subject.model_version)
        parts = [
            *page_head(self.locale, heading, heading, _CSS),
            *heading_lines(self.locale, a.produced, a.subject),
            f'<p class="meta">{self.t("Hires analysed: {count}", count=self.number(a.hires, 0))}</p>',
        ]
        if a.insufficient_data:
            reason = self.t(a.reason, minimum=a.min_sample) if a.reason else ""
            parts.append(f'<div class="empty">\n<h2>{self.t("Not enough data yet")}</h2>\n<p>{reason}</p>\n</div>')
        parts += [self.correlations(), self.weights(), self.divergences(), self.notes(), "</body>", "</html>"]
        return "\n".join(parts)

    def correlations(self) -> str:
        competencies = self.analysis.competencies
        legend = (
            f'<p class="legend"><span class="swatch" style="background:{_BLUE}"></span>'
            f"{self.t('Correlation (Pearson r)')}"
            f'<span class="swatch" style="border-top:2px solid #1f2328;height:0"></span>'
            f"{self.t('95% confidence interval')}"
            f'<span class="swatch" style="background:{_GREY}"></span>{self.t("Not enough data")}</p>'
        )
        rows = [self.stats_row(stats) for stats in competencies]
        table = self.table(
            (
                "Competency",
                "Hires",
                "Correlation",
                "95% confidence interval",
                "Current weight",
                "Proposed weight",
                "Status",
            ),
            rows,
        )
        heading = f"<h2>{self.t('Interview scores and later performance')}</h2>"
        if all(stats.correlation is None for stats in competencies):
            return f"{heading}\n{table}"  # nothing to draw: no empty chart
        return f"{heading}\n{legend}\n<figure>\n{self.correlation_chart(competencies)}\n</figure>\n{table}"

    def correlation_chart(self, competencies: Sequence[CompetencyStats]) -> str:
        height = _TOP + _ROW * len(competencies) + 30
        label = self.t("Correlation of interview scores with later performance, by competency")
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="{label}">',
            f"<title>{label}</title>",
        ]
        bottom = _TOP + _ROW * len(competencies)
        for tick in ("-1", "-0.5", "0", "0.5", "1"):
            x = _x_of_r(Decimal(tick))
            colour = "#57606a" if tick == "0" else "#d0d7de"
            parts.append(
                f'<line x1="{x:.1f}" y1="{_TOP - 8}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{bottom + 16}" font-size="10" fill="#57606a" text-anchor="middle">'
                f"{escape(self.number(Decimal(tick), 1))}</text>"
            )
        for index, stats in enumerate(competencies):
            mid = _TOP + _ROW * index + _ROW / 2
            parts.append(self.label(_PLOT_LEFT - 10, mid + 4, self.name(stats.code)))
            if stats.correlation is None:
                continue
            colour = _BLUE if stats.sufficient else _GREY
            zero, end = _x_of_r(0), _x_of_r(stats.correlation)
            parts.append(
                f'<rect x="{min(zero, end):.1f}" y="{mid - 8:.1f}" width="{abs(end - zero):.1f}" height="16" '
                f'fill="{colour}" fill-opacity="0.7"/>'
            )
            if stats.ci_low is not None and stats.ci_high is not None:
                low, high = _x_of_r(stats.ci_low), _x_of_r(stats.ci_high)
                parts.append(
                    f'<line x1="{low:.1f}" y1="{mid:.1f}" x2="{high:.1f}" y2="{mid:.1f}" stroke="#1f2328" '
                    f'stroke-width="1.5"/>'
                )
                for x in (low, high):
                    parts.append(
                        f'<line x1="{x:.1f}" y1="{mid - 6:.1f}" x2="{x:.1f}" y2="{mid + 6:.1f}" stroke="#1f2328" '
                        f'stroke-width="1.5"/>'
                    )
        parts.append("</svg>")
        return "\n".join(parts)

    def stats_row(self, stats: CompetencyStats) -> str:
        dash = "—"
        correlation = self.signed(stats.correlation) if stats.correlation is not None else dash
        if stats.ci_low is not None and stats.ci_high is not None:
            interval = self.t("{low} to {high}", low=self.signed(stats.ci_low), high=self.signed(stats.ci_high))
        else:
            interval = dash
        proposed = self.percent(stats.proposed_weight) if stats.proposed_weight is not None else dash
        if stats.sufficient:
            status = self.t("Used")
        else:
            status = self.t(stats.reason, minimum=self.analysis.min_sample) if stats.reason else dash
        return (
            "<tr>"
            f"<th>{escape(self.name(stats.code))}</th>"
            f'<td class="num">{self.number(stats.n, 0)}</td>'
            f'<td class="num">{correlation}</td>'
            f'<td class="num">{interval}</td>'
            f'<td class="num">{self.percent(stats.current_weight)}</td>'
            f'<td class="num">{proposed}</td>'
            f"<td>{status}</td>"
            "</tr>"
        )

    def weights(self) -> str:
        heading = f"<h2>{self.t('Current and proposed weights')}</h2>"
        proposal = self.analysis.proposed_weights
        if proposal is None:
            return (
                f'{heading}\n<p class="muted">{self.t("No new weights are proposed until there is enough data.")}</p>'
            )
        legend = (
            f'<p class="legend"><span class="swatch" style="background:{_BLUE}"></span>{self.t("Current weight")}'
            f'<span class="swatch" style="background:{_ORANGE}"></span>{self.t("Proposed weight")}</p>'
        )
        competencies = self.analysis.competencies
        group = 44
        height = 20 + group * len(competencies)
        scale = max(
            max(float(stats.current_weight) for stats in competencies), max(float(v) for v in proposal.values())
        )
        span = _PLOT_RIGHT - _PLOT_LEFT - 40
        label = self.t("Current and proposed weight of each competency")
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="{label}">',
            f"<title>{label}</title>",
        ]
        for index, stats in enumerate(competencies):
            top = 10 + group * index
            parts.append(self.label(_PLOT_LEFT - 10, top + 22, self.name(stats.code)))
            for offset, value, colour in (
                (2, stats.current_weight, _BLUE),
                (20, proposal[stats.code], _ORANGE),
            ):
                width = span * float(value) / scale if scale > 0 else 0
                parts.append(
                    f'<rect x="{_PLOT_LEFT:.1f}" y="{top + offset}" width="{width:.1f}" height="16" fill="{colour}" '
                    f'fill-opacity="0.8"/>'
                )
                parts.append(
                    f'<text x="{_PLOT_LEFT + width + 4:.1f}" y="{top + offset + 12}" font-size="11" fill="#1f2328">'
                    f"{escape(self.percent(value))}</text>"
                )
        parts.append("</svg>")
        return f"{heading}\n{legend}\n<figure>\n" + "\n".join(parts) + "\n</figure>"

    def divergences(self) -> str:
        a = self.analysis
        heading = f"<h2>{self.t('Hires whose performance diverges from their interview')}</h2>"
        if not a.divergences:
            text = self.t(
                "No hire's performance differs from the interview by more than {threshold} standard deviations.",
                threshold=self.number(a.divergence_threshold, 1),
            )
            return f'{heading}\n<p class="muted">{text}</p>'
        rows = []
        for item in a.divergences:
            outperformed = item.direction == "outperformed"
            direction = self.t("Outperformed the interview" if outperformed else "Underperformed the interview")
            rows.append(
                "<tr>"
                f"<td>{escape(item.label)}</td>"
                f'<td class="{"down" if outperformed else "up"}">{direction}</td>'
                f'<td class="num">{self.signed(item.performance_z)}</td>'
                f'<td class="num">{self.signed(item.interview_z)}</td>'
                f'<td class="num">{self.signed(item.gap)}</td>'
                "</tr>"
            )
        return (
            heading + "\n" + self.table(("Hire", "Direction", "Performance (z)", "Interview (z)", "Difference"), rows)
        )

    def notes(self) -> str:
        return '<div class="notes">\n' + "\n".join(f"<p>{self.t(note)}</p>" for note in _FEEDBACK_NOTES) + "\n</div>"


def render_feedback_loop_html(analysis: FeedbackLoopReport, competency_names: Mapping[str, str], locale: str) -> str:
    """The feedback loop analysis as one self-contained HTML page in ``locale``, headed by its job and competency
    model version, and who produced it when.

    A bar chart of each competency's correlation with its 95% confidence interval as whiskers (left out while
    no competency has a correlation to draw), a table of the figures, current and proposed weights side by side
    (or why nothing is proposed yet), and the hires whose performance diverges from their interview.
    ``competency_names`` maps codes to display names; a code without a name is shown as the code.
    """
    return _FeedbackPage(analysis, competency_names, locale).render()


# -- attrition --------------------------------------------------------------------------------


class _AttritionPage(_Texts):
    def __init__(self, report: AttritionReport, locale: str, limit: int) -> None:
        super().__init__(locale)
        self.report = report
        self.rows = report.employees
        self.limit = limit

    def render(self) -> str:
        return "\n".join(
            [
                *self.head("Attrition risk"),
                *heading_lines(self.locale, self.report.produced),
                f'<p class="meta">{self.t("Employees scored: {count}", count=self.number(len(self.rows), 0))}</p>',
                self.bands(),
                self.highest(),
                self.model_card(),
                '<div class="notes">\n' + "\n".join(f"<p>{self.t(note)}</p>" for note in _ATTRITION_NOTES) + "\n</div>",
                "</body>",
                "</html>",
            ]
        )

    def bands(self) -> str:
        counts = {band: 0 for band in _BAND_LABELS}
        for row in self.rows:
            counts[row.risk.band] += 1
        total = len(self.rows)
        width, height, base, bar = 480, 240, 200, 90
        tallest = max(counts.values()) or 1
        label = self.t("Number of employees in each risk band")
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">',
            f"<title>{label}</title>",
            f'<line x1="30" y1="{base}" x2="{width - 30}" y2="{base}" stroke="#57606a" stroke-width="1"/>',
        ]
        for index, (band, msgid) in enumerate(_BAND_LABELS.items()):
            count = counts[band]
            x = 60 + index * 140
            tall = 160 * count / tallest
            share = self.percent(Decimal(count) / total) if total else self.percent(0)
            parts.append(
                f'<rect x="{x}" y="{base - tall:.1f}" width="{bar}" height="{tall:.1f}" '
                f'fill="{_BAND_COLOURS[band]}" fill-opacity="0.85"/>'
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - tall - 6:.1f}" font-size="12" fill="#1f2328" '
                f'text-anchor="middle">{escape(self.number(count, 0))} ({escape(share)})</text>'
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 18}" font-size="12" fill="#1f2328" '
                f'text-anchor="middle">{self.t(msgid)}</text>'
            )
        parts.append("</svg>")
        return f"<h2>{self.t('Risk bands')}</h2>\n<figure>\n" + "\n".join(parts) + "\n</figure>"

    def highest(self) -> str:
        heading = f"<h2>{self.t('Highest risk')}</h2>"
        ranked = sorted(self.rows, key=lambda row: (-row.risk.score, row.label.casefold(), str(row.employee_id)))
        if not ranked:
            return f'{heading}\n<p class="muted">{self.t("No employees to show.")}</p>'
        rows = [self.row(row) for row in ranked[: self.limit]]
        headers = ("Employee", "Department", "Position", "Legal entity", "Risk", "Band", "Top factors")
        return heading + "\n" + self.table(headers, rows)

    def row(self, row: EmployeeRisk) -> str:
        risk = row.risk
        factors = "".join(
            "<li>" + self.markup(
                "{factor}: {effect}", factor=self.t(factor.explanation),
                effect=f'<span class="{_direction(factor.contribution)}">{self.t(_EFFECTS[factor.effect])}</span>',
            ) + "</li>"
            for factor in risk.top_factors
        ) or f'<li class="muted">{self.t("No factor stands out.")}</li>'
        return (
            "<tr>"
            f'<td class="who">{self.who(row)}</td>'
            f"<td>{escape(row.department or '')}</td>"
            f"<td>{escape(row.position or '')}</td>"
            f"<td>{escape(row.legal_entity or '')}</td>"
            f'<td class="num">{self.percent(risk.score)}</td>'
            f'<td class="{risk.band}">{self.t(_BAND_LABELS[risk.band])}</td>'
            f'<td><ul class="factors">{factors}</ul></td>'
            "</tr>"
        )

    @staticmethod
    def who(row: EmployeeRisk) -> str:
        number = f'<br><span class="number">{escape(row.employee_number)}</span>' if row.employee_number else ""
        return escape(row.label) + number

    def model_card(self) -> str:
        card = self.report.model_card
        description = self.t(card.description, leavers=card.minimum_leavers, stayers=card.minimum_stayers)
        data = self.t(
            "{employees} current and former employees, {leavers} of whom left and {stayers} stayed.",
            employees=self.number(card.employees, 0), leavers=self.number(card.leavers, 0),
            stayers=self.number(card.stayers, 0),
        )
        factors = "".join(f"<li>{self.t(_FEATURE_NAMES[feature])}</li>" for feature in card.features)
        limits = "".join(f"<li>{self.t(limit)}</li>" for limit in card.limits)
        rows = [
            ("Model", description),
            ("Data", data),
            ("Validation", self.validation(card.validation)),
            ("Factors", f'<ul class="factors">{factors}</ul>'),
            ("Limits", f'<ul class="factors">{limits}</ul>'),
        ]
        body = "\n".join(f'<tr><th scope="row">{self.t(label)}</th><td>{value}</td></tr>' for label, value in rows)
        return f'<h2>{self.t("About the model")}</h2>\n<table class="card">\n<tbody>\n{body}\n</tbody>\n</table>'

    def validation(self, validation: Validation | None) -> str:
        if validation is None:
            return self.t("Not validated yet: the history has no leaver or no stayer to test on.")
        tested = self.t(_VALIDATION[validation.method], employees=self.number(validation.employees, 0),
                        leavers=self.number(validation.leavers, 0))
        auc = self.t("Ranking accuracy (AUC): {auc}. The chance that a leaver scores higher than a stayer: 0.5 is a "
                     "coin toss, 1 is perfect.", auc=self.number(validation.auc, 2))
        brier = self.t("Error of the probabilities (Brier score): {brier}, against {base} for always guessing the "
                       "share of leavers. Lower is better.", brier=self.number(validation.brier, 3),
                       base=self.number(validation.base_rate_brier, 3))
        return f"{tested}<br>{auc}<br>{brier}"


def _direction(contribution: Decimal) -> str:
    return "up" if contribution > 0 else "down" if contribution < 0 else "flat"


def render_attrition_html(report: AttritionReport, locale: str, limit: int = HIGHEST_RISK_ROWS) -> str:
    """Attrition risk as one self-contained HTML page in ``locale``: who produced it when, the employees per risk
    band as SVG bars, a table of the ``limit`` highest-risk employees (with where they work, and their factors in
    plain words), and the model's card."""
    return _AttritionPage(report, locale, limit).render()
