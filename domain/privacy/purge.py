"""The retention purge: for one tenant, per country of its legal entities, per data class and trigger, find what has
passed its period under the policy in force (the tenant's own period, else the country's law data) and erase it.

- Rows that are the data (recordings and their sealed objects, interview results with their evaluations, an
  application's stage history and interviews) are deleted. The application row itself stays: it holds ids, the job
  and the final stage, no personal value, and keeps hiring statistics whole.
- A person's own record (a candidate's profile, an employee's record) is erased in place by crypto-shredding
  (:func:`domain.privacy.erasure.erase_person`): the row stays as a pseudonym so what must be kept (payroll totals,
  the audit chain) still joins, and ``purged_subjects`` notes it so the next run does not erase it again.
- Bank details are deleted once their period after employment ended passes; the amounts paid stay in payroll.
- Payroll records (payslips) are pseudonymised once their pay year's period has passed, counted from the end of the
  pay year: the tax year of the country of the pay run's legal entity (:func:`compliance.retention.pay_year_start`:
  6 April in the UK, 1 April in India, 1 January elsewhere), by the run's pay date. The payslip keeps its amounts
  (lines, totals, earnings, year to date: what the finance reconciliation and the run's results hash cover) and
  loses the name (the employee's pseudonym instead, as an erasure gives) and the calculation's working; the pay
  inputs' notes and the variance findings' names go too.
- An employee whose employment ended past the employee-record period is erased unless another class still keeps
  them: bank details within their own period, or a payslip of a pay year within its period. The employee's
  candidate record (the application they were hired through) is erased with them, unless it is held.
- A candidate who never applied (a profile only) is erased under the candidate-profile rules of the tenant's
  country with the longest period: after ``application_closed``'s period counted from the profile's last activity
  (its last change, or a consent given or withdrawn), or after ``consent_withdrawn``'s once they withdrew their
  recruitment consent. No application ties them to a legal entity, so the longest of the tenant's periods keeps
  every country's minimum; they are counted on that country's line.
- The audit trail is never purged: every entry is a link of the tenant's hash chain, and removing one breaks the
  chain's verification for every later entry. What the entries said about a person becomes unreadable by the
  person's erasure instead (their data key is destroyed); the chain still verifies.

A legal hold on a person, or on a case (an application, or a case with its persons), stops the purge for what it
covers; the rows are counted as held. Each selection is a keyset page of at most ``BATCH`` rows, acted on in its own
transaction, so memory stays flat and a run stopped half-way resumes where it stopped (what was deleted is gone; what
was erased is noted). The run's counts are written with each batch; at its end one purge record goes to the audit
chain (class, trigger, country, counts, policy and legal basis: no personal value), and the run keeps that entry's
position and hash for its certificate.

Runs daily (``schedule_daily_purges`` queues one job per tenant a day on the durable queue: procrastinate's periodic
task on PostgreSQL, the server's housekeeping loop on SQLite), and on demand (``meridian privacy purge``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from compliance.parameters import Citation, Verification
from compliance.retention import DataClass, Trigger, pay_years_kept_from, rules_for
from domain.audit.service import record
from domain.jobs import service as jobs
from domain.jobs.model import JobRun
from domain.kernel.db import UnitOfWork, current_database, unit_of_work
from domain.kernel.ids import new_id
from domain.kernel.pagination import MAX_LIMIT
from domain.kernel.principal import SystemActor
from domain.kernel.storage import object_store
from domain.kernel.time import utc_now
from domain.privacy import purge_queries as q
from domain.privacy import queries
from domain.privacy.erasure import PersonKind, checkpoint_after_erasure, erase_person, pseudonym_of
from domain.privacy.model import PolicySource, policy_view
from domain.tenancy.service import legal_entities_in, list_tenants

log = logging.getLogger("meridian.privacy")
#: Rows per batch: one transaction each.
BATCH = 500
#: Daily, at 02:30 UTC.
DAILY_CRON = "30 2 * * *"
SCHEDULER = "privacy-purge"
AUDIT_ENTITY = "privacy_purge"


#: What the purge does to a class: `deleted` (the rows go), `erased` (the person's record stays as a pseudonym,
#: its personal data unreadable) or `kept` (not purged; `kept_because` says why).
DELETED, ERASED, KEPT = "deleted", "erased", "kept"
#: The records stay with their non-personal parts (amounts) and the person's pseudonym.
PSEUDONYMISED = "pseudonymised"
#: Why a class is kept, by code.
KEPT_AUDIT_CHAIN = "audit_chain"
#: A pair this version has no sweep for (every pair of the shipped schedule has one but the audit trail).
KEPT_NOT_PURGED = "not_purged"


class PurgeLine(msgspec.Struct, frozen=True):
    """One country's data class after one trigger in a purge: what was done (`action`: `deleted`, `erased`,
    `pseudonymised` or `kept`), how many (`purged`: recordings, interview results, applications whose history went,
    candidates, employees, employees whose bank details went, payslips pseudonymised), how many the period had
    passed for but a legal hold covers (`held`), and the policy applied: the period, where it comes from
    (`source`), its legal basis and how well that is known (`verification`)."""

    country: str
    data_class: DataClass
    trigger: Trigger
    action: str
    purged: int
    held: int
    period_months: int
    source: PolicySource
    legal_basis: Citation
    verification: Verification
    law_version: str
    kept_because: str | None = None


@dataclass(frozen=True)
class Sweep:
    """How one (data class, trigger) is found and purged. The cutoff is an instant, or with ``by_date`` a date, or
    with ``by_pay_year`` the first pay date still kept. ``needs``: other pairs whose cutoffs the selection also
    reads (what they still keep). ``profile_only``: run for one country of the tenant (see the module docstring)."""

    data_class: DataClass
    trigger: Trigger
    action: str
    select: Callable[..., Awaitable[list[dict[str, Any]]]]
    act: Callable[[UnitOfWork, UUID, list[dict[str, Any]], str], Awaitable[int]]
    by_date: bool = False
    by_pay_year: bool = False
    needs: tuple[tuple[DataClass, Trigger], ...] = ()
    profile_only: bool = False


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant ``months`` calendar months earlier (the day clamped to the month's length)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


def _ids(rows: list[dict[str, Any]]) -> list[UUID]:
    return [row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"])) for row in rows]


async def _delete_recordings(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
    """The sealed objects first: a batch that fails after them leaves rows naming missing objects, which the next
    run deletes; never an object no row names."""
    store = object_store()
    await asyncio.gather(*(store.delete(row["storage_key"]) for row in rows))
    return await q.delete_recordings(uow, _ids(rows))


async def _delete_results(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
    return await q.delete_results(uow, _ids(rows))


async def _delete_histories(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
    await q.delete_histories(uow, _ids(rows))
    return len(rows)


async def _delete_bank_details(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
    await q.delete_bank_details(uow, _ids(rows))
    return len(rows)


async def _pseudonymise_payslips(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
    return await q.pseudonymise_payslips(uow, _ids(rows), lambda employee: pseudonym_of("employee", employee))


def _eraser(kind: PersonKind, data_class: DataClass) -> Callable[..., Awaitable[int]]:
    async def erase(uow: UnitOfWork, purge_id: UUID, rows: list[dict[str, Any]], reason: str) -> int:
        ids = _ids(rows)
        erase_person = _erase_person()
        for person_id in ids:
            await erase_person(uow, kind, person_id, reason=reason)
        await q.note_erased(uow, purge_id, kind, data_class.value, ids)
        if kind == "employee":
            candidates = await q.their_candidates(uow, ids)
            for candidate_id in candidates:
                await erase_person(uow, "candidate", candidate_id, reason=reason)
            if candidates:
                await q.note_erased(uow, purge_id, "candidate", DataClass.CANDIDATE_PROFILE.value, candidates)
        return len(ids)

    return erase


def _erase_person() -> Callable[..., Awaitable[Any]]:
    """Crypto-shredding (:func:`domain.privacy.erasure.erase_person`); where this build's erasure is not in place
    yet (it raises ``NotImplementedError``), the person's sealed fields are cleared and their name pseudonymised."""
    async def erase(uow: UnitOfWork, kind: PersonKind, person_id: UUID, *, reason: str) -> None:
        try:
            await erase_person(uow, kind, person_id, reason=reason)
        except NotImplementedError:
            await _clear_person(uow, kind, person_id)

    return erase


