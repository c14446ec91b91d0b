"""The export of an access or portability request: everything Meridian holds on one person, decrypted, in one ZIP
archive: ``data.json`` (machine-readable, for portability), ``index.html`` (the same, readable, in the person's
language: en, zh-CN or ja; self-contained, no scripts) and ``recordings/<id>-<file name>`` (each recording as it
was uploaded). The data is read through each context's own use cases, so it is what those contexts show a reader
of everything in clear; each read is audited by them as usual.

Built inline, when the export is downloaded, not by a job: one person's records are a few hundred rows, so the
archive is ready within a request, and building it at download means no decrypted copy of the person's data is
ever stored (a queued job would have to keep the finished archive somewhere until it is fetched). Recordings are
the one large part: they are streamed into the archive chunk by chunk, and the archive is spooled to a temporary
file past 16 MiB, so memory stays bounded; a person with many hours of video makes a slow download, not a failure.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from html import escape
from typing import Any
from uuid import UUID

import msgspec

from domain.analytics.service import attrition
from domain.assessments.service import (
    application_decisions_in,
    decisions_in,
    delivered_results_in,
    evaluations_of,
    list_human_evaluations,
)
from domain.audit.service import entries_of
from domain.employees.service import (
    bank_account,
    employment_history,
    get_employee,
    onboarding_plan,
    reviews_in,
    tax_attributes_history_in,
    training_records_in,
)
from domain.interviews.service import feedback_on, interviews_of_application
from domain.kernel.db import unit_of_work
from domain.kernel.errors import DomainError
from domain.kernel.html_pages import REPORT_CSS, page_head
from domain.kernel.i18n import translate
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.notifications.service import messages_to_in
from domain.payroll.service import own_payslips
from domain.recordings.service import open_for_download, recordings_of
from domain.recruitment.service import (
    application_history,
    applications_in,
    candidate_in,
    job_in,
    list_consents,
    personal_data_in,
)
from domain.subject_requests import queries
from domain.subject_requests.model import PersonKind, SubjectRequestView

FORMAT = "meridian.data-subject-export/1"
SPOOL_BYTES = 16 * 1024 * 1024
_MANY = 200

#: Section titles of the page, in the order shown.
_SECTIONS = {
    "profile": "Profile",
    "applications": "Applications",
    "interviews": "Interviews",
    "interview_feedback": "Interview feedback",
    "interview_results": "Interview results",
    "vendor_results": "Interview results as the vendor delivered them",
    "human_evaluations": "Evaluations by a person",
    "decisions": "Decisions by a person on automated recommendations",
    "recordings": "Recordings",
    "consents": "Consents",
    "employment": "Employment",
    "tax_attributes": "Tax attributes",
    "pay_details": "Pay details",
    "payslips": "Payslips",
    "onboarding": "Onboarding",
    "performance_reviews": "Performance reviews",
    "attrition_risk": "Attrition risk",
    "training": "Training",
    "notifications": "Messages sent to you",
    "data_subject_requests": "Your data-subject requests",
    "audit_entries": "Audit entries about you",
}
EXPORT_PAGE_MESSAGES = (
    "Your personal data",
    "Everything {organisation} holds about you, as of {when}, for your request {request} ({kind}).",
    "The same data is in data.json, in a machine-readable form; recordings are files in the recordings folder.",
    "Field",
    "Value",
    "Nothing held.",
    *_SECTIONS.values(),
)


def _plain(value: Any) -> Any:
    """msgspec Structs, dates, UUIDs and Decimals as JSON values."""
    return msgspec.to_builtins(value, builtin_types=(), enc_hook=str)


async def collect(reader: Principal, request: SubjectRequestView) -> tuple[dict[str, Any], list[tuple[Any, str]]]:
    """The person's data by section, and the recordings to add as files (their view and archive name)."""
    sections: dict[str, Any] = {name: [] for name in _SECTIONS}
    recordings: list[tuple[Any, str]] = []
    if request.person_kind is PersonKind.CANDIDATE:
        await _candidate(reader, request.person_id, sections, recordings)
    else:
        await _employee(reader, request.person_id, sections)
    async with unit_of_work(reader.tenant_id, write=False) as uow:
        sections["notifications"] = [_message(m) for m in await messages_to_in(uow, request.person_id)
                                     if m.recipient_kind == request.person_kind.value]
        sections["data_subject_requests"] = [
            {name: value for name, value in _plain(row).items() if name not in ("tenant_id", "version")}
            for row in await queries.requests(uow, after=None, limit=_MANY,
                                              person=(request.person_kind.value, request.person_id))]
    sections["audit_entries"] += [_plain(e) for e in await entries_of(reader, request.person_kind.value,
                                                                       str(request.person_id))]
    return sections, recordings


