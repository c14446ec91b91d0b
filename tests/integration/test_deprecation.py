"""A deprecated operation says so on every answer (RFC 9745 Deprecation, RFC 8594 Sunset, its successor's Link)
and in the OpenAPI document, and cannot be declared with less than six months' notice (docs/api-versioning.md).
No operation is deprecated today, so the app factory is given one extra route."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from litestar import get

from api.deprecation import NoticeTooShort, deprecated, months_after
from api.guards import Caller, requires
from api.http import Limit
from domain.kernel.permissions import Operation

pytestmark = pytest.mark.anyio

ANNOUNCED, SUNSET = date(2026, 6, 1), date(2026, 12, 1)
PROBE = "/v1/deprecation-probe"


@get(PROBE, operation_id="getDeprecationProbe", tags=["Probe"], summary="A deprecated operation", sync_to_thread=False,
     opt={**requires(Operation.JOBS_READ), **deprecated(announced=ANNOUNCED, sunset=SUNSET, successor="/v1/jobs")})
def deprecated_probe(principal: Caller, limit: Limit = 50) -> dict[str, int]:
    """Answers its page size."""
    return {"limit": limit}


@pytest.fixture(scope="module")
def probe_app(settings: Any) -> Iterator[Any]:
    """Built once: building the app takes seconds."""
    from api import app as app_module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_module, "CONTROLLERS", [*app_module.CONTROLLERS, deprecated_probe])
        yield app_module.create_app(settings)


@pytest.fixture
async def probe_client(probe_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=probe_app), base_url="http://testserver") as c:
        yield c


NOTICE = {
    "deprecation": "@1780272000",  # 2026-06-01T00:00:00Z
    "sunset": "Tue, 01 Dec 2026 00:00:00 GMT",
    "link": '</v1/jobs>; rel="successor-version"',
}


async def test_every_answer_of_a_deprecated_operation_carries_the_notice(
        probe_client: httpx.AsyncClient, token_for: Any, tenant_a: Any) -> None:
    from tests.conftest import bearer

    token = await token_for(tenant_a, "recruiter")
    answers = {
        200: await probe_client.get(PROBE, headers=bearer(token)),
        400: await probe_client.get(PROBE, params={"limit": 0}, headers=bearer(token)),  # refused by the edge
        401: await probe_client.get(PROBE),  # refused by the guard
        403: await probe_client.get(PROBE, headers=bearer(await token_for(tenant_a, "employee"))),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        assert {name: answer.headers.get(name) for name in NOTICE} == NOTICE, status
    assert answers[200].json() == {"limit": 50}


async def test_other_operations_carry_no_notice(probe_client: httpx.AsyncClient) -> None:
    for answer in (await probe_client.get("/v1/health"), await probe_client.get("/v1/no-such-thing")):
        assert "deprecation" not in answer.headers and "sunset" not in answer.headers


async def test_the_document_marks_it_deprecated_with_both_headers_on_every_response(probe_app: Any) -> None:
    document = probe_app.openapi_schema.to_schema()
    operation = document["paths"][PROBE]["get"]
    assert operation["deprecated"] is True
    assert "2026-12-01" in operation["description"] and "/v1/jobs" in operation["description"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    for status, response in operation["responses"].items():
        headers = response["headers"]
        assert headers["Deprecation"]["schema"]["const"] == NOTICE["deprecation"], status
        assert headers["Sunset"]["schema"]["const"] == NOTICE["sunset"], status
        assert headers["Link"]["schema"]["examples"] == [NOTICE["link"]], status
    assert not document["paths"]["/v1/jobs"]["get"].get("deprecated")


async def test_the_served_document_documents_every_deprecation_it_declares(client: Any) -> None:
    """Nothing is deprecated today; whatever is later must carry both headers on every answer."""
    document = (await client.get("/schema/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("deprecated"):
                for response in operation["responses"].values():
                    assert {"Deprecation", "Sunset"} <= set(response.get("headers", {})), f"{method} {path}"


def test_a_sunset_sooner_than_six_months_after_the_announcement_stops_the_declaration() -> None:
    with pytest.raises(NoticeTooShort, match="earliest sunset is 2027-02-28"):
        deprecated(announced=date(2026, 8, 31), sunset=date(2027, 2, 27))
    assert deprecated(announced=date(2026, 8, 31), sunset=date(2027, 2, 28))  # six months, to the month's end
    with pytest.raises(NoticeTooShort):
        deprecated(announced=ANNOUNCED, sunset=ANNOUNCED)
    with pytest.raises(ValueError, match="bare URI"):
        deprecated(announced=ANNOUNCED, sunset=SUNSET, successor="/v1/jobs>; rel=x")


def test_six_months_after_keeps_the_day_or_takes_the_month_s_last() -> None:
    assert months_after(date(2026, 6, 1), 6) == date(2026, 12, 1)
    assert months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert months_after(date(2026, 12, 15), 6) == date(2027, 6, 15)
