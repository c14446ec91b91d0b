"""What a partner's first integration does, against a live server, through the generated client only.

    MERIDIAN_URL=http://127.0.0.1:8000 MERIDIAN_TOKEN=... python scenario.py

Each step prints "ok" or "FAIL" with the reason; the exit code is the number of failed steps.
Operations are found by their operationId (listJobs -> list_jobs), not by the tag folder the generator puts them in.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

from meridian_client import AuthenticatedClient, api
from meridian_client.models import NewApplication, NewCandidate, Problem
from meridian_client.types import Unset

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class StepFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def operation(operation_id: str) -> ModuleType:
    """The generated module of an operation, wherever its tag put it."""
    module_name = re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()
    for found in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        if found.name.rsplit(".", 1)[-1] == module_name:
            return importlib.import_module(found.name)
    raise StepFailed(f"{operation_id} is not in the generated client (no module {module_name})")


def answered(response: Any, status: int) -> Any:
    """The parsed body of an answer with the expected status, or the problem that came instead."""
    if response.status_code != status:
        parsed = response.parsed
        reason = f"{parsed.code}: {parsed.detail}" if isinstance(parsed, Problem) else response.content[:200]
        raise StepFailed(f"status {response.status_code}, not {status} ({reason})")
    return response.parsed


class Scenario:
    def __init__(self, base_url: str, token: str) -> None:
        # One client per language: a client's headers are shared with the connection pool it opens.
        self.client = AuthenticatedClient(base_url=base_url, token=token, headers={"Accept-Language": "en"})
        self.japanese = AuthenticatedClient(base_url=base_url, token=token, headers={"Accept-Language": "ja"})
        self.created_id: str | None = None

    def jobs_in_japanese(self) -> str:
        response = operation("listJobs").sync_detailed(client=self.japanese, limit=50)
        page = answered(response, 200)
        titles = [job.title for job in page.items]
        check(bool(titles), "the demo tenant has no job")
        check(all(JAPANESE.search(title) for title in titles), f"titles are not in Japanese: {titles}")
        check(response.headers.get("Content-Language") == "ja",
              f"Content-Language is {response.headers.get('Content-Language')}, not ja")
        return ", ".join(titles)

    def create_candidate(self) -> str:
        unique = uuid.uuid4().hex[:8]
        candidate = answered(operation("createCandidate").sync_detailed(client=self.client, body=NewCandidate(
            full_name=f"Scenario Candidate {unique}", email=f"scenario-{unique}@example.com",
            timezone="Asia/Tokyo")), 201)
        self.created_id = str(candidate.id)
        return self.created_id

    def page_through_candidates(self) -> str:
        check(self.created_id is not None, "no candidate was created")
        list_candidates = operation("listCandidates")
        ids: list[str] = []
        cursor: str | None = None
        for _ in range(1000):
            page = answered(list_candidates.sync_detailed(client=self.client, limit=2, cursor=cursor), 200)
            check(len(page.items) <= 2, f"a page of limit 2 has {len(page.items)} items")
            ids += [str(candidate.id) for candidate in page.items]
            if isinstance(page.next_cursor, Unset) or not page.next_cursor:
                break
            cursor = page.next_cursor
        else:
            raise StepFailed("more than 1000 pages: next_cursor never ends")
        check(len(set(ids)) == len(ids), "a candidate came back on two pages")
        check(self.created_id in ids, "the candidate just created is on no page")
        return f"{len(ids)} candidates in pages of 2"

    def problem_with_pointer(self) -> str:
        jobs = answered(operation("listJobs").sync_detailed(client=self.client, limit=1), 200)
        check(bool(jobs.items), "the demo tenant has no job")
        response = operation("createApplication").sync_detailed(
            client=self.japanese, body=NewApplication(candidate_id=uuid.uuid4(), job_id=jobs.items[0].id))
        check(response.status_code in (400, 422), f"status {response.status_code}, not 400 or 422")
        check(response.headers.get("Content-Type") == "application/problem+json", "not application/problem+json")
        problem = response.parsed
        check(isinstance(problem, Problem), f"the body is not parsed as a Problem: {problem!r}")
        pointers = [] if isinstance(problem.errors, Unset) else [error.pointer for error in problem.errors]
        check("/candidate_id" in pointers, f"pointers are {pointers}")
        check(bool(JAPANESE.search(problem.title)), f"the title {problem.title!r} is not in Japanese")
        return f"{problem.status} {problem.code} at {', '.join(pointers)}: {problem.title}"

    def list_pay_runs(self) -> str:
        try:
            list_pay_runs = operation("listPayRuns")
        except StepFailed as missing:
            raise StepFailed("listPayRuns (GET /v1/pay-runs) is not in the served document yet") from missing
        page = answered(list_pay_runs.sync_detailed(client=self.client, limit=50), 200)
        check(isinstance(page.items, list), "the answer is not a page (items, next_cursor)")
        return f"{len(page.items)} pay runs on the first page"


def main() -> int:
    scenario = Scenario(os.environ["MERIDIAN_URL"], os.environ["MERIDIAN_TOKEN"])
    steps: list[tuple[str, Callable[[], str]]] = [
        ("listJobs in Japanese", scenario.jobs_in_japanese),
        ("createCandidate", scenario.create_candidate),
        ("listCandidates page by page", scenario.page_through_candidates),
        ("a problem with field pointers", scenario.problem_with_pointer),
        ("listPayRuns", scenario.list_pay_runs),
    ]
    failed = 0
    for name, step in steps:
        try:
            print(f"ok    {name}: {step()}", flush=True)
        except Exception as error:  # a step's failure is reported, and the next steps still run
            failed += 1
            print(f"FAIL  {name}: {error}", flush=True)
    print(f"Python scenario: {len(steps) - failed} of {len(steps)} steps passed")
    return failed


if __name__ == "__main__":
    sys.exit(main())
