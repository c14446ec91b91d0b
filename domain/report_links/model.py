"""What a report link opens, what its issue answers, and why a link is refused."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.kernel.errors import Detail, DomainError, ErrorKind, InvalidInput, NotFound


class ReportKind(StrEnum):
    """A report a link can open: `comparison` (of a job's applications, as `compareCandidates` renders it),
    `feedback_loop` (of a job, `analyseFeedbackLoop`), `attrition` (`listAttritionRisks`), `payslip` (a payslip's
    printable document: with employer costs for payroll roles, else the employee's own copy of their own payslip)
    `pay_run_review` (`getPayRunReview`) or `data_subject_export` (the ZIP archive of an approved access or
    portability request, `exportDataSubjectRequest`, or `exportMyDataSubjectRequest` for the person's own)."""

    COMPARISON = "comparison"
    FEEDBACK_LOOP = "feedback_loop"
    ATTRITION = "attrition"
    PAYSLIP = "payslip"
    PAY_RUN_REVIEW = "pay_run_review"
    DATA_SUBJECT_EXPORT = "data_subject_export"


#: The parameters each report takes; a link names exactly these.
PARAMETERS: dict[ReportKind, tuple[str, ...]] = {
    ReportKind.COMPARISON: ("job_id", "application_ids"),
    ReportKind.FEEDBACK_LOOP: ("job_id",),
    ReportKind.ATTRITION: (),
    ReportKind.PAYSLIP: ("payslip_id",),
    ReportKind.PAY_RUN_REVIEW: ("run_id",),
    ReportKind.DATA_SUBJECT_EXPORT: ("request_id",),
}


class NewReportLink(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The report a link opens and its parameters, exactly those the report takes: `comparison` names `job_id` and
    2 to 20 `application_ids`; `feedback_loop` a `job_id`; `attrition` nothing; `payslip` a `payslip_id`;
    `pay_run_review` a `run_id`; `data_subject_export` a `request_id`."""

    report: ReportKind
    job_id: UUID | None = None
    application_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=20)] | None = None
    payslip_id: UUID | None = None
    run_id: UUID | None = None
    request_id: UUID | None = None

    def require_its_parameters(self) -> None:
        """Raises :class:`ReportParametersWrong` unless the link names exactly what its report takes."""
        wanted = PARAMETERS[self.report]
        details = [Detail(name, _MISSING, {"report": self.report.value, "field": name})
                   for name in wanted if getattr(self, name) is None]
        details += [Detail(name, _NOT_TAKEN, {"report": self.report.value, "field": name})
                    for name in ("job_id", "application_ids", "payslip_id", "run_id", "request_id")
                    if name not in wanted and getattr(self, name) is not None]
        if details:
            raise ReportParametersWrong(details=details, report=self.report.value)

    def parameters(self) -> dict[str, object]:
        """The parameters the report takes, as the audit trail records them."""
        return {name: getattr(self, name) for name in PARAMETERS[self.report]}


_MISSING = "The {report} report needs {field}."
_NOT_TAKEN = "The {report} report takes no {field}."
REPORT_LINK_MESSAGES = (_MISSING, _NOT_TAKEN)


class ReportParametersWrong(InvalidInput):
    code = "report_link_parameters"
    title = "Wrong report parameters"
    template = "The parameters do not match what the {report} report takes; errors[] names each."


class ReportLinkView(msgspec.Struct, frozen=True, kw_only=True):
    """A link that opens the report in a browser, without a bearer token, until `expires_at`: `url` is relative to
    the API's base URL (its path starts with /v1/). It opens only this report with these parameters, as its creator
    may read it then (a role they lost, or a user disabled, closes it), in the language it was asked in; opening it
    again before it expires (to reload or print) is allowed, and every opening is audited. Treat it like a password
    until it expires: it is signed, not encrypted, and names no personal data."""

    url: Annotated[str, msgspec.Meta(examples=["/v1/report-links/eyJhbGciOiJIUzI1NiJ9.eyJwIjoxfQ.c2ln"])]
    report: ReportKind
    expires_at: Annotated[datetime, msgspec.Meta(description="When the link stops opening the report, in UTC.")]


class ReportLinkInvalid(NotFound):
    """A token that is not a report link this installation signed (changed, cut, a bearer token, another
    installation's): nothing to open, exactly like a link that never existed."""

    code = "report_link_invalid"
    title = "Not found"
    template = "This report link is not valid. Open the report from Meridian again to get a new link."


class ReportLinkExpired(DomainError):
    code = "report_link_expired"
    kind = ErrorKind.GONE
    title = "Report link expired"
    template = ("This report link has expired; links open their report for a few minutes only. Open the report "
                "from Meridian again to get a new link.")
