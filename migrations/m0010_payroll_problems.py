"""A calculation that cannot complete lists every payslip it could not calculate, not just the first."""

ID = "0010_payroll_problems"

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN job_problems TEXT",
]
