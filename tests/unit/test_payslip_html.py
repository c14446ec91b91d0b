"""The printable payslip: localised fixed texts, Babel money and dates in the reader's region, earnings item by item,
the country's order of sections, escaping, employer section."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import msgspec
import pytest
from babel.dates import format_interval, format_skeleton
from babel.units import format_unit

from compliance.calculation import CalculationResult, Line, PayFrequency, Totals
from domain.kernel.i18n import translate
from domain.payroll import payslip as payslip_module
from domain.payroll.model import EarningView
from domain.payroll.payslip import (
    PAYSLIP_MESSAGES,
    PayslipDocument,
    PayslipLine,
    YearToDateFigure,
    payslip_from_result,
    render_payslip_html,
)

D = Decimal

CN = PayslipDocument(
    entity_name="上海子午线科技有限公司",
    employee_name="王小明",
    employee_reference="E-0042",
    period_start=date(2026, 9, 1),
    period_end=date(2026, 9, 30),
    pay_date=date(2026, 10, 10),
    currency="CNY",
    country="CN",
    earnings=[
        EarningView(code="base", label="基本工资", amount=D("18500.00"), days=D(20), days_in_period=D("21.75")),
        EarningView(code="unpaid_leave", label="无薪假扣款", amount=D("-500.00"), days=D(1)),
        EarningView(code="bonus", label="奖金", amount=D("2000.00")),
    ],
    gross=D("20000.00"),
    net=D("16155.00"),
    lines=[
        PayslipLine(code="pension", label="养老保险", employee=D("1600.00"), employer=D("3200.00")),
        PayslipLine(code="medical", label="医疗保险", employee=D("400.00"), employer=D("1800.00")),
        PayslipLine(code="housing_fund", label="住房公积金", employee=D("1400.00"), employer=D("1400.00")),
        PayslipLine(code="iit", label="个人所得税", employee=D("445.00")),
        PayslipLine(code="injury", label="工伤保险", employer=D("40.00")),
    ],
    employer_cost=D("26440.00"),
    year_to_date=[
        YearToDateFigure(code="income", label="累计收入", amount=D("180000.00")),
        YearToDateFigure(code="tax_withheld", label="累计已预扣预缴税额", amount=D("3560.50")),
        YearToDateFigure(code="injury", label="工伤保险", amount=D("360.00"), employer=True),
    ],
)

JP = PayslipDocument(
    entity_name="子午線株式会社",
    employee_name="山田 太郎",
    period_start=date(2026, 9, 1),
    period_end=date(2026, 9, 30),
    pay_date=date(2026, 9, 25),
    currency="JPY",
    country="JP",
    earnings=[
        EarningView(code="base", label="基本給", amount=D("325000")),
        EarningView(code="overtime", label="時間外手当", amount=D("25000"), hours=D(20), rate=D(1000),
                    multiplier=D("1.25")),
    ],
    gross=D("350000"),
    net=D("281234"),
    lines=[
        PayslipLine(code="health", label="健康保険", employee=D("17450"), employer=D("17450")),
        PayslipLine(code="pension", label="厚生年金保険", employee=D("32025"), employer=D("32025")),
        PayslipLine(code="income_tax", label="源泉所得税", employee=D("8810")),
        PayslipLine(code="resident_tax", label="住民税", employee=D("10481")),
    ],
    employer_cost=D("399475"),
)

US = PayslipDocument(
    entity_name="Meridian <Labs> & Co.",
    employee_name='Zoë "Z" O\'Neil <script>alert(1)</script>',
    period_start=date(2026, 6, 14),
    period_end=date(2026, 6, 27),
    pay_date=date(2026, 7, 2),
    currency="USD",
    gross=D("4230.77"),
    net=D("3209.54"),
    lines=[
        PayslipLine(code="fit", label="Federal income tax", employee=D("588.16")),
        PayslipLine(code="ss", label="Social Security", employee=D("262.31"), employer=D("262.31")),
        PayslipLine(code="medicare", label="Medicare & <more>", employee=D("61.35"), employer=D("61.35")),
        PayslipLine(code="state", label="State income tax", employee=D("109.41")),
    ],
    employer_cost=D("4554.43"),
)


class _Text(HTMLParser):
    """The visible text of a page (no <style>), plus every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def test_chinese_payslip() -> None:
    page = render_payslip_html(CN, "zh_CN")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    text = visible_text(page)
    for amount in ("¥20,000.00", "¥16,155.00", "¥1,600.00", "¥445.00", "¥3,845.00", "¥180,000.00", "¥3,560.50"):
        assert amount in text
    for label in ("养老保险", "医疗保险", "住房公积金", "个人所得税"):
        assert label in text
    assert "2026年10月10日" in text  # pay date
    assert "2026年9月1日至30日" in text  # period
    assert "上海子午线科技有限公司" in text and "王小明" in text and "E-0042" in text


def test_japanese_payslip_has_no_decimals_for_yen() -> None:
    page = render_payslip_html(JP, "ja")
    text = visible_text(page)
    assert '<html lang="ja">' in page
    for amount in ("￥350,000", "￥281,234", "￥17,450", "￥32,025", "￥8,810", "￥10,481", "￥68,766"):
        assert amount in text
    assert "￥350,000.00" not in text
    assert "2026年9月25日" in text and "2026年9月1日～30日" in text
    assert "山田 太郎" in text and "源泉所得税" in text


def test_english_payslip() -> None:
    text = visible_text(render_payslip_html(US, "en"))
    for amount in ("$4,230.77", "$3,209.54", "$588.16", "$1,021.23"):
        assert amount in text
    assert "Jul 2, 2026" in text
    assert "Payslip" in text and "Net pay" in text and "Deductions" in text and "Gross pay" in text


