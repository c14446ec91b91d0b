"""An Idempotency-Key's claim records when its request's use case committed a change (``changed_at``, written in
that same transaction). A retry that finds the claim unanswered after its worker died then knows whether the
change was made: if it was, the retry is told so instead of making it a second time."""

ID = "0024_idempotency_changes"

STATEMENTS = [
    "ALTER TABLE idempotency_keys ADD COLUMN changed_at TIMESTAMPTZ",
]
