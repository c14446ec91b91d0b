"""Checks of a pay run against the previous run, before approval. Pure: no database, no clock.

:func:`check` compares the current run's payslips with the previous run's and returns one
:class:`VarianceException` per finding, sorted by employee name. Each exception has a stable ``key``
(kind, employee id and, for a line, its code), so an acknowledgement stored against the key survives a
recalculation; ``fingerprint`` (a hash of the figures) changes when the figures do, for a caller that
wants an acknowledgement to lapse when the numbers move.

Rules:

* ``new_employee`` / ``missing_employee``: an employee is in only one of the two runs. A new
  employee's lines and net pay are not compared with anything.
* ``currency_changed``: the employee is paid in another currency than in the previous run; net pay
  and lines are then not compared (a ratio across currencies means nothing).
* ``net_change``: ``|net - previous net| > net_change_ratio * |previous net|``; exactly at the
  threshold is not an exception. A previous net of 0 with a non-zero net now is always one.
* ``negative_net``: net pay below 0.
* ``paid_after_termination``: the pay date is after ``terminated_on`` and gross pay is above 0.
* ``line_outside_range``: per line code, an absent line counts as 0;
  ``|amount - previous amount| > line_change_ratio * |previous amount|``. So a line that is new (or
  was 0) with a non-zero amount is always an exception, and a line that disappeared is one whenever
  ``line_change_ratio`` is below 1.

Each exception keeps its message as a stable ``message_code`` (a key of :data:`VARIANCE_MESSAGES`), the
English msgid and string ``params``; :func:`shown` writes it in a reader's language when it is read, so a stored
exception reads in whichever language its reader has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.registry import all_packs
from domain.kernel.canonical import canonical_json
from domain.kernel.errors import InvalidInput
from domain.kernel.i18n import translate
from domain.kernel.money import Money, exact
from domain.payroll.engine import DEDUCTION_CODE, DEDUCTION_LABEL

ZERO = Decimal("0")
_RATIO_PLACES = Decimal("0.0001")
_PERCENT_PLACES = Decimal("0.01")


class VarianceKind(StrEnum):
    NEW_EMPLOYEE = "new_employee"
    MISSING_EMPLOYEE = "missing_employee"
    CURRENCY_CHANGED = "currency_changed"
    NET_CHANGE = "net_change"
    NEGATIVE_NET = "negative_net"
    PAID_AFTER_TERMINATION = "paid_after_termination"
    LINE_OUTSIDE_RANGE = "line_outside_range"


_KIND_ORDER = {kind: position for position, kind in enumerate(VarianceKind)}

# --- Messages (gettext msgids; every placeholder is in the exception's params) ---------------------
NEW_EMPLOYEE = "{name} is paid in this run but was not paid in the previous run."
MISSING_EMPLOYEE = "{name} was paid in the previous run but is not in this run."
CURRENCY_CHANGED = "{name} is paid in {currency} in this run; the previous run paid {previous_currency}."
NET_CHANGE = (
    "Net pay of {name} changed by {change_percent}% from {previous} to {current} {currency}; "
    "the threshold is {threshold_percent}%."
)
NET_FROM_ZERO = "Net pay of {name} is {current} {currency}; the previous run paid no net pay."
NEGATIVE_NET = "Net pay of {name} is negative: {current} {currency}."
PAID_AFTER_TERMINATION = "{name} left on {terminated_on} but is paid {current} {currency} gross on {pay_date}."
LINE_CHANGE = (
    "{line} of {name} changed by {change_percent}% from {previous} to {current} {currency}; "
    "the threshold is {threshold_percent}%."
)
LINE_NEW = "{line} of {name} is {current} {currency}; the previous run had no amount for it."

#: Every message by its stable code, which clients may key their own texts on.
VARIANCE_MESSAGES = {
    "variance.new_employee": NEW_EMPLOYEE,
    "variance.missing_employee": MISSING_EMPLOYEE,
    "variance.currency_changed": CURRENCY_CHANGED,
    "variance.net_change": NET_CHANGE,
    "variance.net_from_zero": NET_FROM_ZERO,
    "variance.negative_net": NEGATIVE_NET,
    "variance.paid_after_termination": PAID_AFTER_TERMINATION,
    "variance.line_change": LINE_CHANGE,
    "variance.line_new": LINE_NEW,
}
_CODE_OF_MESSAGE = {message: code for code, message in VARIANCE_MESSAGES.items()} | {
    # the line messages' wording before they named the line, as exceptions stored then keep them
    "Line {code} of {name} changed by {change_percent}% from {previous} to {current} {currency}; "
    "the threshold is {threshold_percent}%.": "variance.line_change",
    "Line {code} of {name} is {current} {currency}; the previous run had no amount for it.": "variance.line_new",
}
#: Lines payroll itself writes, besides the packs' own.
_PAYROLL_LINE_LABELS = {DEDUCTION_CODE: DEDUCTION_LABEL}


class DuplicatePayslip(InvalidInput):
    code = "payroll_duplicate_payslip"
    title = "Duplicate payslip"
    template = "Employee {employee_id} has more than one payslip in one pay run."


class PayslipSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What the checks need of one payslip. ``lines`` maps line code to the employee amount."""

    employee_id: UUID
    name: str
    currency: str
    gross: Decimal
    net: Decimal
    lines: dict[str, Decimal] = {}
    terminated_on: date | None = None


