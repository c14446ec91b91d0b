"""Variance checks of a pay run against the previous run."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from domain.payroll.variance import (
    VARIANCE_MESSAGES,
    DuplicatePayslip,
    PayslipSummary,
    VarianceKind,
    VarianceThresholds,
    check,
    exception_key,
)

PAY_DATE = date(2026, 11, 30)
THRESHOLDS = VarianceThresholds(net_change_ratio=Decimal("0.2"), line_change_ratio=Decimal("0.5"))
ANNA = UUID("00000000-0000-4000-8000-000000000001")
BEN = UUID("00000000-0000-4000-8000-000000000002")


def slip(
    employee_id: UUID = ANNA, name: str = "Anna", *, gross: str = "5000.00", net: str = "3000.00",
    lines: dict[str, str] | None = None, currency: str = "EUR", terminated_on: date | None = None,
) -> PayslipSummary:
    return PayslipSummary(
        employee_id=employee_id, name=name, currency=currency, gross=Decimal(gross), net=Decimal(net),
        lines={code: Decimal(v) for code, v in (lines if lines is not None else {"tax": "1000.00"}).items()},
        terminated_on=terminated_on,
    )


def kinds(found: list) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.code) for e in found]


def test_an_unchanged_run_has_no_exceptions() -> None:
    assert check([slip(), slip(BEN, "Ben")], [slip(BEN, "Ben"), slip()], PAY_DATE, THRESHOLDS) == []


def test_new_and_missing_employees() -> None:
    found = check([slip()], [slip(BEN, "Ben", net="2500.00")], PAY_DATE, THRESHOLDS)
    assert kinds(found) == [("new_employee", None), ("missing_employee", None)]
    new, missing = found
    assert (new.employee_id, new.name, new.key) == (ANNA, "Anna", f"new_employee:{ANNA}")
    assert new.message.format(**new.params) == "Anna is paid in this run but was not paid in the previous run."
    assert (missing.employee_id, missing.previous, missing.key) == (BEN, Decimal("2500.00"), f"missing_employee:{BEN}")
    assert missing.message.format(**missing.params) == "Ben was paid in the previous run but is not in this run."


@pytest.mark.parametrize(("net", "expected"), [
    ("3600.00", []),                          # +20%: exactly the threshold
    ("2400.00", []),                          # -20%
    ("3600.01", [("net_change", None)]),
    ("2399.99", [("net_change", None)]),
])
def test_net_change_is_an_exception_only_above_the_threshold(net: str, expected: list) -> None:
    assert kinds(check([slip(net=net)], [slip()], PAY_DATE, THRESHOLDS)) == expected


def test_net_change_figures_and_message() -> None:
    [found] = check([slip(net="4000.00")], [slip()], PAY_DATE, THRESHOLDS)
    assert found.kind is VarianceKind.NET_CHANGE
    assert (found.current, found.previous, found.change_ratio, found.threshold) == (
        Decimal("4000.00"), Decimal("3000.00"), Decimal("0.3333"), Decimal("0.2"))
    assert found.key == f"net_change:{ANNA}"
    assert found.message.format(**found.params) == (
        "Net pay of Anna changed by 33.33% from 3000.00 to 4000.00 EUR; the threshold is 20%.")


def test_net_pay_from_zero_is_always_a_change_and_zero_to_zero_is_none() -> None:
    [found] = check([slip(net="100.00")], [slip(net="0.00")], PAY_DATE, THRESHOLDS)
    assert (found.kind, found.change_ratio) == (VarianceKind.NET_CHANGE, None)
    assert found.message.format(**found.params) == "Net pay of Anna is 100.00 EUR; the previous run paid no net pay."
    assert check([slip(net="0.00")], [slip(net="0.00")], PAY_DATE, THRESHOLDS) == []


def test_negative_net() -> None:
    found = check([slip(net="-10.00")], [slip(net="-10.00")], PAY_DATE, THRESHOLDS)
    assert kinds(found) == [("negative_net", None)]
    assert found[0].current == Decimal("-10.00")
    assert found[0].message.format(**found[0].params) == "Net pay of Anna is negative: -10.00 EUR."


def test_a_groups_first_run_has_only_each_payslips_own_checks() -> None:
    """Nothing to compare with: nobody is new and no figure has moved, but a negative net or pay after a
    leaving day is still an exception."""
    assert check([slip(), slip(BEN, "Ben")], None, PAY_DATE, THRESHOLDS) == []
    found = check([slip(net="-10.00"), slip(BEN, "Ben", terminated_on=date(2026, 11, 15))], None, PAY_DATE,
                  THRESHOLDS)
    assert kinds(found) == [("negative_net", None), ("paid_after_termination", None)]


def test_paid_after_termination_only_after_the_day_and_only_with_gross_pay() -> None:
    left = date(2026, 11, 15)
    [found] = check([slip(terminated_on=left)], [slip()], PAY_DATE, THRESHOLDS)
    assert (found.kind, found.current, found.terminated_on) == (VarianceKind.PAID_AFTER_TERMINATION,
                                                                Decimal("5000.00"), left)
    assert found.message.format(**found.params) == (
        "Anna left on 2026-11-15 but is paid 5000.00 EUR gross on 2026-11-30.")
    assert check([slip(terminated_on=PAY_DATE)], [slip()], PAY_DATE, THRESHOLDS) == []
    zero = slip(terminated_on=left, gross="0.00", net="0.00", lines={})
    assert kinds(check([zero], [zero], PAY_DATE, THRESHOLDS)) == []


@pytest.mark.parametrize(("amount", "expected"), [
    ("1500.00", []),                          # +50%: exactly the threshold
    ("500.00", []),                           # -50%
    ("1500.01", [("line_outside_range", "tax")]),
    ("499.99", [("line_outside_range", "tax")]),
])
def test_line_change_is_an_exception_only_above_the_threshold(amount: str, expected: list) -> None:
    now = slip(lines={"tax": amount})
    assert kinds(check([now], [slip()], PAY_DATE, THRESHOLDS)) == expected


def test_a_new_non_zero_line_is_an_exception_and_a_new_zero_line_is_not() -> None:
    now = slip(lines={"tax": "1000.00", "de.pension_insurance": "80.00", "union": "0.00"})
    [found] = check([now], [slip()], PAY_DATE, THRESHOLDS)
    assert (found.kind, found.code, found.current, found.previous, found.change_ratio) == (
        VarianceKind.LINE_OUTSIDE_RANGE, "de.pension_insurance", Decimal("80.00"), Decimal("0"), None)
    assert found.key == f"line_outside_range:{ANNA}:de.pension_insurance"
    assert found.message.format(**found.params) == (
        "Pension insurance of Anna is 80.00 EUR; the previous run had no amount for it.")


def test_a_line_that_disappeared_counts_as_zero() -> None:
    [found] = check([slip(lines={})], [slip()], PAY_DATE, THRESHOLDS)
    assert (found.code, found.current, found.previous, found.change_ratio) == ("tax", Decimal("0"),
                                                                              Decimal("1000.00"), Decimal("1"))
    assert found.message.format(**found.params) == (
        "tax of Anna changed by 100% from 1000.00 to 0.00 EUR; the threshold is 50%."), "a code no pack labels"
    assert str(found.current) == "0.00", "a vanished line is 0.00 EUR, in the currency's digits"
    lenient = VarianceThresholds(net_change_ratio=Decimal("0.2"), line_change_ratio=Decimal("1"))
    assert check([slip(lines={})], [slip()], PAY_DATE, lenient) == []


def test_a_changed_currency_is_reported_instead_of_meaningless_ratios() -> None:
    found = check([slip(currency="USD", net="9000.00")], [slip()], PAY_DATE, THRESHOLDS)
    assert kinds(found) == [("currency_changed", None)]
    assert found[0].message.format(**found[0].params) == "Anna is paid in USD in this run; the previous run paid EUR."


def test_keys_are_deterministic_and_survive_a_recalculation() -> None:
    current = [slip(BEN, "Ben", net="-1.00", lines={"a": "5.00", "b": "9.00"}), slip(net="9000.00")]
    previous = [slip(), slip(BEN, "Ben", net="100.00", lines={"a": "1.00"})]
    first = check(current, previous, PAY_DATE, THRESHOLDS)
    again = check(list(reversed(current)), list(reversed(previous)), PAY_DATE, THRESHOLDS)
    assert first == again
    assert [e.key for e in first] == [
        f"net_change:{ANNA}", f"net_change:{BEN}", f"negative_net:{BEN}",
        f"line_outside_range:{BEN}:a", f"line_outside_range:{BEN}:b",
    ]
    assert exception_key(VarianceKind.LINE_OUTSIDE_RANGE, BEN, "a") == f"line_outside_range:{BEN}:a"
    assert len({e.key for e in first}) == len(first)


def test_the_fingerprint_changes_with_the_figures_but_the_key_does_not() -> None:
    [a] = check([slip(net="4000.00")], [slip()], PAY_DATE, THRESHOLDS)
    [b] = check([slip(net="4000.00")], [slip()], PAY_DATE, THRESHOLDS)
    [c] = check([slip(net="4100.00")], [slip()], PAY_DATE, THRESHOLDS)
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert a.key == c.key


def test_a_run_that_pays_someone_twice_is_refused() -> None:
    with pytest.raises(DuplicatePayslip) as caught:
        check([slip(), slip()], [], PAY_DATE, THRESHOLDS)
    assert caught.value.params == {"employee_id": str(ANNA)}
    assert caught.value.field == "current"


def test_thresholds_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="net_change_ratio"):
        VarianceThresholds(net_change_ratio=Decimal("-0.1"))
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"line_change_ratio": "-1"}', type=VarianceThresholds)


def test_exceptions_encode_to_json_and_every_message_is_declared_with_its_params() -> None:
    current = [
        slip(net="-5.00", terminated_on=date(2026, 1, 1), lines={"x": "1.00"}),
        slip(BEN, "Ben", currency="USD"),
        slip(UUID(int=3), "Cy", net="0.00"), slip(UUID(int=4), "Di", net="9000.00"),
    ]
    previous = [slip(lines={"x": "0.00", "y": "4.00"}), slip(BEN, "Ben"), slip(UUID(int=3), "Cy", net="1.00"),
                slip(UUID(int=4), "Di", net="0.00"), slip(UUID(int=5), "Ed")]
    found = check(current, previous, PAY_DATE, THRESHOLDS)
    assert {e.kind for e in found} == set(VarianceKind) - {VarianceKind.NEW_EMPLOYEE}
    found += check([slip()], [], PAY_DATE, THRESHOLDS)
    for e in found:
        assert VARIANCE_MESSAGES[e.message_code] == e.message
        assert set(re.findall(r"\{(\w+)\}", e.message)) == set(e.params)
        assert all(isinstance(v, str) for v in e.params.values())
    decoded = msgspec.json.decode(msgspec.json.encode(found), type=list[type(found[0])])
    assert decoded == found
    assert len(VARIANCE_MESSAGES) == len(set(VARIANCE_MESSAGES.values()))
