"""Payroll's published types: what callers send (New*), what they get back (*View), and a calculation
problem as the run keeps it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.audit.service import AuditEntryView
from domain.kernel.i18n import translate
from domain.kernel.money import Money
from domain.payroll.calendar import PayGroupRule, PayPeriod
from domain.payroll.workflow import Approval, RunState


class NewPayGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A pay group to create for one of your legal entities: a name not yet used in your tenant, and the calendar `rule`
    it pays on, whose country must be the legal entity's."""

    legal_entity_id: UUID
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    rule: PayGroupRule


class LawGapKind(StrEnum):
    """Why a series a coming pay run needs is a gap: `not_yet_published` (the issuer has not yet published the figures
    for the pay date; the last known may be carried forward), `not_in_force` (no figures are in force and none may be
    carried forward), `provisional` (carried forward for your tenant: the run pays provisionally and is settled (补差)
    when the law arrives) or `unverified` (the figures in force are unverified and your tenant has not accepted
    them)."""

    #: the issuer has not yet published the figures for the pay date; the last known may be carried forward
    NOT_YET_PUBLISHED = "not_yet_published"
    #: no figures are in force on the pay date and none may be carried forward
    NOT_IN_FORCE = "not_in_force"
    #: carried forward for this tenant: the run pays provisionally and settles (补差) when the law arrives
    PROVISIONAL = "provisional"
    #: the figures in force are unverified and the tenant has not accepted them
    UNVERIFIED = "unverified"


class LawGapAction(StrEnum):
    """What your tenant can do about a law gap: `carry_forward` (choose in writing to carry the last known version
    forward), `accept_unverified` (accept the unverified figures in writing), `publish_tenant_version` (propose your own
    version of the series, which another person approves), `import_law_bundle` (import a signed law bundle that has it)
    or `settle_when_published` (settle what was paid provisionally once the law is published)."""

    CARRY_FORWARD = "carry_forward"
    ACCEPT_UNVERIFIED = "accept_unverified"
    PUBLISH_TENANT_VERSION = "publish_tenant_version"
    IMPORT_LAW_BUNDLE = "import_law_bundle"
    SETTLE_WHEN_PUBLISHED = "settle_when_published"


class LawGap(msgspec.Struct, frozen=True):
    """A series a coming run of the group needs that is not plainly in force on its pay date."""

    pay_date: date
    country: str
    series: str
    region: str | None
    kind: LawGapKind
    #: the version the run would use (the carried-forward or unverified one); None where there is none
    version: str | None
    #: what the tenant can do about it, most direct first
    actions: list[LawGapAction]


class PayGroupView(msgspec.Struct, frozen=True):
    """A pay group: its legal entity, name and calendar rule, and `law_gaps`: for its next three pay dates, each
    statutory series its runs need that is not yet published, not in force, provisional or unverified, with what your
    tenant can do about it."""

    id: UUID
    legal_entity_id: UUID
    name: str
    rule: PayGroupRule
    #: for the group's next pay dates, each series its runs need that is missing, provisional or unverified
    law_gaps: list[LawGap] = []


class PayGroupSummary(msgspec.Struct, frozen=True):
    """A pay group as a list shows it: its legal entity by name, and its rule (country, frequency, pay day)."""

    id: UUID
    name: str
    legal_entity_id: UUID
    legal_entity_name: str
    rule: PayGroupRule


class PayCalendar(msgspec.Struct, frozen=True):
    """A pay group's periods of one pay year, with cut-offs and pay dates. One document, not a page: a year
    has at most 53 periods, computed from the group's rule, not stored rows to walk through."""

    pay_group_id: UUID
    year: int
    periods: list[PayPeriod]