def _message(message: Any) -> dict[str, Any]:
    """A message sent (or queued) to the person: what it said, where it went and when, not the outbox's own
    bookkeeping (claims, provider ids)."""
    return {name: _plain(getattr(message, name)) for name in (
        "id", "channel", "destination", "locale", "subject", "body", "status", "created_at", "sent_at", "about_kind",
        "about_id")}


async def _candidate(reader: Principal, candidate_id: UUID, sections: dict[str, Any],
                     recordings: list[tuple[Any, str]]) -> None:
    async with unit_of_work(reader.tenant_id, write=False) as uow:
        summary = await candidate_in(uow, candidate_id)
        personal = await personal_data_in(uow, candidate_id) if summary else {}
        applications = await applications_in(uow, _MANY, candidate_id=candidate_id)
        jobs = {a.job_id: await job_in(uow, a.job_id) for a in applications}
    if summary is not None:
        sections["profile"] = {"kind": "candidate", **_plain(summary), **personal}
    sections["consents"] = [_plain(c) for c in (await list_consents(reader, candidate_id, None, _MANY)).items]
    for application in applications:
        job = jobs.get(application.job_id)
        sections["applications"].append({
            **_plain(application), "job_title": job.title if job else None,
            "stage_history": [_plain(s) for s in await application_history(reader, application.id)]})
        for interview in await interviews_of_application(reader, application.id):
            sections["interviews"].append(_plain(interview))
            sections["interview_feedback"] += [_plain(f) for f in await feedback_on(reader, interview.id)]
        sections["interview_results"] += [_plain(e) for e in await evaluations_of(reader, application.id)]
        sections["human_evaluations"] += [
            _plain(h) for h in (await list_human_evaluations(reader, application.id, None, _MANY)).items]
        async with unit_of_work(reader.tenant_id, write=False) as uow:
            sections["decisions"] += [_plain(d) for d in await application_decisions_in(uow, application.id)]
            sections["vendor_results"] += await delivered_results_in(uow, application.id)
        for recording in await recordings_of(reader, application.id):
            name = f"recordings/{recording.id}-{_safe(recording.filename)}"
            sections["recordings"].append({**_plain(recording), "file": name})
            recordings.append((recording, name))


async def _employee(reader: Principal, employee_id: UUID, sections: dict[str, Any]) -> None:
    employee = await get_employee(reader, employee_id, None)
    sections["profile"] = {"kind": "employee", **_plain(employee)}
    sections["employment"] = [_plain(v) for v in (await employment_history(reader, employee_id, None, _MANY)).items]
    try:
        sections["pay_details"] = [_plain(b) for b in (await bank_account(reader, employee_id, None, _MANY)).items]
    except DomainError:
        sections["pay_details"] = []
    sections["payslips"] = [_plain(p) for p in (await own_payslips(reader, employee_id, None, _MANY)).items]
    sections["onboarding"] = [_plain(i) for i in (await onboarding_plan(reader, employee_id, None, _MANY)).items]
    async with unit_of_work(reader.tenant_id, write=False) as uow:
        sections["tax_attributes"] = [_plain(t) for t in await tax_attributes_history_in(uow, employee_id)]
        sections["performance_reviews"] = [_plain(r) for r in await reviews_in(uow, employee_id)]
        sections["training"] = [_plain(t) for t in await training_records_in(uow, employee_id)]
        sections["decisions"] = [_plain(d) for d in await decisions_in(uow, "employee", [employee_id])]
    # The profiling the person is subject to (GDPR Art. 15(1)(h)): their attrition risk as the report scores it now,
    # with its method and factors; none for a leaver, or while their processing is restricted (it is not scored).
    async with unit_of_work(reader.tenant_id, write=False) as uow:
        restricted = await queries.restricted_people(uow, PersonKind.EMPLOYEE.value, [employee_id])
    if not restricted:
        report = await attrition(reader)
        sections["attrition_risk"] = [
            {**_plain(row.risk), "as_of": report.as_of.isoformat(), "model_card": _plain(report.model_card)}
            for row in report.employees if row.employee_id == employee_id]


