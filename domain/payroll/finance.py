"""Reconciliation with finance: the general-ledger journal of a pay run, its control totals, and the
comparison with the finance system's statement. Pure: no database.

The journal posts, per payslip (a pack's :class:`~compliance.calculation.CalculationResult`, or
anything with the same ``currency``, ``lines`` and ``totals``):

* debit ``gross_salary_expense`` with gross pay and credit ``net_pay_payable`` with net pay;
* credit each line's employee amount to the line code's (liability) account;
* debit ``employer_expense`` and credit the line code's account with each line's employer amount.

Entries are aggregated per currency and account and netted to one side, so a negative amount (a
refund) lands on the other side. The mapping must name an account for the three special keys and for
every line code in the run, even one whose amounts are 0, so a gap shows up on the first run and not on
the first month the line is non-zero. Every amount must fit the currency's minor units
(:class:`~domain.kernel.errors.TooManyDecimals` otherwise) and is written with exactly that many decimals.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import msgspec

from domain.kernel.canonical import canonical_json
from domain.kernel.errors import Detail, DomainError, ErrorKind, InvalidInput
from domain.kernel.money import Money, exact, minor_unit, minor_unit_exponent, require_currency

ZERO = Decimal("0")

GROSS_SALARY_EXPENSE = "gross_salary_expense"
NET_PAY_PAYABLE = "net_pay_payable"
EMPLOYER_EXPENSE = "employer_expense"
SPECIAL_KEYS = (GROSS_SALARY_EXPENSE, NET_PAY_PAYABLE, EMPLOYER_EXPENSE)

JOURNAL_COLUMNS = ("account", "currency", "debit", "credit", "description")
STATEMENT_COLUMNS = ("account", "currency", "debit", "credit")
#: At most this many bad statement lines are listed in an error's details.
MAX_STATEMENT_PROBLEMS = 50
#: Statement amounts must be below this (BIGINT minor units hold about 9.2e18).
_LARGEST_AMOUNT = Decimal("1e15")

# --- Errors -----------------------------------------------------------------------------------------


class UnmappedLine(InvalidInput):
    code = "payroll_unmapped_line"
    title = "Payslip line without an account"
    template = "No general-ledger account is mapped for: {codes}. Add them to the account mapping."


class UnbalancedJournal(DomainError):
    code = "payroll_journal_unbalanced"
    kind = ErrorKind.UNPROCESSABLE
    title = "Journal does not balance"
    template = (
        "The {currency} journal does not balance: debits {debit}, credits {credit}. "
        "A payslip's net pay is not its gross pay less its deductions."
    )


class InvalidStatement(InvalidInput):
    code = "payroll_invalid_statement"
    title = "Invalid finance statement"
    template = "The finance statement has {count} invalid line(s); the first is line {line}."


# Details of an InvalidStatement (msgids).
STATEMENT_EMPTY = "The statement is empty; line 1 must be a header naming the columns {columns}."
STATEMENT_HEADER_MISSING = "Line 1 must be a header naming the columns {columns}; {missing} is missing."
STATEMENT_COLUMN_TWICE = "Line 1 names the column {column} more than once."
STATEMENT_FIELD_COUNT = "Line {line} has {count} fields; the header has {expected}."
STATEMENT_UNREADABLE = "Line {line} is not valid CSV."
STATEMENT_NO_ACCOUNT = "Line {line} has no account."
STATEMENT_BAD_CURRENCY = "Line {line}: {value} is not an ISO 4217 currency code."
STATEMENT_BAD_AMOUNT = "Line {line}: the {column} {value} is not an amount."
STATEMENT_NEGATIVE_AMOUNT = "Line {line}: the {column} {value} is negative."
STATEMENT_TOO_MANY_DECIMALS = "Line {line}: the {column} {value} has more decimals than {currency} allows ({exponent})."

STATEMENT_MESSAGES = (
    STATEMENT_EMPTY,
    STATEMENT_HEADER_MISSING,
    STATEMENT_COLUMN_TWICE,
    STATEMENT_FIELD_COUNT,
    STATEMENT_UNREADABLE,
    STATEMENT_NO_ACCOUNT,
    STATEMENT_BAD_CURRENCY,
    STATEMENT_BAD_AMOUNT,
    STATEMENT_NEGATIVE_AMOUNT,
    STATEMENT_TOO_MANY_DECIMALS,
)

# --- Inputs -----------------------------------------------------------------------------------------


class PayslipLine(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def employee(self) -> Decimal: ...
    @property
    def employer(self) -> Decimal: ...


class PayslipTotals(Protocol):
    @property
    def gross(self) -> Decimal: ...
    @property
    def employee_deductions(self) -> Decimal: ...
    @property
    def employer_contributions(self) -> Decimal: ...
    @property
    def net(self) -> Decimal: ...
    @property
    def employer_cost(self) -> Decimal: ...


class Payslip(Protocol):
    """What finance reads of a payslip; :class:`~compliance.calculation.CalculationResult` is one."""

    @property
    def currency(self) -> str: ...
    @property
    def lines(self) -> Sequence[PayslipLine]: ...
    @property
    def totals(self) -> PayslipTotals: ...


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AccountMapping(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Your tenant's general-ledger accounts for pay-run journals, by key: each payslip line code, and
    `gross_salary_expense`, `net_pay_payable` and `employer_expense`. A journal is refused while a key it needs has no
    account. An account is text without surrounding spaces that does not start with =, +, - or @."""

    accounts: dict[str, str]

    def __post_init__(self) -> None:
        for key, account in self.accounts.items():
            if not account or account != account.strip() or account.startswith(_FORMULA_STARTS):
                # A leading =, +, - or @ would run as a formula when the CSV opens in a spreadsheet.
                raise ValueError(f"account of {key} must be non-empty text without surrounding spaces "
                                 "that does not start with =, +, - or @")

    def unmapped(self, keys: Iterable[str]) -> list[str]:
        return sorted({key for key in keys if key not in self.accounts})


