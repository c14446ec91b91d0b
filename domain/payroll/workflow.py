"""The pay-run review workflow, pure: no database, no clock (the caller passes ``now``).

A run is calculated by a preparer, submitted for review, approved by two reviewers who are not the
preparer, and finalised; only a finalised run is paid. Every approval names the exact results it
approves (a hash of their canonical JSON), so any recalculation or edit voids the approvals, and
finalising recomputes the hash to prove the results paid are the results approved.

Each transition takes the run's current :class:`RunFacts` and returns the new facts, or raises a
:class:`~domain.kernel.errors.DomainError` saying why not. A finalised run never changes again; a cancelled
run is closed and never changes again either.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from domain.kernel.canonical import canonical_json
from domain.kernel.errors import Conflict, Forbidden
from domain.kernel.permissions import Role

#: A reviewer assigned to this region reviews every legal entity's payroll.
ALL_REGIONS = "*"
#: How many distinct people other than the preparer must approve the exact results.
REQUIRED_APPROVALS = 2

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class RunState(StrEnum):
    """Where a pay run stands: `draft` (opened, or changed since its last calculation), `calculated` (results ready for
    the preparer to submit), `in_review` (awaiting approval of exactly these results by two reviewers other than the
    preparer), `approved`, `finalised` (closed for payment; it never changes again) or `cancelled` (closed without
    paying; it never changes again). A change to a run's inputs sends it back to `draft` and voids its approvals."""

    DRAFT = "draft"
    CALCULATED = "calculated"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    FINALISED = "finalised"
    #: Closed without paying: an approved run that must not be paid can be stopped for good.
    CANCELLED = "cancelled"


class Actor(msgspec.Struct, frozen=True):
    subject: str
    roles: frozenset[Role]
    #: The regions this person reviews payroll for; ``"*"`` is every region, empty is none.
    regions: frozenset[str] = frozenset()


class Approval(msgspec.Struct, frozen=True):
    """A reviewer's approval of a pay run: who (their subject), the hash of the exact results approved, and when. It
    counts only while the run's current results have that hash."""

    reviewer: str
    results_hash: str
    at: datetime


class RunFacts(msgspec.Struct, frozen=True, kw_only=True):
    state: RunState
    #: The subject who last calculated the results; ``None`` until the first calculation.
    preparer: str | None = None
    #: The legal entity's region code, e.g. ``"CN-SH"`` or ``"EU"``.
    entity_region: str
    #: The hash of the current results; ``None`` while there are no valid results.
    results_hash: str | None = None
    approvals: tuple[Approval, ...] = ()
    #: Variance exceptions not yet acknowledged.
    open_exceptions: int = 0
    finalised_hash: str | None = None


class RoleRequired(Forbidden):
    code = "payroll_role_required"
    title = "Payroll role required"
    template = "This step needs one of these roles: {roles}."


class NotThePreparer(Forbidden):
    code = "payroll_not_the_preparer"
    title = "Not the preparer"
    template = "Only the person who calculated this pay run, or a tenant administrator, can submit it for review."


class PreparerCannotApprove(Forbidden):
    code = "payroll_preparer_cannot_approve"
    title = "The preparer cannot approve"
    template = "You calculated this pay run, so you cannot approve it; two other reviewers must."


class RegionNotAssigned(Forbidden):
    code = "payroll_region_not_assigned"
    title = "Region not assigned"
    template = "You are not assigned to review payroll for the region {region}."


class AlreadyApproved(Conflict):
    code = "payroll_already_approved"
    title = "Already approved"
    template = "You have already approved this pay run; the other approval must come from someone else."


class StaleResultsHash(Conflict):
    code = "payroll_stale_results_hash"
    title = "The results have changed"
    template = (
        "You approved results {approved_hash}, but the pay run's current results are {current_hash}. "
        "Review the current results and approve them."
    )