class StoredSummary(msgspec.Struct, frozen=True):
    """What the checks need of a payslip besides its employee and currency, as stored beside its result."""

    name: str
    gross: Decimal
    net: Decimal
    lines: dict[str, Decimal]

    @classmethod
    def of(cls, result: dict[str, Any]) -> StoredSummary:
        """From a payslip's stored result (its JSON form)."""
        return cls(name=result["name"], gross=Decimal(result["totals"]["gross"]),
                   net=Decimal(result["totals"]["net"]),
                   lines={line["code"]: Decimal(line["employee"]) for line in result["lines"]})

    def for_employee(self, employee_id: UUID, currency: str, terminated_on: date | None = None) -> PayslipSummary:
        return PayslipSummary(employee_id=employee_id, name=self.name, currency=currency, gross=self.gross,
                              net=self.net, lines=self.lines, terminated_on=terminated_on)


MAX_RATIO = Decimal(10)


class VarianceThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A tenant's tolerances, as ratios: 0.2 means a change of more than 20% is an exception."""

    net_change_ratio: Annotated[Decimal, msgspec.Meta(
        description="Net pay may move by this ratio of the previous net before it is an exception (0 to 10).",
    )] = Decimal("0.2")
    line_change_ratio: Annotated[Decimal, msgspec.Meta(
        description="A line may move by this ratio of its previous amount before it is an exception (0 to 10).",
    )] = Decimal("0.5")

    def __post_init__(self) -> None:
        for name in ("net_change_ratio", "line_change_ratio"):
            value = getattr(self, name)
            if not value.is_finite() or not 0 <= value <= MAX_RATIO:
                raise ValueError(f"{name} must be between 0 and {MAX_RATIO}")


class VarianceException(msgspec.Struct, frozen=True, kw_only=True):
    """One finding. ``message`` is the msgid of ``message_code``; ``params`` fill its placeholders. The
    figures are the ones the message speaks of (None where a figure does not apply)."""

    key: str
    kind: VarianceKind
    employee_id: UUID
    name: str
    message_code: str
    message: str
    params: dict[str, str]
    fingerprint: str
    code: str | None = None
    currency: str | None = None
    #: net pay, gross pay or the line's amount, now and in the previous run: money in ``currency``
    current: Money | None = None
    previous: Money | None = None
    #: ratios, not money: up to 4 decimals
    change_ratio: Decimal | None = None
    threshold: Decimal | None = None
    terminated_on: date | None = None


