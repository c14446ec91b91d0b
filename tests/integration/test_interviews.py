"""Interview scheduling: every participant sees their own local time across DST changes, an
interviewer cannot be double-booked, and the interview exports to calendars."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer, user_with_subject

pytestmark = pytest.mark.anyio


@pytest.fixture
async def setup(client: Any, tenant_a: Any, token_for: Any) -> dict[str, Any]:
    admin = await token_for(tenant_a, "tenant_admin", "recruiter", subject="interview-admin")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Interviews {uuid.uuid4().hex[:6]}", "country": "DE", "currency": "EUR",
        "timezone": "Europe/Berlin"})).json()
    job = (await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity["id"], "location": "Berlin", "title": {"en": "Data engineer"}})).json()
    candidate = (await client.post("/v1/candidates", headers=bearer(admin), json={
        "full_name": "Ana Souza", "email": f"ana-{uuid.uuid4().hex[:8]}@example.com",
        "timezone": "America/New_York"})).json()
    application = (await client.post("/v1/applications", headers=bearer(admin), json={
        "candidate_id": candidate["id"], "job_id": job["id"]})).json()
    subject = f"interviewer-{uuid.uuid4().hex[:6]}"
    interviewer_token = await token_for(tenant_a, "interviewer", subject=subject)
    interviewer = await user_with_subject(client, admin, subject)
    return {"admin": admin, "application": application, "candidate": candidate, "interviewer": interviewer,
            "interviewer_token": interviewer_token}


def booking(setup: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    return {"application_id": setup["application"]["id"], "title": "Technical interview", "start": start,
            "end": end, "video_link": "https://meet.example.com/abc", "participants": [
                {"kind": "candidate", "person_id": setup["candidate"]["id"], "display_name": "Ana Souza",
                 "timezone": "America/New_York"},
                {"kind": "interviewer", "person_id": setup["interviewer"]["id"], "display_name": "Jonas Weber",
                 "timezone": "Europe/Berlin"}]}


async def test_each_participant_sees_local_time_across_a_dst_change(client: Any, setup: dict[str, Any]) -> None:
    # 2026-03-29 00:30-02:30 UTC: Berlin springs forward at 01:00 UTC; New York changed on 8 March already.
    response = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                                 json=booking(setup, "2026-03-29T00:30:00Z", "2026-03-29T02:30:00Z"))
    assert response.status_code == 201, response.text
    interview = response.json()
    times = {p["display_name"]: p for p in interview["participants"]}
    assert interview["start_utc"] == "2026-03-29T00:30:00Z"
    assert times["Jonas Weber"]["start_local"] == "2026-03-29T01:30:00+01:00"
    assert times["Jonas Weber"]["end_local"] == "2026-03-29T04:30:00+02:00"
    assert times["Jonas Weber"]["dst_changes_during"] is True
    assert times["Ana Souza"]["start_local"] == "2026-03-28T20:30:00-04:00"
    assert times["Ana Souza"]["dst_changes_during"] is False
    read = await client.get(f"/v1/interviews/{interview['id']}", headers=bearer(setup["interviewer_token"]))
    assert read.json() == interview


async def test_an_interviewer_cannot_be_double_booked(client: Any, setup: dict[str, Any]) -> None:
    first = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                              json=booking(setup, "2026-06-01T09:00:00+02:00", "2026-06-01T10:00:00+02:00"))
    assert first.status_code == 201, first.text
    clash = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                              json=booking(setup, "2026-06-01T07:30:00Z", "2026-06-01T08:30:00Z"))
    assert clash.status_code == 409 and clash.json()["code"] == "interviewer_double_booked"
    back_to_back = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                                     json=booking(setup, "2026-06-01T10:00:00+02:00", "2026-06-01T11:00:00+02:00"))
    assert back_to_back.status_code == 201
    listed = await client.get(f"/v1/interviews?application_id={setup['application']['id']}",
                              headers=bearer(setup["admin"]))
    assert [i["start_utc"] for i in listed.json()["items"]] == ["2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z"]


async def test_bookings_are_validated(client: Any, setup: dict[str, Any]) -> None:
    wrong_candidate = booking(setup, "2026-07-01T09:00:00Z", "2026-07-01T10:00:00Z")
    wrong_candidate["participants"][0]["person_id"] = str(uuid.uuid4())
    response = await client.post("/v1/interviews", headers=bearer(setup["admin"]), json=wrong_candidate)
    assert response.json()["code"] == "interview_candidate_mismatch"
    stranger = booking(setup, "2026-07-01T09:00:00Z", "2026-07-01T10:00:00Z")
    stranger["participants"][1]["person_id"] = str(uuid.uuid4())
    response = await client.post("/v1/interviews", headers=bearer(setup["admin"]), json=stranger)
    assert response.json()["code"] == "interviewer_unknown"
    naive = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                              json=booking(setup, "2026-07-01T09:00:00", "2026-07-01T10:00:00"))
    assert naive.status_code == 400
    backwards = await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                                  json=booking(setup, "2026-07-01T10:00:00Z", "2026-07-01T09:00:00Z"))
    assert backwards.json()["code"] == "interview_ends_before_start"


async def test_the_interview_exports_as_icalendar(client: Any, setup: dict[str, Any]) -> None:
    created = (await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                                 json=booking(setup, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"))).json()
    response = await client.get(f"/v1/interviews/{created['id']}/calendar.ics", headers=bearer(setup["admin"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261025T003000Z\r\n" in text and "DTEND:20261025T013000Z\r\n" in text
    assert f"UID:{created['id']}@meridian" in text
    assert text.count("ATTENDEE;") == 2


async def test_only_the_interviewers_of_an_interview_give_feedback_once(client: Any, tenant_a: Any, token_for: Any,
                                                                       setup: dict[str, Any]) -> None:
    created = (await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                                 json=booking(setup, "2026-08-03T09:00:00Z", "2026-08-03T10:00:00Z"))).json()
    url = f"/v1/interviews/{created['id']}/feedback"
    feedback = {"ratings": {"coding": "72.5", "communication": "60"}, "recommendation": "yes", "notes": "Solid."}
    given = await client.post(url, headers=bearer(setup["interviewer_token"]), json=feedback)
    assert given.status_code == 201, given.text
    assert given.json()["interviewer_name"] == "Jonas Weber"
    again = await client.post(url, headers=bearer(setup["interviewer_token"]), json=feedback)
    assert again.status_code == 409
    listed = (await client.get(url, headers=bearer(setup["admin"]))).json()
    assert [f["id"] for f in listed["items"]] == [given.json()["id"]] and listed["next_cursor"] is None
    outsider = await token_for(tenant_a, "interviewer", subject=f"outsider-{uuid.uuid4().hex[:6]}")
    refused = await client.post(url, headers=bearer(outsider), json=feedback)
    assert refused.status_code == 403 and refused.json()["code"] == "not_an_interviewer_of_this_interview"
    too_high = await client.post(url, headers=bearer(setup["interviewer_token"]),
                                 json={**feedback, "ratings": {"coding": "101"}})
    assert too_high.status_code in (400, 409)


async def test_the_interviewer_view_brings_everything_in_one_call(client: Any, setup: dict[str, Any]) -> None:
    await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                      json=booking(setup, "2026-09-01T09:00:00Z", "2026-09-01T10:00:00Z"))
    view = await client.get(f"/v1/applications/{setup['application']['id']}/interviewer-view",
                            headers=bearer(setup["interviewer_token"]))
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["candidate"]["masked"] is True and body["candidate"]["email"].startswith("a***@")
    assert body["application"]["id"] == setup["application"]["id"]
    assert [h["to_stage"] for h in body["history"]] == ["applied"]
    assert len(body["interviews"]) == 1 and body["evaluation"] is None


async def test_a_candidate_token_sees_only_that_candidates_applications(client: Any, tenant_a: Any, token_for: Any,
                                                                        setup: dict[str, Any]) -> None:
    await client.post("/v1/interviews", headers=bearer(setup["admin"]),
                      json=booking(setup, "2026-11-02T14:00:00Z", "2026-11-02T15:00:00Z"))
    issued = await client.post(f"/v1/candidates/{setup['candidate']['id']}/portal-tokens",
                               headers=bearer(setup["admin"]))
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    portal = await client.get("/v1/candidate-portal", headers=bearer(token))
    assert portal.status_code == 200, portal.text
    overview = portal.json()
    assert overview["candidate_id"] == setup["candidate"]["id"]
    application = overview["applications"][0]
    assert application["job_title"] == "Data engineer" and application["stage"] == "applied"
    # New York is back on standard time (UTC-5) on 2 November 2026.
    assert application["interviews"][0]["start_local"] == "2026-11-02T09:00:00-05:00"
    for forbidden in ("/v1/candidates", f"/v1/applications/{setup['application']['id']}", "/v1/jobs"):
        assert (await client.get(forbidden, headers=bearer(token))).status_code == 403