class ExceptionsOpen(Conflict):
    code = "payroll_exceptions_open"
    title = "Variance exceptions open"
    template = "Variance exceptions still open: {count}. Acknowledge every exception first."


class RunFinalised(Conflict):
    code = "payroll_run_finalised"
    title = "Pay run finalised"
    template = "This pay run is finalised and can no longer change."


class InvalidTransition(Conflict):
    code = "payroll_invalid_transition"
    title = "Not possible in this state"
    template = "This step is not possible while the pay run is in the state {state}."


class ApprovalsMissing(Conflict):
    code = "payroll_approvals_missing"
    title = "Approvals missing"
    template = (
        "A pay run is finalised only after {required} people other than its preparer have approved its "
        "current results; it has {approvals}."
    )


class ResultsChangedSinceApproval(Conflict):
    code = "payroll_results_changed_since_approval"
    title = "Results changed since approval"
    template = (
        "The results no longer match the ones the reviewers approved. Recalculate the pay run and have "
        "it reviewed again."
    )


_CALCULATORS = frozenset({Role.PAYROLL_PREPARER, Role.TENANT_ADMIN})
_REVIEWERS = frozenset({Role.PAYROLL_REVIEWER})
_FINALISERS = frozenset({Role.PAYROLL_PREPARER, Role.PAYROLL_REVIEWER, Role.TENANT_ADMIN})


def results_hash(results: Any) -> str:
    """The SHA-256 (hex) of the results' canonical JSON: the identity of exactly these results."""
    return hashlib.sha256(canonical_json(results).encode()).hexdigest()


class ResultsHasher:
    """:func:`results_hash` of a list given an item at a time, so a run of any size is hashed as it is
    written: canonical JSON of a list is its items' canonical JSON, comma-separated, in brackets."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256(b"[")
        self._empty = True

    def add(self, item: Any) -> None:
        self.add_encoded(canonical_json(item).encode())

    def add_encoded(self, item: bytes) -> None:
        """An item already in canonical JSON (encoded where it was calculated)."""
        if not self._empty:
            self._sha.update(b",")
        self._sha.update(item)
        self._empty = False

    def hexdigest(self) -> str:
        final = self._sha.copy()
        final.update(b"]")
        return final.hexdigest()


def valid_approvers(facts: RunFacts) -> frozenset[str]:
    """The distinct people other than the preparer who approved exactly the current results."""
    if facts.results_hash is None:
        return frozenset()
    return frozenset(
        a.reviewer for a in facts.approvals if a.results_hash == facts.results_hash and a.reviewer != facts.preparer
    )


def calculation_may_start(facts: RunFacts, actor: Actor) -> None:
    """Raises why ``actor`` may not (re)calculate the run now, before any work is done; :func:`calculated`
    asks the same when the results arrive, as the run may have changed meanwhile."""
    _still_open(facts)
    _require_role(actor, _CALCULATORS)


def calculated(facts: RunFacts, actor: Actor, results_hash: str) -> RunFacts:
    """The results were (re)calculated: ``actor`` becomes the preparer and every approval is void."""
    calculation_may_start(facts, actor)
    if not _HEX_SHA256.fullmatch(results_hash):
        raise ValueError("results_hash must be a lower-case hex SHA-256; use results_hash()")
    return msgspec.structs.replace(
        facts, state=RunState.CALCULATED, preparer=actor.subject, results_hash=results_hash, approvals=()
    )


def submitted(facts: RunFacts, actor: Actor) -> RunFacts:
    """The preparer (or a tenant administrator) hands the calculated results to the reviewers."""
    _still_open(facts)
    _require_state(facts, RunState.CALCULATED)
    if Role.TENANT_ADMIN not in actor.roles:
        if actor.subject != facts.preparer:
            raise NotThePreparer()
        _require_role(actor, frozenset({Role.PAYROLL_PREPARER}))
    return msgspec.structs.replace(facts, state=RunState.IN_REVIEW)


def changed(facts: RunFacts, actor: Actor) -> RunFacts:
    """An input or result was edited: the results are stale, every approval is void, and the run needs
    recalculating. Who may make the edit is the edit's own authorisation; ``actor`` is for the record."""
    _still_open(facts)
    return msgspec.structs.replace(facts, state=RunState.DRAFT, results_hash=None, approvals=())


