"""An employee's printable payslip: one self-contained, localised HTML page.

Inline CSS (print-friendly), no scripts and no external assets, so the page can be stored, mailed or
printed as it is. Every fixed text goes through the gettext catalogue (its msgids are in
PAYSLIP_MESSAGES); every text from data (names, line labels) is escaped. Line labels arrive already
in the reader's language. Amounts are formatted by :func:`domain.kernel.money.display`, dates by Babel.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from html import escape

import msgspec
from babel.dates import format_date, format_interval

from compliance.calculation import CalculationResult
from domain.kernel.html_pages import babel_locale, page_head
from domain.kernel.i18n import translate
from domain.kernel.money import display

ZERO = Decimal(0)


class PayslipLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the payslip; ``label`` is already in the reader's language."""

    code: str
    label: str
    employee: Decimal = ZERO  # deducted from the employee's pay
    employer: Decimal = ZERO  # paid by the employer on top of gross pay


class PayslipDocument(msgspec.Struct, frozen=True, kw_only=True):
    """What a payslip shows. ``year_to_date`` keys are either a key of :data:`YEAR_TO_DATE_LABELS`
    (shown with its translated label), a line code (shown with that line's label), or any other text,
    which is shown as given (so it must already be in the reader's language)."""

    entity_name: str
    employee_name: str
    period_start: date
    period_end: date
    pay_date: date
    currency: str
    gross: Decimal
    net: Decimal
    lines: list[PayslipLine] = []
    employer_cost: Decimal = ZERO
    employee_reference: str | None = None
    year_to_date: dict[str, Decimal] | None = None

    @property
    def total_deductions(self) -> Decimal:
        return sum((line.employee for line in self.lines), ZERO)

    @property
    def employer_contributions(self) -> Decimal:
        return sum((line.employer for line in self.lines), ZERO)


# Year-to-date keys with a fixed label; the employer ones are shown only with the employer costs.
YEAR_TO_DATE_LABELS = {
    "gross": "Gross pay",
    "employee_deductions": "Total deductions",
    "net": "Net pay",
    "employer_contributions": "Employer contributions",
    "employer_cost": "Employer cost",
}
_EMPLOYER_KEYS = frozenset({"employer_contributions", "employer_cost"})

