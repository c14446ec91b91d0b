"""The OpenAPI document: served, complete, errors in their real shape, and the committed
snapshot in step with the code (refresh it with `meridian openapi`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.anyio
SNAPSHOT = Path(__file__).resolve().parents[2] / "openapi.json"


async def test_the_committed_snapshot_matches_the_served_document(client: Any) -> None:
    served = (await client.get("/schema/openapi.json")).json()
    committed = json.loads(SNAPSHOT.read_text())
    assert served == committed, "the API changed: run `.venv/bin/meridian openapi` and commit openapi.json"


async def test_every_operation_documents_problem_errors_and_security(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "request_id"} <= set(problem["required"])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert responses["400"]["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"}, f"{method} {path}"
            public = {} in operation.get("security", document["security"])  # an empty requirement: no auth
            # Only health and the vendors' signed deliveries (authenticated by HMAC, not a bearer token).
            assert public == (path == "/v1/health" or path.startswith("/v1/vendor-deliveries/")), f"{method} {path}"


async def test_the_interactive_docs_page_is_served(client: Any) -> None:
    page = await client.get("/schema/docs")
    assert page.status_code == 200
    assert "/schema/assets/swagger-ui-bundle.js" in page.text and "unpkg" not in page.text and "cdn" not in page.text
    script = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000  # served locally: works offline
