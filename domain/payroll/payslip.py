"""An employee's printable payslip: one self-contained, localised HTML page.

Inline CSS (print-friendly), no scripts and no external assets, so the page can be stored, mailed or
printed as it is. Every fixed text goes through the gettext catalogue (its msgids are in
PAYSLIP_MESSAGES); every text from data (names, line labels) is escaped. Line labels arrive already
in the reader's language. Amounts are formatted by :func:`domain.kernel.money.display`, dates and
numbers by Babel in the reader's formatting locale (the language as the reader's region writes it).

Sections come in the country's usual order: earnings, deductions, the employer's contributions (payroll's
copy only), net pay, the year to date and attendance; Japan's 勤怠・支給・控除 and the UK's payments and
deductions stand side by side as their payslips print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

import msgspec
from babel.dates import format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from compliance.calculation import CalculationResult
from domain.kernel.html_pages import babel_locale, page_head
from domain.kernel.i18n import translate
from domain.kernel.money import display
from domain.payroll.model import EarningView

ZERO = Decimal(0)


class PayslipLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the payslip; ``label`` is already in the reader's language."""

    code: str
    label: str
    employee: Decimal = ZERO  # deducted from the employee's pay
    employer: Decimal = ZERO  # paid by the employer on top of gross pay


class YearToDateFigure(msgspec.Struct, frozen=True, kw_only=True):
    """A year-to-date figure the country's payslips carry; ``label`` is already in the reader's language."""

    code: str
    label: str
    amount: Decimal
    #: the employer's (its National Insurance, ...): shown only with the employer costs
    employer: bool = False


