from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class RetentionOverride(Table, tablename="retention_overrides"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    country = Varchar(length=2)
    data_class = Varchar(length=32)
    trigger_event = Varchar(length=32)
    #: null: the tenant went back to the default of its country's law data
    period_months = Integer(null=True, default=None)
    reason = Text()
    set_by = Varchar(length=200)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class LegalHold(Table, tablename="legal_holds"):
    """A hold on a person or a case: the purge skips what it covers until it is released (never deleted)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    kind = Varchar(length=16)
    case_reference = Varchar(length=200, null=True, default=None)
    reason = Text()
    created_by = Varchar(length=200)
    created_at = Timestamptz()
    released_at = Timestamptz(null=True, default=None)
    released_by = Varchar(length=200, null=True, default=None)
    release_reason = Text(null=True, default=None)
    version = Integer()


class LegalHoldSubject(Table, tablename="legal_hold_subjects"):
    """One candidate, employee or application a hold covers; ``active`` until the hold is released."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    hold_id = UUID()
    subject_kind = Varchar(length=16)
    subject_id = UUID()
    active = Boolean()


class PrivacyPurge(Table, tablename="privacy_purges"):
    """One run of the retention purge for a tenant, with its counts (JSON) and where its audit record sits."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    trigger_kind = Varchar(length=16)
    scheduled_for = Date(null=True, default=None)
    requested_by = Varchar(length=200)
    status = Varchar(length=16)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    counts = Text()
    audit_seq = BigInt(null=True, default=None)
    audit_hash = Varchar(length=64, null=True, default=None)


class PurgedSubject(Table, tablename="purged_subjects"):
    """A person whose data of one class was erased in place by a purge (ids only)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    purge_id = UUID()
    subject_kind = Varchar(length=16)
    subject_id = UUID()
    data_class = Varchar(length=32)
    purged_at = Timestamptz()
