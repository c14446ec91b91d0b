"""Report links' use cases: a link is issued only for what its parameters name in the caller's organisation and
the caller may read, and each link issued and each opening is an entry of the tenant's audit chain, under the
link's id (never its token, which opens the report while it lasts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.audit.service import record
from domain.employees.service import employee_of
from domain.kernel.db import unit_of_work
from domain.kernel.errors import NotFound
from domain.kernel.ids import new_id
from domain.kernel.permissions import Operation
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.payroll import service as payroll
from domain.recruitment.service import ApplicationNotFound, JobNotFound, application_in, job_in
from domain.report_links.model import (
    NewReportLink,
    ReportKind,
    ReportLinkExpired,
    ReportLinkInvalid,
    ReportLinkView,
    ReportParametersWrong,
)
from domain.subject_requests import service as subject_requests

__all__ = ["IssuedLink", "NewReportLink", "ReportKind", "ReportLinkExpired", "ReportLinkInvalid", "ReportLinkView",
           "ReportParametersWrong", "link_issued", "link_opened"]


class IssuedLink(msgspec.Struct, frozen=True, kw_only=True):
    """A link as the audit trail knows it: its id, and when it was issued and stops opening its report."""

    id: UUID
    issued_at: datetime
    expires_at: datetime


async def link_issued(principal: Principal, link: NewReportLink, minutes: int) -> IssuedLink:
    """Record a link to ``link``'s report for ``principal``, open for ``minutes`` from now. The caller has
    checked the report's own permission; the parameters, and that what they name is there for ``principal``, are
    checked here (it is looked up again when the link is opened)."""
    link.require_its_parameters()
    await _require_what_it_names(principal, link)
    now = utc_now().replace(microsecond=0)
    issued = IssuedLink(id=new_id(), issued_at=now, expires_at=now + timedelta(minutes=minutes))
    async with unit_of_work(principal.tenant_id) as uow:
        await record(uow, principal, "report_link.issued", "report_link", issued.id, after={
            "report": link.report, "parameters": link.parameters(), "locale": principal.locale,
            "expires_at": issued.expires_at})
    return issued


async def _require_what_it_names(principal: Principal, link: NewReportLink) -> None:
    """Each id a link names, looked up in the caller's organisation as its report will: another tenant's id, or
    someone else's payslip for an employee, answers like a random one."""
    match link.report:
        case ReportKind.COMPARISON | ReportKind.FEEDBACK_LOOP:
            async with unit_of_work(principal.tenant_id, write=False) as uow:
                if link.job_id is None or await job_in(uow, link.job_id) is None:
                    raise JobNotFound(field="job_id")
                for application_id in link.application_ids or []:
                    application = await application_in(uow, application_id)
                    if application is None or application.job_id != link.job_id:
                        raise ApplicationNotFound(field="application_ids")
        case ReportKind.PAY_RUN_REVIEW if link.run_id is not None:
            try:
                await payroll.get_run(principal, link.run_id)
            except NotFound as exc:
                raise payroll.PayRunNotFound(field="run_id") from exc
        case ReportKind.PAYSLIP if link.payslip_id is not None:
            try:
                own = None if principal.may(Operation.PAYROLL_READ) else employee_of(principal)
                await payroll.payslip_document(principal, link.payslip_id, principal.locale, own_only=own)
            except NotFound as exc:
                raise payroll.PayslipNotFound(field="payslip_id") from exc
        case ReportKind.DATA_SUBJECT_EXPORT if link.request_id is not None:
            own = None if principal.may(Operation.DATA_SUBJECT_REQUESTS_DECIDE) else \
                subject_requests.own_person(principal)
            try:
                await subject_requests.export_ready(principal, link.request_id, own)
            except NotFound as exc:
                raise subject_requests.SubjectRequestNotFound(field="request_id") from exc


async def link_opened(principal: Principal, link: NewReportLink, link_id: UUID) -> None:
    """Record that the link ``link_id`` opened its report for ``principal``, its creator."""
    async with unit_of_work(principal.tenant_id) as uow:
        await record(uow, principal, "report_link.opened", "report_link", link_id, after={
            "report": link.report, "parameters": link.parameters(), "locale": principal.locale})