class NewPayRun(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Open the regular pay run of one period of a pay group: the pay year and the period's number in it, as the group's
    pay calendar lists them."""

    pay_group_id: UUID
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    period: Annotated[int, msgspec.Meta(ge=1, le=53)]


class NewCorrection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An off-cycle run recalculating a finalised period for the named employees."""

    employee_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=10000)]
    pay_date: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class NewSettlement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settle (补差) what the group paid on provisional law, in one off-cycle run of its latest finalised period."""

    pay_date: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


#: The most one input may say in a period: counts a month can hold (a sanity bound, not the labour-law cap,
#: which the contract and overtime rules check), so a typing error is refused when entered, not at calculation.
PAY_INPUT_LIMITS = {"overtime_hours": Decimal(300), "unpaid_leave_days": Decimal(31)}


class NewPayInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An input to a pay run for one employee of the group's legal entity, with an optional note: `overtime_hours`
    (hours, at most 300), `bonus` or `allowance` (amounts in the employee's pay currency), `unpaid_leave_days` (days, at
    most 31) or `deduction` (an amount taken from net pay after tax). Inputs of one kind add up. Adding one to a
    calculated run voids its approvals: it must be calculated and reviewed again."""

    employee_id: UUID
    kind: Literal["overtime_hours", "bonus", "allowance", "unpaid_leave_days", "deduction"]
    amount: Annotated[str, msgspec.Meta(pattern=r"^\d{1,9}(\.\d{1,4})?$")]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class PayInputView(msgspec.Struct, frozen=True):
    """A pay input as entered (`POST /v1/pay-runs/{id}/inputs` or an import of kind `pay_inputs`): its run, the
    employee (with the tenant's employee number, when it gave one), the kind, the amount exactly as entered (a decimal
    string), the note, and who entered it when."""

    id: UUID
    run_id: UUID
    employee_id: UUID
    employee_number: str | None
    kind: str
    amount: str
    note: str
    entered_by: str
    entered_at: datetime


Ratio = Annotated[str, msgspec.Meta(pattern=r"^(10(\.0{1,4})?|\d(\.\d{1,4})?)$",
                                     description="a ratio from 0 to 10 with up to 4 decimals: 0.2 is 20%")]


class NewVarianceThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How far net pay and each line may move against the previous run before a reviewer must look."""

    net_change_ratio: Ratio = "0.2"
    line_change_ratio: Ratio = "0.5"


#: The code of a problem kept before problems kept their code.
PAYSLIP_NOT_CALCULATED = "payslip_not_calculated"


class CalculationProblem(msgspec.Struct, frozen=True):
    """A payslip that cannot be calculated, and why, as a worker reports it (domain errors do not cross
    processes) and the run keeps it: the reason as its stable code, catalogue message and parameters, so each
    reader gets it in their own language."""

    employee_id: UUID
    employee: str
    template: str
    params: dict[str, str]
    code: str = PAYSLIP_NOT_CALCULATED

    @property
    def problem(self) -> str:
        return self.template.format(**self.params)

    def shown(self, locale: str) -> CalculationProblemView:
        return CalculationProblemView(employee_id=self.employee_id, employee=self.employee,
                                      problem=translate(self.template, locale, **self.params), code=self.code,
                                      params=self.params)


class CalculationProblemView(msgspec.Struct, frozen=True):
    """A payslip the calculation could not calculate: whose, and why (`problem`) in the reader's language
    (Accept-Language, else the user's own); `code` and the `params` that fill the message let a client write its
    own text."""

    employee_id: UUID
    employee: str
    problem: str
    code: str
    params: dict[str, str]


class ProvisionalLaw(msgspec.Struct, frozen=True):
    """A version a run's calculation used provisionally (carried forward past its end)."""

    country: str
    series: str
    version: str
    region: str | None = None


class SettlementPeriodTotal(msgspec.Struct, frozen=True):
    """A settlement's differences for one of the periods it recalculated, over all its employees."""

    period_start: date
    period_end: date
    pay_date: date
    employees: int
    #: the currency of the amounts: a settlement's periods are totalled per currency
    currency: str
    net_difference: Money
    employer_cost_difference: Money


class PayRunView(msgspec.Struct, frozen=True):
    """A pay run of one period of a pay group: its kind (`regular`, or `correction` for an off-cycle run correcting a
    finalised one, settlements included) and the employees a correction covers, its period and pay date, its review
    state, the preparer, the hash of its current results and the approvals given, the variance exceptions still open,
    and its background calculation (`job_status`: `idle`, `running`, `done`, `failed` or `superseded`, with progress and
    the payslips it could not calculate)."""

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
    #: a settlement (补差) recalculates every period from this one to its own; None for other runs
    settles_from: date | None = None
    #: what the current results read provisionally: they are settled when the law is published
    provisional_law: list[ProvisionalLaw] = []
    #: a settlement's differences period by period (each payslip keeps its own in ``result.settlement``)
    settlement_periods: list[SettlementPeriodTotal] = []


class RunFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which runs a list shows: of a group or a legal entity, in some states, with a period overlapping
    ``period_from`` to ``period_to`` (either bound may be open)."""

    pay_group_id: UUID | None = None
    legal_entity_id: UUID | None = None
    states: list[RunState] | None = None
    period_from: date | None = None
    period_to: date | None = None


class PayRunSummary(msgspec.Struct, frozen=True):
    """A pay run as a list shows it: its group by name, its period, state and pay date, the exceptions still
    open and how many employees its calculation covers (0 before the first)."""

    id: UUID
    pay_group_id: UUID
    pay_group_name: str
    legal_entity_id: UUID
    kind: str
    corrects_run_id: UUID | None
    period_start: date
    period_end: date
    pay_date: date
    state: RunState
    open_exceptions: int
    job_status: str
    employees_total: int
    version: int


class EarningView(msgspec.Struct, frozen=True, kw_only=True):
    """One earning of a payslip as its calculation counted it: `code` (`base`, `unpaid_leave`, `overtime`, `allowances`
    or `bonus`; `gross` alone for a payslip calculated before earnings were kept item by item), its `label` as the
    country's pack names it, in the reader's language, and `amount`, money in the payslip's `currency` (negative for
    unpaid leave taken off). Where it applies, what it was counted from: the `days` of a part period out of
    `days_in_period`, the unpaid `days`, or overtime `hours` at the hourly `rate` (money) times `multiplier` (1.25 is
    125%). A payslip's earnings add up to its gross pay."""

    code: str
    label: str
    amount: Money
    days: Decimal | None = None
    days_in_period: Decimal | None = None
    hours: Decimal | None = None
    rate: Money | None = None
    multiplier: Decimal | None = None


