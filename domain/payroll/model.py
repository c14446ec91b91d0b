"""Payroll's published types: what callers send (New*), what they get back (*View), and a calculation
problem as the run keeps it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.audit.service import AuditEntryView
from domain.payroll.calendar import PayGroupRule
from domain.payroll.workflow import Approval, RunState


class NewPayGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    legal_entity_id: UUID
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    rule: PayGroupRule


class PayGroupView(msgspec.Struct, frozen=True):
    id: UUID
    legal_entity_id: UUID
    name: str
    rule: PayGroupRule


class NewPayRun(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pay_group_id: UUID
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    period: Annotated[int, msgspec.Meta(ge=1, le=53)]


class NewCorrection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An off-cycle run recalculating a finalised period for the named employees."""

    employee_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=10000)]
    pay_date: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class NewPayInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee_id: UUID
    kind: Literal["overtime_hours", "bonus", "allowance", "unpaid_leave_days", "deduction"]
    amount: Annotated[str, msgspec.Meta(pattern=r"^\d{1,9}(\.\d{1,4})?$")]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


Ratio = Annotated[str, msgspec.Meta(pattern=r"^(10(\.0{1,4})?|\d(\.\d{1,4})?)$",
                                     description="a ratio from 0 to 10 with up to 4 decimals: 0.2 is 20%")]


class NewVarianceThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How far net pay and each line may move against the previous run before a reviewer must look."""

    net_change_ratio: Ratio = "0.2"
    line_change_ratio: Ratio = "0.5"


class CalculationProblem(msgspec.Struct, frozen=True):
    """A payslip that cannot be calculated, and why, as a worker reports it (domain errors do not cross
    processes) and the run keeps it: the reason as its catalogue message and parameters, so each reader
    gets it in their own language."""

    employee_id: UUID
    employee: str
    template: str
    params: dict[str, str]

    @property
    def problem(self) -> str:
        return self.template.format(**self.params)


class CalculationProblemView(msgspec.Struct, frozen=True):
    employee_id: UUID
    employee: str
    problem: str


class PayRunView(msgspec.Struct, frozen=True):
    id: UUID
    pay_group_id: UUID
    kind: str
    corrects_run_id: UUID | None
    employee_scope: list[UUID] | None
    period_start: date
    period_end: date
    pay_date: date
    state: RunState
    preparer: str | None
    results_hash: str | None
    approvals: list[Approval]
    open_exceptions: int
    job_status: str
    progress_percent: int
    employees_done: int
    employees_total: int
    job_error: str | None
    #: every payslip the last calculation could not calculate (the first 100, in employee-id order), with the
    #: reason in the reader's language
    calculation_problems: list[CalculationProblemView]
    calculation_problems_total: int
    version: int


class PayslipView(msgspec.Struct, frozen=True):
    id: UUID
    run_id: UUID
    employee_id: UUID
    currency: str
    gross: Decimal
    net: Decimal
    employer_cost: Decimal
    result: dict[str, Any]


class Approve(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The reviewer approves exactly the results they reviewed, named by their hash."""

    results_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class Acknowledge(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class ExceptionView(msgspec.Struct, frozen=True):
    id: UUID
    key: str
    detail: dict[str, Any]
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


class RegionAssignment(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A payroll reviewer may approve runs of legal entities in this region: a country (CN) or a country
    and region (CN-SH), or * for all."""

    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    region: Annotated[str, msgspec.Meta(pattern=r"^(\*|[A-Z]{2}(-[A-Za-z0-9]{1,8})?)$")]


class LineAmounts(msgspec.Struct, frozen=True):
    code: str
    employee: Decimal
    employer: Decimal


class LineChange(msgspec.Struct, frozen=True):
    """A line whose amounts differ from the version before (0 where the line was absent)."""

    code: str
    employee_before: Decimal
    employee_after: Decimal
    employer_before: Decimal
    employer_after: Decimal


class PayslipVersion(msgspec.Struct, frozen=True):
    payslip_id: UUID
    calculated_at: datetime
    calculated_by: str
    results_hash: str
    #: the version the run shows now (none is current while a change awaits recalculation)
    current: bool
    gross: Decimal
    net: Decimal
    employer_cost: Decimal
    lines: list[LineAmounts]
    changes: list[LineChange]


class PayslipHistory(msgspec.Struct, frozen=True):
    run_id: UUID
    employee_id: UUID
    versions: list[PayslipVersion]
    #: the run's transitions and the changes to this employee's inputs, with before and after
    events: list[AuditEntryView]
