"""Settling provisional pay (补差): a settlement is a correction of a group's latest finalised period that
recalculates every period from ``settles_from`` in order, with the law now known. A run also keeps the
provisional law its calculation used, and a settlement its period-by-period differences, so the run's view
shows both without reading its payslips."""

ID = "0012_payroll_settlements"

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN settles_from DATE",
    "ALTER TABLE pay_runs ADD COLUMN provisional_law TEXT",
    "ALTER TABLE pay_runs ADD COLUMN settlement_periods TEXT",
]
