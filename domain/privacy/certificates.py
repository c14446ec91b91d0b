"""Purge runs as a tenant admin reads them, and each completed run's certificate: what was erased or deleted, per
country, data class and trigger, under which policy and legal basis, how much a legal hold kept, and the audit chain
entry (sequence number and hash) the purge was recorded at, so the certificate can be checked against the chain.
JSON, or one localised HTML page (en, zh-CN, ja)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from babel.dates import format_datetime

from domain.kernel.db import unit_of_work
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.html_pages import REPORT_CSS, babel_locale, page_head
from domain.kernel.i18n import translate
from domain.kernel.pagination import Page, decode_uuid_cursor, page_of
from domain.kernel.principal import Principal
from domain.kernel.reports import Produced, heading_lines, produced_now
from domain.privacy import purge_queries as q
from domain.privacy.purge import DELETED, ERASED, KEPT, KEPT_AUDIT_CHAIN, KEPT_NOT_PURGED, PSEUDONYMISED, PurgeLine


class PurgeNotFound(NotFound):
    code = "privacy_purge_not_found"
    template = "There is no purge with this id."


class PurgeNotComplete(Conflict):
    code = "privacy_purge_not_complete"
    title = "Purge not complete"
    template = "This purge has not completed yet; its certificate is issued when it has."


class AuditPosition(msgspec.Struct, frozen=True):
    """The audit chain entry a purge was recorded at: its sequence number and hash (`GET /v1/audit/entries` shows it,
    `GET /v1/audit/verify` checks the chain up to and past it)."""

    seq: int
    hash: str


class PurgeView(msgspec.Struct, frozen=True):
    """One run of the retention purge for your tenant: `scheduled` (the daily run) or `on_demand`, who asked, its
    `status` (`queued`, `running`, `completed`), when it ran, its lines per country, data class and trigger, the
    totals erased or deleted (`purged`) and held back by legal holds (`held`), and once completed the audit chain
    entry it was recorded at. No personal value appears here."""

    id: UUID
    trigger: str
    scheduled_for: date | None
    requested_by: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    purged: int
    held: int
    lines: list[PurgeLine]
    audit: AuditPosition | None


class PurgeCertificate(msgspec.Struct, frozen=True):
    """The certificate of a completed purge: the run (`purge`), your tenant, a statement of what was done in the
    reader's language, and when and for whom the certificate was produced."""

    tenant_id: UUID
    purge: PurgeView
    statement: str
    produced: Produced


def _view(row: dict[str, Any]) -> PurgeView:
    lines = msgspec.convert(row["counts"], list[PurgeLine])
    audit = AuditPosition(seq=row["audit_seq"], hash=row["audit_hash"]) if row["audit_seq"] is not None else None
    return PurgeView(id=row["id"], trigger=row["trigger_kind"], scheduled_for=row["scheduled_for"],
                     requested_by=row["requested_by"], status=row["status"], created_at=row["created_at"],
                     started_at=row["started_at"], finished_at=row["finished_at"],
                     purged=sum(line.purged for line in lines), held=sum(line.held for line in lines), lines=lines,
                     audit=audit)


async def list_purges(principal: Principal, cursor: str | None, limit: int) -> Page[PurgeView]:
    """Newest first."""
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        rows = await q.runs_page(uow, decode_uuid_cursor(cursor), limit + 1)
    return page_of([_view(row) for row in rows], limit, lambda view: str(view.id))


async def get_purge(principal: Principal, purge_id: UUID) -> PurgeView:
    async with unit_of_work(principal.tenant_id, write=False) as uow:
        row = await q.run_of(uow, purge_id)
    if row is None:
        raise PurgeNotFound()
    return _view(row)


async def certificate(principal: Principal, purge_id: UUID, locale: str) -> PurgeCertificate:
    view = await get_purge(principal, purge_id)
    if view.status != "completed" or view.audit is None:
        raise PurgeNotComplete()
    statement = translate(_STATEMENT, locale, purged=view.purged, held=view.held, seq=view.audit.seq)
    return PurgeCertificate(tenant_id=principal.tenant_id, purge=view, statement=statement,
                            produced=produced_now(principal, None))


# -- the page ----------------------------------------------------------------------------------------------------

_TITLE = "Retention purge certificate"
_STATEMENT = ("Personal data past its retention period was erased or deleted: {purged} items; {held} items were "
              "kept under legal holds. The purge is recorded in the audit chain at entry {seq}.")
_RUN = "Purge {id}: {trigger}, requested by {by}"
_RAN = "Ran from {start} to {end}"
_AUDIT = "Audit chain entry {seq}, hash {hash}"
_SCHEDULED, _ON_DEMAND = "daily schedule", "on demand"
_COLUMNS = ("Country", "Data class", "After", "Action", "Erased or deleted", "Held", "Period (months)",
            "Source", "Legal basis", "Verification")
