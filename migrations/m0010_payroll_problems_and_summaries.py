"""A calculation that cannot complete lists every payslip it could not calculate, not just the first.
Each payslip also keeps, beside its result, the little that the next runs read of it: what the variance
check compares and the year-to-date figures. The next month then reads a few hundred bytes a payslip, not
the whole result with its trace (rows written before this keep both empty and are read from the result)."""

ID = "0010_payroll_problems_and_summaries"

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN job_problems TEXT",
    "ALTER TABLE payslips ADD COLUMN summary TEXT",
    "ALTER TABLE payslips ADD COLUMN year_to_date TEXT",
]