# --- Journal ----------------------------------------------------------------------------------------


class JournalEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a finalised pay run's general-ledger journal: an account of your tenant's mapping and a currency,
    its debit or credit (the other is zero), money strings in `currency`, and a description naming the run, the pay date
    and the line codes posted. Debits and credits balance per currency."""

    account: str
    debit: Money
    credit: Money
    currency: str
    description: str


class Journal(msgspec.Struct, frozen=True, kw_only=True):
    """A finalised pay run's general-ledger journal in your tenant's accounts, for the finance system: one document
    (not a page) because its entries only balance together, per currency; a run has one entry per account and
    currency however many employees it pays."""

    run_id: UUID
    pay_date: date
    entries: list[JournalEntry]


def _amount_text(amount: Decimal) -> str:
    return format(amount, "f")


def journal(
    payslips: Iterable[Payslip], mapping: AccountMapping, run_id: UUID | str, pay_date: date,
) -> list[JournalEntry]:
    """The run's journal: one entry per currency and account, debits before credits, each group by
    account. Raises :class:`UnmappedLine` naming every code without an account, and
    :class:`UnbalancedJournal` if a currency's debits and credits differ."""
    slips = list(payslips)
    needed = set(SPECIAL_KEYS) | {line.code for slip in slips for line in slip.lines}
    missing = mapping.unmapped(needed)
    if missing:
        raise UnmappedLine(codes=", ".join(missing))
    accounts = mapping.accounts
    balances: dict[tuple[str, str], Decimal] = {}
    sources: dict[tuple[str, str], set[str]] = {}

    def post(currency: str, key: str, amount: Decimal) -> None:
        """Debit ``amount`` (credit when negative) to the account of ``key``."""
        at = (currency, accounts[key])
        balances[at] = balances.get(at, ZERO) + exact(amount, currency)
        sources.setdefault(at, set()).add(key)

    for slip in slips:
        currency = slip.currency
        require_currency(currency)
        post(currency, GROSS_SALARY_EXPENSE, slip.totals.gross)
        post(currency, NET_PAY_PAYABLE, -slip.totals.net)
        for line in slip.lines:
            if line.employee:
                post(currency, line.code, -line.employee)
            if line.employer:
                post(currency, EMPLOYER_EXPENSE, line.employer)
                post(currency, line.code, -line.employer)

    entries = []
    for (currency, account), balance in balances.items():
        if balance == 0:
            continue
        nothing = exact(ZERO, currency)
        entries.append(JournalEntry(
            account=account,
            debit=balance if balance > 0 else nothing,
            credit=-balance if balance < 0 else nothing,
            currency=currency,
            description=f"Payroll {run_id} {pay_date.isoformat()}: {', '.join(sorted(sources[currency, account]))}",
        ))
    entries.sort(key=lambda e: (e.currency, e.debit == 0, e.account))
    for currency in sorted({e.currency for e in entries}):
        debit = sum((e.debit for e in entries if e.currency == currency), ZERO)
        credit = sum((e.credit for e in entries if e.currency == currency), ZERO)
        if debit != credit:
            raise UnbalancedJournal(currency=currency, debit=_amount_text(debit), credit=_amount_text(credit))
    return entries