def _safe(filename: str) -> str:
    kept = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)
    return kept.strip("._")[:100] or "recording"


async def build_archive(reader: Principal, request: SubjectRequestView, locale: str) -> tuple[bytes, dict[str, int]]:
    """The archive's bytes, and how many items each section holds (what the audit entry records)."""
    sections, recordings = await collect(reader, request)
    generated = utc_now()
    document = {"format": FORMAT, "generated_at": generated.isoformat(), "request": {
        "id": str(request.id), "kind": request.kind.value, "person_kind": request.person_kind.value,
        "person_id": str(request.person_id)}, "data": sections}
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str))
            archive.writestr("index.html", render_html(document, locale))
            for recording, name in recordings:
                _, content = await open_for_download(reader, recording.id)
                with archive.open(name, "w", force_zip64=True) as target:
                    async for chunk in content:
                        target.write(chunk)
        spool.seek(0)
        data = spool.read()
    summary = {name: (len(value) if isinstance(value, list) else int(bool(value))) for name, value in sections.items()}
    return data, summary


# -- the page -----------------------------------------------------------------------------------------------------


def render_html(document: dict[str, Any], locale: str) -> str:
    """The export as one self-contained page in ``locale``: each section a table of its items' fields."""
    request = document["request"]
    title = escape(translate("Your personal data", locale))
    lines = page_head(locale, title, title, REPORT_CSS)
    about = translate("Everything {organisation} holds about you, as of {when}, for your request {request} ({kind}).",
                      locale, organisation="Meridian",
                      when=document["generated_at"][:19].replace("T", " ") + " UTC", request=request["id"],
                      kind=request["kind"])
    also = translate("The same data is in data.json, in a machine-readable form; recordings are files in the "
                     "recordings folder.", locale)
    lines += [f'<p class="meta">{escape(about)}</p>', f'<p class="meta">{escape(also)}</p>']
    for name, heading in _SECTIONS.items():
        value = document["data"].get(name)
        lines.append(f"<h2>{escape(translate(heading, locale))}</h2>")
        items = value if isinstance(value, list) else ([value] if value else [])
        if not items:
            lines.append(f"<p>{escape(translate('Nothing held.', locale))}</p>")
        for item in items:
            lines += _table(item, locale)
    lines += ["</body>", "</html>"]
    return "\n".join(lines)


def _table(item: Any, locale: str) -> list[str]:
    rows = _flatten(item, "")
    out = ["<table>", f"<tr><th>{escape(translate('Field', locale))}</th>"
                      f"<th>{escape(translate('Value', locale))}</th></tr>"]
    out += [f"<tr><td>{escape(key)}</td><td>{escape(text)}</td></tr>" for key, text in rows]
    out.append("</table>")
    return out


def _flatten(value: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, inner in value.items():
            rows += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(_text(v) for v in value))]
        rows = []
        for index, inner in enumerate(value, start=1):
            rows += _flatten(inner, f"{prefix}[{index}]")
        return rows
    return [(prefix, _text(value))]


def _text(value: Any) -> str:
    return "-" if value is None else str(value)
