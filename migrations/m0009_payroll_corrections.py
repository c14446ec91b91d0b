"""Off-cycle corrections: a correction run recalculates a finalised period for the employees it names."""

ID = "0009_payroll_corrections"

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN scope TEXT",
    "CREATE INDEX pay_runs_corrects ON pay_runs (tenant_id, corrects_run_id)",
]
