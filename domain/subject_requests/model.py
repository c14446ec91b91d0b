"""Data-subject requests: what a person (a candidate or an employee) may ask of the organisation about the personal
data it holds on them, when it is due, and how a reviewer decides it. Pure: no database here."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from compliance.parameters import Citation, Verification
from compliance.subject_requests import Basis, Unit
from domain.employees.model import EmploymentChange
from domain.kernel.errors import Conflict, DomainError, ErrorKind, InvalidInput, NotFound, UnknownReference
from domain.recruitment.model import CandidatePatch

CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", examples=["DE"])]
Reason = Annotated[str, msgspec.Meta(min_length=10, max_length=1000,
                                     examples=["The records are needed to defend a pending legal claim."])]


class RequestKind(StrEnum):
    """What the person asks for: `access` (a copy of everything held on them, GDPR Art. 15, PIPL Art. 45),
    `portability` (the same, machine-readable, Art. 20), `rectification` (a correction, Art. 16), `erasure`
    (Art. 17, PIPL Art. 47) or `restriction` (processing stops, Art. 18)."""

    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"


EXPORTING = frozenset({RequestKind.ACCESS, RequestKind.PORTABILITY})


class PersonKind(StrEnum):
    """Whom a data-subject request is about: a `candidate` or an `employee`."""

    CANDIDATE = "candidate"
    EMPLOYEE = "employee"


class RequestStatus(StrEnum):
    """`open` (received, no reviewer yet), `in_review` (a reviewer is assigned), `completed` (approved and carried
    out: the export is ready, the correction made, the person erased or restricted), `refused` (with a reason) or
    `lifted` (a completed restriction a reviewer lifted later: the person's data is processed again)."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    COMPLETED = "completed"
    REFUSED = "refused"
    LIFTED = "lifted"


DECIDED = frozenset({RequestStatus.COMPLETED, RequestStatus.REFUSED, RequestStatus.LIFTED})


class Rectification(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The correction asked for, made through the existing change paths when the request is approved: for an
    employee, an effective-dated employment change (`employment`, as `changeEmployment` takes it); for a
    candidate, a change as `updateCandidate` takes it (`candidate`)."""

    employment: EmploymentChange | None = None
    candidate: CandidatePatch | None = None


class NewSubjectRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A request received for a person: its `kind`, the person (`person_kind` and `person_id`), the day it was
    received (`received_on`, today in the organisation's zone if not given) and the person's country, whose law
    sets the due date (`country`; if not given, the country of the employee's current employment, or of the
    candidate's national id, else of the legal entity of their latest application). A `rectification` names the
    correction."""

    kind: RequestKind
    person_kind: PersonKind
    person_id: UUID
    country: CountryCode | None = None
    received_on: date | None = None
    rectification: Rectification | None = None


class NewOwnSubjectRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A request a person opens for themselves through their portal: its `kind` and, for a rectification, the
    correction they ask for. The person is the one the token names."""

    kind: RequestKind
    rectification: Rectification | None = None


class DecisionAction(StrEnum):
    """`assign` a reviewer (the request goes `in_review`), `approve` (carry the request out and complete it),
    `refuse` it with a reason, or `lift` a completed restriction with a reason (the request goes `lifted`)."""

    ASSIGN = "assign"
    APPROVE = "approve"
    REFUSE = "refuse"
    LIFT = "lift"


class Decision(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A step of the review (If-Match): `assign` names the `reviewer` (a user's subject; yourself if not given);
    `approve` carries the request out; `refuse` gives the `reason` the person is told; `lift` ends a completed
    restriction, with the `reason` (results parked meanwhile can then be released by a person)."""

    action: DecisionAction
    reviewer: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    reason: Reason | None = None


class DueView(msgspec.Struct, frozen=True, kw_only=True):
    """Why the request is due when it is: the period and its unit, what it rests on (`statutory`, `practice` or
    `product_default`), the law data's version, how well it is known, and its citation."""

    period: int
    unit: Unit
    basis: Basis
    law_version: str
    verification: Verification
    citation: Citation


class SubjectRequestView(msgspec.Struct, frozen=True, kw_only=True):
    """A data-subject request: what is asked, for whom, when it was received and is due (and why), its status, who
    opened it (and whether through the person's own portal), the reviewer, and the decision: who decided when, a
    refusal's reason, and what approving did (`outcome`: the change a rectification made, an erasure's counts, an
    export's contents; never a personal value)."""

    id: UUID
    kind: RequestKind
    person_kind: PersonKind
    person_id: UUID
    country: str
    received_on: date
    due_on: date
    due: DueView
    status: RequestStatus
    opened_by: str
    self_service: bool
    reviewer: str | None
    decided_by: str | None
    decided_at: datetime | None
    refusal_reason: str | None
    rectification: Rectification | None
    outcome: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime


class RequestFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: RequestStatus | None = None
    kind: RequestKind | None = None
    due_before: date | None = None


class SubjectRequestNotFound(NotFound):
    code = "data_subject_request_not_found"
    title = "Not found"
    template = "This data-subject request does not exist."


class PersonNotFound(NotFound):
    code = "data_subject_not_found"
    title = "Not found"
    template = "No such candidate or employee exists."


class RectificationMissing(InvalidInput):
    code = "rectification_missing"
    title = "Correction missing"
    template = "A rectification request names the correction: employment for an employee, candidate for a candidate."


class RectificationNotTaken(InvalidInput):
    code = "rectification_not_taken"
    title = "Correction not taken"
    template = "Only a rectification request names a correction."


class RequestAlreadyDecided(Conflict):
    code = "data_subject_request_decided"
    title = "Request already decided"
    template = "This data-subject request was already {status}; it cannot change any more."


class RestrictionNotInForce(Conflict):
    code = "data_subject_restriction_not_in_force"
    title = "No restriction in force"
    template = ("Only a completed restriction request can be lifted; this request is a {kind} request and is "
                "{status}.")


class LiftReasonMissing(InvalidInput):
    code = "lift_reason_missing"
    title = "Reason missing"
    template = "Lifting a restriction gives the reason the person will be told (10 to 1000 characters)."


class RefusalReasonMissing(InvalidInput):
    code = "refusal_reason_missing"
    title = "Reason missing"
    template = "A refusal gives the reason the person will be told (10 to 1000 characters)."


class ReviewerUnknown(InvalidInput):
    code = "reviewer_unknown"
    title = "Unknown reviewer"
    template = "The reviewer must be a user of this organisation who may decide data-subject requests."


class ExportNotReady(DomainError):
    code = "data_subject_export_not_ready"
    kind = ErrorKind.CONFLICT
    title = "Export not ready"
    template = "Only an approved access or portability request has an export."


class PersonUnderLegalHold(Conflict):
    """GDPR Art. 17(3)(e): data needed for legal claims is kept; a hold placed for them stops the erasure."""

    code = "data_subject_under_legal_hold"
    title = "Under legal hold"
    template = ("A legal hold covers this person, so they cannot be erased now. Refuse the request with the "
                "reason, or approve it again once the hold is released.")


class RectificationManagerUnknown(UnknownReference):
    code = "rectification_manager_not_found"
    template = "There is no employee with this id to be the manager."


class ReceivedOnOutOfRange(InvalidInput):
    code = "data_subject_received_on_out_of_range"
    title = "Received date out of range"
    template = "A request is received on a day from {earliest} up to today, not {received_on}."


class CountryUnknown(InvalidInput):
    code = "data_subject_country_unknown"
    title = "Country unknown"
    template = "The person's country could not be worked out; name it in country."


SUBJECT_REQUEST_ERRORS = (SubjectRequestNotFound, PersonNotFound, RectificationMissing, RectificationNotTaken,
                          RequestAlreadyDecided, RefusalReasonMissing, ReviewerUnknown, ExportNotReady,
                          CountryUnknown, PersonUnderLegalHold, RectificationManagerUnknown, ReceivedOnOutOfRange)