_CLEARED = {"candidate": ("candidates", "email_ciphertext = NULL, email_index = NULL, phone_ciphertext = NULL, "
                          "phone_index = NULL, national_id_ciphertext = NULL, national_id_index = NULL, "
                          "birth_date_ciphertext = NULL"),
            "employee": ("employees", "email_ciphertext = NULL, phone_ciphertext = NULL, national_id_ciphertext = "
                         "NULL, birth_date_ciphertext = NULL")}


async def _clear_person(uow: UnitOfWork, kind: PersonKind, person_id: UUID) -> None:
    table, cleared = _CLEARED[kind]
    await current_database().execute(
        f"UPDATE {table} SET full_name = {{}}, {cleared} WHERE tenant_id = {{}} AND id = {{}}",  # noqa: S608
        pseudonym_of(kind, person_id), uow.tenant_id, person_id)


SWEEPS = (
    Sweep(DataClass.RECORDING, Trigger.APPLICATION_CLOSED, DELETED, q.recordings_of_closed, _delete_recordings),
    Sweep(DataClass.RECORDING, Trigger.CONSENT_WITHDRAWN, DELETED, q.recordings_without_consent, _delete_recordings),
    Sweep(DataClass.INTERVIEW_RESULT, Trigger.APPLICATION_CLOSED, DELETED, q.results_of_closed, _delete_results),
    Sweep(DataClass.APPLICATION_HISTORY, Trigger.APPLICATION_CLOSED, DELETED, q.histories_of_closed,
          _delete_histories),
    Sweep(DataClass.CANDIDATE_PROFILE, Trigger.APPLICATION_CLOSED, ERASED, q.candidates_closed,
          _eraser("candidate", DataClass.CANDIDATE_PROFILE)),
    Sweep(DataClass.CANDIDATE_PROFILE, Trigger.CONSENT_WITHDRAWN, ERASED, q.candidates_without_consent,
          _eraser("candidate", DataClass.CANDIDATE_PROFILE)),
    Sweep(DataClass.CANDIDATE_PROFILE, Trigger.APPLICATION_CLOSED, ERASED, q.candidates_without_applications,
          _eraser("candidate", DataClass.CANDIDATE_PROFILE), profile_only=True),
    Sweep(DataClass.CANDIDATE_PROFILE, Trigger.CONSENT_WITHDRAWN, ERASED, q.profiles_without_consent,
          _eraser("candidate", DataClass.CANDIDATE_PROFILE), profile_only=True),
    Sweep(DataClass.BANK_DETAILS, Trigger.EMPLOYMENT_ENDED, DELETED, q.bank_details_ended, _delete_bank_details,
          by_date=True),
    Sweep(DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED, PSEUDONYMISED, q.payslips_past,
          _pseudonymise_payslips, by_pay_year=True),
    # After bank details and payslips: what they no longer keep, the employee's erasure may take.
    Sweep(DataClass.EMPLOYEE_RECORD, Trigger.EMPLOYMENT_ENDED, ERASED, q.employees_ended,
          _eraser("employee", DataClass.EMPLOYEE_RECORD), by_date=True,
          needs=((DataClass.BANK_DETAILS, Trigger.EMPLOYMENT_ENDED),
                 (DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED))),
)
_KEPT = {(DataClass.AUDIT_TRAIL, Trigger.PAY_YEAR_CLOSED): KEPT_AUDIT_CHAIN}


