from __future__ import annotations

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Vendor(Table, tablename="vendors"):
    """An interview-AI vendor. Its HMAC secrets are sealed: the service needs them in clear to verify."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    name = Varchar(length=200)
    secret_ciphertext = Text()
    previous_secret_ciphertext = Text(null=True, default=None)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class VendorSignature(Table, tablename="vendor_signatures"):
    """Signatures already accepted: the same signed delivery twice is a replay."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    vendor_id = UUID()
    signature = Varchar(length=64)
    signed_at = Timestamptz()


class ExternalReference(Table, tablename="external_references"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    vendor_id = UUID()
    kind = Varchar(length=16)
    reference = Varchar(length=200)
    application_id = UUID(null=True, default=None)
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class InterviewResult(Table, tablename="interview_results"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    vendor_id = UUID()
    vendor_result_id = Varchar(length=200)
    status = Varchar(length=16)
    application_id = UUID(null=True, default=None)
    candidate_reference = Varchar(length=200, null=True, default=None)
    application_reference = Varchar(length=200, null=True, default=None)
    payload_ciphertext = Text()
    completed_at = Timestamptz()
    received_at = Timestamptz()
    parked_reason = Varchar(length=32, null=True, default=None)


class EvaluationRecord(Table, tablename="evaluations"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    result_id = UUID()
    application_id = UUID()
    model_id = UUID()
    model_version = Integer()
    overall = Varchar(length=20, null=True, default=None)
    passed = Boolean()
    detail = Text()
    reason = Varchar(length=200)
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class DeliveryRefusal(Table, tablename="delivery_refusals"):
    """The security log of refused deliveries: one row per vendor, reason and hour, counting them. It replaces an
    audit entry per refusal, which let anyone holding a tenant and vendor id grow the tenant's audit chain."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    vendor_id = UUID()
    reason = Varchar(length=64)
    window_start = Timestamptz()
    refused = Integer()
    throttled = Integer()
    first_at = Timestamptz()
    last_at = Timestamptz()


class DeliveryRefusalSample(Table, tablename="delivery_refusal_samples"):
    """One of the first few refusals of a window: when, from where, and the body's size and hash, never the body."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    refusal_id = UUID()
    received_at = Timestamptz()
    source_ip = Varchar(length=45, null=True, default=None)
    body_bytes = Integer()
    body_sha256 = Varchar(length=16)


class HumanEvaluation(Table, tablename="human_evaluations"):
    """A person's score (0-100) for one competency of an application: the evaluation path that needs no AI result."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    application_id = UUID()
    competency_code = Varchar(length=64)
    score = Varchar(length=20)
    evidence_kind = Varchar(length=32)
    evaluated_by = Varchar(length=200)
    created_at = Timestamptz()


class DecisionRecord(Table, tablename="decision_records"):
    """A person's decision on an automated output, recorded before that output changes anything: who reviewed it,
    when, which output it was (``automated_output``) and a snapshot of it (``based_on``, JSON, no personal values)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    subject_type = Varchar(length=32)
    subject_id = UUID()
    automated_output = Varchar(length=32)
    based_on = Text()
    decision = Varchar(length=32)
    reason = Text()
    reviewed_by = Varchar(length=200)
    reviewed_at = Timestamptz()
