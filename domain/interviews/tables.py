from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Interview(Table, tablename="interviews"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    application_id = UUID()
    title = Varchar(length=200)
    start_utc = Timestamptz()
    end_utc = Timestamptz()
    location = Varchar(length=500, null=True, default=None)
    video_link = Varchar(length=500, null=True, default=None)
    status = Varchar(length=16)
    sequence = Integer()
    created_by = Varchar(length=200)
    created_at = Timestamptz()


class InterviewParticipant(Table, tablename="interview_participants"):
    """Carries the slot too, so an interviewer's bookings are found by one indexed range query."""

    id = UUID(primary_key=True)
    tenant_id = UUID()
    interview_id = UUID()
    person_id = UUID()
    kind = Varchar(length=16)
    display_name = Varchar(length=200)
    timezone = Varchar(length=64)
    start_utc = Timestamptz()
    end_utc = Timestamptz()


class Feedback(Table, tablename="interview_feedback"):
    id = UUID(primary_key=True)
    tenant_id = UUID()
    interview_id = UUID()
    interviewer_id = UUID()
    interviewer_name = Varchar(length=200)
    ratings = Text()
    recommendation = Varchar(length=16)
    notes = Text()
    created_at = Timestamptz()
