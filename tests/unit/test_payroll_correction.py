"""What a correction pays and posts: the corrected payslip less the one it replaces, line by line."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from domain.payroll.correction import Replaced, difference
from domain.payroll.finance import journal
from tests.unit.test_payroll_finance import MAPPING, PAY_DATE, payslip


def replaced(original: object) -> Replaced:
    stored = msgspec.to_builtins({"id": "p-1", "run_id": "r-1", "result": original})
    return msgspec.convert({"payslip_id": stored["id"], "run_id": stored["run_id"],
                            "lines": stored["result"]["lines"], "totals": stored["result"]["totals"]}, Replaced)


def test_the_difference_is_taken_line_by_line_and_in_every_total() -> None:
    original = payslip("EUR", "3000.00", [("tax", "400.00", "0"), ("pension", "279.00", "279.00")])
    corrected = payslip("EUR", "3500.00", [("tax", "520.50", "0"), ("pension", "325.50", "325.50")])
    paid = difference(corrected, replaced(original))
    assert [(line.code, line.employee, line.employer) for line in paid.lines] == [
        ("tax", Decimal("120.50"), Decimal("0")), ("pension", Decimal("46.50"), Decimal("46.50"))]
    assert paid.totals.gross == Decimal("500.00") and paid.totals.net == Decimal("333.00")
    assert paid.totals.employer_cost == Decimal("546.50") and paid.year_to_date == corrected.year_to_date


def test_a_line_on_one_side_only_is_paid_or_taken_back_in_full() -> None:
    original = payslip("EUR", "3000.00", [("tax", "400.00", "0"), ("health", "100.00", "90.00")])
    corrected = payslip("EUR", "3000.00", [("tax", "400.00", "0"), ("pension", "50.00", "50.00")])
    paid = {line.code: (line.employee, line.employer) for line in difference(corrected, replaced(original)).lines}
    assert paid == {"tax": (Decimal(0), Decimal(0)), "pension": (Decimal("50.00"), Decimal("50.00")),
                    "health": (Decimal("-100.00"), Decimal("-90.00"))}


def test_a_correction_that_lowers_pay_still_posts_a_balanced_journal() -> None:
    original = payslip("EUR", "3500.00", [("tax", "520.50", "0"), ("pension", "325.50", "325.50")])
    corrected = payslip("EUR", "3000.00", [("tax", "400.00", "0"), ("pension", "279.00", "279.00")])
    entries = journal([difference(corrected, replaced(original))], MAPPING, "run", PAY_DATE)
    assert sum(e.debit for e in entries) == sum(e.credit for e in entries) > 0
