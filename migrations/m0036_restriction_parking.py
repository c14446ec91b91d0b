"""Restriction of processing (GDPR art. 18, PIPL art. 44): an AI-interview result that arrives, or is mapped, for a
candidate whose processing is restricted is parked with the reason ``processing_restricted``. The reason a result is
parked is now stored with it (null: derived as before, ``reference_not_mapped`` without an application,
``no_ai_consent`` with one)."""

ID = "0036_restriction_parking"

TENANT_TABLES: tuple[str, ...] = ()

STATEMENTS = [
    "ALTER TABLE interview_results ADD COLUMN parked_reason VARCHAR(32)",
]