def journal_csv(entries: Iterable[JournalEntry]) -> str:
    """RFC 4180 CSV (CRLF line ends) with a header: account,currency,debit,credit,description."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JOURNAL_COLUMNS)
    for e in entries:
        debit, credit = exact(e.debit, e.currency), exact(e.credit, e.currency)
        writer.writerow((e.account, e.currency, _amount_text(debit), _amount_text(credit), e.description))
    return out.getvalue()


def journal_json(entries: Iterable[JournalEntry]) -> str:
    """The entries as a JSON array; amounts as strings with the currency's minor-unit decimals."""
    return msgspec.json.encode([
        msgspec.structs.replace(e, debit=exact(e.debit, e.currency), credit=exact(e.credit, e.currency))
        for e in entries
    ]).decode()


# --- Control totals ---------------------------------------------------------------------------------


class LineTotal(msgspec.Struct, frozen=True, kw_only=True):
    """A line code's totals over a run's payslips in one currency: what it deducted from employees and what it cost the
    employer, money strings in that currency."""

    employee: Money
    employer: Money


class CurrencyTotals(msgspec.Struct, frozen=True, kw_only=True):
    """A pay run's control totals in one currency: the number of payslips (`headcount`), gross, employee deductions,
    employer contributions, net and employer cost, and each line code's totals, money strings in `currency`."""

    currency: str
    headcount: int
    gross: Money
    employee_deductions: Money
    employer_contributions: Money
    net: Money
    employer_cost: Money
    lines: dict[str, LineTotal]


class ControlTotals(msgspec.Struct, frozen=True, kw_only=True):
    """Totals per currency (sorted by currency) and ``checksum``: the SHA-256 (hex) of their canonical JSON."""

    currencies: list[CurrencyTotals]
    checksum: str


