from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class DataSubjectRequest(Table, tablename="data_subject_requests"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    kind = Varchar(length=16)
    person_kind = Varchar(length=16)
    person_id = UUID()
    country = Varchar(length=2)
    received_on = Date()
    due_on = Date()
    due_basis = Varchar(length=16)
    law_version = Varchar(length=64)
    status = Varchar(length=16)
    opened_by = Varchar(length=200)
    self_service = Boolean()
    #: JSON: what the person asks (a rectification's corrected fields)
    details = Text()
    reviewer = Varchar(length=200, null=True, default=None)
    decided_by = Varchar(length=200, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    refusal_reason = Text(null=True, default=None)
    #: JSON: what the decision did (the change a rectification made, an erasure's outcome), no personal value
    outcome = Text(null=True, default=None)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()
