"""Off-cycle corrections: a correction run recalculates a finalised period for the employees it names.
The calculation job is named by its batch and keeps a heartbeat, so a job that stopped with its process
can be started again and a job overtaken by a change never publishes its results. A pay run pages
through an entity's employments by employee id."""

ID = "0009_payroll_corrections"

STATEMENTS = [
    "ALTER TABLE pay_runs ADD COLUMN scope TEXT",
    "ALTER TABLE pay_runs ADD COLUMN job_batch UUID",
    "ALTER TABLE pay_runs ADD COLUMN job_heartbeat TIMESTAMPTZ",
    "CREATE INDEX pay_runs_corrects ON pay_runs (tenant_id, corrects_run_id)",
    "CREATE INDEX employments_entity ON employments (tenant_id, legal_entity_id, employee_id)",
]