def control_totals(payslips: Iterable[Payslip]) -> ControlTotals:
    """Per currency: headcount (payslips), gross, deductions, contributions, net, employer cost and each
    line code's employee and employer total. Amounts are normalised to minor units first, so 100 and
    100.00 give the same checksum; the order of the payslips does not matter."""
    sums: dict[str, dict[str, Decimal]] = {}
    lines: dict[str, dict[str, list[Decimal]]] = {}
    heads: dict[str, int] = {}
    fields = ("gross", "employee_deductions", "employer_contributions", "net", "employer_cost")
    for slip in payslips:
        currency = slip.currency
        require_currency(currency)
        heads[currency] = heads.get(currency, 0) + 1
        total = sums.setdefault(currency, dict.fromkeys(fields, ZERO))
        for name in fields:
            total[name] += exact(getattr(slip.totals, name), currency)
        by_code = lines.setdefault(currency, {})
        for line in slip.lines:
            pair = by_code.setdefault(line.code, [ZERO, ZERO])
            pair[0] += exact(line.employee, currency)
            pair[1] += exact(line.employer, currency)
    currencies = [
        CurrencyTotals(
            currency=currency,
            headcount=heads[currency],
            **{name: exact(value, currency) for name, value in sums[currency].items()},
            lines={
                code: LineTotal(employee=exact(pair[0], currency), employer=exact(pair[1], currency))
                for code, pair in sorted(lines[currency].items())
            },
        )
        for currency in sorted(sums)
    ]
    checksum = hashlib.sha256(canonical_json(currencies).encode()).hexdigest()
    return ControlTotals(currencies=currencies, checksum=checksum)


# --- Reconciliation ---------------------------------------------------------------------------------


class DifferenceKind(StrEnum):
    """How the finance system's statement and the journal differ for an account and currency: `missing_in_statement`,
    `missing_in_journal` or `amount_differs` (both have it, with another balance, debit less credit)."""

    MISSING_IN_STATEMENT = "missing_in_statement"
    MISSING_IN_JOURNAL = "missing_in_journal"
    AMOUNT_DIFFERS = "amount_differs"


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """One account and currency whose balance (debit - credit) differs. The side that lacks the account
    has None for its figures."""

    kind: DifferenceKind
    account: str
    currency: str
    journal_debit: Money | None
    journal_credit: Money | None
    statement_debit: Money | None
    statement_credit: Money | None


class Reconciliation(msgspec.Struct, frozen=True, kw_only=True):
    """The finance system's statement compared with the pay run's journal: `matched` is true exactly when there is no
    difference; each difference names an account and currency."""

    matched: bool
    differences: list[Difference]