def exception_key(kind: VarianceKind, employee_id: UUID, code: str | None = None) -> str:
    """``kind:employee-id`` or ``kind:employee-id:code``: the same finding gets the same key on every run."""
    key = f"{kind.value}:{employee_id}"
    return f"{key}:{code}" if code is not None else key


def _text(amount: Decimal, currency: str) -> str:
    return format(exact(amount, currency), "f")


def _percent(ratio: Decimal) -> str:
    value = (ratio * 100).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP).normalize()
    return format(value, "f")


def _exceeds(current: Decimal, previous: Decimal, threshold: Decimal) -> bool:
    """Whether the change is strictly above ``threshold`` of ``|previous|``, decided without division."""
    return abs(current - previous) > threshold * abs(previous)


def _ratio(current: Decimal, previous: Decimal) -> Decimal | None:
    if previous == 0:
        return None
    return (abs(current - previous) / abs(previous)).quantize(_RATIO_PLACES, rounding=ROUND_HALF_UP)


def _exception(
    kind: VarianceKind, slip: PayslipSummary, message: str, params: dict[str, str], *, code: str | None = None,
    currency: str | None = None, current: Decimal | None = None, previous: Decimal | None = None,
    change_ratio: Decimal | None = None, threshold: Decimal | None = None, terminated_on: date | None = None,
) -> VarianceException:
    if currency is not None:
        current = exact(current, currency) if current is not None else None
        previous = exact(previous, currency) if previous is not None else None
    figures = {
        "currency": currency, "current": current, "previous": previous, "change_ratio": change_ratio,
        "threshold": threshold, "terminated_on": terminated_on.isoformat() if terminated_on else None,
    }
    return VarianceException(
        key=exception_key(kind, slip.employee_id, code),
        kind=kind,
        employee_id=slip.employee_id,
        name=slip.name,
        message_code=_CODE_OF_MESSAGE[message],
        message=message,
        params={"name": slip.name, **params},
        fingerprint=hashlib.sha256(canonical_json(figures).encode()).hexdigest(),
        code=code,
        currency=currency,
        current=current,
        previous=previous,
        change_ratio=change_ratio,
        threshold=threshold,
        terminated_on=terminated_on,
    )


def _against(slip: PayslipSummary, earlier: PayslipSummary | None,
             thresholds: VarianceThresholds) -> list[VarianceException]:
    if earlier is None:
        return [_exception(VarianceKind.NEW_EMPLOYEE, slip, NEW_EMPLOYEE, {}, currency=slip.currency)]
    return _comparisons(slip, earlier, thresholds)


def _by_employee(slips: Iterable[PayslipSummary], field: str) -> dict[UUID, PayslipSummary]:
    found: dict[UUID, PayslipSummary] = {}
    for slip in slips:
        if slip.employee_id in found:
            raise DuplicatePayslip(employee_id=str(slip.employee_id), field=field)
        found[slip.employee_id] = slip
    return found


def _own_checks(slip: PayslipSummary, pay_date: date) -> list[VarianceException]:
    found = []
    if slip.net < 0:
        found.append(_exception(
            VarianceKind.NEGATIVE_NET, slip, NEGATIVE_NET,
            {"current": _text(slip.net, slip.currency), "currency": slip.currency},
            currency=slip.currency, current=slip.net,
        ))
    if slip.terminated_on is not None and pay_date > slip.terminated_on and slip.gross > 0:
        found.append(_exception(
            VarianceKind.PAID_AFTER_TERMINATION, slip, PAID_AFTER_TERMINATION,
            {"terminated_on": slip.terminated_on.isoformat(), "current": _text(slip.gross, slip.currency),
             "currency": slip.currency, "pay_date": pay_date.isoformat()},
            currency=slip.currency, current=slip.gross, terminated_on=slip.terminated_on,
        ))
    return found


