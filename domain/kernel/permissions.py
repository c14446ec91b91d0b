"""The authorisation matrix: which role may perform which operation. The single source of truth.

Every HTTP route names one :class:`Operation` (or is declared public), and a test runs every
route against this matrix for every role. Partner clients are further limited by the scopes in
their token: a scoped token may only perform the operations its scopes name.
"""

from __future__ import annotations

from enum import StrEnum


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
    Operation.REPORT_LINKS_CREATE: _STAFF | {R.EMPLOYEE},
    Operation.RETENTION_POLICIES_READ: frozenset({R.TENANT_ADMIN, R.HR_ADMIN, R.AUDITOR}),
    Operation.RETENTION_POLICIES_WRITE: frozenset({R.TENANT_ADMIN}),
}

#: Operations that change state. An auditor holds none of them.
WRITES = frozenset(op for op in Operation if op.value.endswith((":write", ":update")))
#: Operations that reveal personal data in clear. An auditor reads masked values only.
SENSITIVE_READS = frozenset({Operation.PII_READ})


def allowed(roles: frozenset[Role], operation: Operation, scopes: frozenset[str] | None = None) -> bool:
    if scopes is not None and operation.value not in scopes:
        return False
    return bool(roles & MATRIX[operation])