class StatementRow(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    account: str
    currency: str
    debit: Decimal
    credit: Decimal


def _amount(raw: str, column: str, line: int, currency: str | None, problems: list[Detail]) -> Decimal:
    text = raw.strip()
    if not text:
        return ZERO
    params = {"line": str(line), "column": column, "value": text}
    try:
        value = Decimal(text)
        usable = value.is_finite() and abs(value) < _LARGEST_AMOUNT
    except InvalidOperation:
        usable = False
    if not usable:
        problems.append(Detail(field=column, template=STATEMENT_BAD_AMOUNT, params=params))
        return ZERO
    if value < 0:
        problems.append(Detail(field=column, template=STATEMENT_NEGATIVE_AMOUNT, params=params))
        return ZERO
    if currency is not None:
        exponent = minor_unit_exponent(currency)
        if value != value.quantize(minor_unit(currency), rounding=ROUND_DOWN):
            problems.append(Detail(field=column, template=STATEMENT_TOO_MANY_DECIMALS,
                                   params={**params, "currency": currency, "exponent": str(exponent)}))
            return ZERO
    return value


def _reject(problems: list[tuple[int, Detail]]) -> InvalidStatement:
    first = min(line for line, _ in problems)
    return InvalidStatement(count=len({line for line, _ in problems}), line=first,
                            details=[detail for _, detail in problems[:MAX_STATEMENT_PROBLEMS]])


def parse_statement(statement_csv: str) -> list[StatementRow]:
    """The statement's rows. Line 1 is the header (names case-insensitive, any order, extra columns
    ignored); blank lines are skipped; an empty amount is 0. Raises :class:`InvalidStatement` with the
    first bad line number and a detail for every bad line."""
    reader = csv.reader(io.StringIO(statement_csv.removeprefix("\ufeff"), newline=""))
    columns = ", ".join(STATEMENT_COLUMNS)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise _reject([(1, Detail(field="statement", template=STATEMENT_EMPTY, params={"columns": columns}))]) from None
    except csv.Error:
        header = []
    problems: list[tuple[int, Detail]] = []
    for name in sorted({name for name in header if name and header.count(name) > 1}):
        problems.append((1, Detail(field="statement", template=STATEMENT_COLUMN_TWICE, params={"column": name})))
    absent = [name for name in STATEMENT_COLUMNS if name not in header]
    if absent:
        problems.append((1, Detail(field="statement", template=STATEMENT_HEADER_MISSING,
                                   params={"columns": columns, "missing": ", ".join(absent)})))
    if problems:
        raise _reject(problems)
    where = {name: header.index(name) for name in STATEMENT_COLUMNS}
    rows: list[StatementRow] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            line = reader.line_num
            problems.append((line, Detail(field="statement", template=STATEMENT_UNREADABLE,
                                          params={"line": str(line)})))
            break
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append((line, Detail(field="statement", template=STATEMENT_FIELD_COUNT, params={
                "line": str(line), "count": str(len(fields)), "expected": str(len(header))})))
            continue
        found: list[Detail] = []
        account = fields[where["account"]].strip()
        if not account:
            found.append(Detail(field="account", template=STATEMENT_NO_ACCOUNT, params={"line": str(line)}))
        currency: str | None = fields[where["currency"]].strip()
        try:
            require_currency(currency or "")
        except InvalidInput:
            found.append(Detail(field="currency", template=STATEMENT_BAD_CURRENCY,
                                params={"line": str(line), "value": currency or ""}))
            currency = None
        debit = _amount(fields[where["debit"]], "debit", line, currency, found)
        credit = _amount(fields[where["credit"]], "credit", line, currency, found)
        if found:
            problems.extend((line, detail) for detail in found)
        elif currency is not None:
            rows.append(StatementRow(line=line, account=account, currency=currency, debit=debit, credit=credit))
    if problems:
        raise _reject(problems)
    return rows


def reconcile(journal_entries: Iterable[JournalEntry], statement_csv: str) -> Reconciliation:
    """Compare the journal with the finance system's statement (CSV: account,currency,debit,credit) per
    account and currency. Rows of one account and currency are summed on each side, and the balances
    (debit - credit) are compared, so a statement that shows gross movements on both sides still
    matches; an account that is absent on one side counts as 0 there."""
    ours: dict[tuple[str, str], list[Decimal]] = {}
    for e in journal_entries:
        pair = ours.setdefault((e.account, e.currency), [ZERO, ZERO])
        pair[0] += e.debit
        pair[1] += e.credit
    theirs: dict[tuple[str, str], list[Decimal]] = {}
    for row in parse_statement(statement_csv):
        pair = theirs.setdefault((row.account, row.currency), [ZERO, ZERO])
        pair[0] += row.debit
        pair[1] += row.credit
    differences = []
    for account, currency in sorted(ours.keys() | theirs.keys(), key=lambda k: (k[1], k[0])):
        mine, other = ours.get((account, currency)), theirs.get((account, currency))
        balance = (mine[0] - mine[1]) if mine else ZERO
        stated = (other[0] - other[1]) if other else ZERO
        if balance == stated:
            continue
        kind = (DifferenceKind.MISSING_IN_STATEMENT if other is None
                else DifferenceKind.MISSING_IN_JOURNAL if mine is None else DifferenceKind.AMOUNT_DIFFERS)
        differences.append(Difference(
            kind=kind,
            account=account,
            currency=currency,
            journal_debit=exact(mine[0], currency) if mine else None,
            journal_credit=exact(mine[1], currency) if mine else None,
            statement_debit=exact(other[0], currency) if other else None,
            statement_credit=exact(other[1], currency) if other else None,
        ))
    return Reconciliation(matched=not differences, differences=differences)