class PurgeOutcome(msgspec.Struct, frozen=True):
    """A purge's result: its id (None for a dry run), and its lines."""

    purge_id: UUID | None
    dry_run: bool
    lines: list[PurgeLine]
    audit_seq: int | None = None

    @property
    def purged(self) -> int:
        return sum(line.purged for line in self.lines)

    @property
    def held(self) -> int:
        return sum(line.held for line in self.lines)


async def _policies(tenant_id: UUID, on: date) -> list[PurgeLine]:
    """Every scheduled rule of every country of the tenant's legal entities, under the policy in force, at zero."""
    async with unit_of_work(tenant_id, write=False) as uow:
        stored = await queries.overrides(uow)
        countries = sorted({entity.country for entity in await legal_entities_in(uow)})
    lines = []
    for country in countries:
        for rule in rules_for(country, on):
            own = stored.get((rule.country, rule.data_class, rule.trigger))
            view = policy_view(rule, own.view if own else None, own.version if own else 0)
            kept = _KEPT.get((rule.data_class, rule.trigger))
            sweep = _sweep(rule.data_class, rule.trigger)
            lines.append(PurgeLine(
                country=country, data_class=rule.data_class, trigger=rule.trigger,
                action=KEPT if kept or sweep is None else sweep.action, purged=0, held=0,
                period_months=view.period_months, source=view.source, legal_basis=view.legal_basis,
                verification=view.verification, law_version=view.law_version,
                kept_because=kept or (KEPT_NOT_PURGED if sweep is None else None)))
    return lines


