from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Employee(Table, tablename="employees"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    candidate_id = UUID(null=True, default=None)
    application_id = UUID(null=True, default=None)
    full_name = Varchar(length=200)
    employee_number = Varchar(length=40, null=True, default=None)
    department = Varchar(length=200, null=True, default=None)
    email_ciphertext = Text(null=True, default=None)
    phone_ciphertext = Text(null=True, default=None)
    national_id_ciphertext = Text(null=True, default=None)
    national_id_country = Varchar(length=2, null=True, default=None)
    birth_date_ciphertext = Text(null=True, default=None)
    timezone = Varchar(length=64)
    locale = Varchar(length=16)
    left_on = Date(null=True, default=None)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Employment(Table, tablename="employments"):
    """One version of an employee's contract, in force from ``effective_from`` until the next one."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    effective_from = Date()
    legal_entity_id = UUID()
    country = Varchar(length=2)
    region = Varchar(length=16, null=True, default=None)
    position = Varchar(length=200)
    pay_minor = BigInt()
    currency = Varchar(length=3)
    pay_unit = Varchar(length=8)
    weekly_hours = Varchar(length=10)
    probation_months = Integer()
    fixed_term_months = Integer(null=True, default=None)
    manager_id = UUID(null=True, default=None)
    evaluation_id = UUID(null=True, default=None)
    model_id = UUID(null=True, default=None)
    model_version = Integer(null=True, default=None)
    reason = Varchar(length=500)
    recorded_by = Varchar(length=200)
    recorded_at = Timestamptz()


class TaxAttributes(Table, tablename="tax_attributes"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    country = Varchar(length=2)
    effective_from = Date()
    attributes = Text()
    recorded_by = Varchar(length=200)
    recorded_at = Timestamptz()


class BankAccountChange(Table, tablename="bank_account_changes"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    account_ciphertext = Text()
    masked = Varchar(length=64)
    status = Varchar(length=16)
    requested_by = Varchar(length=200)
    requested_at = Timestamptz()
    decided_by = Varchar(length=200, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class OnboardingRuleRecord(Table, tablename="onboarding_rules"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    definition = Text()
    active = Boolean()
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class StandardItemRecord(Table, tablename="onboarding_standard_items"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    legal_entity_id = UUID()
    definition = Text()
    created_at = Timestamptz()


class OnboardingItem(Table, tablename="onboarding_items"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    plan_item = Text()
    due_date = Date()
    status = Varchar(length=16)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TrainingModule(Table, tablename="training_modules"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    code = Varchar(length=64)
    title = Text()
    created_at = Timestamptz()


class TrainingRecord(Table, tablename="training_records"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    module_id = UUID()
    status = Varchar(length=16)
    completed_on = Date(null=True, default=None)
    created_at = Timestamptz()


class PerformanceReview(Table, tablename="performance_reviews"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    employee_id = UUID()
    period = Varchar(length=20)
    model_id = UUID(null=True, default=None)
    model_version = Integer(null=True, default=None)
    ratings = Text()
    overall = Varchar(length=10)
    reviewer = Varchar(length=200)
    created_at = Timestamptz()
