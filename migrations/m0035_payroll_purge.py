"""The retention purge of payroll records: a payslip past its period keeps its amounts (the finance reconciliation
and the pay run's results hash need them) but loses what names the person; ``pseudonymised_at`` notes when, so the
purge passes it by and an employee whose payslips are all done can be erased. The purge finds payslips by their
pay run's pay date, and an employee's payslips by the employee."""

ID = "0035_payroll_purge"

STATEMENTS = [
    "ALTER TABLE payslips ADD COLUMN pseudonymised_at TIMESTAMPTZ",
    "CREATE INDEX pay_runs_tenant_pay_date ON pay_runs (tenant_id, pay_date, id)",
]