def approved(facts: RunFacts, actor: Actor, results_hash: str, now: datetime) -> RunFacts:
    """A reviewer approves exactly the results ``results_hash`` names; the second approval by another
    person makes the run approved."""
    _still_open(facts)
    _require_state(facts, RunState.IN_REVIEW)
    _require_role(actor, _REVIEWERS)
    if actor.subject == facts.preparer:
        raise PreparerCannotApprove()
    if facts.entity_region not in actor.regions and ALL_REGIONS not in actor.regions:
        raise RegionNotAssigned(region=facts.entity_region)
    if any(a.reviewer == actor.subject for a in facts.approvals):
        raise AlreadyApproved()
    if facts.results_hash is None or results_hash != facts.results_hash:
        raise StaleResultsHash(approved_hash=results_hash, current_hash=str(facts.results_hash))
    if facts.open_exceptions:
        raise ExceptionsOpen(count=str(facts.open_exceptions))
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must carry its UTC offset")
    after = msgspec.structs.replace(
        facts, approvals=(*facts.approvals, Approval(reviewer=actor.subject, results_hash=results_hash, at=now))
    )
    if len(valid_approvers(after)) >= REQUIRED_APPROVALS:
        after = msgspec.structs.replace(after, state=RunState.APPROVED)
    return after


def finalised(facts: RunFacts, actor: Actor, results_hash: str) -> RunFacts:
    """The approved run is closed for payment. ``results_hash`` is recomputed by the caller from the
    results about to be paid, and must be the hash the reviewers approved."""
    _still_open(facts)
    if facts.state == RunState.DRAFT:
        raise InvalidTransition(state=str(facts.state))
    _require_role(actor, _FINALISERS)
    approvers = valid_approvers(facts)
    if facts.state != RunState.APPROVED or len(approvers) < REQUIRED_APPROVALS:
        raise ApprovalsMissing(required=str(REQUIRED_APPROVALS), approvals=str(len(approvers)))
    if results_hash != facts.results_hash:
        raise ResultsChangedSinceApproval()
    if facts.open_exceptions:
        raise ExceptionsOpen(count=str(facts.open_exceptions))
    return msgspec.structs.replace(facts, state=RunState.FINALISED, finalised_hash=results_hash)


def cancelled(facts: RunFacts, actor: Actor) -> RunFacts:
    """The run is closed without paying; its approvals are void. A cancelled run never changes again."""
    _still_open(facts)
    _require_role(actor, _CALCULATORS)
    return msgspec.structs.replace(facts, state=RunState.CANCELLED, approvals=())


def exceptions_changed(facts: RunFacts, open_exceptions: int) -> RunFacts:
    """The number of unacknowledged variance exceptions changed. Approvals stand (acknowledging an
    exception changes no result), but nobody can approve or finalise while any is open."""
    _still_open(facts)
    if open_exceptions < 0:
        raise ValueError("open_exceptions cannot be negative")
    return msgspec.structs.replace(facts, open_exceptions=open_exceptions)


def _still_open(facts: RunFacts) -> None:
    if facts.state == RunState.FINALISED:
        raise RunFinalised()
    if facts.state == RunState.CANCELLED:
        raise InvalidTransition(state=str(facts.state))


def _require_state(facts: RunFacts, state: RunState) -> None:
    if facts.state != state:
        raise InvalidTransition(state=str(facts.state))


def _require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if not actor.roles & roles:
        raise RoleRequired(roles=", ".join(sorted(roles)))
