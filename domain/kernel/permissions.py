"""The authorisation matrix: which role may perform which operation. The single source of truth.

Every HTTP route names one :class:`Operation` (or is declared public), and a test runs every
route against this matrix for every role. Partner clients are further limited by the scopes in
their token: a scoped token may only perform the operations its scopes name.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache


class Role(StrEnum):
    """A role a user holds in a tenant; it decides the operations they may perform. `platform_operator` runs the shared
    service (its tenants), not a tenant's business; `auditor` reads and never writes, and sees personal data masked;
    `employee` reads their own finalised payslips and `candidate` their own applications; the others are the staff roles
    their names say."""

    PLATFORM_OPERATOR = "platform_operator"
    TENANT_ADMIN = "tenant_admin"
    HR_ADMIN = "hr_admin"
    RECRUITER = "recruiter"
    INTERVIEWER = "interviewer"
    HIRING_MANAGER = "hiring_manager"
    PAYROLL_PREPARER = "payroll_preparer"
    PAYROLL_REVIEWER = "payroll_reviewer"
    AUDITOR = "auditor"
    EMPLOYEE = "employee"
    CANDIDATE = "candidate"


class Operation(StrEnum):
    """A permission, named `resource:action`: every API operation requires one, a role grants a fixed set of them, and a
    token with scopes may perform only the operations its scopes also name."""

    ME_READ = "me:read"
    TENANT_READ = "tenant:read"
    TENANT_UPDATE = "tenant:update"
    LEGAL_ENTITIES_READ = "legal_entities:read"
    LEGAL_ENTITIES_WRITE = "legal_entities:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    AUDIT_READ = "audit:read"
    PLATFORM_TENANTS_READ = "platform.tenants:read"
    PLATFORM_TENANTS_WRITE = "platform.tenants:write"
    COMPLIANCE_READ = "compliance:read"
    COMPLIANCE_CALCULATE = "compliance:calculate"
    COMPLIANCE_CHECK_CONTRACT = "compliance:check_contract"
    PIPELINE_READ = "pipeline:read"
    PIPELINE_WRITE = "pipeline:write"
    JOBS_READ = "jobs:read"
    JOBS_WRITE = "jobs:write"
    COMPETENCY_MODELS_READ = "competency_models:read"
    COMPETENCY_MODELS_WRITE = "competency_models:write"
    CANDIDATES_READ = "candidates:read"
    CANDIDATES_WRITE = "candidates:write"
    #: Read national ids, phone numbers, emails and birth dates unmasked. Every such read is audited.
    PII_READ = "pii:read"
    APPLICATIONS_READ = "applications:read"
    APPLICATIONS_WRITE = "applications:write"
    INTERVIEWS_READ = "interviews:read"
    INTERVIEWS_WRITE = "interviews:write"
    INTERVIEW_FEEDBACK_WRITE = "interview_feedback:write"
    #: A candidate's own applications, stages and interview times, through a candidate token.
    CANDIDATE_PORTAL_READ = "candidate_portal:read"
    EMPLOYEES_READ = "employees:read"
    #: Hire, change employment. Contract overrides additionally need the tenant admin role.
    EMPLOYEES_WRITE = "employees:write"
    ONBOARDING_WRITE = "onboarding:write"
    TAX_ATTRIBUTES_WRITE = "tax_attributes:write"
    REVIEWS_WRITE = "reviews:write"
    TRAINING_WRITE = "training:write"
    #: The feedback loop and attrition risk: HR roles only.
    ANALYTICS_READ = "analytics:read"
    FEEDBACK_LOOP_ACCEPT = "feedback_loop:accept"
    #: Request or confirm a bank account change; the confirmer must be another person.
    BANK_ACCOUNTS_WRITE = "bank_accounts:write"
    PAYROLL_READ = "payroll:read"
    PAYROLL_PREPARE = "payroll:prepare"
    #: Approve pay runs and acknowledge their variance exceptions; the domain adds the two-person rule.
    PAYROLL_REVIEW = "payroll:review"
    PAYROLL_FINALISE = "payroll:finalise"
    #: Tenant settings of payroll, and its written choices about the law it runs on (carry forward, accept).
    PAYROLL_ADMIN = "payroll:admin"
    #: Propose the tenant's own version of a statutory series; another person approves it.
    LAW_VERSIONS_WRITE = "law_versions:write"
    LAW_VERSIONS_APPROVE = "law_versions:approve"
    #: An employee's own finalised payslips, through an employee token.
    OWN_PAYSLIPS_READ = "own_payslips:read"
    RECORDINGS_READ = "recordings:read"
    RECORDINGS_WRITE = "recordings:write"
    VENDORS_READ = "vendors:read"
    VENDORS_WRITE = "vendors:write"
    RESULTS_READ = "results:read"
    RESULTS_WRITE = "results:write"
    #: The security log of a vendor's refused deliveries (counts, times, source addresses): tenant admins only.
    DELIVERY_REFUSALS_READ = "delivery_refusals:read"
    #: A short-lived link a browser opens a report with (no bearer header); the report's own permission is checked
    #: when the link is issued and again when it is opened.
    REPORT_LINKS_CREATE = "report_links:create"
    #: How long each kind of personal data is kept per country, and the tenant's own periods within the law.
    RETENTION_POLICIES_READ = "retention_policies:read"
    RETENTION_POLICIES_WRITE = "retention_policies:write"
    #: The tenant's OpenID Connect provider, through which people sign in to partner apps (its secret never shown).
    IDENTITY_PROVIDER_READ = "identity_provider:read"
    IDENTITY_PROVIDER_WRITE = "identity_provider:write"
    #: The retention purge's runs and certificates; legal holds that stop it (read, place and release).
    PRIVACY_PURGES_READ = "privacy_purges:read"
    LEGAL_HOLDS_READ = "legal_holds:read"
    LEGAL_HOLDS_WRITE = "legal_holds:write"
    #: Data-subject requests (access, portability, rectification, erasure, restriction) of candidates and employees:
    #: read them, open one for a person, and decide (assign a reviewer, approve and carry out, refuse; download an
    #: approved export, which holds the person's data in clear).
    DATA_SUBJECT_REQUESTS_READ = "data_subject_requests:read"
    DATA_SUBJECT_REQUESTS_WRITE = "data_subject_requests:write"
    DATA_SUBJECT_REQUESTS_DECIDE = "data_subject_requests:decide"
    #: A candidate's or employee's own data-subject requests, through their portal token.
    OWN_DATA_SUBJECT_REQUESTS_READ = "own_data_subject_requests:read"
    OWN_DATA_SUBJECT_REQUESTS_WRITE = "own_data_subject_requests:write"
    #: The tenant's webhook endpoints: subscribe, change, rotate secrets, read the delivery log, redeliver, ping.
    WEBHOOKS_MANAGE = "webhooks:manage"
    #: The tenant's OAuth clients (partner integrations): their grants, scopes, roles, redirect URIs and secrets.
    API_CLIENTS_READ = "api_clients:read"
    API_CLIENTS_WRITE = "api_clients:write"
    #: Send a bulk import (CSV or JSON Lines) and read its progress and row outcomes; each row is then checked
    #: against the permission its kind needs one by one (employees:write, candidates:write, payroll:prepare for pay
    #: inputs).
    IMPORTS_READ = "imports:read"
    IMPORTS_WRITE = "imports:write"


R = Role
_EVERY_TENANT_ROLE = frozenset(Role) - {R.PLATFORM_OPERATOR}
_STAFF = _EVERY_TENANT_ROLE - {R.CANDIDATE, R.EMPLOYEE}
_RECRUITING = frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.HIRING_MANAGER, R.INTERVIEWER})
_PAYROLL = frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.PAYROLL_PREPARER, R.PAYROLL_REVIEWER, R.AUDITOR})

MATRIX: dict[Operation, frozenset[Role]] = {
    Operation.ME_READ: frozenset(Role),
    Operation.TENANT_READ: _STAFF,
    Operation.TENANT_UPDATE: frozenset({R.TENANT_ADMIN}),
    Operation.LEGAL_ENTITIES_READ: _STAFF,
    Operation.LEGAL_ENTITIES_WRITE: frozenset({R.TENANT_ADMIN}),
    Operation.USERS_READ: frozenset({R.TENANT_ADMIN, R.AUDITOR}),
    Operation.USERS_WRITE: frozenset({R.TENANT_ADMIN}),
    Operation.AUDIT_READ: frozenset({R.TENANT_ADMIN, R.AUDITOR}),
    Operation.PLATFORM_TENANTS_READ: frozenset({R.PLATFORM_OPERATOR}),
    Operation.PLATFORM_TENANTS_WRITE: frozenset({R.PLATFORM_OPERATOR}),
    Operation.COMPLIANCE_READ: _STAFF,
    Operation.COMPLIANCE_CALCULATE: _PAYROLL,
    Operation.COMPLIANCE_CHECK_CONTRACT: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.HIRING_MANAGER}),
    Operation.PIPELINE_READ: _RECRUITING | {R.AUDITOR},
    Operation.PIPELINE_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.JOBS_READ: _RECRUITING | {R.AUDITOR},
    Operation.JOBS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.COMPETENCY_MODELS_READ: _RECRUITING | {R.AUDITOR},
    Operation.COMPETENCY_MODELS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.CANDIDATES_READ: _RECRUITING | {R.AUDITOR},
    Operation.CANDIDATES_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.PII_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.APPLICATIONS_READ: _RECRUITING | {R.AUDITOR},
    Operation.APPLICATIONS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.HIRING_MANAGER}),
    Operation.INTERVIEWS_READ: _RECRUITING | {R.AUDITOR},
    Operation.INTERVIEWS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.INTERVIEW_FEEDBACK_WRITE: frozenset({R.INTERVIEWER, R.HIRING_MANAGER, R.RECRUITER, R.HR_ADMIN}),
    Operation.CANDIDATE_PORTAL_READ: frozenset({R.CANDIDATE}),
    Operation.EMPLOYEES_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.HIRING_MANAGER, R.PAYROLL_PREPARER,
                                         R.PAYROLL_REVIEWER, R.AUDITOR}),
    Operation.EMPLOYEES_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.ONBOARDING_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.REVIEWS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.HIRING_MANAGER}),
    Operation.TRAINING_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.ANALYTICS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.FEEDBACK_LOOP_ACCEPT: frozenset({R.TENANT_ADMIN}),
    Operation.TAX_ATTRIBUTES_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.PAYROLL_PREPARER}),
    Operation.BANK_ACCOUNTS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.PAYROLL_PREPARER, R.PAYROLL_REVIEWER}),
    Operation.PAYROLL_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.PAYROLL_PREPARER, R.PAYROLL_REVIEWER,
                                       R.AUDITOR}),
    Operation.PAYROLL_PREPARE: frozenset({R.TENANT_ADMIN, R.PAYROLL_PREPARER}),
    Operation.PAYROLL_REVIEW: frozenset({R.PAYROLL_REVIEWER}),
    Operation.PAYROLL_FINALISE: frozenset({R.TENANT_ADMIN, R.PAYROLL_PREPARER, R.PAYROLL_REVIEWER}),
    Operation.PAYROLL_ADMIN: frozenset({R.TENANT_ADMIN}),
    Operation.LAW_VERSIONS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.PAYROLL_PREPARER, R.PAYROLL_REVIEWER}),
    Operation.LAW_VERSIONS_APPROVE: frozenset({R.TENANT_ADMIN, R.PAYROLL_REVIEWER}),
    Operation.OWN_PAYSLIPS_READ: frozenset({R.EMPLOYEE}),
    #: Downloading a recording is audited; auditors see that it happened, not the recording.
    Operation.RECORDINGS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.HIRING_MANAGER, R.INTERVIEWER}),
    Operation.RECORDINGS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.VENDORS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.AUDITOR}),
    Operation.VENDORS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.RESULTS_READ: _RECRUITING | {R.AUDITOR},
    #: Map parked results to applications and recompute evaluations against a newer model: explicit, audited.
    Operation.RESULTS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER}),
    Operation.DELIVERY_REFUSALS_READ: frozenset({R.TENANT_ADMIN}),
    Operation.REPORT_LINKS_CREATE: _STAFF | {R.EMPLOYEE, R.CANDIDATE},
    Operation.RETENTION_POLICIES_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.AUDITOR}),
    Operation.RETENTION_POLICIES_WRITE: frozenset({R.TENANT_ADMIN}),
    Operation.IDENTITY_PROVIDER_READ: frozenset({R.TENANT_ADMIN, R.AUDITOR}),
    Operation.IDENTITY_PROVIDER_WRITE: frozenset({R.TENANT_ADMIN}),
    Operation.PRIVACY_PURGES_READ: frozenset({R.TENANT_ADMIN, R.AUDITOR}),
    Operation.LEGAL_HOLDS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.AUDITOR}),
    Operation.LEGAL_HOLDS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.DATA_SUBJECT_REQUESTS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.AUDITOR}),
    Operation.DATA_SUBJECT_REQUESTS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.DATA_SUBJECT_REQUESTS_DECIDE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN}),
    Operation.OWN_DATA_SUBJECT_REQUESTS_READ: frozenset({R.EMPLOYEE, R.CANDIDATE}),
    Operation.OWN_DATA_SUBJECT_REQUESTS_WRITE: frozenset({R.EMPLOYEE, R.CANDIDATE}),
    Operation.WEBHOOKS_MANAGE: frozenset({R.TENANT_ADMIN}),
    Operation.IMPORTS_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.PAYROLL_PREPARER, R.AUDITOR}),
    Operation.IMPORTS_WRITE: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.RECRUITER, R.PAYROLL_PREPARER}),
    Operation.API_CLIENTS_READ: frozenset({R.TENANT_ADMIN, R.AUDITOR}),
    Operation.API_CLIENTS_WRITE: frozenset({R.TENANT_ADMIN}),
}

#: Operations that change state. An auditor holds none of them.
WRITES = frozenset(op for op in Operation if op.value.endswith((":write", ":update")))
#: Operations that reveal personal data in clear. An auditor reads masked values only.
SENSITIVE_READS = frozenset({Operation.PII_READ})


Op = Operation

#: The OAuth scope catalogue: what a partner client may be granted, each scope naming the operations it opens. A
#: token's scopes only ever narrow what its subject's roles allow (:func:`allowed` checks both). Every scope also
#: lets the token read ``/v1/me``. A scope named like an operation (``jobs:read``) also still grants that one
#: operation, which is how scopes were written before the catalogue.
SCOPES: dict[str, frozenset[Operation]] = {
    "organisation:read": frozenset({Op.TENANT_READ, Op.LEGAL_ENTITIES_READ, Op.COMPLIANCE_READ}),
    "recruitment:read": frozenset({Op.PIPELINE_READ, Op.JOBS_READ, Op.COMPETENCY_MODELS_READ, Op.APPLICATIONS_READ,
                                   Op.INTERVIEWS_READ, Op.RESULTS_READ}),
    "recruitment:write": frozenset({Op.PIPELINE_WRITE, Op.JOBS_WRITE, Op.COMPETENCY_MODELS_WRITE, Op.APPLICATIONS_WRITE,
                                    Op.INTERVIEWS_WRITE, Op.INTERVIEW_FEEDBACK_WRITE, Op.RESULTS_WRITE}),
    "candidates:read": frozenset({Op.CANDIDATES_READ}),
    "candidates:write": frozenset({Op.CANDIDATES_WRITE}),
    "personal_data:read": frozenset({Op.PII_READ}),
    "assessments:write": frozenset({Op.VENDORS_READ, Op.VENDORS_WRITE, Op.RESULTS_READ, Op.RESULTS_WRITE}),
    "employees:read": frozenset({Op.EMPLOYEES_READ}),
    "employees:write": frozenset({Op.EMPLOYEES_WRITE, Op.ONBOARDING_WRITE, Op.TAX_ATTRIBUTES_WRITE, Op.REVIEWS_WRITE,
                                  Op.TRAINING_WRITE}),
    "payroll:read": frozenset({Op.PAYROLL_READ}),
    "payroll:write": frozenset({Op.PAYROLL_PREPARE}),
    "payslips:read:self": frozenset({Op.OWN_PAYSLIPS_READ}),
    "applications:read:self": frozenset({Op.CANDIDATE_PORTAL_READ}),
    "audit:read": frozenset({Op.AUDIT_READ}),
    "imports:write": frozenset({Op.IMPORTS_WRITE, Op.IMPORTS_READ}),
    "webhooks:manage": frozenset({Op.WEBHOOKS_MANAGE}),
}

#: What each scope lets a partner do, in the reader's language (``GET /v1/api-clients/scopes``).
SCOPE_MESSAGES: dict[str, str] = {
    "organisation:read": "Read the organisation: the tenant, its legal entities and the law data it works under.",
    "recruitment:read": "Read jobs, pipelines, applications, interviews and assessment results.",
    "recruitment:write": "Create and change jobs, pipelines, applications, interviews and their feedback.",
    "candidates:read": "Read candidates, with personal data masked.",
    "candidates:write": "Create and change candidates.",
    "personal_data:read": "Read personal data unmasked (every such read is audited).",
    "assessments:write": "Manage assessment vendors and their results.",
    "employees:read": "Read employees and their employment.",
    "employees:write": "Hire employees and change their employment, onboarding, tax attributes and reviews.",
    "payroll:read": "Read pay groups, pay runs and payslips.",
    "payroll:write": "Prepare pay runs and their inputs.",
    "payslips:read:self": "Read the signed-in employee's own finalised payslips.",
    "applications:read:self": "Read the signed-in candidate's own applications.",
    "audit:read": "Read the tenant's audit trail.",
    "imports:write": "Load records in bulk through imports, and read their progress and row outcomes.",
    "webhooks:manage": "Manage webhook endpoints and their deliveries.",
}


@lru_cache(maxsize=4096)
def scope_operations(scopes: frozenset[str]) -> frozenset[Operation]:
    """Every operation a set of scopes opens (catalogue scopes, and scopes named like an operation)."""
    opened: set[Operation] = set()
    for scope in scopes:
        if scope in SCOPES:
            opened |= SCOPES[scope] | {Operation.ME_READ}
        if scope in _OPERATION_NAMES:
            opened.add(Operation(scope))
    return frozenset(opened)


_OPERATION_NAMES = frozenset(op.value for op in Operation)


def role_operations(roles: frozenset[Role]) -> frozenset[Operation]:
    """Every operation ``roles`` may perform."""
    return frozenset(op for op, holders in MATRIX.items() if roles & holders)


def allowed(roles: frozenset[Role], operation: Operation, scopes: frozenset[str] | None = None) -> bool:
    """Both the roles and, for a scoped token, its scopes must allow the operation."""
    if scopes is not None and operation not in scope_operations(scopes):
        return False
    return bool(roles & MATRIX[operation])
