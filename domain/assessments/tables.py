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