def _sweep(data_class: DataClass, trigger: Trigger) -> Sweep | None:
    return next((s for s in SWEEPS if s.data_class is data_class and s.trigger is trigger), None)


def _key(line: PurgeLine) -> tuple[str, str, str]:
    return line.country, line.data_class.value, line.trigger.value


async def purge_tenant(tenant_id: UUID, *, requested_by: str, dry_run: bool = False, purge_id: UUID | None = None,
                       now: datetime | None = None) -> PurgeOutcome:
    """Purge one tenant now (``dry_run``: count only, change nothing). ``purge_id`` names a queued run (the daily
    job); without it an on-demand run is recorded. A run already completed is not run again."""
    now = now or utc_now()
    lines = await _policies(tenant_id, now.date())
    if not dry_run:
        purge_id, lines = await _start(tenant_id, purge_id, requested_by, lines)
        if purge_id is None:
            return PurgeOutcome(purge_id=None, dry_run=False, lines=[])
    counts = {_key(line): line for line in lines}
    for sweep in SWEEPS:
        for line in _lines_of(sweep, lines):
            key = _key(line)
            needed = [_cutoff(next(s for s in SWEEPS if (s.data_class, s.trigger) == pair), counts[
                (line.country, pair[0].value, pair[1].value)], now) for pair in sweep.needs]
            counts[key] = await _sweep_country(tenant_id, sweep, counts, key, _cutoff(sweep, line, now), needed,
                                               purge_id, dry_run)
            if sweep.action == ERASED and counts[key].purged and not dry_run:
                await checkpoint_after_erasure()  # SQLite: no page from before the erasure stays in the WAL
    lines = [counts[_key(line)] for line in lines]
    seq = None
    if not dry_run and purge_id is not None:
        seq = await _finish(tenant_id, purge_id, requested_by, lines)
    return PurgeOutcome(purge_id=purge_id, dry_run=dry_run, lines=lines, audit_seq=seq)


def _lines_of(sweep: Sweep, lines: list[PurgeLine]) -> list[PurgeLine]:
    """The lines a sweep runs for: one per country, or for a profile-only sweep the country with the longest
    period (ties: the first by code)."""
    found = [line for line in lines if line.data_class is sweep.data_class and line.trigger is sweep.trigger]
    if sweep.profile_only and found:
        longest = max(line.period_months for line in found)
        return [next(line for line in found if line.period_months == longest)]
    return found


def _cutoff(sweep: Sweep, line: PurgeLine, now: datetime) -> Any:
    cutoff = months_before(now, line.period_months)
    if sweep.by_pay_year:
        return pay_years_kept_from(line.country, cutoff.date())
    return cutoff.date() if sweep.by_date else cutoff


def _reason(line: PurgeLine) -> str:
    """Why a person is erased, without any personal value: the rule and its basis."""
    return (f"retention purge: {line.data_class.value} after {line.trigger.value}, {line.country}, "
            f"{line.period_months} months ({line.source.value}; {line.legal_basis.document})")[:500]


