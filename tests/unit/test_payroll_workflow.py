"""The pay-run review workflow: two people other than the preparer approve the exact results before a run
is paid. Unit tests for each rule, then a state machine over random sequences of actions by many people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.kernel.errors import Conflict, DomainError, ErrorKind, Forbidden
from domain.kernel.permissions import Role
from domain.payroll import workflow as wf
from domain.payroll.workflow import (
    Actor,
    AlreadyApproved,
    Approval,
    ApprovalsMissing,
    ExceptionsOpen,
    InvalidTransition,
    NotThePreparer,
    PreparerCannotApprove,
    RegionNotAssigned,
    ResultsChangedSinceApproval,
    ResultsHasher,
    RoleRequired,
    RunFacts,
    RunFinalised,
    RunState,
    StaleResultsHash,
    approved,
    calculated,
    cancelled,
    changed,
    exceptions_changed,
    finalised,
    results_hash,
    submitted,
    valid_approvers,
)

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
PREPARER, REVIEWER, ADMIN = Role.PAYROLL_PREPARER, Role.PAYROLL_REVIEWER, Role.TENANT_ADMIN


def actor(subject: str, *roles: Role, regions: tuple[str, ...] = ()) -> Actor:
    return Actor(subject=subject, roles=frozenset(roles), regions=frozenset(regions))


ALICE = actor("alice", PREPARER)
CAROL = actor("carol", REVIEWER, regions=("CN-SH",))
DAVE = actor("dave", REVIEWER, regions=("*",))
ERIN = actor("erin", REVIEWER, regions=("EU",))
FRANK = actor("frank", ADMIN)
HANK = actor("hank", Role.AUDITOR, Role.HR_ADMIN, regions=("*",))

RESULTS = {"payslips": [{"employee": "e1", "gross": Decimal("1000.00"), "net": Decimal("812.50")}]}
H1 = results_hash(RESULTS)
H2 = results_hash({**RESULTS, "payslips": [{"employee": "e1", "gross": Decimal("1000.00"), "net": Decimal("812.51")}]})

PAYROLL_ERRORS = (
    RoleRequired, NotThePreparer, PreparerCannotApprove, RegionNotAssigned, AlreadyApproved, StaleResultsHash,
    ExceptionsOpen, RunFinalised, InvalidTransition, ApprovalsMissing, ResultsChangedSinceApproval,
)


def draft(region: str = "CN-SH") -> RunFacts:
    return RunFacts(state=RunState.DRAFT, entity_region=region)


def in_review(region: str = "CN-SH") -> RunFacts:
    return submitted(calculated(draft(region), ALICE, H1), ALICE)


def approved_run() -> RunFacts:
    return approved(approved(in_review(), CAROL, H1, NOW), DAVE, H1, NOW + timedelta(minutes=5))


# --- results_hash ---------------------------------------------------------------------------------------

def test_results_hash_is_the_sha256_of_canonical_json_whatever_the_key_order() -> None:
    assert len(H1) == 64 and int(H1, 16) >= 0
    assert results_hash({"b": 1, "a": [Decimal("1.10")]}) == results_hash({"a": [Decimal("1.10")], "b": 1})
    assert results_hash({"a": Decimal("1.10")}) != results_hash({"a": Decimal("1.1")})
    assert H1 != H2


# --- calculated -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [ALICE, FRANK])
def test_a_preparer_or_tenant_admin_calculates(who: Actor) -> None:
    facts = calculated(draft(), who, H1)
    assert (facts.state, facts.preparer, facts.results_hash, facts.approvals) == (RunState.CALCULATED,
                                                                                  who.subject, H1, ())


@pytest.mark.parametrize("who", [CAROL, HANK, actor("nobody")])
def test_no_one_else_calculates(who: Actor) -> None:
    with pytest.raises(RoleRequired) as caught:
        calculated(draft(), who, H1)
    assert caught.value.params == {"roles": "payroll_preparer, tenant_admin"}


@pytest.mark.parametrize("build", [draft, lambda: calculated(draft(), ALICE, H1), in_review, approved_run])
def test_a_recalculation_voids_every_approval_and_makes_the_calculator_the_preparer(
        build: Callable[[], RunFacts]) -> None:
    before = build()
    facts = calculated(before, FRANK, H2)
    assert (facts.state, facts.preparer, facts.results_hash, facts.approvals) == (RunState.CALCULATED, "frank",
                                                                                  H2, ())


def test_recalculating_to_the_same_results_still_voids_the_approvals() -> None:
    facts = approved(in_review(), CAROL, H1, NOW)
    assert calculated(facts, ALICE, H1).approvals == ()


def test_a_hash_must_be_a_hex_sha256() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        calculated(draft(), ALICE, "not-a-hash")


# --- submitted -----------------------------------------------------------------------------------------

def test_the_preparer_or_a_tenant_admin_submits_calculated_results() -> None:
    facts = calculated(draft(), ALICE, H1)
    assert submitted(facts, ALICE).state == RunState.IN_REVIEW
    assert submitted(facts, FRANK).state == RunState.IN_REVIEW


def test_another_preparer_cannot_submit() -> None:
    with pytest.raises(NotThePreparer):
        submitted(calculated(draft(), ALICE, H1), actor("alan", PREPARER))


def test_a_preparer_who_lost_the_role_cannot_submit() -> None:
    with pytest.raises(RoleRequired):
        submitted(calculated(draft(), ALICE, H1), actor("alice", REVIEWER))


@pytest.mark.parametrize("build", [draft, in_review, approved_run])
def test_only_calculated_results_are_submitted(build: Callable[[], RunFacts]) -> None:
    with pytest.raises(InvalidTransition) as caught:
        submitted(build(), FRANK)
    assert caught.value.params == {"state": str(build().state)}


# --- changed -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("build", [draft, lambda: calculated(draft(), ALICE, H1), in_review, approved_run])
def test_an_edit_voids_the_approvals_and_needs_a_recalculation(build: Callable[[], RunFacts]) -> None:
    facts = changed(build(), HANK)
    assert (facts.state, facts.results_hash, facts.approvals) == (RunState.DRAFT, None, ())
    with pytest.raises(InvalidTransition):
        submitted(facts, ALICE)
    with pytest.raises(InvalidTransition):
        approved(facts, CAROL, H1, NOW)


# --- approved ------------------------------------------------------------------------------------------

def test_two_distinct_reviewers_approve_the_exact_results() -> None:
    first = approved(in_review(), CAROL, H1, NOW)
    assert first.state == RunState.IN_REVIEW
    assert first.approvals == (Approval(reviewer="carol", results_hash=H1, at=NOW),)
    second = approved(first, DAVE, H1, NOW)
    assert second.state == RunState.APPROVED
    assert valid_approvers(second) == {"carol", "dave"}


def test_the_preparer_cannot_approve_even_as_a_reviewer_for_every_region() -> None:
    facts = submitted(calculated(draft(), actor("bob", PREPARER, REVIEWER, regions=("*",)), H1), FRANK)
    with pytest.raises(PreparerCannotApprove):
        approved(facts, actor("bob", REVIEWER, regions=("*",)), H1, NOW)


def test_a_tenant_admin_who_calculated_cannot_approve() -> None:
    facts = submitted(calculated(draft(), actor("gina", ADMIN, REVIEWER, regions=("*",)), H1), FRANK)
    with pytest.raises(PreparerCannotApprove):
        approved(facts, actor("gina", ADMIN, REVIEWER, regions=("*",)), H1, NOW)


def test_one_reviewer_cannot_approve_twice() -> None:
    with pytest.raises(AlreadyApproved):
        approved(approved(in_review(), CAROL, H1, NOW), CAROL, H1, NOW)


@pytest.mark.parametrize("regions", [(), ("EU",), ("CN",), ("cn-sh",)])
def test_a_reviewer_must_be_assigned_the_entitys_region(regions: tuple[str, ...]) -> None:
    with pytest.raises(RegionNotAssigned) as caught:
        approved(in_review("CN-SH"), actor("erin", REVIEWER, regions=regions), H1, NOW)
    assert caught.value.params == {"region": "CN-SH"}


def test_a_reviewer_assigned_the_region_or_every_region_approves() -> None:
    assert approved(in_review("EU"), DAVE, H1, NOW).approvals[0].reviewer == "dave"
    assert approved(in_review("EU"), ERIN, H1, NOW).approvals[0].reviewer == "erin"


@pytest.mark.parametrize("who", [ALICE, HANK, actor("kim", ADMIN, PREPARER, regions=("*",)),
                                 actor("zed", regions=("*",))])
def test_only_payroll_reviewers_approve(who: Actor) -> None:
    with pytest.raises(RoleRequired):
        approved(in_review(), who, H1, NOW)


def test_an_approval_of_other_results_is_stale() -> None:
    with pytest.raises(StaleResultsHash) as caught:
        approved(in_review(), CAROL, H2, NOW)
    assert caught.value.params == {"approved_hash": H2, "current_hash": H1}


def test_nobody_approves_while_exceptions_are_open() -> None:
    facts = exceptions_changed(in_review(), 2)
    with pytest.raises(ExceptionsOpen) as caught:
        approved(facts, CAROL, H1, NOW)
    assert caught.value.params == {"count": "2"}
    assert approved(exceptions_changed(facts, 0), CAROL, H1, NOW).approvals


def test_acknowledging_exceptions_keeps_the_approvals() -> None:
    facts = exceptions_changed(approved(in_review(), CAROL, H1, NOW), 1)
    facts = exceptions_changed(facts, 0)
    assert [a.reviewer for a in facts.approvals] == ["carol"]
    assert approved(facts, DAVE, H1, NOW).state == RunState.APPROVED


@pytest.mark.parametrize("build", [draft, lambda: calculated(draft(), ALICE, H1), approved_run])
def test_approval_happens_only_in_review(build: Callable[[], RunFacts]) -> None:
    with pytest.raises(InvalidTransition):
        approved(build(), actor("jun", REVIEWER, regions=("*",)), H1, NOW)


def test_an_approval_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        approved(in_review(), CAROL, H1, NOW.replace(tzinfo=None))


def test_an_approval_recorded_before_a_recalculation_never_counts() -> None:
    """Facts read back from storage with an old approval left in them (never produced by this module)."""
    facts = msgspec.structs.replace(in_review(), results_hash=H2,
                                    approvals=(Approval(reviewer="carol", results_hash=H1, at=NOW),))
    assert valid_approvers(facts) == set()
    assert approved(facts, DAVE, H2, NOW).state == RunState.IN_REVIEW


# --- finalised ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [ALICE, CAROL, FRANK])
def test_an_approved_run_is_finalised_with_the_approved_results(who: Actor) -> None:
    facts = finalised(approved_run(), who, results_hash(RESULTS))
    assert (facts.state, facts.finalised_hash) == (RunState.FINALISED, H1)


def test_only_payroll_staff_finalise() -> None:
    with pytest.raises(RoleRequired):
        finalised(approved_run(), HANK, H1)


def test_finalising_checks_the_recomputed_results() -> None:
    with pytest.raises(ResultsChangedSinceApproval):
        finalised(approved_run(), ALICE, H2)


@pytest.mark.parametrize("build", [lambda: calculated(draft(), ALICE, H1), in_review,
                                   lambda: approved(in_review(), CAROL, H1, NOW)])
def test_finalising_needs_two_approvals(build: Callable[[], RunFacts]) -> None:
    with pytest.raises(ApprovalsMissing):
        finalised(build(), ALICE, H1)


def test_finalising_a_draft_is_not_a_transition() -> None:
    with pytest.raises(InvalidTransition):
        finalised(draft(), ALICE, H1)


@pytest.mark.parametrize("approvals", [
    (Approval("carol", H1, NOW), Approval("carol", H1, NOW)),
    (Approval("carol", H1, NOW), Approval("alice", H1, NOW)),
    (Approval("carol", H1, NOW), Approval("dave", H2, NOW)),
])
def test_finalising_counts_only_distinct_non_preparer_approvals_of_the_current_results(
        approvals: tuple[Approval, ...]) -> None:
    """Inconsistent facts (an approved state the transitions never produce) still cannot be paid."""
    facts = msgspec.structs.replace(approved_run(), approvals=approvals)
    with pytest.raises(ApprovalsMissing) as caught:
        finalised(facts, ALICE, H1)
    assert caught.value.params == {"required": "2", "approvals": "1"}


def test_finalising_waits_for_exceptions_reopened_after_approval() -> None:
    with pytest.raises(ExceptionsOpen):
        finalised(exceptions_changed(approved_run(), 1), ALICE, H1)


def test_a_finalised_run_never_changes() -> None:
    done = finalised(approved_run(), ALICE, H1)
    attempts: list[Callable[[], RunFacts]] = [
        lambda: calculated(done, ALICE, H2),
        lambda: submitted(done, ALICE),
        lambda: changed(done, FRANK),
        lambda: approved(done, ERIN, H1, NOW),
        lambda: finalised(done, ALICE, H1),
        lambda: cancelled(done, FRANK),
        lambda: exceptions_changed(done, 0),
    ]
    for attempt in attempts:
        with pytest.raises(RunFinalised):
            attempt()


# --- cancelled ----------------------------------------------------------------------------------------

def test_a_cancelled_run_is_closed_for_good() -> None:
    closed = cancelled(approved_run(), FRANK)
    assert (closed.state, closed.approvals) == (RunState.CANCELLED, ())
    for attempt in (lambda: calculated(closed, ALICE, H1), lambda: changed(closed, ALICE),
                    lambda: finalised(closed, ALICE, H1), lambda: exceptions_changed(closed, 0)):
        with pytest.raises(InvalidTransition):
            attempt()


def test_only_a_preparer_or_tenant_admin_cancels() -> None:
    with pytest.raises(RoleRequired):
        cancelled(in_review(), CAROL)


# --- errors and storage --------------------------------------------------------------------------------

def test_every_error_has_a_stable_payroll_code_an_english_title_and_a_template() -> None:
    codes = [e.code for e in PAYROLL_ERRORS]
    assert len(set(codes)) == len(codes) and all(c.startswith("payroll_") for c in codes)
    for error in PAYROLL_ERRORS:
        assert issubclass(error, Forbidden | Conflict)
        assert error.kind in (ErrorKind.FORBIDDEN, ErrorKind.CONFLICT)
        assert error.title and error.template and error.title != DomainError.title
    declared = {name for name, value in vars(wf).items()
                if isinstance(value, type) and issubclass(value, DomainError) and value.__module__ == wf.__name__}
    assert declared == {e.__name__ for e in PAYROLL_ERRORS}


def test_facts_round_trip_through_json_for_storage() -> None:
    facts = approved_run()
    assert msgspec.json.decode(msgspec.json.encode(facts), type=RunFacts) == facts
    stored = msgspec.json.decode(msgspec.json.encode(msgspec.to_builtins(facts)))
    assert msgspec.convert(stored, RunFacts) == facts
    assert msgspec.convert(stored, RunFacts).state is RunState.APPROVED


# --- the state machine ---------------------------------------------------------------------------------

PEOPLE = (
    ALICE,
    actor("alan", PREPARER),
    actor("bob", PREPARER, REVIEWER, regions=("CN-SH",)),  # prepares and reviews
    CAROL,
    actor("carol", PREPARER, REVIEWER, regions=("CN-SH",)),  # the same person, later also made a preparer
    DAVE,
    ERIN,  # the wrong region for CN-SH
    FRANK,
    actor("gina", ADMIN, REVIEWER, regions=("CN-SH", "EU")),
    HANK,  # no payroll role
    actor("ivy", REVIEWER),  # a reviewer with no region
    actor("kim", ADMIN, regions=("*",)),  # assigned every region, but not a reviewer
    actor("jun", REVIEWER, regions=("CN-SH",)),
)
SEEDS = st.integers(min_value=0, max_value=4)
DISRUPTIONS = ("recalculate", "edit", "cancel", "exceptions")


def results_of(seed: int) -> str:
    return results_hash({"payslips": [{"employee": "e1", "net": Decimal(800 + seed)}]})


class PayRunReview(RuleBasedStateMachine):
    """Every call is checked against an independently written oracle (does the rule allow it?), and the
    safety invariants hold after every step.

    Random people rarely carry a run through review, so ``advance`` takes the next step with someone fitting
    (judged by the oracle like every other step), and each example enables only some of the disruptions
    (swarm testing): some sequences reach finalised often, others are edited and recalculated throughout.
    """

    facts: RunFacts

    @initialize(region=st.sampled_from(["CN-SH", "EU"]), disruptions=st.sets(st.sampled_from(DISRUPTIONS)))
    def open_run(self, region: str, disruptions: set[str]) -> None:
        self.facts = draft(region)
        self.disruptions = disruptions
        self.just_voided = False
        self.paid: dict[int, str] = {}
        self.runs = 0

    def attempt(self, allowed: bool, step: Callable[[], RunFacts]) -> RunFacts | None:
        try:
            after = step()
        except PAYROLL_ERRORS as error:
            assert not allowed, f"refused a permitted step: {error.code}"
            return None
        assert allowed, f"permitted a forbidden step, from {self.facts}"
        return after

    @property
    def is_open(self) -> bool:
        return self.facts.state not in (RunState.FINALISED, RunState.CANCELLED)

    @precondition(lambda self: "recalculate" in self.disruptions)
    @rule(who=st.sampled_from(PEOPLE), seed=SEEDS)
    def calculate(self, who: Actor, seed: int) -> None:
        allowed = self.is_open and bool(who.roles & {PREPARER, ADMIN})
        after = self.attempt(allowed, lambda: calculated(self.facts, who, results_of(seed)))
        if after is not None:
            assert (after.state, after.preparer, after.results_hash) == (RunState.CALCULATED, who.subject,
                                                                         results_of(seed))
            self.facts, self.just_voided = after, True

    @rule(who=st.sampled_from(PEOPLE))
    def submit(self, who: Actor) -> None:
        mine = who.subject == self.facts.preparer and PREPARER in who.roles
        allowed = self.facts.state == RunState.CALCULATED and (ADMIN in who.roles or mine)
        after = self.attempt(allowed, lambda: submitted(self.facts, who))
        if after is not None:
            assert after == msgspec.structs.replace(self.facts, state=RunState.IN_REVIEW)
            self.facts, self.just_voided = after, False

    @precondition(lambda self: "edit" in self.disruptions)
    @rule(who=st.sampled_from(PEOPLE))
    def edit(self, who: Actor) -> None:
        after = self.attempt(self.is_open, lambda: changed(self.facts, who))
        if after is not None:
            assert (after.state, after.results_hash) == (RunState.DRAFT, None)
            self.facts, self.just_voided = after, True

    @rule(who=st.sampled_from(PEOPLE), current=st.booleans(), seed=SEEDS, minutes=st.integers(0, 10_000))
    def approve(self, who: Actor, current: bool, seed: int, minutes: int) -> None:
        facts = self.facts
        given = facts.results_hash if current and facts.results_hash else results_of(seed)
        allowed = (facts.state == RunState.IN_REVIEW and REVIEWER in who.roles and who.subject != facts.preparer
                   and bool(who.regions & {facts.entity_region, "*"})
                   and who.subject not in {a.reviewer for a in facts.approvals}
                   and given == facts.results_hash and facts.open_exceptions == 0)
        at = NOW + timedelta(minutes=minutes)
        after = self.attempt(allowed, lambda: approved(facts, who, given, at))
        if after is not None:
            assert after.approvals == (*facts.approvals, Approval(who.subject, given, at))
            distinct = {a.reviewer for a in after.approvals}
            assert after.state == (RunState.APPROVED if len(distinct) >= 2 else RunState.IN_REVIEW)
            self.facts, self.just_voided = after, False

    @rule(who=st.sampled_from(PEOPLE), current=st.booleans(), seed=SEEDS)
    def finalise(self, who: Actor, current: bool, seed: int) -> None:
        facts = self.facts
        given = facts.results_hash if current and facts.results_hash else results_of(seed)
        allowed = (facts.state == RunState.APPROVED and bool(who.roles & {PREPARER, REVIEWER, ADMIN})
                   and given == facts.results_hash and facts.open_exceptions == 0)
        after = self.attempt(allowed, lambda: finalised(facts, who, given))
        if after is not None:
            assert after == msgspec.structs.replace(facts, state=RunState.FINALISED, finalised_hash=given)
            self.paid[self.runs] = given
            event("a run was finalised")
            self.facts, self.just_voided = after, False

    @precondition(lambda self: "cancel" in self.disruptions)
    @rule(who=st.sampled_from(PEOPLE))
    def cancel(self, who: Actor) -> None:
        allowed = self.is_open and bool(who.roles & {PREPARER, ADMIN})
        after = self.attempt(allowed, lambda: cancelled(self.facts, who))
        if after is not None:
            self.facts, self.just_voided = after, True

    @precondition(lambda self: "exceptions" in self.disruptions)
    @rule(count=st.sampled_from([0, 1, 3]))
    def variance_exceptions(self, count: int) -> None:
        after = self.attempt(self.is_open, lambda: exceptions_changed(self.facts, count))
        if after is not None:
            assert after == msgspec.structs.replace(self.facts, open_exceptions=count)
            self.facts = after

    @precondition(lambda self: self.facts.state == RunState.IN_REVIEW)
    @rule(data=st.data())
    def an_insider_approves(self, data: st.DataObject) -> None:
        """The preparer, or someone who approved already, tries to supply an approval of the current results."""
        facts = self.facts
        insiders = [p for p in PEOPLE if p.subject in {facts.preparer, *(a.reviewer for a in facts.approvals)}]
        if insiders:
            self.approve(data.draw(st.sampled_from(insiders), label="who"), True, 0, 0)

    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        facts = self.facts
        done = {a.reviewer for a in facts.approvals}
        fits: dict[RunState, Callable[[Actor], bool]] = {
            RunState.DRAFT: lambda p: bool(p.roles & {PREPARER, ADMIN}),
            RunState.CALCULATED: lambda p: ADMIN in p.roles or p.subject == facts.preparer,
            RunState.IN_REVIEW: lambda p: (REVIEWER in p.roles and p.subject not in {facts.preparer, *done}
                                           and bool(p.regions & {facts.entity_region, "*"})),
            RunState.APPROVED: lambda p: bool(p.roles & {PREPARER, REVIEWER, ADMIN}),
        }
        if facts.state not in fits:
            self.facts, self.just_voided = draft(data.draw(st.sampled_from(["CN-SH", "EU"]))), False
            self.runs += 1
            return
        if facts.open_exceptions:
            self.variance_exceptions(0)
            return
        fitting = [p for p in PEOPLE if fits[facts.state](p)]
        if not fitting:
            return
        who = data.draw(st.sampled_from(fitting), label="who")
        if facts.state == RunState.DRAFT:
            self.calculate(who, data.draw(SEEDS, label="seed"))
        elif facts.state == RunState.CALCULATED:
            self.submit(who)
        elif facts.state == RunState.IN_REVIEW:
            self.approve(who, True, 0, data.draw(st.integers(0, 10_000), label="minutes"))
        else:
            self.finalise(who, True, 0)

    @invariant()
    def a_finalised_run_was_approved_by_two_others_for_exactly_what_was_paid(self) -> None:
        facts = self.facts
        if facts.state == RunState.FINALISED:
            reviewers = {a.reviewer for a in facts.approvals}
            assert len(reviewers) >= 2 and facts.preparer not in reviewers
            assert all(a.results_hash == facts.finalised_hash == facts.results_hash for a in facts.approvals)
            assert self.paid[self.runs] == facts.finalised_hash
        else:
            assert facts.finalised_hash is None

    @invariant()
    def the_preparer_never_approves_and_nobody_approves_twice(self) -> None:
        reviewers = [a.reviewer for a in self.facts.approvals]
        assert self.facts.preparer not in reviewers
        assert len(reviewers) == len(set(reviewers))

    @invariant()
    def an_approved_run_has_two_valid_approvals_of_its_current_results(self) -> None:
        facts = self.facts
        if facts.state == RunState.APPROVED:
            valid = {a.reviewer for a in facts.approvals
                     if a.results_hash == facts.results_hash and a.reviewer != facts.preparer}
            assert len(valid) >= 2
        if facts.state in (RunState.DRAFT, RunState.CALCULATED, RunState.CANCELLED):
            assert facts.approvals == ()

    @invariant()
    def a_change_or_recalculation_leaves_no_approvals(self) -> None:
        if self.just_voided:
            assert self.facts.approvals == ()


PayRunReview.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
test_pay_run_review = PayRunReview.TestCase


@given(st.lists(st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none(),
                                   st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3)),
                         max_size=4), max_size=6))
def test_hashing_item_by_item_gives_the_results_hash_of_the_whole(results: list[Any]) -> None:
    hasher = ResultsHasher()
    for item in results:
        hasher.add(item)
    assert hasher.hexdigest() == results_hash(results)
