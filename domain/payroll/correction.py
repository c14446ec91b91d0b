"""Off-cycle corrections. A correction run recalculates a finalised period for the employees it names;
its payslips hold the full corrected figures (the year so far of later runs builds on them), and what
is paid and posted to finance is the difference from the figures they replace. Pure: no database."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from compliance.calculation import CalculationResult, Line, Totals

if TYPE_CHECKING:
    from domain.payroll.queries import PayslipRow

ZERO = Decimal(0)


class Replaced(msgspec.Struct, frozen=True):
    """The payslip a correction replaces: the one in force for the employee and period until now."""

    payslip_id: str
    run_id: str
    lines: list[Line]
    totals: Totals


def replaced_from(slip: PayslipRow) -> dict[str, Any]:
    """What a correction payslip keeps of the payslip it replaces, in its stored form (see :class:`Replaced`),
    copied as stored so the correction's result keeps the replaced figures exactly."""
    return {"payslip_id": str(slip.id), "run_id": str(slip.run_id), "lines": slip.result["lines"],
            "totals": slip.result["totals"]}


def difference(corrected: CalculationResult, replaced: Replaced) -> CalculationResult:
    """The corrected result less the replaced one, line by line (a line either side may be missing):
    what the correction pays and posts."""
    after = {line.code: line for line in corrected.lines}
    before = {line.code: line for line in replaced.lines}
    codes = [*after, *(code for code in before if code not in after)]
    lines = [_line_difference(after.get(code) or before[code], after.get(code), before.get(code)) for code in codes]
    old, new = replaced.totals, corrected.totals
    totals = Totals(gross=new.gross - old.gross, employee_deductions=new.employee_deductions - old.employee_deductions,
                    employer_contributions=new.employer_contributions - old.employer_contributions,
                    net=new.net - old.net, employer_cost=new.employer_cost - old.employer_cost)
    return msgspec.structs.replace(corrected, lines=lines, totals=totals, trace=[])


def _line_difference(model: Line, after: Line | None, before: Line | None) -> Line:
    """``model`` names the line: the corrected one, or the replaced one where the correction drops it."""
    return Line(code=model.code, label=model.label,
                employee=(after.employee if after else ZERO) - (before.employee if before else ZERO),
                employer=(after.employer if after else ZERO) - (before.employer if before else ZERO))