class PayslipAmount(msgspec.Struct, frozen=True):
    """A labelled amount of a payslip: a deduction by its line `code`, or a year-to-date figure by its key in the
    country's year to date (China's cumulative income and tax, the UK's taxable pay and tax to date, ...); `label` in
    the reader's language, `amount` money in the payslip's `currency`."""

    code: str
    label: str
    amount: Money


class PayslipView(msgspec.Struct, frozen=True):
    """An employee's payslip in a pay run, as payroll reads it: gross, net and employer cost, money strings in
    `currency`; the `earnings` item by item; the `year_to_date` figures the country's payslips carry, the employer's
    included; and `result`, the calculation in the shape `calculatePayroll` answers with its trace and the law it
    read, its amounts money in `currency` too."""

    id: UUID
    run_id: UUID
    employee_id: UUID
    currency: str
    gross: Money
    net: Money
    employer_cost: Money
    #: the calculation as the country's pack made it (``POST /v1/compliance/payroll-calculations`` answers the
    #: same shape): its amounts are money in ``currency`` too
    result: dict[str, Any]
    earnings: list[EarningView]
    year_to_date: list[PayslipAmount]


class OwnPayslipView(msgspec.Struct, frozen=True):
    """One of your payslips as the law and your employer say you see it: your `employer`, the period and pay date, each
    earning and each deduction with its label in your language, gross pay, total deductions and net pay, and the
    year-to-date figures your country's payslips carry. Amounts are money in `currency`. How payroll calculated it,
    the law it read and what it costs your employer stay with payroll."""

    id: UUID
    employee_id: UUID
    #: the legal entity that pays you
    employer: str
    period_start: date
    period_end: date
    pay_date: date
    currency: str
    earnings: list[EarningView]
    gross: Money
    deductions: list[PayslipAmount]
    total_deductions: Money
    net: Money
    year_to_date: list[PayslipAmount]