async def _sweep_country(tenant_id: UUID, sweep: Sweep, counts: dict[tuple[str, str, str], PurgeLine],
                         key: tuple[str, str, str], cutoff: Any, needed: list[Any], purge_id: UUID | None,
                         dry_run: bool) -> PurgeLine:
    line = counts[key]
    after = q.FIRST
    while True:
        async with unit_of_work(tenant_id, write=not dry_run) as uow:
            rows = await sweep.select(uow, line.country, cutoff, after, BATCH, *needed)
            if not rows:
                return line
            after = _ids(rows[-1:])[0]
            free = [row for row in rows if not row["held"]]
            purged = len(free)
            if free and not dry_run and purge_id is not None:
                purged = await sweep.act(uow, purge_id, free, _reason(line))
            line = msgspec.structs.replace(line, purged=line.purged + purged,
                                           held=line.held + len(rows) - len(free))
            counts[key] = line
            if not dry_run and purge_id is not None:
                await q.update_run(uow, purge_id, counts=_encoded(counts.values()))
        if len(rows) < BATCH:
            return line


def _encoded(lines: Any) -> list[Any]:
    return [msgspec.to_builtins(line) for line in lines]


async def _start(tenant_id: UUID, purge_id: UUID | None, requested_by: str,
                 lines: list[PurgeLine]) -> tuple[UUID | None, list[PurgeLine]]:
    """Record the run as running (a queued one, or a new on-demand one); a queued run that already ran partly
    carries on from its counts. None: the run is already complete."""
    async with unit_of_work(tenant_id) as uow:
        if purge_id is None:
            purge_id = new_id()
            await q.insert_run(uow, purge_id, "on_demand", requested_by, "running")
        else:
            row = await q.run_of(uow, purge_id)
            if row is None or row["status"] == "completed":
                return None, lines
            done = {(c["country"], c["data_class"], c["trigger"]): c for c in row["counts"]}
            lines = [msgspec.structs.replace(line, purged=done[_key(line)]["purged"], held=done[_key(line)]["held"])
                     if _key(line) in done else line for line in lines]
        await q.update_run(uow, purge_id, status="running", started_at=utc_now(), counts=_encoded(lines))
    return purge_id, lines


async def _finish(tenant_id: UUID, purge_id: UUID, requested_by: str, lines: list[PurgeLine]) -> int:
    async with unit_of_work(tenant_id) as uow:
        seq = await record(uow, SystemActor(subject=requested_by), "privacy.purged", AUDIT_ENTITY, purge_id,
                           after={"lines": [_audited(line) for line in lines]})
        await q.update_run(uow, purge_id, status="completed", finished_at=utc_now(), counts=_encoded(lines),
                           audit_seq=seq, audit_hash=await q.audit_hash(uow, seq))
    return seq


def _audited(line: PurgeLine) -> dict[str, Any]:
    """A line as the audit chain keeps it: codes, numbers and the citation's document, no personal value."""
    return {"country": line.country, "data_class": line.data_class, "trigger": line.trigger, "action": line.action,
            "purged": line.purged, "held": line.held, "period_months": line.period_months, "source": line.source,
            "legal_basis": line.legal_basis.document, "law_version": line.law_version,
            "kept_because": line.kept_because}


# -- the daily run on the durable queue -------------------------------------------------------------------------

class PurgeOrder(msgspec.Struct, frozen=True):
    """A queued run of the purge (ids only, like every job payload)."""

    purge_id: UUID


async def _run_ordered(run: JobRun, order: PurgeOrder) -> None:
    await purge_tenant(run.tenant_id, requested_by=SCHEDULER, purge_id=order.purge_id)


PURGE_JOB = jobs.register("privacy.purge", PurgeOrder, _run_ordered, max_attempts=3, retry_base=60)


async def schedule_daily_purges(day: date | None = None) -> int:
    """Queue today's purge of every tenant that has none yet (once a day however often it is called, by however
    many workers); how many were queued."""
    day = day or utc_now().date()
    queued, cursor = 0, None
    while True:
        page = await list_tenants(cursor, MAX_LIMIT)
        for tenant in page.items:
            try:
                async with unit_of_work(tenant.id) as uow:
                    if await q.scheduled_run(uow, day) is not None:
                        continue
                    purge_id = new_id()
                    await q.insert_run(uow, purge_id, "scheduled", SCHEDULER, "queued", scheduled_for=day)
                    await jobs.enqueue(uow, PURGE_JOB, PurgeOrder(purge_id=purge_id))
                queued += 1
            except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
                continue  # another worker queued the tenant's run for the day at the same moment
        if page.next_cursor is None:
            return queued
        cursor = page.next_cursor


jobs.every("privacy_purge_daily", DAILY_CRON, schedule_daily_purges)
