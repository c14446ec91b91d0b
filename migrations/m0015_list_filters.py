"""Indexes for the filters and orders of the recruitment lists: applications by stage and by when they last
changed, candidates by when they last changed, interviews by start time (a schedule window, paged by start then
id), and interview results by status (paged by id)."""

ID = "0015_list_filters"

STATEMENTS = [
    "CREATE INDEX applications_tenant_stage ON applications (tenant_id, stage, id)",
    "CREATE INDEX applications_tenant_updated ON applications (tenant_id, updated_at)",
    "CREATE INDEX candidates_tenant_updated ON candidates (tenant_id, updated_at)",
    "CREATE INDEX interviews_tenant_start ON interviews (tenant_id, start_utc, id)",
    "CREATE INDEX interview_results_tenant_status ON interview_results (tenant_id, status, id)",
]
