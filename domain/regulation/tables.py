from __future__ import annotations

from piccolo.columns import UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class LawVersion(Table, tablename="law_versions"):
    """A tenant's own version of a pack series. ``data`` is the version as a data file would hold it."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    country = Varchar(length=2)
    series = Varchar(length=64)
    region = Varchar(length=16, null=True, default=None)
    version = Varchar(length=100)
    effective_from = Date()
    effective_to = Date(null=True, default=None)
    data = Text()
    verification = Varchar(length=16)
    status = Varchar(length=16)
    proposed_by = Varchar(length=200)
    proposed_at = Timestamptz()
    decided_by = Varchar(length=200, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(null=True, default=None)
    document_id = UUID(null=True, default=None)
    document_type = Varchar(length=64, null=True, default=None)
    version_number = Integer()


class LawChoice(Table, tablename="law_choices"):
    """A payroll admin's written choice for a series: carry it forward provisionally, or accept it unverified."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    country = Varchar(length=2)
    series = Varchar(length=64)
    kind = Varchar(length=32)
    reason = Text()
    chosen_by = Varchar(length=200)
    chosen_at = Timestamptz()
