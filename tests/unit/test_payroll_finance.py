"""Finance: the pay run's journal, its control totals, and the reconciliation with finance's statement."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from compliance.calculation import CalculationResult, Line, PayFrequency, Totals
from domain.kernel.errors import TooManyDecimals
from domain.payroll.finance import (
    STATEMENT_BAD_AMOUNT,
    STATEMENT_BAD_CURRENCY,
    STATEMENT_COLUMN_TWICE,
    STATEMENT_EMPTY,
    STATEMENT_FIELD_COUNT,
    STATEMENT_HEADER_MISSING,
    STATEMENT_MESSAGES,
    STATEMENT_NEGATIVE_AMOUNT,
    STATEMENT_NO_ACCOUNT,
    STATEMENT_TOO_MANY_DECIMALS,
    AccountMapping,
    DifferenceKind,
    InvalidStatement,
    JournalEntry,
    UnbalancedJournal,
    UnmappedLine,
    control_totals,
    journal,
    journal_csv,
    journal_json,
    reconcile,
)

RUN = UUID("00000000-0000-4000-8000-000000000007")
PAY_DATE = date(2026, 11, 30)
MAPPING = AccountMapping(accounts={
    "gross_salary_expense": "6000",
    "net_pay_payable": "2700",
    "employer_expense": "6100",
    "tax": "2710",
    "pension": "2720",
    "health": "2730",
})


def payslip(currency: str, gross: str, lines: list[tuple[str, str, str]], net: str | None = None) -> CalculationResult:
    """A pack result; ``lines`` are (code, employee, employer)."""
    built = [Line(code=code, label=code, employee=Decimal(ee), employer=Decimal(er)) for code, ee, er in lines]
    deductions = sum((line.employee for line in built), Decimal(0))
    employer = sum((line.employer for line in built), Decimal(0))
    totals = Totals(gross=Decimal(gross), employee_deductions=deductions, employer_contributions=employer,
                    net=Decimal(net) if net is not None else Decimal(gross) - deductions,
                    employer_cost=Decimal(gross) + employer)
    return CalculationResult(
        country="DE", region=None, currency=currency, pay_date=PAY_DATE, pay_frequency=PayFrequency.MONTHLY,
        pack_version="test", parameter_versions={}, lines=built, totals=totals, trace=[], year_to_date={},
    )


def small() -> CalculationResult:
    return payslip("EUR", "1000", [("tax", "100", "0"), ("pension", "50", "50")])


def two_currencies() -> list[CalculationResult]:
    return [
        payslip("EUR", "5000.00", [("tax", "800.00", "0"), ("pension", "465.00", "465.00"),
                                   ("health", "400.00", "390.50")]),
        payslip("EUR", "3200.00", [("tax", "310.25", "0"), ("pension", "297.60", "297.60"),
                                   ("health", "256.00", "250.00")]),
        payslip("JPY", "400000", [("tax", "9000", "0"), ("pension", "36600", "36600"), ("health", "20000", "20000")]),
    ]


def balances(entries: list[JournalEntry]) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for e in entries:
        debit, credit = out.get(e.currency, (Decimal(0), Decimal(0)))
        out[e.currency] = (debit + e.debit, credit + e.credit)
    return out


# --- journal ----------------------------------------------------------------------------------------


def test_a_two_currency_run_balances_per_currency() -> None:
    entries = journal(two_currencies(), MAPPING, RUN, PAY_DATE)
    assert balances(entries) == {
        "EUR": (Decimal("9603.10"), Decimal("9603.10")),
        "JPY": (Decimal("456600"), Decimal("456600")),
    }
    by_account = {(e.currency, e.account): (e.debit, e.credit) for e in entries}
    assert len(by_account) == len(entries)  # aggregated: one entry per currency and account
    assert by_account["EUR", "6000"] == (Decimal("8200.00"), Decimal("0.00"))
    assert by_account["EUR", "6100"] == (Decimal("1403.10"), Decimal("0.00"))
    assert by_account["EUR", "2700"] == (Decimal("0.00"), Decimal("5671.15"))
    assert by_account["EUR", "2720"] == (Decimal("0.00"), Decimal("1525.20"))
    assert by_account["JPY", "2720"] == (Decimal("0"), Decimal("73200"))
    assert [(e.currency, e.debit > 0) for e in entries] == sorted(
        ((e.currency, e.debit > 0) for e in entries), key=lambda k: (k[0], not k[1]))


def test_an_unmapped_line_is_named() -> None:
    mapping = AccountMapping(accounts={k: v for k, v in MAPPING.accounts.items() if k not in ("pension", "health")})
    with pytest.raises(UnmappedLine) as caught:
        journal(two_currencies(), mapping, RUN, PAY_DATE)
    assert caught.value.params == {"codes": "health, pension"}
    assert "health, pension" in str(caught.value)
    assert caught.value.code == "payroll_unmapped_line"


def test_a_missing_special_account_is_named_even_for_a_zero_line() -> None:
    mapping = AccountMapping(accounts={k: v for k, v in MAPPING.accounts.items() if k != "employer_expense"})
    with pytest.raises(UnmappedLine, match="employer_expense"):
        journal([payslip("EUR", "100", [])], mapping, RUN, PAY_DATE)
    with pytest.raises(UnmappedLine, match="union"):
        journal([payslip("EUR", "100", [("union", "0", "0")])], MAPPING, RUN, PAY_DATE)


def test_a_payslip_whose_net_is_not_gross_less_deductions_does_not_balance() -> None:
    wrong = payslip("EUR", "1000", [("tax", "100", "0")], net="901")
    with pytest.raises(UnbalancedJournal) as caught:
        journal([small(), wrong], MAPPING, RUN, PAY_DATE)
    assert caught.value.params == {"currency": "EUR", "debit": "2050.00", "credit": "2051.00"}


def test_amounts_beyond_the_currency_minor_units_are_refused() -> None:
    with pytest.raises(TooManyDecimals):
        journal([payslip("JPY", "1000.5", [])], MAPPING, RUN, PAY_DATE)


def test_a_negative_line_lands_on_the_other_side() -> None:
    refund = payslip("EUR", "1000", [("tax", "-40", "0")])
    entries = {e.account: (e.debit, e.credit) for e in journal([refund], MAPPING, RUN, PAY_DATE)}
    assert entries["2710"] == (Decimal("40.00"), Decimal("0.00"))
    assert entries["2700"] == (Decimal("0.00"), Decimal("1040.00"))


def test_journal_csv_exact_output() -> None:
    text = journal_csv(journal([small()], MAPPING, RUN, PAY_DATE))
    prefix = f"Payroll {RUN} 2026-11-30: "
    assert text == (
        "account,currency,debit,credit,description\r\n"
        f"6000,EUR,1000.00,0.00,{prefix}gross_salary_expense\r\n"
        f"6100,EUR,50.00,0.00,{prefix}employer_expense\r\n"
        f"2700,EUR,0.00,850.00,{prefix}net_pay_payable\r\n"
        f"2710,EUR,0.00,100.00,{prefix}tax\r\n"
        f"2720,EUR,0.00,100.00,{prefix}pension\r\n"
    )


def test_journal_csv_quotes_a_description_with_commas_and_writes_yen_without_decimals() -> None:
    shared = AccountMapping(accounts={**MAPPING.accounts, "health": "2720"})
    entries = journal([payslip("JPY", "1000", [("pension", "10", "0"), ("health", "5", "0")])], shared, RUN, PAY_DATE)
    lines = journal_csv(entries).splitlines()
    assert f'2720,JPY,0,15,"Payroll {RUN} 2026-11-30: health, pension"' in lines


def test_journal_json_has_amounts_as_strings_with_minor_units() -> None:
    decoded = json.loads(journal_json(journal([small()], MAPPING, RUN, PAY_DATE)))
    assert decoded[0] == {"account": "6000", "debit": "1000.00", "credit": "0.00", "currency": "EUR",
                          "description": f"Payroll {RUN} 2026-11-30: gross_salary_expense"}
    assert msgspec.json.decode(journal_json([]), type=list[JournalEntry]) == []


@pytest.mark.parametrize("account", ["", " 6000", "=SUM(A1)", "+1", "-1", "@x"])
def test_an_account_that_would_break_the_csv_is_refused(account: str) -> None:
    with pytest.raises(ValueError, match="account of tax"):
        AccountMapping(accounts={"tax": account})


# --- control totals ---------------------------------------------------------------------------------


def test_control_totals_per_currency() -> None:
    totals = control_totals(two_currencies())
    eur, jpy = totals.currencies
    assert (eur.currency, eur.headcount, eur.gross, eur.net, eur.employer_cost) == (
        "EUR", 2, Decimal("8200.00"), Decimal("5671.15"), Decimal("9603.10"))
    assert (eur.employee_deductions, eur.employer_contributions) == (Decimal("2528.85"), Decimal("1403.10"))
    assert eur.lines["health"].employee == Decimal("656.00") and eur.lines["health"].employer == Decimal("640.50")
    assert eur.lines["tax"].employer == Decimal("0.00")
    assert (jpy.currency, jpy.headcount, jpy.gross, jpy.lines["pension"].employer) == (
        "JPY", 1, Decimal("400000"), Decimal("36600"))
    assert len(totals.checksum) == 64


def test_the_checksum_is_stable_under_reordering_and_notation_but_not_under_change() -> None:
    slips = two_currencies()
    checksum = control_totals(slips).checksum
    assert control_totals(list(reversed(slips))).checksum == checksum
    assert control_totals([slips[1], slips[2], slips[0]]).checksum == checksum
    assert control_totals([small()]).checksum == control_totals(
        [payslip("EUR", "1000.00", [("tax", "100.00", "0.00"), ("pension", "50.0", "50")])]).checksum
    changed = [*slips[:2], payslip("JPY", "400001", [("tax", "9000", "0")])]
    assert control_totals(changed).checksum != checksum


# --- reconciliation ---------------------------------------------------------------------------------


def test_an_exact_statement_matches() -> None:
    entries = journal(two_currencies(), MAPPING, RUN, PAY_DATE)
    result = reconcile(entries, journal_csv(entries))
    assert result.matched is True and result.differences == []


def test_a_statement_in_another_order_and_notation_matches() -> None:
    entries = journal([small()], MAPPING, RUN, PAY_DATE)
    statement = (
        "\ufeff Currency ,ACCOUNT,Credit,Debit\n"
        "EUR,2720,100,\n"
        "EUR,2710,60,\n"
        "EUR,2710,40,\n"
        "\n"
        "EUR,2700,850.00,0\n"
        "EUR,6100,0,50.0\n"
        "EUR,6000,10,1010\n"
    )
    assert reconcile(entries, statement).matched is True


def test_reconciliation_reports_each_kind_of_difference_with_both_figures() -> None:
    entries = journal([small()], MAPPING, RUN, PAY_DATE)
    statement = (
        "account,currency,debit,credit\n"
        "6000,EUR,1000.00,0.00\n"
        "6100,EUR,50.00,0.00\n"
        "2700,EUR,0.00,849.99\n"
        "2710,EUR,0.00,100.00\n"
        "2799,EUR,0.00,0.01\n"
        "2720,USD,0.00,100.00\n"
    )
    result = reconcile(entries, statement)
    assert result.matched is False
    found = {(d.kind, d.account, d.currency): (d.journal_debit, d.journal_credit, d.statement_debit, d.statement_credit)
             for d in result.differences}
    assert found == {
        (DifferenceKind.AMOUNT_DIFFERS, "2700", "EUR"): (Decimal("0.00"), Decimal("850.00"),
                                                          Decimal("0.00"), Decimal("849.99")),
        (DifferenceKind.MISSING_IN_STATEMENT, "2720", "EUR"): (Decimal("0.00"), Decimal("100.00"), None, None),
        (DifferenceKind.MISSING_IN_JOURNAL, "2799", "EUR"): (None, None, Decimal("0.00"), Decimal("0.01")),
        (DifferenceKind.MISSING_IN_JOURNAL, "2720", "USD"): (None, None, Decimal("0.00"), Decimal("100.00")),
    }
    assert [(d.currency, d.account) for d in result.differences] == [
        ("EUR", "2700"), ("EUR", "2720"), ("EUR", "2799"), ("USD", "2720")]
    assert json.loads(msgspec.json.encode(result))["differences"][0]["statement_credit"] == "849.99"


def test_a_zero_statement_row_for_an_account_without_postings_is_no_difference() -> None:
    entries = journal([small()], MAPPING, RUN, PAY_DATE)
    assert reconcile(entries, journal_csv(entries) + "9999,EUR,0,0,\r\n").matched is True


HEADER = "account,currency,debit,credit\n"


@pytest.mark.parametrize(("row", "template", "params"), [
    ("6000,EUR,abc,0", STATEMENT_BAD_AMOUNT, {"column": "debit", "value": "abc"}),
    ("6000,EUR,NaN,0", STATEMENT_BAD_AMOUNT, {"column": "debit", "value": "NaN"}),
    ("6000,EUR,1e40,0", STATEMENT_BAD_AMOUNT, {"column": "debit", "value": "1e40"}),
    ("6000,EUR,0,-5", STATEMENT_NEGATIVE_AMOUNT, {"column": "credit", "value": "-5"}),
    ("6000,EUR,1.005,0", STATEMENT_TOO_MANY_DECIMALS,
     {"column": "debit", "value": "1.005", "currency": "EUR", "exponent": "2"}),
    ("6000,JPY,1.5,0", STATEMENT_TOO_MANY_DECIMALS,
     {"column": "debit", "value": "1.5", "currency": "JPY", "exponent": "0"}),
    ("6000,XYZ,1,0", STATEMENT_BAD_CURRENCY, {"value": "XYZ"}),
    ("6000,eur,1,0", STATEMENT_BAD_CURRENCY, {"value": "eur"}),
    (",EUR,1,0", STATEMENT_NO_ACCOUNT, {}),
    ("6000,EUR,1", STATEMENT_FIELD_COUNT, {"count": "3", "expected": "4"}),
    ("6000,EUR,1,0,extra", STATEMENT_FIELD_COUNT, {"count": "5", "expected": "4"}),
])
def test_a_bad_statement_row_is_rejected_with_its_line_number(row: str, template: str, params: dict) -> None:
    statement = HEADER + "6000,EUR,1000.00,0\n" + row + "\n2700,EUR,0,850\n"
    with pytest.raises(InvalidStatement) as caught:
        reconcile([], statement)
    error = caught.value
    assert error.code == "payroll_invalid_statement"
    assert error.params == {"count": 1, "line": 3}
    assert str(error) == "The finance statement has 1 invalid line(s); the first is line 3."
    [detail] = error.details
    assert detail.template == template
    assert detail.params == {"line": "3", **params}
    assert detail.template in STATEMENT_MESSAGES
    assert detail.template.format(**detail.params).startswith("Line 3")


def test_every_bad_row_is_listed_and_the_first_is_named() -> None:
    statement = HEADER + "\n6000,EUR,x,0\n2700,EUR,0,1\n,ABC,1,0\n"
    with pytest.raises(InvalidStatement) as caught:
        reconcile([], statement)
    assert caught.value.params == {"count": 2, "line": 3}
    assert [(d.params["line"], d.template) for d in caught.value.details] == [
        ("3", STATEMENT_BAD_AMOUNT), ("5", STATEMENT_NO_ACCOUNT), ("5", STATEMENT_BAD_CURRENCY)]


@pytest.mark.parametrize(("statement", "template", "params"), [
    ("", STATEMENT_EMPTY, {"columns": "account, currency, debit, credit"}),
    ("6000,EUR,1,0\n", STATEMENT_HEADER_MISSING,
     {"columns": "account, currency, debit, credit", "missing": "account, currency, debit, credit"}),
    ("account,currency,debit\n6000,EUR,1\n", STATEMENT_HEADER_MISSING,
     {"columns": "account, currency, debit, credit", "missing": "credit"}),
    ("account,currency,debit,credit,debit\n", STATEMENT_COLUMN_TWICE, {"column": "debit"}),
])
def test_a_statement_without_a_proper_header_is_rejected_at_line_1(statement: str, template: str, params: dict) -> None:
    with pytest.raises(InvalidStatement) as caught:
        reconcile([], statement)
    assert caught.value.params["line"] == 1
    assert [(d.template, d.params) for d in caught.value.details] == [(template, params)]


def test_every_statement_message_is_declared_once() -> None:
    assert len(STATEMENT_MESSAGES) == len(set(STATEMENT_MESSAGES))