def test_other_locales_format_money_with_babel() -> None:
    euro = PayslipDocument(
        entity_name="Meridian GmbH",
        employee_name="Jürgen Groß",
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        pay_date=date(2026, 5, 29),
        currency="EUR",
        gross=D("1234.56"),
        net=D("1000"),
        lines=[PayslipLine(code="lst", label="Lohnsteuer", employee=D("234.56"))],
    )
    assert "1.234,56\xa0€" in visible_text(render_payslip_html(euro, "de_DE"))
    assert "€1,234.56" in visible_text(render_payslip_html(euro, "en"))


def test_names_and_labels_are_escaped() -> None:
    page = render_payslip_html(US, "en", show_employer_costs=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Meridian &lt;Labs&gt; &amp; Co." in page
    assert "Medicare &amp; &lt;more&gt;" in page
    assert "Zoë &quot;Z&quot; O&#x27;Neil" in page
    assert US.employee_name in unescape(page)


def test_employer_section_is_hidden_by_default() -> None:
    page = render_payslip_html(CN, "zh_CN")
    text = visible_text(page)
    assert 'class="employer"' not in page
    assert "Employer contributions" not in text and "Employer cost" not in text
    for employer_amount in ("¥3,200.00", "¥1,800.00", "¥26,440.00", "¥360.00", "¥40.00"):
        assert employer_amount not in text
    assert "工伤保险" not in text  # an employer-only line, and its year-to-date figure


def test_employer_section_for_hr() -> None:
    page = render_payslip_html(CN, "zh_CN", show_employer_costs=True)
    text = visible_text(page)
    assert 'class="employer"' in page
    # Contributions 3,200 + 1,800 + 1,400 + 40 = 6,440; cost 20,000 + 6,440 = 26,440.
    for amount in ("¥3,200.00", "¥1,800.00", "¥40.00", "¥6,440.00", "¥26,440.00", "¥360.00"):
        assert amount in text
    assert "工伤保险" in text


def test_no_deductions() -> None:
    bare = PayslipDocument(
        entity_name="E",
        employee_name="N",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        pay_date=date(2026, 1, 30),
        currency="USD",
        gross=D(100),
        net=D(100),
    )
    text = visible_text(render_payslip_html(bare, "en"))
    assert "No deductions" in text and "Year to date" not in text


def test_every_fixed_text_comes_from_payslip_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_translate(message: str, locale: str, /, **params: object) -> str:
        asked.append(message)
        return "@@"

    monkeypatch.setattr(payslip_module, "translate", fake_translate)
    for document, locale in ((CN, "zh_CN"), (JP, "ja"), (US, "en")):
        for show in (False, True):
            page = render_payslip_html(document, locale, show_employer_costs=show)
            text = visible_text(page)
            # Take away every text from data; what is left is the fixed texts (all "@@") and separators.
            data = [
                document.entity_name,
                document.employee_name,
                document.employee_reference or "",
                format_skeleton("yMMMd", document.pay_date, locale=locale),
                format_interval(document.period_start, document.period_end, "yMMMd", locale=locale),
                *(line.label for line in document.lines),
                *(earning.label for earning in document.earnings),
                *(figure.label for figure in document.year_to_date),
                # counts of days and hours as CLDR writes them in the language (1 day, 2 days, 1天)
                *(format_unit(earning.days, "duration-day", length="short", locale=locale)
                  for earning in document.earnings if earning.days is not None),
                *(format_unit(earning.hours, "duration-hour", length="short", locale=locale)
                  for earning in document.earnings if earning.hours is not None),
            ]
            for value in sorted(data, key=len, reverse=True):
                text = text.replace(value, "") if value else text
            text = re.sub(r"[-−]?[¥￥$]\s?[\d,]+(\.\d+)?", "", text)
            text = text.replace("@@", "")
            assert re.sub(r"[\s·]", "", text) == "", f"untranslated text in the {locale} page: {text!r}"
    assert set(asked) <= set(PAYSLIP_MESSAGES)
    assert set(asked) >= set(PAYSLIP_MESSAGES) - {"No deductions"}


@pytest.mark.parametrize("locale", ["zh_CN", "ja", "en"])
def test_fixed_texts_are_shown_as_the_catalogue_has_them(locale: str) -> None:
    # The catalogue's text where it has one; gettext falls back to the English msgid otherwise.
    full = msgspec.structs.replace(CN, employee_reference="J-7")
    text = "\n".join(visible_text(render_payslip_html(document, locale, show_employer_costs=True))
                     for document in (full, JP))
    for message in PAYSLIP_MESSAGES:
        if message != "No deductions":
            # a message with figures is looked for up to its first one
            assert translate(message, locale).split("{")[0] in text, message


def test_payslip_from_a_calculation_result() -> None:
    result = CalculationResult(
        country="CN",
        region=None,
        currency="CNY",
        pay_date=date(2026, 10, 10),
        pay_frequency=PayFrequency.MONTHLY,
        pack_version="2026.1",
        parameter_versions={},
        lines=[Line(code="iit", label="Individual income tax", employee=D("445"), employer=D(0))],
        totals=Totals(
            gross=D(20000),
            employee_deductions=D(445),
            employer_contributions=D(0),
            net=D(19555),
            employer_cost=D(20000),
        ),
        trace=[],
        year_to_date={},
    )
    document = payslip_from_result(
        result,
        entity_name="上海子午线",
        employee_name="王小明",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        locale="zh_CN",
    )
    assert document.currency == "CNY" and document.net == D(19555) and document.pay_date == date(2026, 10, 10)
    assert document.lines[0].label != "Individual income tax"  # translated from the catalogue
    assert "¥19,555.00" in visible_text(render_payslip_html(document, "zh_CN"))