# Every fixed text the page shows, for the gettext catalogue (the lead adds zh_CN and ja).
PAYSLIP_MESSAGES = (
    "Payslip",
    "Employer",
    "Employee",
    "Employee number",
    "Period",
    "Pay date",
    "Earnings",
    "Gross pay",
    "Deductions",
    "No deductions",
    "Total deductions",
    "Net pay",
    "Employer contributions",
    "Employer cost",
    "Year to date",
    "Item",
    "Amount",
    "Amounts in {currency}.",
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Hiragino Sans",sans-serif;
color:#1f2328;margin:2rem auto;max-width:800px;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem;margin:0 0 .8rem}h2{font-size:1.05rem;margin:1.4rem 0 .3rem;border-bottom:1px solid #d0d7de}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}
dl.head dt{color:#57606a}dl.head dd{margin:0;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem;font-size:.95rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left}
th{background:#f6f8fa}td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;border-top:2px solid #57606a}
.net{font-size:1.2rem;font-weight:700;border:2px solid #1f2328;padding:.5rem .8rem;display:flex;
justify-content:space-between;margin:1rem 0}
.employer{background:#fafbfc;border:1px dashed #8c959f;padding:0 .8rem .4rem;margin-top:1rem}
.empty{color:#57606a;font-style:italic}.note{font-size:.8rem;color:#57606a}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10.5pt}th{background:none}
.employer{background:none}section,table,.net{break-inside:avoid}}
""".strip()


class _Page:
    def __init__(self, payslip: PayslipDocument, locale: str, show_employer_costs: bool) -> None:
        self.payslip = payslip
        self.locale = locale
        self.babel = babel_locale(locale)
        self.show_employer_costs = show_employer_costs

    def t(self, message: str, **params: object) -> str:
        """Translated and escaped (the parameters are escaped with the rest)."""
        return escape(translate(message, self.locale, **params))

    def money(self, amount: Decimal) -> str:
        return escape(display(amount, self.payslip.currency, str(self.babel)))

    def day(self, value: date) -> str:
        return escape(format_date(value, format="long", locale=self.babel))

    def period(self) -> str:
        p = self.payslip
        return escape(format_interval(p.period_start, p.period_end, "yMMMd", locale=self.babel))

    def render(self) -> str:
        title = f"{self.t('Payslip')} · {escape(self.payslip.employee_name)} · {self.period()}"
        return "\n".join(
            [
                *page_head(self.locale, title, self.t("Payslip"), _CSS),
                self.header(),
                self.earnings(),
                self.deductions(),
                f'<p class="net"><span>{self.t("Net pay")}</span><span>{self.money(self.payslip.net)}</span></p>',
                self.employer() if self.show_employer_costs else "",
                self.year_to_date(),
                f'<p class="note">{self.t("Amounts in {currency}.", currency=self.payslip.currency)}</p>',
                "</body>",
                "</html>",
            ]
        )

    def header(self) -> str:
        p = self.payslip
        rows = [
            (self.t("Employer"), escape(p.entity_name)),
            (self.t("Employee"), escape(p.employee_name)),
        ]
        if p.employee_reference:
            rows.append((self.t("Employee number"), escape(p.employee_reference)))
        rows += [(self.t("Period"), self.period()), (self.t("Pay date"), self.day(p.pay_date))]
        return '<dl class="head">\n' + "\n".join(f"<dt>{dt}</dt><dd>{dd}</dd>" for dt, dd in rows) + "\n</dl>"

    def table(self, heading: str, rows: list[tuple[str, Decimal]], total: tuple[str, Decimal] | None) -> str:
        head = f'<thead><tr><th>{self.t("Item")}</th><th class="num">{self.t("Amount")}</th></tr></thead>'
        body = [f'<tr><td>{label}</td><td class="num">{self.money(amount)}</td></tr>' for label, amount in rows]
        if total is not None:
            body.append(f'<tr class="total"><td>{total[0]}</td><td class="num">{self.money(total[1])}</td></tr>')
        rows_html = "\n".join(body)
        return f"<section>\n<h2>{heading}</h2>\n<table>\n{head}\n<tbody>\n{rows_html}\n</tbody>\n</table>\n</section>"

    def earnings(self) -> str:
        return self.table(self.t("Earnings"), [], (self.t("Gross pay"), self.payslip.gross))

    def deductions(self) -> str:
        p = self.payslip
        rows = [(escape(line.label), line.employee) for line in p.lines if line.employee]
        if not rows:
            empty = f'<p class="empty">{self.t("No deductions")}</p>'
            return f"<section>\n<h2>{self.t('Deductions')}</h2>\n{empty}\n</section>"
        return self.table(self.t("Deductions"), rows, (self.t("Total deductions"), p.total_deductions))

    def employer(self) -> str:
        p = self.payslip
        rows = [(escape(line.label), line.employer) for line in p.lines if line.employer]
        contributions = self.table(
            self.t("Employer contributions"), rows, (self.t("Employer contributions"), p.employer_contributions)
        )
        cost_rows = [(self.t("Gross pay"), p.gross), (self.t("Employer contributions"), p.employer_contributions)]
        cost = self.table(self.t("Employer cost"), cost_rows, (self.t("Employer cost"), p.employer_cost))
        return f'<div class="employer">\n{contributions}\n{cost}\n</div>'

    def year_to_date(self) -> str:
        p = self.payslip
        if not p.year_to_date:
            return ""
        labels = {line.code: escape(line.label) for line in p.lines}
        employer_only = {line.code for line in p.lines if line.employer and not line.employee}
        rows = []
        for key, amount in p.year_to_date.items():
            if not self.show_employer_costs and (key in _EMPLOYER_KEYS or key in employer_only):
                continue
            fixed = YEAR_TO_DATE_LABELS.get(key)
            rows.append((self.t(fixed) if fixed else labels.get(key, escape(key)), amount))
        return self.table(self.t("Year to date"), rows, None) if rows else ""


def render_payslip_html(payslip: PayslipDocument, locale: str, *, show_employer_costs: bool = False) -> str:
    """The payslip as one self-contained HTML page in ``locale``.

    ``show_employer_costs`` adds the employer's contributions and total cost (for HR); the
    employee's own copy leaves them out, including their year-to-date figures.
    """
    return _Page(payslip, locale, show_employer_costs).render()


def payslip_from_result(
    result: CalculationResult,
    *,
    entity_name: str,
    employee_name: str,
    period_start: date,
    period_end: date,
    locale: str,
    employee_reference: str | None = None,
    year_to_date: Mapping[str, Decimal] | None = None,
) -> PayslipDocument:
    """A payslip from a calculation result, its line labels (English msgids) translated to ``locale``."""
    return PayslipDocument(
        entity_name=entity_name,
        employee_name=employee_name,
        employee_reference=employee_reference,
        period_start=period_start,
        period_end=period_end,
        pay_date=result.pay_date,
        currency=result.currency,
        gross=result.totals.gross,
        net=result.totals.net,
        employer_cost=result.totals.employer_cost,
        lines=[
            PayslipLine(
                code=line.code,
                label=translate(line.label, locale),
                employee=line.employee,
                employer=line.employer,
            )
            for line in result.lines
        ],
        year_to_date=dict(year_to_date) if year_to_date is not None else None,
    )
