"""A pay run's review as one self-contained, localised HTML page: what reviewers read before they approve.

Like the other report pages: inline CSS and SVG, no scripts and no external assets. Every fixed text goes
through the gettext catalogue (msgids in :data:`REVIEW_PAGE_MESSAGES`); every text from data (names, notes,
subjects) is escaped; amounts are formatted per currency and locale by :func:`domain.kernel.money.display`, dates
and times by Babel in the reader's language and time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import format_decimal, format_percent

from domain.kernel.html_pages import REPORT_CSS, babel_locale, page_head, shorten
from domain.kernel.i18n import translate
from domain.kernel.money import display
from domain.kernel.reports import produced_text
from domain.payroll.model import CalculationProblemView, ExceptionView
from domain.payroll.review_page import NetPayChange, NetPayTotal, PayRunReview
from domain.payroll.workflow import RunState

_STATES = {
    RunState.DRAFT: "Draft", RunState.CALCULATED: "Calculated", RunState.IN_REVIEW: "In review",
    RunState.APPROVED: "Approved", RunState.FINALISED: "Finalised", RunState.CANCELLED: "Cancelled",
}
_KINDS = {"regular": "Regular run", "correction": "Correction"}

# Every fixed text of the page, for the gettext catalogue.
REVIEW_PAGE_MESSAGES = (
    "Pay run review",
    "Pay group: {group} ({entity})",
    "Period: {period}; pay date {pay_date}",
    "State: {state}; {kind}",
    "Prepared by {preparer}",
    "Calculated by {subject} on {when}",
    "Not calculated yet",
    "Results hash: {hash}",
    "Approved by {reviewers}",
    "No approvals yet",
    "{reviewer} on {when}",
    *_STATES.values(),
    *_KINDS.values(),
    "Variance exceptions still to acknowledge: {open} of {total}",
    "Payslips that could not be calculated: {count}",
    "Net pay against the previous run",
    "Compared with the run for {period}, paid on {pay_date}.",
    "This is the group's first run: there is no previous run to compare with.",
    "Currency",
    "Employees",
    "Previous run",
    "This run",
    "Change",
    "Largest net-pay changes",
    "Change in net pay of each employee against the previous run, as a percentage of the previous net pay",
    "Increase",
    "Decrease",
    "Tolerance (±{percent})",
    "No employee was paid in both runs.",
    "The {shown} largest of {total} changes.",
    "new pay",
    "Employee",
    "Previous net pay",
    "Net pay",
    "Variance exceptions",
    "No variance exceptions.",
    "Finding",
    "Acknowledgement",
    "Open: to acknowledge before approval",
    "Acknowledged by {subject} on {when}",
    "The first {shown} of {total} exceptions; list them all with listPayRunExceptions.",
    "Calculation problems",
    "Every payslip of the last calculation was calculated.",
    "Problem",
    "The first {shown} of {total} payslips that could not be calculated.",
)

_CSS = REPORT_CSS + """
.summary{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.summary p{margin:0;padding:.4rem .8rem;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa}
.summary p.alert{background:#fff4e5;border-color:#e3b341}
code{font-size:.85rem;word-break:break-all}
.muted{color:#57606a;font-style:italic}
figure{margin:0 0 1rem;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;max-width:100%}
svg{width:100%;height:auto;max-width:960px}
.legend{font-size:.8rem;color:#57606a}.swatch{display:inline-block;width:.9rem;height:.6rem;margin:0 .3rem 0 .6rem}
td.open{background:#fff4e5}td.done{color:#1a4d2e}.note{color:#57606a;font-size:.85rem}
.up{color:#0550ae}.down{color:#953800}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none}figure,tr{break-inside:avoid}th{background:none}}
""".strip()

_UP, _DOWN, _GREY = "#0969da", "#bf5700", "#57606a"
# The chart's columns: names right-aligned up to _LABELS, bars either side of the middle of _PLOT, figures after it.
_WIDTH, _ROW, _TOP, _LABELS = 960, 26, 28, 200
_PLOT = (220.0, 700.0)
_FIGURES = 716.0
_LABEL_WIDTH = 28


class _Page:
    def __init__(self, review: PayRunReview, locale: str) -> None:
        self.review = review
        self.locale = locale
        self.babel = babel_locale(locale)
        try:
            self.zone = ZoneInfo(review.produced.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")

    def t(self, message: str, **params: object) -> str:
        """Translated and escaped (the parameters are escaped with the rest)."""
        return escape(translate(message, self.locale, **params))

    def money(self, amount: str | Decimal, currency: str) -> str:
        return display(Decimal(amount), currency, str(self.babel))

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.babel)

    def moment(self, value: datetime) -> str:
        local = format_datetime(value.astimezone(self.zone), format="medium", locale=self.babel)
        return f"{local} ({self.zone.key})"

    def period(self, start: date, end: date) -> str:
        return format_interval(start, end, "yMMMd", locale=self.babel)

    def percent(self, ratio: Decimal, signed: bool = False) -> str:
        pattern = "+#,##0.#%;-#,##0.#%" if signed else "#,##0.#%"
        return format_percent(ratio, format=pattern, locale=self.babel)

    def render(self) -> str:
        s = self.review.subject
        period = escape(self.period(s.period_start, s.period_end))
        title = f"{self.t('Pay run review')} · {escape(s.pay_group_name)} · {period}"
        return "\n".join([
            *page_head(self.locale, title, self.t("Pay run review"), _CSS),
            *self.subject(),
            self.summary(),
            self.net_pay(),
            self.exceptions(),
            self.problems(),
            "</body>",
            "</html>",
        ])

    def subject(self) -> list[str]:
        s = self.review.subject
        lines = [
            self.t("Pay group: {group} ({entity})", group=s.pay_group_name, entity=s.legal_entity_name),
            self.t("Period: {period}; pay date {pay_date}", period=self.period(s.period_start, s.period_end),
                   pay_date=self.day(s.pay_date)),
            self.t("State: {state}; {kind}", state=translate(_STATES[s.state], self.locale),
                   kind=translate(_KINDS.get(s.kind, s.kind), self.locale)),
        ]
        if s.preparer:
            lines.append(self.t("Prepared by {preparer}", preparer=s.preparer))
        if s.calculated_by and s.calculated_at:
            lines.append(self.t("Calculated by {subject} on {when}", subject=s.calculated_by,
                                when=self.moment(s.calculated_at)))
        else:
            lines.append(self.t("Not calculated yet"))
        if s.results_hash:
            lines.append(self.t("Results hash: {hash}", hash=s.results_hash))
        if s.approvals:
            reviewers = ", ".join(translate("{reviewer} on {when}", self.locale, reviewer=a.reviewer,
                                            when=self.moment(a.at)) for a in s.approvals)
            lines.append(self.t("Approved by {reviewers}", reviewers=reviewers))
        else:
            lines.append(self.t("No approvals yet"))
        lines.append(escape(produced_text(self.review.produced, self.locale)))
        return [f'<p class="meta subject">{line}</p>' for line in lines]

    def summary(self) -> str:
        r = self.review
        exceptions = self.t("Variance exceptions still to acknowledge: {open} of {total}",
                            open=self.count(r.open_exceptions), total=self.count(r.exceptions_total))
        problems = self.t("Payslips that could not be calculated: {count}",
                          count=self.count(r.calculation_problems_total))
        return ('<div class="summary">'
                f'<p class="{"alert" if r.open_exceptions else "ok"}">{exceptions}</p>'
                f'<p class="{"alert" if r.calculation_problems_total else "ok"}">{problems}</p></div>')

    def count(self, value: int) -> str:
        return format_decimal(value, format="#,##0", locale=self.babel)

    # -- net pay ---------------------------------------------------------------------------------

    def net_pay(self) -> str:
        r = self.review
        parts = [f"<h2>{self.t('Net pay against the previous run')}</h2>"]
        if r.previous_run is None:
            first = self.t("This is the group's first run: there is no previous run to compare with.")
            parts.append(f'<p class="muted">{first}</p>')
        else:
            p = r.previous_run
            compared = self.t("Compared with the run for {period}, paid on {pay_date}.",
                              period=self.period(p.period_start, p.period_end), pay_date=self.day(p.pay_date))
            parts.append(f'<p class="meta">{compared}</p>')
        if r.net_totals:
            parts.append(self.totals(r.net_totals))
        if r.previous_run is not None:
            parts.append(self.changes())
        return "\n".join(parts)

    def totals(self, totals: Sequence[NetPayTotal]) -> str:
        head = "".join(f"<th>{self.t(h)}</th>" for h in ("Currency", "Employees", "Previous run", "This run", "Change"))
        rows = []
        for total in totals:
            change = Decimal(total.net) - Decimal(total.previous_net)
            rows.append(
                "<tr>"
                f"<th>{escape(total.currency)}</th>"
                f'<td class="num">{self.count(total.previous_employees)} → {self.count(total.employees)}</td>'
                f'<td class="num">{escape(self.money(total.previous_net, total.currency))}</td>'
                f'<td class="num">{escape(self.money(total.net, total.currency))}</td>'
                f'<td class="num {self.direction(change)}">{escape(self.signed_money(change, total.currency))}</td>'
                "</tr>")
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"

    def signed_money(self, amount: Decimal, currency: str) -> str:
        text = self.money(amount, currency)
        return f"+{text}" if amount > 0 else text

    @staticmethod
    def direction(change: Decimal) -> str:
        return "up" if change > 0 else "down" if change < 0 else ""

    def changes(self) -> str:
        r = self.review
        heading = f"<h2>{self.t('Largest net-pay changes')}</h2>"
        if not r.largest_net_changes:
            return f'{heading}\n<p class="muted">{self.t("No employee was paid in both runs.")}</p>'
        tolerance = self.percent(r.net_change_threshold)
        legend = (f'<p class="legend"><span class="swatch" style="background:{_UP}"></span>{self.t("Increase")}'
                  f'<span class="swatch" style="background:{_DOWN}"></span>{self.t("Decrease")}'
                  f'<span class="swatch" style="border-top:2px dashed {_GREY};height:0"></span>'
                  f'{self.t("Tolerance (±{percent})", percent=tolerance)}</p>')
        note = ""
        if r.net_changes_total > len(r.largest_net_changes):
            note = self.t("The {shown} largest of {total} changes.", shown=self.count(len(r.largest_net_changes)),
                          total=self.count(r.net_changes_total))
            note = f'<p class="note">{note}</p>'
        chart = self.chart(r.largest_net_changes)
        return f"{heading}\n{legend}\n<figure>\n{chart}\n</figure>\n{note}\n{self.change_table()}"

    def chart(self, changes: Sequence[NetPayChange]) -> str:
        """Diverging bars from 0: each employee's change as a percentage of their previous net pay, the
        tolerance as dashed lines either side; a change from nothing fills its side and says so."""
        threshold = self.review.net_change_threshold
        ratios = [abs(c.change_ratio) for c in changes if c.change_ratio is not None]
        scale = max([*ratios, threshold * Decimal("1.25"), Decimal("0.05")])
        half = (_PLOT[1] - _PLOT[0]) / 2
        centre = _PLOT[0] + half
        height = _TOP + _ROW * len(changes) + 24
        label = self.t("Change in net pay of each employee against the previous run, as a percentage of the "
                       "previous net pay")
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
                 f'aria-label="{label}">', f"<title>{label}</title>"]
        bottom = _TOP + _ROW * len(changes)
        for value in (-scale, -threshold, Decimal(0), threshold, scale):
            x = centre + float(value / scale) * half
            dashed = ' stroke-dasharray="4 3"' if value in (threshold, -threshold) and value != 0 else ""
            colour = _GREY if value == 0 or dashed else "#d0d7de"
            parts.append(f'<line x1="{x:.1f}" y1="{_TOP - 10}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" '
                         f'stroke-width="1"{dashed}/>')
            parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" font-size="10" fill="{_GREY}" text-anchor="middle">'
                         f"{escape(self.percent(value, signed=value != 0))}</text>")
        for index, change in enumerate(changes):
            parts.extend(self.bar(change, _TOP + _ROW * index + _ROW / 2, centre, half, scale, threshold))
        parts.append("</svg>")
        return "\n".join(parts)

    def bar(self, change: NetPayChange, mid: float, centre: float, half: float, scale: Decimal,
            threshold: Decimal) -> list[str]:
        amount = Decimal(change.change)
        colour = _UP if amount >= 0 else _DOWN
        if change.change_ratio is None:
            length, beyond = (half if amount else 0.0), bool(amount)
            value = translate("new pay", self.locale)
        else:
            length = float(abs(change.change_ratio) / scale) * half
            beyond = abs(change.change_ratio) > threshold
            value = self.percent(change.change_ratio, signed=True)
        start = centre if amount >= 0 else centre - length
        caption = f"{value} ({self.signed_money(amount, change.currency)})"
        return [
            f'<text x="{_LABELS:.1f}" y="{mid + 4:.1f}" font-size="12" fill="#1f2328" text-anchor="end">'
            f"<title>{escape(change.name)}</title>{escape(shorten(change.name, _LABEL_WIDTH))}</text>",
            f'<rect x="{start:.1f}" y="{mid - 8:.1f}" width="{max(length, 1.0):.1f}" height="16" fill="{colour}" '
            f'fill-opacity="{0.9 if beyond else 0.45}"/>',
            f'<text x="{_FIGURES:.1f}" y="{mid + 4:.1f}" font-size="11" fill="#1f2328">'
            f"{escape(caption)}</text>",
        ]

    def change_table(self) -> str:
        head = "".join(f"<th>{self.t(h)}</th>" for h in ("Employee", "Previous net pay", "Net pay", "Change"))
        rows = []
        for c in self.review.largest_net_changes:
            amount = Decimal(c.change)
            ratio = f" ({self.percent(c.change_ratio, signed=True)})" if c.change_ratio is not None else ""
            rows.append(
                "<tr>"
                f"<td>{escape(c.name)}</td>"
                f'<td class="num">{escape(self.money(c.previous, c.currency))}</td>'
                f'<td class="num">{escape(self.money(c.current, c.currency))}</td>'
                f'<td class="num {self.direction(amount)}">{escape(self.signed_money(amount, c.currency) + ratio)}</td>'
                "</tr>")
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"

    # -- exceptions and problems -----------------------------------------------------------------

    def exceptions(self) -> str:
        r = self.review
        heading = f"<h2>{self.t('Variance exceptions')}</h2>"
        if not r.exceptions:
            return f'{heading}\n<p class="muted">{self.t("No variance exceptions.")}</p>'
        head = f"<th>{self.t('Finding')}</th><th>{self.t('Acknowledgement')}</th>"
        rows = [self.exception_row(e) for e in r.exceptions]
        more = ""
        if r.exceptions_total > len(r.exceptions):
            more = self.t("The first {shown} of {total} exceptions; list them all with listPayRunExceptions.",
                          shown=self.count(len(r.exceptions)), total=self.count(r.exceptions_total))
            more = f'<p class="note">{more}</p>'
        return (f"{heading}\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                + f"\n</tbody>\n</table>\n{more}")

    def exception_row(self, exception: ExceptionView) -> str:
        message = escape(str(exception.detail.get("message", "")))
        if exception.acknowledged_by is None or exception.acknowledged_at is None:
            return f'<tr><td>{message}</td><td class="open">{self.t("Open: to acknowledge before approval")}</td></tr>'
        who = self.t("Acknowledged by {subject} on {when}", subject=exception.acknowledged_by,
                     when=self.moment(exception.acknowledged_at))
        note = f'<br><span class="note">{escape(exception.note)}</span>' if exception.note else ""
        return f'<tr><td>{message}</td><td class="done">{who}{note}</td></tr>'

    def problems(self) -> str:
        r = self.review
        heading = f"<h2>{self.t('Calculation problems')}</h2>"
        if not r.calculation_problems:
            return f'{heading}\n<p class="muted">{self.t("Every payslip of the last calculation was calculated.")}</p>'
        head = f"<th>{self.t('Employee')}</th><th>{self.t('Problem')}</th>"
        rows = [self.problem_row(p) for p in r.calculation_problems]
        more = ""
        if r.calculation_problems_total > len(r.calculation_problems):
            more = self.t("The first {shown} of {total} payslips that could not be calculated.",
                          shown=self.count(len(r.calculation_problems)), total=self.count(r.calculation_problems_total))
            more = f'<p class="note">{more}</p>'
        return (f"{heading}\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                + f"\n</tbody>\n</table>\n{more}")

    @staticmethod
    def problem_row(problem: CalculationProblemView) -> str:
        return f"<tr><td>{escape(problem.employee)}</td><td>{escape(problem.problem)}</td></tr>"


def render_pay_run_review_html(review: PayRunReview, locale: str) -> str:
    """The review as one self-contained HTML page in ``locale``, dates and times in the reader's time zone (the
    one the review was produced for)."""
    return _Page(review, locale).render()