_KEPT_NOTE = "Kept: {data_class}. {reason}"
_KEPT_REASONS = {
    KEPT_AUDIT_CHAIN: "The audit trail is never purged: each entry is a link of a hash chain, and removing one would "
                      "break its verification. What entries say about an erased person is unreadable once their "
                      "data key is destroyed.",
    KEPT_NOT_PURGED: "This version does not purge this class; it is kept.",
}
_CLASS_LABELS = {"candidate_profile": "Candidate profile", "recording": "Interview recording",
                 "interview_result": "Interview result", "application_history": "Application history",
                 "employee_record": "Employee record", "payroll_records": "Payslips and payroll records",
                 "bank_details": "Bank details", "audit_trail": "Audit trail"}
_TRIGGER_LABELS = {"application_closed": "Application rejected or withdrawn",
                   "consent_withdrawn": "Consent withdrawn", "employment_ended": "Employment ended",
                   "pay_year_closed": "Pay year closed"}
_ACTION_LABELS = {DELETED: "Deleted", ERASED: "Erased (crypto-shredded)", KEPT: "Kept",
                  PSEUDONYMISED: "Pseudonymised (amounts kept)"}
_SOURCE_LABELS = {"statutory": "Statutory", "practice": "Practice (not a statutory period)",
                  "product_default": "Meridian default (not law)", "tenant": "Your own period"}
_VERIFICATION_LABELS = {"official": "Official", "corroborated": "Corroborated", "unverified": "Unverified"}

CERTIFICATE_MESSAGES = (_TITLE, _STATEMENT, _RUN, _RAN, _AUDIT, _SCHEDULED, _ON_DEMAND, *_COLUMNS, _KEPT_NOTE,
                        *_KEPT_REASONS.values(), *_CLASS_LABELS.values(), *_TRIGGER_LABELS.values(),
                        *_ACTION_LABELS.values(), *_SOURCE_LABELS.values(), *_VERIFICATION_LABELS.values())


def _when(moment: datetime | None, produced: Produced, locale: str) -> str:
    if moment is None:
        return "-"
    return format_datetime(moment, format="medium", tzinfo=ZoneInfo(produced.timezone), locale=babel_locale(locale))


def certificate_html(cert: PurgeCertificate, locale: str) -> str:
    """The certificate as one self-contained page in the reader's language."""
    def t(message: str, **params: Any) -> str:
        return escape(translate(message, locale, **params))

    view = cert.purge
    audit = view.audit or AuditPosition(seq=0, hash="")
    trigger = _SCHEDULED if view.trigger == "scheduled" else _ON_DEMAND
    lines = page_head(locale, t(_TITLE), t(_TITLE), REPORT_CSS)
    lines += heading_lines(locale, cert.produced)
    run = t(_RUN, id=view.id, trigger=translate(trigger, locale), by=view.requested_by)
    ran = t(_RAN, start=_when(view.started_at, cert.produced, locale),
            end=_when(view.finished_at, cert.produced, locale))
    lines += [f'<p class="meta">{run}</p>', f'<p class="meta">{ran}</p>',
              f'<p class="meta audit">{t(_AUDIT, seq=audit.seq, hash=audit.hash)}</p>',
              f"<p>{escape(cert.statement)}</p>",
              "<table>", "<tr>" + "".join(f"<th>{t(column)}</th>" for column in _COLUMNS) + "</tr>"]
    for line in view.lines:
        basis = f"{line.legal_basis.document}, {line.legal_basis.issuer}"
        cells = [escape(line.country), t(_CLASS_LABELS[line.data_class.value]),
                 t(_TRIGGER_LABELS[line.trigger.value]), t(_ACTION_LABELS[line.action])]
        numbers = [str(line.purged), str(line.held), str(line.period_months)]
        lines.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells)
                     + "".join(f'<td class="num">{n}</td>' for n in numbers)
                     + f"<td>{t(_SOURCE_LABELS[line.source.value])}</td><td>{escape(basis)}</td>"
                     + f"<td>{t(_VERIFICATION_LABELS[line.verification.value])}</td></tr>")
    lines.append("</table>")
    kept = {(line.data_class.value, line.kept_because) for line in view.lines if line.kept_because}
    for data_class, reason in sorted(kept):
        note = t(_KEPT_NOTE, data_class=translate(_CLASS_LABELS[data_class], locale),
                 reason=translate(_KEPT_REASONS[reason], locale))
        lines.append(f'<p class="kept">{note}</p>')
    lines += ["</body>", "</html>"]
    return "\n".join(lines)


def class_label(data_class: str, locale: str) -> str:
    return translate(_CLASS_LABELS[str(data_class)], locale)


def trigger_label(trigger: str, locale: str) -> str:
    return translate(_TRIGGER_LABELS[str(trigger)], locale)


def action_label(action: str, locale: str) -> str:
    return translate(_ACTION_LABELS[action], locale)
