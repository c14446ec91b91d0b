"""Employees carry the tenant's own employee number and a department, so lists, attrition rows and payslips can
tell people apart. Both are optional: employees hired before this migration have neither. A number is unique
within its tenant when present."""

ID = "0019_employee_number_department"

STATEMENTS = [
    "ALTER TABLE employees ADD COLUMN employee_number VARCHAR(40)",
    "ALTER TABLE employees ADD COLUMN department VARCHAR(200)",
    "CREATE UNIQUE INDEX employees_tenant_number ON employees (tenant_id, employee_number) "
    "WHERE employee_number IS NOT NULL",
]