class PayslipDocument(msgspec.Struct, frozen=True, kw_only=True):
    """What a payslip shows: ``earnings`` item by item (none: gross pay alone), ``lines`` (deductions and the
    employer's contributions) and the ``year_to_date`` figures, labels already in the reader's language.
    ``country`` chooses the layout its payslips customarily have."""

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
    country: str | None = None
    earnings: list[EarningView] = []
    year_to_date: list[YearToDateFigure] = []

    @property
    def total_deductions(self) -> Decimal:
        return sum((line.employee for line in self.lines), ZERO)

    @property
    def employer_contributions(self) -> Decimal:
        return sum((line.employer for line in self.lines), ZERO)


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
    "Attendance",
    "Days paid",
    "Unpaid leave days",
    "Overtime hours",
    "Days or hours",
    "{days} of {total}",
    "{hours} × {rate} × {multiplier}",
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Hiragino Sans",sans-serif;
color:#1f2328;margin:2rem auto;max-width:800px;padding:0 1rem;line-height:1.45}
body:lang(ja){font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK JP","Hiragino Sans",
"Yu Gothic",Meiryo,sans-serif}
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
.detail{display:block;font-size:.82rem;color:#57606a}
.blocks{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:0 1.2rem;align-items:start}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10.5pt}th{background:none}
.employer{background:none}section,table,.net{break-inside:avoid}}
""".strip()


class _Page:
    def __init__(self, payslip: PayslipDocument, locale: str, show_employer_costs: bool, formats: str) -> None:
        self.payslip = payslip
        self.locale = locale
        self.babel = babel_locale(formats)
        self.show_employer_costs = show_employer_costs

    def t(self, message: str, **params: object) -> str:
        """Translated and escaped (the parameters are escaped with the rest)."""
        return escape(translate(message, self.locale, **params))

    def money(self, amount: Decimal) -> str:
        return escape(display(amount, self.payslip.currency, str(self.babel)))

    def number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.babel)

    def days(self, value: Decimal) -> str:
        """A count of days as the language writes it, in the singular or plural it takes (1 day, 21.75 days, 2天)."""
        return format_unit(value, "duration-day", length="short", locale=self.babel)

    def hours(self, value: Decimal) -> str:
        return format_unit(value, "duration-hour", length="short", locale=self.babel)

    def part_of_period(self, days: Decimal, days_in_period: Decimal) -> str:
        return self.t("{days} of {total}", days=self.number(days), total=self.days(days_in_period))

    def day(self, value: date) -> str:
        return escape(format_skeleton("yMMMd", value, locale=self.babel))

    def period(self) -> str:
        p = self.payslip
        return escape(format_interval(p.period_start, p.period_end, "yMMMd", locale=self.babel))

    def render(self) -> str:
        title = f"{self.t('Payslip')} · {escape(self.payslip.employee_name)} · {self.period()}"
        return "\n".join(
            [
                *page_head(self.locale, title, self.t("Payslip"), _CSS),
                self.header(),
                *self.sections(),
                f'<p class="note">{self.t("Amounts in {currency}.", currency=self.payslip.currency)}</p>',
                "</body>",
                "</html>",
            ]
        )

    def sections(self) -> list[str]:
        """The country's usual order: Japan's 勤怠・支給・控除 blocks side by side, the UK's payments beside its
        deductions and net pay beside the year's totals, elsewhere one section under the other."""
        employer = self.employer() if self.show_employer_costs else ""
        if self.payslip.country == "JP":
            return [_side_by_side(self.attendance(), self.earnings(), self.deductions()), self.net(), employer,
                    self.year_to_date()]
        if self.payslip.country == "GB":
            return [_side_by_side(self.earnings(), self.deductions()), self.net(), self.year_to_date(), employer,
                    self.attendance()]
        return [self.earnings(), self.deductions(), employer, self.net(), self.year_to_date(), self.attendance()]

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

    def net(self) -> str:
        return f'<p class="net"><span>{self.t("Net pay")}</span><span>{self.money(self.payslip.net)}</span></p>'

    def earnings(self) -> str:
        rows = [(self.earning_label(earning), earning.amount) for earning in self.payslip.earnings]
        return self.table(self.t("Earnings"), rows, (self.t("Gross pay"), self.payslip.gross))

    def earning_label(self, earning: EarningView) -> str:
        detail = self.counted_from(earning)
        return escape(earning.label) + (f'<span class="detail">{detail}</span>' if detail else "")

    def counted_from(self, earning: EarningView) -> str:
        """What the earning was counted from: the days of a part period, unpaid days, overtime hours at a rate."""
        if earning.hours is not None and earning.rate is not None and earning.multiplier is not None:
            return self.t("{hours} × {rate} × {multiplier}", hours=self.hours(earning.hours),
                          rate=display(earning.rate, self.payslip.currency, str(self.babel)),
                          multiplier=format_percent(earning.multiplier, locale=self.babel))
        if earning.days is not None and earning.days_in_period is not None:
            return self.part_of_period(earning.days, earning.days_in_period)
        if earning.days is not None:
            return escape(self.days(earning.days))
        return ""

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
        rows = [(escape(figure.label), figure.amount) for figure in self.payslip.year_to_date
                if self.show_employer_costs or not figure.employer]
        return self.table(self.t("Year to date"), rows, None) if rows else ""

    def attendance(self) -> str:
        """The days and hours the earnings were counted from (勤怠), where any were."""
        rows = []
        for earning in self.payslip.earnings:
            if earning.code == "base" and earning.days is not None and earning.days_in_period is not None:
                rows.append((self.t("Days paid"), self.part_of_period(earning.days, earning.days_in_period)))
            elif earning.code == "unpaid_leave" and earning.days is not None:
                rows.append((self.t("Unpaid leave days"), escape(self.days(earning.days))))
            elif earning.code == "overtime" and earning.hours is not None:
                rows.append((self.t("Overtime hours"), escape(self.hours(earning.hours))))
        if not rows:
            return ""
        head = f'<thead><tr><th>{self.t("Item")}</th><th class="num">{self.t("Days or hours")}</th></tr></thead>'
        body = "\n".join(f'<tr><td>{label}</td><td class="num">{value}</td></tr>' for label, value in rows)
        return (f"<section>\n<h2>{self.t('Attendance')}</h2>\n<table>\n{head}\n<tbody>\n{body}\n</tbody>\n"
                "</table>\n</section>")


def _side_by_side(*sections: str) -> str:
    shown = [section for section in sections if section]
    return '<div class="blocks">\n' + "\n".join(shown) + "\n</div>"


def render_payslip_html(payslip: PayslipDocument, locale: str, *, show_employer_costs: bool = False,
                        formats: str | None = None) -> str:
    """The payslip as one self-contained HTML page in ``locale``, its dates, numbers and amounts written as
    ``formats`` (a Babel locale: the reader's region, see :func:`domain.kernel.i18n.formatting_locale`) writes them,
    else as ``locale`` does.

    ``show_employer_costs`` adds the employer's contributions and total cost (for HR); the
    employee's own copy leaves them out, including their year-to-date figures.
    """
    return _Page(payslip, locale, show_employer_costs, formats or locale).render()


def payslip_from_result(
    result: CalculationResult,
    *,
    entity_name: str,
    employee_name: str,
    period_start: date,
    period_end: date,
    locale: str,
    employee_reference: str | None = None,
    earnings: Sequence[EarningView] = (),
    year_to_date: Sequence[YearToDateFigure] = (),
) -> PayslipDocument:
    """A payslip from a calculation result, its line labels (English msgids) translated to ``locale``; the
    earnings and year-to-date figures come labelled in ``locale`` already."""
    return PayslipDocument(
        country=result.country,
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
        earnings=list(earnings),
        year_to_date=list(year_to_date),
    )
