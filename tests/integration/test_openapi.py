"""The OpenAPI document: served, complete, errors in their real shape, and the committed
snapshot in step with the code (refresh it with `meridian openapi`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bearer

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
            oauth = path.startswith(("/oauth/", "/.well-known/"))
            if not oauth or path in OAUTH_ERRORS_AS_JSON:
                assert responses["400"]["content"]["application/problem+json" if not oauth else "application/json"][
                    "schema"] == {"$ref": f"#/components/schemas/{'OAuthError' if oauth else 'Problem'}"}, (
                    f"{method} {path}")
            public = {} in operation.get("security", document["security"])  # an empty requirement: no auth
            # Only health, the vendors' signed deliveries (authenticated by HMAC, not a bearer token), report links
            # (a signed single-purpose token in the path, which a browser opens) and the authorisation server (a
            # client authenticates with its own credentials, a person signs in there).
            assert public == (path in ("/v1/health", "/v1/report-links/{token}")
                              or path.startswith(("/v1/vendor-deliveries/", "/oauth/", "/.well-known/"))), (
                f"{method} {path}")


#: The OAuth endpoints whose errors are RFC 6749 JSON errors (``error``, ``error_description``), not problems.
OAUTH_ERRORS_AS_JSON = ("/oauth/token", "/oauth/revoke", "/oauth/introspect")


async def test_the_interactive_docs_page_is_served(client: Any) -> None:
    page = await client.get("/schema/docs")
    assert page.status_code == 200
    assert "/schema/assets/swagger-ui-bundle.js" in page.text and "unpkg" not in page.text and "cdn" not in page.text
    script = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000  # served locally: works offline


# -- the document is the contract: what a partner generating a client relies on (issue 13) --------------------

OPERATION_ID = r"^[a-z]+(?:[A-Z0-9][a-z0-9]*)*$"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items()]


def _resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = document["components"][section][name]
    return node


async def test_every_operation_is_named_tagged_and_described(client: Any) -> None:
    import re

    document = (await client.get("/schema/openapi.json")).json()
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in _operations(document):
        assert re.match(OPERATION_ID, operation["operationId"]) and len(operation["operationId"]) <= 32, path
        assert operation["tags"] and operation["summary"], f"{method} {path}"
        assert "**Permission**" in operation["description"] or "**Authentication**" in operation["description"]


async def test_every_operation_declares_the_headers_it_reads_and_sends(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for method, path, operation in _operations(document):
        headers = {_resolved(document, p)["name"] for p in operation["parameters"]
                   if _resolved(document, p)["in"] == "header"}
        assert {"Accept-Language", "X-Request-ID"} <= headers, f"{method} {path}"
        assert ("Idempotency-Key" in headers) == (method == "post"), f"{method} {path}"
        for status, response in operation["responses"].items():
            sent = set(response.get("headers", {}))
            assert {"X-Request-ID", "Content-Language"} <= sent, f"{method} {path} {status}"
            if status.startswith("2"):
                assert "RateLimit-Remaining" in sent, f"{method} {path} {status}"
            if status == "429":
                assert "Retry-After" in sent
    signed = document["paths"]["/v1/vendor-deliveries/{tenant_id}/{vendor_id}/results"]["post"]
    assert "Meridian-Signature" in {_resolved(document, p)["name"] for p in signed["parameters"]}
    assert signed["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/InterviewResultV1")


async def test_a_created_resource_answers_where_it_lives_as_documented(client: Any, tenant_a: Any,
                                                                       token_for: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    assert "Location" in document["paths"]["/v1/legal-entities"]["post"]["responses"]["201"]["headers"]
    admin = bearer(await token_for(tenant_a, "tenant_admin", subject="contract-admin"))
    answer = await client.post("/v1/legal-entities", headers=admin, json={
        "name": "Contract Co KK", "country": "JP", "currency": "JPY", "timezone": "Asia/Tokyo"})
    assert answer.status_code == 201, answer.text
    again = await client.get(answer.headers["location"], headers=admin)
    assert again.status_code == 200 and again.json()["id"] == answer.json()["id"]
    assert again.headers["etag"] == answer.headers["etag"]


async def test_every_schema_has_a_readable_unique_name(client: Any) -> None:
    import re

    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    assert all(re.match(r"^[A-Z][A-Za-z0-9]*$", name) for name in schemas), [n for n in schemas if "_" in n]
    assert all(schema.get("title", name) == name for name, schema in schemas.items())


async def test_every_example_is_valid_against_its_schema(client: Any) -> None:
    import jsonschema_rs

    document = (await client.get("/schema/openapi.json")).json()
    checked = 0
    for method, path, operation in _operations(document):
        bodies = [("request", operation.get("requestBody", {})), *operation["responses"].items()]
        for where, body in bodies:
            for media_type, media in body.get("content", {}).items():
                if "json" not in media_type:
                    continue
                assert "example" in media, f"{method} {path} {where} {media_type} has no example"
                validator = jsonschema_rs.validator_for({**media["schema"], "components": document["components"]})
                errors = [error.message for error in validator.iter_errors(media["example"])]
                assert not errors, f"{method} {path} {where}: {errors[:3]}"
                checked += 1
    assert checked > 1000  # problems included


async def test_every_schema_says_what_it_is(client: Any) -> None:
    """A partner reads each schema's description, taken from its class's docstring, to know what it is."""
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    undescribed = sorted(name for name, schema in schemas.items() if not schema.get("description", "").strip())
    assert not undescribed, f"give these classes a docstring: {undescribed}"


async def test_no_answer_is_a_bare_array(client: Any) -> None:
    """Every list is a page (`items`, `next_cursor`) or a named part of one document; an array at the top of an
    answer cannot grow a cursor or a field without breaking clients."""
    document = (await client.get("/schema/openapi.json")).json()
    bare = [f"{method} {path}" for method, path, operation in _operations(document)
            for status, response in operation["responses"].items() if status.startswith("2")
            for media in response.get("content", {}).values()
            if _resolved(document, media.get("schema", {})).get("type") == "array"]
    assert not bare
    pages = [name for name, schema in document["components"]["schemas"].items() if name.endswith("Page")]
    assert len(pages) > 30
    assert all(set(document["components"]["schemas"][name]["properties"]) == {"items", "next_cursor"}
               for name in pages)


async def test_every_tag_is_declared_with_a_description(client: Any) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for _, _, operation in _operations(document) for tag in operation["tags"]}
    assert used == set(declared) and all(declared.values())
