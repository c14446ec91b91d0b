"""The retention purge's reads and writes.

Privacy sits below the contexts whose rows it purges (recruitment, recordings, assessments, interviews, employees),
so it names their tables in SQL rather than importing them. Every statement filters by the tenant explicitly (SQLite
has no row-level security; on PostgreSQL RLS is the backstop). Each selection is a keyset page, ``id > after``
ordered by id and bounded by ``limit``, with a ``held`` column: whether an active legal hold covers the row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.kernel.db import UnitOfWork, current_database
from domain.kernel.ids import new_id
from domain.kernel.time import utc_now
from domain.privacy.tables import PrivacyPurge

FIRST = UUID(int=0)
CLOSED = "('rejected', 'withdrawn')"

#: An application (``a``) and its candidate are held by a hold on either.
_HELD_APPLICATION = (
    "EXISTS (SELECT 1 FROM legal_hold_subjects h WHERE h.tenant_id = a.tenant_id AND h.active AND "
    "((h.subject_kind = 'application' AND h.subject_id = a.id) OR "
    "(h.subject_kind = 'candidate' AND h.subject_id = a.candidate_id)))")
#: A candidate (``c``) is held by a hold on them or on any of their applications.
_HELD_CANDIDATE = (
    "EXISTS (SELECT 1 FROM legal_hold_subjects h WHERE h.tenant_id = c.tenant_id AND h.active AND "
    "((h.subject_kind = 'candidate' AND h.subject_id = c.id) OR (h.subject_kind = 'application' AND h.subject_id IN "
    "(SELECT ha.id FROM applications ha WHERE ha.tenant_id = c.tenant_id AND ha.candidate_id = c.id))))")
_HELD_EMPLOYEE = (
    "EXISTS (SELECT 1 FROM legal_hold_subjects h WHERE h.tenant_id = x.tenant_id AND h.active AND "
    "h.subject_kind = 'employee' AND h.subject_id = x.id)")
#: The application's country: that of the legal entity its job is in.
_IN_COUNTRY = ("JOIN jobs j ON j.tenant_id = a.tenant_id AND j.id = a.job_id "
               "JOIN legal_entities e ON e.tenant_id = j.tenant_id AND e.id = j.legal_entity_id ")
_STAGE = "JOIN pipeline_stages s ON s.tenant_id = a.tenant_id AND s.code = a.stage "
#: Params: tenant, country, cutoff. An application rejected or withdrawn at or before the cutoff (a closed
#: application is not changed again, so its last change is its closing).
_CLOSED_WHERE = f"a.tenant_id = {{}} AND e.country = {{}} AND s.outcome IN {CLOSED} AND a.updated_at <= {{}} "


def _withdrawn(purpose: str, person: str) -> str:
    """Params: cutoff. ``person`` names the candidate id column. Consent for ``purpose`` withdrawn at or before the
    cutoff and not given again since."""
    return (f"EXISTS (SELECT 1 FROM consents w WHERE w.tenant_id = {{}} AND w.candidate_id = {person} "  # noqa: S608
            f"AND w.purpose = '{purpose}' AND w.withdrawn_at IS NOT NULL AND w.withdrawn_at <= {{}}) "
            f"AND NOT EXISTS (SELECT 1 FROM consents g WHERE g.tenant_id = {{}} AND g.candidate_id = {person} "
            f"AND g.purpose = '{purpose}' AND g.withdrawn_at IS NULL) ")


def _marks(count: int) -> str:
    return ", ".join("{}" for _ in range(count))


async def _run(sql: str, *params: Any) -> list[dict[str, Any]]:
    return await current_database().execute(sql, *params)


# -- selections: one keyset page each ------------------------------------------------------------------------------

async def recordings_of_closed(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                               limit: int) -> list[dict[str, Any]]:
    return await _run(
        f"SELECT r.id AS id, r.storage_key AS storage_key, {_HELD_APPLICATION} AS held FROM recordings r "  # noqa: S608
        f"JOIN applications a ON a.tenant_id = r.tenant_id AND a.id = r.application_id {_STAGE}{_IN_COUNTRY}"
        f"WHERE {_CLOSED_WHERE}AND r.tenant_id = a.tenant_id AND r.id > {{}} ORDER BY r.id LIMIT {{}}",
        uow.tenant_id, country, cutoff, after, limit)


async def recordings_without_consent(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                                     limit: int) -> list[dict[str, Any]]:
    t = uow.tenant_id
    return await _run(
        f"SELECT r.id AS id, r.storage_key AS storage_key, {_HELD_APPLICATION} AS held FROM recordings r "  # noqa: S608
        f"JOIN applications a ON a.tenant_id = r.tenant_id AND a.id = r.application_id {_IN_COUNTRY}"
        f"WHERE a.tenant_id = {{}} AND e.country = {{}} AND {_withdrawn('recording', 'a.candidate_id')}"
        f"AND r.id > {{}} ORDER BY r.id LIMIT {{}}",
        t, country, t, cutoff, t, after, limit)


async def results_of_closed(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                            limit: int) -> list[dict[str, Any]]:
    return await _run(
        f"SELECT ir.id AS id, {_HELD_APPLICATION} AS held FROM interview_results ir "  # noqa: S608
        f"JOIN applications a ON a.tenant_id = ir.tenant_id AND a.id = ir.application_id {_STAGE}{_IN_COUNTRY}"
        f"WHERE {_CLOSED_WHERE}AND ir.id > {{}} ORDER BY ir.id LIMIT {{}}",
        uow.tenant_id, country, cutoff, after, limit)


async def histories_of_closed(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                              limit: int) -> list[dict[str, Any]]:
    """Closed applications that still have a stage history or interviews."""
    return await _run(
        f"SELECT a.id AS id, {_HELD_APPLICATION} AS held FROM applications a {_STAGE}{_IN_COUNTRY}"  # noqa: S608
        f"WHERE {_CLOSED_WHERE}AND a.id > {{}} AND (EXISTS (SELECT 1 FROM application_stage_history sh "
        "WHERE sh.tenant_id = a.tenant_id AND sh.application_id = a.id) OR EXISTS (SELECT 1 FROM interviews i "
        "WHERE i.tenant_id = a.tenant_id AND i.application_id = a.id)) ORDER BY a.id LIMIT {}",
        uow.tenant_id, country, cutoff, after, limit)


def _not_erased(kind: str, alias: str, data_class: str) -> str:
    """Not yet noted as erased. A counted subquery, evaluated per row with the person's id in its index lookup: as
    an anti-join, PostgreSQL planned it (with the notes' statistics stale while a purge writes them) as a scan of
    every note per person, which made a run of 100,000 quadratic."""
    return (f"(SELECT count(*) FROM purged_subjects p WHERE p.tenant_id = {alias}.tenant_id "  # noqa: S608 - fixed names
            f"AND p.subject_id = {alias}.id AND p.subject_kind = '{kind}' AND p.data_class = '{data_class}') = 0 ")


_CANDIDATE_NOT_DONE = (
    "NOT EXISTS (SELECT 1 FROM employees x WHERE x.tenant_id = c.tenant_id AND x.candidate_id = c.id) "  # noqa: S608
    f"AND {_not_erased('candidate', 'c', 'candidate_profile')}")


async def candidates_closed(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                            limit: int) -> list[dict[str, Any]]:
    """Candidates (never hired, not yet erased) with an application in ``country`` closed by the cutoff and none
    open or closed since."""
    t = uow.tenant_id
    return await _run(
        f"SELECT c.id AS id, {_HELD_CANDIDATE} AS held FROM candidates c "  # noqa: S608
        "WHERE c.tenant_id = {} AND c.id > {} "
        f"AND EXISTS (SELECT 1 FROM applications a {_STAGE}{_IN_COUNTRY}WHERE {_CLOSED_WHERE}"
        "AND a.candidate_id = c.id) "
        "AND NOT EXISTS (SELECT 1 FROM applications o LEFT JOIN pipeline_stages os ON os.tenant_id = o.tenant_id "
        "AND os.code = o.stage WHERE o.tenant_id = c.tenant_id AND o.candidate_id = c.id "
        f"AND (os.outcome IS NULL OR os.outcome NOT IN {CLOSED} OR o.updated_at > {{}})) "
        f"AND {_CANDIDATE_NOT_DONE}ORDER BY c.id LIMIT {{}}",
        t, after, t, country, cutoff, cutoff, limit)


async def candidates_without_consent(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                                     limit: int) -> list[dict[str, Any]]:
    """Candidates (never hired, not yet erased) who withdrew their recruitment consent by the cutoff, with an
    application in ``country``."""
    t = uow.tenant_id
    return await _run(
        f"SELECT c.id AS id, {_HELD_CANDIDATE} AS held FROM candidates c "  # noqa: S608
        f"WHERE c.tenant_id = {{}} AND c.id > {{}} AND {_withdrawn('recruitment', 'c.id')}"
        f"AND EXISTS (SELECT 1 FROM applications a {_IN_COUNTRY}WHERE a.tenant_id = c.tenant_id "
        f"AND a.candidate_id = c.id AND e.country = {{}}) AND {_CANDIDATE_NOT_DONE}ORDER BY c.id LIMIT {{}}",
        t, after, t, cutoff, t, country, limit)


_LATEST_COUNTRY = ("(SELECT m.country FROM employments m WHERE m.tenant_id = x.tenant_id AND m.employee_id = x.id "
                   "ORDER BY m.effective_from DESC LIMIT 1) = {} ")


#: Params: bank cutoff, pay date bound. What another class still keeps of an employee: bank details whose own
#: period has not passed (they went at their period, earlier in the run, where it had), and payslips not yet
#: pseudonymised of a pay year whose period has not passed (judged by the employee's own country's policy).
_EMPLOYEE_NOT_KEPT = (
    "(x.left_on <= {} OR NOT EXISTS (SELECT 1 FROM bank_account_changes b WHERE b.tenant_id = x.tenant_id "
    "AND b.employee_id = x.id)) "
    "AND NOT EXISTS (SELECT 1 FROM payslips p JOIN pay_runs r ON r.tenant_id = p.tenant_id AND r.id = p.run_id "
    "WHERE p.tenant_id = x.tenant_id AND p.employee_id = x.id AND p.pseudonymised_at IS NULL "
    "AND r.pay_date >= {}) ")


async def employees_ended(uow: UnitOfWork, country: str, cutoff: date, after: UUID, limit: int,
                          bank_cutoff: date, pay_dates_kept_from: date) -> list[dict[str, Any]]:
    """Employees (not yet erased) who left by the cutoff, whose last contract was in ``country``, and whom no other
    class keeps: no bank details within their own period, no payslip of a pay year within its period."""
    return await _run(
        f"SELECT x.id AS id, x.candidate_id AS candidate_id, {_HELD_EMPLOYEE} AS held FROM employees x "  # noqa: S608
        "WHERE x.tenant_id = {} AND x.left_on IS NOT NULL AND x.left_on <= {} AND x.id > {} "
        f"AND {_LATEST_COUNTRY}AND {_EMPLOYEE_NOT_KEPT}AND {_not_erased('employee', 'x', 'employee_record')}"
        "ORDER BY x.id LIMIT {}",
        uow.tenant_id, cutoff, after, country, bank_cutoff, pay_dates_kept_from, limit)


async def their_candidates(uow: UnitOfWork, employee_ids: list[UUID]) -> list[UUID]:
    """The candidate records the employees were hired from, not yet erased, not held and with no application
    still open (a leaver who applied again keeps their profile until that application's own period): they go
    with the employee (the person's pre-hire data, under its own key)."""
    rows = await _run(
        f"SELECT c.id AS id FROM employees x JOIN candidates c ON c.tenant_id = x.tenant_id "  # noqa: S608
        f"AND c.id = x.candidate_id WHERE x.tenant_id = {{}} AND x.id IN ({_marks(len(employee_ids))}) "
        "AND NOT EXISTS (SELECT 1 FROM applications o LEFT JOIN pipeline_stages os ON os.tenant_id = o.tenant_id "
        "AND os.code = o.stage WHERE o.tenant_id = c.tenant_id AND o.candidate_id = c.id AND os.outcome IS NULL) "
        f"AND NOT {_HELD_CANDIDATE}AND {_not_erased('candidate', 'c', 'candidate_profile')}ORDER BY c.id",
        uow.tenant_id, *employee_ids)
    return [row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"])) for row in rows]


async def candidates_without_applications(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                                          limit: int) -> list[dict[str, Any]]:
    """Candidates with a profile and never an application (``country`` is not theirs: the caller picks the
    tenant's country whose policy applies), whose profile last changed by the cutoff, with no consent given or
    withdrawn since: their period runs from their last activity, as an applicant's from the close."""
    t = uow.tenant_id
    return await _run(
        f"SELECT c.id AS id, {_HELD_CANDIDATE} AS held FROM candidates c "  # noqa: S608
        "WHERE c.tenant_id = {} AND c.id > {} AND c.updated_at <= {} "
        "AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.tenant_id = c.tenant_id AND a.candidate_id = c.id) "
        "AND NOT EXISTS (SELECT 1 FROM consents g WHERE g.tenant_id = c.tenant_id AND g.candidate_id = c.id "
        "AND (g.given_at > {} OR g.withdrawn_at > {})) "
        f"AND {_CANDIDATE_NOT_DONE}ORDER BY c.id LIMIT {{}}",
        t, after, cutoff, cutoff, cutoff, limit)


async def profiles_without_consent(uow: UnitOfWork, country: str, cutoff: datetime, after: UUID,
                                   limit: int) -> list[dict[str, Any]]:
    """Candidates who never applied and withdrew their recruitment consent by the cutoff (``country`` as in
    :func:`candidates_without_applications`)."""
    t = uow.tenant_id
    return await _run(
        f"SELECT c.id AS id, {_HELD_CANDIDATE} AS held FROM candidates c "  # noqa: S608
        f"WHERE c.tenant_id = {{}} AND c.id > {{}} AND {_withdrawn('recruitment', 'c.id')}"
        "AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.tenant_id = c.tenant_id AND a.candidate_id = c.id) "
        f"AND {_CANDIDATE_NOT_DONE}ORDER BY c.id LIMIT {{}}",
        t, after, t, cutoff, t, limit)


_HELD_PAYSLIP = (
    "EXISTS (SELECT 1 FROM legal_hold_subjects h WHERE h.tenant_id = p.tenant_id AND h.active AND "
    "h.subject_kind = 'employee' AND h.subject_id = p.employee_id)")


async def payslips_past(uow: UnitOfWork, country: str, kept_from: date, after: UUID,
                        limit: int) -> list[dict[str, Any]]:
    """Payslips not yet pseudonymised of pay runs of a legal entity in ``country`` paid before ``kept_from`` (the
    first day of the earliest pay year still within its period)."""
    return await _run(
        f"SELECT p.id AS id, {_HELD_PAYSLIP} AS held FROM payslips p "  # noqa: S608
        "JOIN pay_runs r ON r.tenant_id = p.tenant_id AND r.id = p.run_id "
        "JOIN pay_groups g ON g.tenant_id = r.tenant_id AND g.id = r.pay_group_id "
        "JOIN legal_entities e ON e.tenant_id = g.tenant_id AND e.id = g.legal_entity_id "
        "WHERE p.tenant_id = {} AND e.country = {} AND r.pay_date < {} AND p.pseudonymised_at IS NULL "
        "AND p.id > {} ORDER BY p.id LIMIT {}",
        uow.tenant_id, country, kept_from, after, limit)


async def bank_details_ended(uow: UnitOfWork, country: str, cutoff: date, after: UUID,
                             limit: int) -> list[dict[str, Any]]:
    """Employees who left by the cutoff, last employed in ``country``, with bank details still stored."""
    return await _run(
        f"SELECT x.id AS id, {_HELD_EMPLOYEE} AS held FROM employees x "  # noqa: S608
        "WHERE x.tenant_id = {} AND x.left_on IS NOT NULL AND x.left_on <= {} AND x.id > {} "
        f"AND {_LATEST_COUNTRY}AND EXISTS (SELECT 1 FROM bank_account_changes b WHERE b.tenant_id = x.tenant_id "
        "AND b.employee_id = x.id) ORDER BY x.id LIMIT {}",
        uow.tenant_id, cutoff, after, country, limit)


# -- actions -------------------------------------------------------------------------------------------------------

async def _delete_in(uow: UnitOfWork, table: str, column: str, ids: list[UUID]) -> int:
    rows = await _run(f"DELETE FROM {table} WHERE tenant_id = {{}} AND {column} IN ({_marks(len(ids))}) "  # noqa: S608
                      "RETURNING id", uow.tenant_id, *ids)
    return len(rows)


async def delete_recordings(uow: UnitOfWork, ids: list[UUID]) -> int:
    return await _delete_in(uow, "recordings", "id", ids)


async def _delete_append_only(uow: UnitOfWork, function: str, table: str, column: str, ids: list[UUID]) -> None:
    """Rows of a table the app role may only append to: on PostgreSQL through the migration's function, which
    deletes the current tenant's rows of these ids only (m0029)."""
    if current_database().is_sqlite:
        await _delete_in(uow, table, column, ids)
    else:
        await _run(f"SELECT {function}({{}}::uuid[]) AS removed", ids)


async def delete_results(uow: UnitOfWork, ids: list[UUID]) -> int:
    """Interview results with the evaluations computed from them."""
    await _delete_append_only(uow, "meridian_purge_evaluations", "evaluations", "result_id", ids)
    return await _delete_in(uow, "interview_results", "id", ids)


async def delete_histories(uow: UnitOfWork, application_ids: list[UUID]) -> None:
    """An application's stage history and interviews (their participants and feedback); the application row stays,
    holding no personal value, for hiring statistics."""
    marks = _marks(len(application_ids))
    interviews = (f"SELECT i.id FROM interviews i WHERE i.tenant_id = {{}} "  # noqa: S608
                  f"AND i.application_id IN ({marks})")
    for table in ("interview_feedback", "interview_participants"):
        await _run(f"DELETE FROM {table} WHERE tenant_id = {{}} AND interview_id IN ({interviews})",  # noqa: S608
                   uow.tenant_id, uow.tenant_id, *application_ids)
    await _delete_in(uow, "interviews", "application_id", application_ids)
    await _delete_append_only(uow, "meridian_purge_stage_history", "application_stage_history", "application_id",
                              application_ids)


async def delete_bank_details(uow: UnitOfWork, employee_ids: list[UUID]) -> None:
    await _delete_in(uow, "bank_account_changes", "employee_id", employee_ids)


async def pseudonymise_payslips(uow: UnitOfWork, ids: list[UUID], pseudonym: Callable[[UUID], str]) -> int:
    """What names the person in their payslips goes; the amounts stay. In each payslip's result and variance
    summary the name becomes the employee's pseudonym (the one an erasure gives them) and the calculation's working
    (``trace``: tax class, church tax, dates of birth, as the pack read them) is emptied; the lines, totals,
    earnings, settlements and year-to-date figures stay, so the pay run's results hash, its journal and the
    finance reconciliation are unchanged. The pay inputs' notes and the variance findings' names and notes of those
    runs' employees go too."""
    rows = await _run(f"SELECT id, run_id, employee_id, result, summary FROM payslips WHERE tenant_id = {{}} "  # noqa: S608
                      f"AND id IN ({_marks(len(ids))})", uow.tenant_id, *ids)
    now = utc_now()
    people: set[tuple[str, str]] = set()
    for row in rows:
        employee = row["employee_id"] if isinstance(row["employee_id"], UUID) else UUID(str(row["employee_id"]))
        name = pseudonym(employee)
        result = json.loads(row["result"])
        result["name"] = name
        result["trace"] = []
        summary = json.loads(row["summary"]) if row["summary"] else None
        if summary is not None:
            summary["name"] = name
        await _run("UPDATE payslips SET result = {}, summary = {}, pseudonymised_at = {} WHERE tenant_id = {} "
                   "AND id = {}", json.dumps(result, ensure_ascii=False), json.dumps(summary) if summary else None,
                   now, uow.tenant_id, row["id"])
        people.add((str(row["run_id"]), str(employee)))
    for run_id, employee_id in sorted(people):
        await _run("UPDATE pay_inputs SET note = '' WHERE tenant_id = {} AND run_id = {} AND employee_id = {}",
                   uow.tenant_id, UUID(run_id), UUID(employee_id))
    await _pseudonymise_findings(uow, people, pseudonym)
    return len(rows)


async def _pseudonymise_findings(uow: UnitOfWork, people: set[tuple[str, str]],
                                 pseudonym: Callable[[UUID], str]) -> None:
    """A variance finding names the employee (``name``, and the message's ``params.name``); an acknowledgement's
    note is free text about them."""
    runs = sorted({UUID(run_id) for run_id, _ in people})
    if not runs:
        return
    findings = await _run(f"SELECT id, run_id, detail FROM variance_exceptions WHERE tenant_id = {{}} "  # noqa: S608
                          f"AND run_id IN ({_marks(len(runs))})", uow.tenant_id, *runs)
    for finding in findings:
        detail = json.loads(finding["detail"])
        employee = str(detail.get("employee_id", ""))
        if (str(finding["run_id"]), employee) not in people:
            continue
        name = pseudonym(UUID(employee))
        detail["name"] = name
        if isinstance(detail.get("params"), dict) and "name" in detail["params"]:
            detail["params"]["name"] = name
        await _run("UPDATE variance_exceptions SET detail = {}, note = NULL WHERE tenant_id = {} AND id = {}",
                   json.dumps(detail, ensure_ascii=False), uow.tenant_id, finding["id"])


async def note_erased(uow: UnitOfWork, purge_id: UUID, kind: str, data_class: str, ids: list[UUID]) -> None:
    now = utc_now()
    await current_database().bulk_insert(
        "purged_subjects", ("id", "tenant_id", "purge_id", "subject_kind", "subject_id", "data_class", "purged_at"),
        [(new_id(), uow.tenant_id, purge_id, kind, subject_id, data_class, now) for subject_id in ids])


# -- purge runs ----------------------------------------------------------------------------------------------------

async def insert_run(uow: UnitOfWork, purge_id: UUID, trigger_kind: str, requested_by: str, status: str,
                     scheduled_for: date | None = None) -> None:
    await PrivacyPurge.insert(PrivacyPurge(
        id=purge_id, tenant_id=uow.tenant_id, trigger_kind=trigger_kind, scheduled_for=scheduled_for,
        requested_by=requested_by, status=status, created_at=utc_now(), counts="[]"))


def _own(uow: UnitOfWork) -> Any:
    return PrivacyPurge.tenant_id == uow.tenant_id


async def run_of(uow: UnitOfWork, purge_id: UUID) -> dict[str, Any] | None:
    row = await PrivacyPurge.select().where(_own(uow) & (PrivacyPurge.id == purge_id)).first()
    return _decoded(row) if row else None


async def scheduled_run(uow: UnitOfWork, day: date) -> dict[str, Any] | None:
    row = await PrivacyPurge.select().where(_own(uow) & (PrivacyPurge.scheduled_for == day)).first()
    return _decoded(row) if row else None


async def runs_page(uow: UnitOfWork, after: UUID | None, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = PrivacyPurge.select().where(_own(uow))
    if after is not None:
        query = query.where(PrivacyPurge.id < after)
    return [_decoded(row) for row in await query.order_by(PrivacyPurge.id, ascending=False).limit(limit)]


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "counts": json.loads(row["counts"])}


async def update_run(uow: UnitOfWork, purge_id: UUID, **values: Any) -> None:
    if "counts" in values:
        values["counts"] = json.dumps(values["counts"], sort_keys=True)
    await PrivacyPurge.update({getattr(PrivacyPurge, name): value for name, value in values.items()}).where(
        _own(uow) & (PrivacyPurge.id == purge_id))


async def audit_hash(uow: UnitOfWork, seq: int) -> str:
    """The hash of the tenant's audit entry ``seq`` (audit's own tables are its own: read by name)."""
    rows = await _run("SELECT hash FROM audit_entries WHERE tenant_id = {} AND seq = {}", uow.tenant_id, seq)
    return str(rows[0]["hash"]) if rows else ""