def _comparisons(
    slip: PayslipSummary, before: PayslipSummary, thresholds: VarianceThresholds,
) -> list[VarianceException]:
    if slip.currency != before.currency:
        return [_exception(
            VarianceKind.CURRENCY_CHANGED, slip, CURRENCY_CHANGED,
            {"currency": slip.currency, "previous_currency": before.currency}, currency=slip.currency,
        )]
    found = []
    currency = slip.currency
    limit = thresholds.net_change_ratio
    if _exceeds(slip.net, before.net, limit):
        ratio = _ratio(slip.net, before.net)
        if ratio is None:
            message, params = NET_FROM_ZERO, {"current": _text(slip.net, currency), "currency": currency}
        else:
            message, params = NET_CHANGE, {
                "change_percent": _percent(ratio), "previous": _text(before.net, currency),
                "current": _text(slip.net, currency),
                "currency": currency, "threshold_percent": _percent(limit),
            }
        found.append(_exception(
            VarianceKind.NET_CHANGE, slip, message, params, currency=currency, current=slip.net,
            previous=before.net, change_ratio=ratio, threshold=limit,
        ))
    limit = thresholds.line_change_ratio
    for code in sorted(slip.lines.keys() | before.lines.keys()):
        now, then = slip.lines.get(code, ZERO), before.lines.get(code, ZERO)
        if not _exceeds(now, then, limit):
            continue
        ratio = _ratio(now, then)
        if ratio is None:
            message, params = LINE_NEW, {"line": line_label(code), "current": _text(now, currency),
                                         "currency": currency}
        else:
            message, params = LINE_CHANGE, {
                "line": line_label(code), "change_percent": _percent(ratio),
                "previous": _text(then, currency),
                "current": _text(now, currency),
                "currency": currency, "threshold_percent": _percent(limit),
            }
        found.append(_exception(
            VarianceKind.LINE_OUTSIDE_RANGE, slip, message, params, code=code, currency=currency, current=now,
            previous=then, change_ratio=ratio, threshold=limit,
        ))
    return found


def check(
    current: list[PayslipSummary], previous: list[PayslipSummary] | None, pay_date: date,
    thresholds: VarianceThresholds,
) -> list[VarianceException]:
    """Every variance exception of the current run against the previous one, sorted by employee name,
    employee id, kind and line code. Without a previous run (a group's first), only each payslip's own
    checks apply. Raises :class:`DuplicatePayslip` if a run pays someone twice."""
    now = _by_employee(current, "current")
    before = _by_employee(previous or [], "previous")
    found: list[VarianceException] = []
    for employee_id, slip in now.items():
        if previous is not None:
            found.extend(_against(slip, before.get(employee_id), thresholds))
        found.extend(_own_checks(slip, pay_date))
    for employee_id, earlier in before.items():
        if employee_id not in now:
            found.append(_exception(
                VarianceKind.MISSING_EMPLOYEE, earlier, MISSING_EMPLOYEE, {}, currency=earlier.currency,
                previous=earlier.net, terminated_on=earlier.terminated_on,
            ))
    found.sort(key=lambda e: (e.name.casefold(), str(e.employee_id), _KIND_ORDER[e.kind], e.code or ""))
    return found


def line_label(code: str) -> str:
    """The label (a msgid) of a payslip line by its code, whichever pack or payroll itself writes it; the code
    itself for a line nobody writes any more."""
    return _line_labels().get(code, code)


@cache
def _line_labels() -> dict[str, str]:
    labels = dict(_PAYROLL_LINE_LABELS)
    for pack in all_packs().values():
        labels.update(pack.line_labels)
    return labels


def shown(detail: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A stored exception (its JSON form) as a reader sees it: ``message`` written in ``locale`` with every
    figure filled in, beside its ``message_code`` and its ``params`` (a line's label in ``locale``), so a client
    may write its own text instead. An exception stored before messages had codes is read by its msgid."""
    code = detail.get("message_code") or _CODE_OF_MESSAGE.get(detail["message"], "")
    params = dict(detail["params"])
    if detail.get("code") is not None:
        params["line"] = translate(line_label(detail["code"]), locale)
    message = translate(VARIANCE_MESSAGES.get(code, detail["message"]), locale, **params)
    return {**detail, "message_code": code, "params": params, "message": message}
