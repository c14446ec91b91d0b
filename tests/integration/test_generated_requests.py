"""Generated requests against every operation of the served OpenAPI document (schemathesis).

Each operation gets schemathesis' coverage cases (each field's bounds, missing fields, wrong types, other
methods and media types) and a few random valid and invalid requests, all derived deterministically from the
document, sent by a user holding every tenant role; then a few valid ones as an employee. Every answer must be
documented: no 5xx, no status code or content type the operation does not declare, a body that matches its
declared schema, a 405 or OPTIONS whose Allow lists the path's documented methods, and no stack trace. A failure
means the server or the document is wrong; fix one of them, never the check.

The requests run in a worker thread (Hypothesis is synchronous) and reach the app through the tests' own
event loop and client, so they share its database pool on SQLite and PostgreSQL alike. They create, change
and refuse things in tenant A, so these tests run after every other test of the session (tests/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.from_thread
import anyio.to_thread
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from domain.kernel.permissions import Role

pytestmark = [pytest.mark.anyio, pytest.mark.generated]

SNAPSHOT = Path(__file__).resolve().parents[2] / "openapi.json"
BASE_URL = "http://testserver"
#: Random examples per operation, on top of the deterministic coverage cases (each field's bounds, each missing
#: field, wrong types, other methods and media types): few enough that every operation runs in about a second.
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
#: Platform operators act across tenants and are refused in a customer's tenant; every other role is held.
TENANT_ROLES = tuple(role.value for role in Role if role is not Role.PLATFORM_OPERATOR)
#: A second, lighter pass as an employee, who is refused most operations and reads only their own records.
LOW_ROLE = Role.EMPLOYEE.value
LOW_ROLE_EXAMPLES = 2


def _operations() -> list[tuple[str, str]]:
    """Read from the committed snapshot to name one test per operation at collection time; the test itself
    runs against the served document, which test_openapi.py keeps equal to the snapshot."""
    document = json.loads(SNAPSHOT.read_text())
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item]


class StackTraceInBody(Failure):
    code = "ST950"
    kind_title = "Stack trace in the response body"


@schemathesis.check
def no_stack_trace(ctx: Any, response: schemathesis.Response, case: Case) -> bool | None:
    """The API never shows its internals, whatever the status."""
    if "Traceback (most recent call last)" in response.text_lossy():
        raise StackTraceInBody(operation=case.operation.label, message=response.text_lossy()[:2000])
    return None


class WrongAllowHeader(Failure):
    code = "ST951"
    kind_title = "405 without an Allow header listing the documented methods"


#: Methods every path answers without documenting them.
IMPLICIT_METHODS = frozenset({"OPTIONS", "HEAD"})


@schemathesis.check
def allow_lists_the_documented_methods(ctx: Any, response: schemathesis.Response, case: Case) -> bool | None:
    """RFC 9110: a 405 names the methods the resource has; the document and the server must agree on them."""
    if response.status_code != 405:
        return None
    allow = ",".join(response.headers.get("allow", []))
    allowed = {method.strip().upper() for method in allow.split(",") if method.strip()}
    documented = {method.upper() for method in case.operation.schema[case.operation.path]}
    if not documented <= allowed or allowed - documented - IMPLICIT_METHODS:
        raise WrongAllowHeader(operation=case.operation.label,
                               message=f"Allow: {allow!r}, documented: {', '.join(sorted(documented))}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          unsupported_method, allow_header_conformance, allow_lists_the_documented_methods, no_stack_trace]


@pytest.fixture(scope="module")
async def schema(client: httpx.AsyncClient) -> Any:
    document = (await client.get("/schema/openapi.json")).json()
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config())


@pytest.fixture(scope="module")
async def every_tenant_role(tenant_a: Any, token_for: Any) -> dict[str, str]:
    token = await token_for(tenant_a, *TENANT_ROLES, subject="generated-requests")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def low_role(tenant_a: Any, token_for: Any) -> dict[str, str]:
    token = await token_for(tenant_a, LOW_ROLE, subject="generated-requests-employee")
    return {"Authorization": f"Bearer {token}"}


def _as_httpx(case: Case, headers: dict[str, str]) -> dict[str, Any]:
    """The request schemathesis would send (its own serialisation of bodies, query and headers), as httpx kwargs."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(
        method=kwargs["method"], url=kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"),
        cookies=kwargs.get("cookies"), json=kwargs.get("json"), data=kwargs.get("data"), files=kwargs.get("files"),
    ).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return {"method": prepared.method, "url": prepared.url, "headers": _on_the_wire(prepared.headers),
            "content": body}


def _on_the_wire(headers: Any) -> dict[str, str | bytes]:
    """Invalid header values (``Accept-Language: \\x84``) go out as the bytes a client would send: httpx refuses
    non-ASCII text, HTTP carries any octet (RFC 9110, obs-text)."""
    return {name: value if value.isascii() else value.encode("utf-8") for name, value in headers.items()}


Send = Callable[[Case], httpx.Response]


class Findings:
    """Every distinct failure (by check and status) an operation's requests meet, with a request reproducing
    each; collected rather than raised, so that one run reports all of them."""

    def __init__(self, send: Send, headers: dict[str, str], source_prefix: str = "") -> None:
        self.send = send
        self.headers = headers
        self.source_prefix = source_prefix
        self.failures: dict[str, str] = {}
        self.requests = 0

    def check(self, case: Case, source: str) -> None:
        response = self.send(case)
        self.requests += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=self.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{self.source_prefix}{source}: {failure.code} {failure.title} ({response.status_code})"
                self.failures.setdefault(key, str(group))


def check_coverage_cases(operation: Any, findings: Findings) -> None:
    generator = CoverageGenerator(
        operation=operation, generation_modes=list(MODES), auth_storage=None, override=Override(),
        generation_config=operation.schema.config.generation_for(operation=operation, phase="coverage"),
        feedback=FeedbackSources())
    for case in generator:
        findings.check(case, "coverage")


def check_random_cases(operation: Any, mode: GenerationMode, findings: Findings, examples: int | None = None) -> None:
    @settings(max_examples=examples or EXAMPLES[mode], derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: Case) -> None:
        findings.check(case, mode.value)

    try:
        exercise()
    except Unsatisfiable:
        # An operation without parameters or body (health, /me) has nothing to make invalid.
        if mode is not GenerationMode.NEGATIVE:
            raise


def check_operation(operation: Any, findings: Findings, as_low_role: Findings) -> None:
    check_coverage_cases(operation, findings)
    for mode in MODES:
        check_random_cases(operation, mode, findings)
    check_random_cases(operation, GenerationMode.POSITIVE, as_low_role, LOW_ROLE_EXAMPLES)


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: v)
async def test_every_answer_to_generated_requests_is_documented(
        method: str, path: str, schema: Any, client: httpx.AsyncClient, every_tenant_role: dict[str, str],
        low_role: dict[str, str]) -> None:
    def sender(headers: dict[str, str]) -> Send:
        return lambda case: anyio.from_thread.run(lambda: client.request(**_as_httpx(case, headers)))

    findings = Findings(sender(every_tenant_role), every_tenant_role)
    as_low_role = Findings(sender(low_role), low_role, source_prefix=f"{LOW_ROLE} ")
    await anyio.to_thread.run_sync(check_operation, schema[path][method], findings, as_low_role)
    assert findings.requests > 0 and as_low_role.requests > 0
    failures = {**findings.failures, **as_low_role.failures}
    assert not failures, "\n\n".join(f"== {key}\n{report}" for key, report in failures.items())