class Approve(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The reviewer approves exactly the results they reviewed, named by their hash."""

    results_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class Acknowledge(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A reviewer's note acknowledging a variance exception. Nobody can approve or finalise a run while any of its
    exceptions is unacknowledged."""

    note: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class ExceptionView(msgspec.Struct, frozen=True):
    """A variance exception of a pay run, found against the previous run: an employee new to it or missing from it, paid
    in another currency, paid a negative net or after termination, or whose net pay or a line moved by more than your
    tenant's tolerance. `key` (kind, employee and line code) identifies it and orders the list; it stays open until a
    reviewer acknowledges it with a note."""

    id: UUID
    key: str
    #: the finding: its kind; its ``message`` in the reader's language (Accept-Language, else the user's own), with
    #: the stable ``message_code`` and the ``params`` that fill it for a client writing its own text; and its
    #: figures (``current`` and ``previous`` are money in its ``currency``; ``change_ratio`` and ``threshold`` are
    #: ratios)
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
    """One payslip line of a calculated version: its code, what it deducts from the employee and what it costs the
    employer, money strings in the history's `currency`."""

    code: str
    employee: Money
    employer: Money


class LineChange(msgspec.Struct, frozen=True):
    """A line whose amounts differ from the version before (0 where the line was absent)."""

    code: str
    employee_before: Money
    employee_after: Money
    employer_before: Money
    employer_after: Money


class PayslipVersion(msgspec.Struct, frozen=True):
    """One calculation of an employee's payslip in a pay run: when and by whom (their subject), the hash of the run's
    results it belonged to, whether the run shows it now, its gross, net and employer cost, its lines, and the lines
    that changed from the version before. Amounts are money strings in the history's `currency`."""

    payslip_id: UUID
    calculated_at: datetime
    calculated_by: str
    results_hash: str
    #: the version the run shows now (none is current while a change awaits recalculation)
    current: bool
    gross: Money
    net: Money
    employer_cost: Money
    lines: list[LineAmounts]
    changes: list[LineChange]


class PayslipHistory(msgspec.Struct, frozen=True):
    """Every calculated version of one employee's payslip in a pay run, oldest first, with the run's transitions and the
    changes to this employee's inputs from the audit trail (`events`)."""

    run_id: UUID
    employee_id: UUID
    #: the currency of every amount of every version
    currency: str
    versions: list[PayslipVersion]
    #: the run's transitions and the changes to this employee's inputs, with before and after
    events: list[AuditEntryView]


class SettlementPeriodView(msgspec.Struct, frozen=True):
    """One period of an employee's settlement: what was paid, what it should have been, the difference."""

    period_start: date
    period_end: date
    pay_date: date
    #: the period's regular run
    run_id: UUID
    paid_net: Money
    corrected_net: Money
    net_difference: Money
    employer_cost_difference: Money
    #: the lines that change, before (as paid) and after
    lines: list[LineChange]


class EmployeeSettlement(msgspec.Struct, frozen=True):
    """What settling provisional pay changes for one employee: each period recalculated, and the differences in net pay
    and employer cost over all of them, money strings in the proposal's `currency`."""

    employee_id: UUID
    employee: str
    periods: list[SettlementPeriodView]
    net_difference: Money
    employer_cost_difference: Money


class LawReplacement(msgspec.Struct, frozen=True):
    """A version paid provisionally and the version now in force for the same pay dates."""

    country: str
    series: str
    region: str | None
    provisional_version: str
    replaced_by: str
    replaced_by_origin: str
    pay_dates: list[date]


class SettlementProposal(msgspec.Struct, frozen=True):
    """What settling the group's provisional pay would pay, per employee and period, and in total."""

    pay_group_id: UUID
    #: the first period recalculated (None: nothing to settle)
    settles_from: date | None
    #: the finalised run the settlement corrects: the group's latest finalised regular period
    corrects_run_id: UUID | None
    #: the currency of every amount of the proposal: the group's
    currency: str
    employees: list[EmployeeSettlement]
    net_difference: Money
    employer_cost_difference: Money
    law: list[LawReplacement]
    #: employees whose recalculation is refused, and why, in the reader's language
    problems: list[CalculationProblemView]
