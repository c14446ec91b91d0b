from __future__ import annotations

from piccolo.columns import UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class PipelineStage(Table, tablename="pipeline_stages"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    code = Varchar(length=50)
    names = Text()
    position = Integer()
    outcome = Varchar(length=16, null=True, default=None)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Job(Table, tablename="jobs"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    legal_entity_id = UUID()
    title = Text()
    description = Text()
    status = Varchar(length=16)
    location = Varchar(length=200)
    hiring_team = Text()
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CompetencyModel(Table, tablename="competency_models"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    job_id = UUID()
    name = Varchar(length=200)
    created_at = Timestamptz()


class CompetencyModelVersion(Table, tablename="competency_model_versions"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    model_id = UUID()
    number = Integer()
    effective_from = Date()
    competencies = Text()
    overall_pass_threshold = Varchar(length=20)
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class Candidate(Table, tablename="candidates"):
    """Personal data is stored only sealed (``*_ciphertext``) and blind-indexed (``*_index``)."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    full_name = Varchar(length=200)
    email_ciphertext = Text(null=True, default=None)
    email_index = Varchar(length=64, null=True, default=None)
    phone_ciphertext = Text(null=True, default=None)
    phone_index = Varchar(length=64, null=True, default=None)
    national_id_ciphertext = Text(null=True, default=None)
    national_id_index = Varchar(length=64, null=True, default=None)
    national_id_country = Varchar(length=2, null=True, default=None)
    birth_date_ciphertext = Text(null=True, default=None)
    timezone = Varchar(length=64)
    locale = Varchar(length=16)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    #: email, sms or none; null for the default (email when the candidate has an address)
    notification_channel = Varchar(length=8, null=True, default=None)


class Consent(Table, tablename="consents"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    candidate_id = UUID()
    purpose = Varchar(length=50)
    given_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
    evidence = Varchar(length=500)
    created_at = Timestamptz()


class Application(Table, tablename="applications"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    candidate_id = UUID()
    job_id = UUID()
    stage = Varchar(length=50)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class StageChange(Table, tablename="application_stage_history"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    application_id = UUID()
    from_stage = Varchar(length=50, null=True, default=None)
    to_stage = Varchar(length=50)
    moved_by = Varchar(length=200)
    reason = Varchar(length=1000)
    moved_at = Timestamptz()

