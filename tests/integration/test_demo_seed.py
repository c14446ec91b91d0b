"""``meridian demo seed`` as an operator runs it, on a fresh installation and today's date: a company with
something in every view, made through the real use cases, and per role a token and a link that opens what that
role looks at first, on the port the server is told to serve on. Seeding again adds nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.kernel.permissions import Role
from tests.compliance.test_current_month_everywhere import NEEDS_WRITTEN_ACCEPTANCE
from tests.integration.test_cli import meridian
from tests.integration.test_serve_process import answers, free_port, installation, serving, wait_until

pytestmark = pytest.mark.sqlite
ZONES = {"Asia/Shanghai", "Asia/Tokyo", "Europe/Berlin"}
_LOOK = re.compile(r"^(?P<role>[a-z_]+)  (?P<subject>\S+)  .*\n  curl -H 'Authorization: Bearer (?P<token>[^']+)' "
                   r"'(?P<url>[^']+)'$", re.MULTILINE)


@dataclass(frozen=True)
class Look:
    role: str
    subject: str
    token: str
    url: str


def looks_in(printed: str) -> list[Look]:
    return [Look(**match.groupdict()) for match in _LOOK.finditer(printed)]


class Demo:
    """The served demo, read with the tokens the seed printed."""

    def __init__(self, port: int, looks: list[Look]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.tokens = {look.subject: look.token for look in looks}

    def get(self, subject: str, path: str) -> Any:
        answer = httpx.get(f"{self.base}{path}", headers={"Authorization": f"Bearer {self.tokens[subject]}"},
                           timeout=60)
        assert answer.status_code == 200, f"{path}: {answer.text}"
        return answer.json()

    def items(self, subject: str, path: str) -> list[Any]:
        joiner = "&" if "?" in path else "?"
        return list(self.get(subject, f"{path}{joiner}limit=200")["items"])


def test_the_demo_fills_every_view_and_opens_each_roles_first_link(tmp_path: Path) -> None:
    env = installation(tmp_path / "install")
    port = free_port()
    seeded = meridian("demo", "seed", "--port", str(port), env=env)
    assert seeded.returncode == 0, seeded.stderr
    looks = looks_in(seeded.stdout)
    assert {look.role for look in looks} == {role.value for role in Role} - {Role.PLATFORM_OPERATOR.value}
    assert all(look.url.startswith(f"http://127.0.0.1:{port}/v1/") for look in looks)
    again = meridian("demo", "seed", "--port", str(port), env=env)
    assert again.returncode == 0 and "already" in again.stdout.splitlines()[0], again.stderr
    assert [(look.role, look.url) for look in looks_in(again.stdout)] == [(look.role, look.url) for look in looks]

    with serving(env, port, tmp_path / "serve.log"):
        wait_until(lambda: answers(port), "the server to answer")
        for look in looks:
            opened = httpx.get(look.url, headers={"Authorization": f"Bearer {look.token}"}, timeout=60)
            assert opened.status_code == 200, f"{look.role} {look.url}: {opened.text}"
        demo = Demo(port, looks)
        today = date.fromisoformat(demo.get("demo-hr", "/v1/analytics/attrition")["as_of"])
        jobs = recruiting(demo)
        people(demo, jobs, today)
        payroll(demo, today)
        roles_and_audit(demo)


def recruiting(demo: Demo) -> list[Any]:
    """Two jobs with models; AI results delivered signed, scored and parked; interviews across three zones."""
    jobs = demo.items("demo-hr", "/v1/jobs")
    assert len(jobs) == 2
    for job in jobs:
        assert demo.items("demo-hr", f"/v1/jobs/{job['id']}/competency-model-versions")
    parked = demo.items("demo-recruiter", "/v1/interview-results?status=parked")
    scored = demo.items("demo-recruiter", "/v1/interview-results?status=evaluated")
    assert len(parked) >= 3 and len(scored) >= 20
    assert len({result["vendor_id"] for result in parked + scored}) == 1
    engineer = next(job for job in jobs if job["titles"]["en"] == "Backend engineer")
    pipeline = demo.items("demo-recruiter", f"/v1/applications?job_id={engineer['id']}")
    assert sum(1 for a in pipeline if a["stage"] != "hired") >= 18
    assert {"interview", "screening", "rejected", "applied"} <= {a["stage"] for a in pipeline}
    interviews = demo.items("demo-manager", "/v1/interviews")
    assert len(interviews) >= 3
    assert {p["timezone"] for i in interviews for p in i["participants"] if p["kind"] == "candidate"} == ZONES
    met = demo.get("demo-interviewer", f"/v1/applications/{interviews[0]['application_id']}/interviewer-view")
    assert met["evaluation"] and met["feedback"] and met["interviews"]
    portal = demo.get(next(s for s in demo.tokens if s.startswith("candidate:")), "/v1/candidate-portal")
    assert portal["applications"][0]["interviews"]
    return jobs


def people(demo: Demo, jobs: list[Any], today: date) -> None:
    """This month's hires have onboarding items from their gaps; a year of reviews gives the feedback loop and
    attrition real output."""
    employees = demo.items("demo-hr", "/v1/employees")
    new = [e for e in employees if (e["employment"] or {}).get("effective_from") == today.replace(day=1).isoformat()]
    assert new
    for employee in new:
        plan = demo.items("demo-hr", f"/v1/employees/{employee['id']}/onboarding")
        gaps = [item["item"] for item in plan if item["item"]["source"] == "rule"]
        assert gaps and all(float(gap["evidence"]["score"]) < float(gap["evidence"]["below"]) for gap in gaps)
    for job in jobs:
        loop = demo.get("demo-hr", f"/v1/jobs/{job['id']}/feedback-loop")
        assert loop["hires"] >= loop["min_sample"] and loop["insufficient_data"] is False
        assert loop["proposed_weights"] and any(c["sufficient"] for c in loop["competencies"])
    attrition = demo.get("demo-hr", "/v1/analytics/attrition")
    assert len(attrition["employees"]) >= 10 and all(e["risk"]["top_factors"] for e in attrition["employees"])
    card = attrition["model_card"]
    assert card["leavers"] >= 1 and card["stayers"] >= 10 and card["validation"] is not None


def payroll(demo: Demo, today: date) -> None:
    """Shanghai, Japan and Germany: last month finalised through the dual review, this month awaiting review."""
    groups = demo.items("demo-preparer", "/v1/pay-groups")
    assert {(g["rule"]["country"], g["rule"].get("subdivision")) for g in groups} >= {("CN", "SH"), ("JP", "13"),
                                                                                     ("DE", "BE")}
    runs = demo.items("demo-preparer", "/v1/pay-runs")
    this_month = today.replace(day=1)
    last_month = date(this_month.year - 1, 12, 1) if this_month.month == 1 else this_month.replace(
        month=this_month.month - 1)
    for group in groups:
        own = {r["period_start"]: r for r in runs if r["pay_group_id"] == group["id"]}
        finalised = demo.get("demo-preparer", f"/v1/pay-runs/{own[last_month.isoformat()]['id']}")
        assert finalised["state"] == "finalised" and finalised["employees_total"] > 0
        approvers = {a["reviewer"] for a in finalised["approvals"]}
        assert len(approvers) == 2 and finalised["preparer"] not in approvers
        current = demo.get("demo-preparer", f"/v1/pay-runs/{own[this_month.isoformat()]['id']}")
        assert current["state"] == "in_review" and current["results_hash"] and current["job_status"] == "done"
        assert current["pay_date"][:7] == today.isoformat()[:7]
    assert any(r["open_exceptions"] for r in runs if r["state"] == "in_review")
    assert demo.items(next(s for s in demo.tokens if s.startswith("employee:")), "/v1/my/payslips")
    choices = demo.items("demo-admin", "/v1/law-choices")
    assert all(c["chosen_by"] == "demo-admin" and "Demo" in c["reason"] for c in choices)
    if ("CN", "SZ", "social_insurance") in NEEDS_WRITTEN_ACCEPTANCE:  # the demo's Shenzhen engineer
        assert ("CN", "social_insurance", "accept_unverified") in {(c["country"], c["series"], c["kind"])
                                                                   for c in choices}


def roles_and_audit(demo: Demo) -> None:
    users = demo.items("demo-admin", "/v1/users")
    assert {role for user in users for role in user["roles"]} == {r.value for r in Role} - {"platform_operator"}
    verified = demo.get("demo-auditor", "/v1/audit/verify")
    assert verified["valid"] is True and verified["entries_checked"] > 300
