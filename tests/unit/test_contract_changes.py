"""The comparator partners' generated clients rely on: each kind of breaking change between two OpenAPI documents
is found under its stable key, through ``$ref`` and unions, and additive changes are not reported."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from api.contract_changes import (
    Change,
    accepted_since,
    as_changelog,
    breaking_changes,
    contract_changes,
    last_released,
    listed_changes,
    review,
    with_entries,
)


def _document() -> dict[str, Any]:
    """A small API in the shapes Litestar writes: refs, optional fields as oneOf with null, a page of items."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "openapi": "3.1.0",
        "paths": {
            "/v1/jobs": {
                "get": {
                    "operationId": "V1JobsList", "tags": ["Recruitment"],
                    "parameters": [
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                        {"name": "status", "in": "query", "required": False,
                         "schema": {"oneOf": [{"$ref": "#/components/schemas/JobStatus"}, {"type": "null"}]}},
                    ],
                    "responses": {
                        "200": {"description": "ok", "headers": {"ETag": {"schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPage"}},
                                            "text/csv": {"schema": {"type": "string"}}}},
                        "400": {"description": "bad", "content": problem},
                    },
                },
                "post": {
                    "operationId": "V1JobsCreate", "tags": ["Recruitment"],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewJob"}}}},
                    "responses": {"201": {"description": "created", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/JobView"}}}}},
                },
            },
            "/v1/jobs/{job_id}": {
                "parameters": [{"name": "job_id", "in": "path", "required": True,
                                "schema": {"type": "string", "format": "uuid"}}],
                "get": {
                    "operationId": "V1JobsRead", "tags": ["Recruitment"],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/JobView"}}}}},
                },
            },
        },
        "components": {"schemas": {
            "JobStatus": {"type": "string", "enum": ["open", "closed"]},
            "NewJob": {
                "type": "object", "required": ["title"], "additionalProperties": False,
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "salary_band": {"oneOf": [{"type": "string"}, {"type": "null"}]},
                    "status": {"$ref": "#/components/schemas/JobStatus"},
                    "headcount": {"type": "integer", "minimum": 1},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}},
                    "names": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "JobView": {
                "type": "object", "required": ["id", "title", "status", "opened_on", "salary"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/JobStatus"},
                    "opened_on": {"type": "string", "format": "date"},
                    "salary": {"type": "string"},
                    "team": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                    "parent": {"oneOf": [{"$ref": "#/components/schemas/JobView"}, {"type": "null"}]},
                },
            },
            "Member": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "JobPage": {
                "type": "object", "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/JobView"}},
                               "next_cursor": {"oneOf": [{"type": "string"}, {"type": "null"}]}},
            },
            "Problem": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}},
        }},
    }


def _keys(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    return [change.key for change in breaking_changes(released, current)]


def _changed(edit: Any) -> list[str]:
    released = _document()
    current = copy.deepcopy(released)
    edit(current)
    return _keys(released, current)


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]


def _jobs(document: dict[str, Any], method: str = "get") -> dict[str, Any]:
    return document["paths"]["/v1/jobs"][method]


def test_the_same_document_has_no_changes() -> None:
    assert contract_changes(_document(), _document()) == []


# -- operations and names ---------------------------------------------------------------------------------


def test_a_removed_operation_and_a_renamed_path() -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["paths"]["/v1/jobs"]["post"]
        document["paths"]["/v1/job-postings/{job_id}"] = document["paths"].pop("/v1/jobs/{job_id}")

    assert _changed(edit) == ["operation-removed GET /v1/jobs/{job_id}", "operation-removed POST /v1/jobs"]


def test_a_renamed_path_parameter_is_the_same_operation_with_another_argument() -> None:
    def edit(document: dict[str, Any]) -> None:
        item = document["paths"].pop("/v1/jobs/{job_id}")
        item["parameters"][0]["name"] = "id"
        document["paths"]["/v1/jobs/{id}"] = item

    assert _changed(edit) == ["parameter-removed GET /v1/jobs/{job_id} path:job_id",
                              "parameter-required GET /v1/jobs/{job_id} path:id"]


def test_a_new_operation_id_or_first_tag_or_schema_name() -> None:
    def edit(document: dict[str, Any]) -> None:
        _jobs(document)["operationId"] = "listJobs"
        _jobs(document, "post")["tags"] = ["Jobs", "Recruitment"]
        _schemas(document)["Member"]["title"] = "renamed below"
        _schemas(document)["HiringTeamMember"] = _schemas(document).pop("Member")
        _schemas(document)["JobView"]["properties"]["team"]["items"]["$ref"] = "#/components/schemas/HiringTeamMember"

    assert _changed(edit) == ["operation-id-changed GET /v1/jobs listJobs", "operation-tag-changed POST /v1/jobs Jobs",
                              "schema-removed Member"]


# -- parameters -------------------------------------------------------------------------------------------


def test_parameters_removed_required_or_narrowed() -> None:
    def edit(document: dict[str, Any]) -> None:
        limit = _jobs(document)["parameters"][0]
        limit["schema"]["maximum"] = 100
        limit["required"] = True
        _schemas(document)["JobStatus"]["enum"] = ["open"]  # the status filter and the body share it
        _jobs(document)["parameters"] = [limit, {"name": "Accept-Language", "in": "header", "required": True,
                                                 "schema": {"type": "string"}}]

    assert _changed(edit) == [
        "parameter-bounds-narrowed GET /v1/jobs query:limit maximum",
        "parameter-removed GET /v1/jobs query:status",
        "parameter-required GET /v1/jobs header:Accept-Language",
        "parameter-required GET /v1/jobs query:limit",
        "request-enum-value-removed POST /v1/jobs status closed",
    ]


def test_a_query_parameter_that_stops_allowing_null_is_not_narrowed() -> None:
    """A query string cannot send null: dropping it from the schema changes nothing on the wire."""
    def edit(document: dict[str, Any]) -> None:
        _jobs(document)["parameters"][1]["schema"] = {"$ref": "#/components/schemas/JobStatus"}

    assert _changed(edit) == []


def test_a_parameter_that_takes_another_type_or_pattern() -> None:
    def edit(document: dict[str, Any]) -> None:
        _jobs(document)["parameters"][0]["schema"] = {"type": "string", "pattern": "^[0-9]+$"}

    assert _changed(edit) == ["parameter-type-changed GET /v1/jobs query:limit"]


# -- request bodies ---------------------------------------------------------------------------------------


def test_request_fields_removed_required_or_narrowed() -> None:
    def edit(document: dict[str, Any]) -> None:
        new_job = _schemas(document)["NewJob"]
        new_job["required"] = ["title", "salary_band", "department"]
        new_job["properties"]["department"] = {"type": "string"}
        del new_job["properties"]["names"]
        new_job["properties"]["title"]["maxLength"] = 120
        new_job["properties"]["title"]["pattern"] = "^[^<>]*$"
        new_job["properties"]["headcount"]["type"] = "string"
        new_job["properties"]["tags"]["items"]["maxLength"] = 20
        new_job["properties"]["salary_band"] = {"type": "string"}  # null no longer taken

    assert _changed(edit) == [
        "request-bounds-narrowed POST /v1/jobs tags[] maxLength",
        "request-bounds-narrowed POST /v1/jobs title maxLength",
        "request-field-removed POST /v1/jobs names",
        "request-field-required POST /v1/jobs department",
        "request-field-required POST /v1/jobs salary_band",
        "request-pattern-changed POST /v1/jobs title",
        "request-type-changed POST /v1/jobs headcount",
        "request-type-changed POST /v1/jobs salary_band",
    ]


def test_a_request_body_that_becomes_required_or_loses_its_media_type() -> None:
    def edit(document: dict[str, Any]) -> None:
        body = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
        document["paths"]["/v1/jobs/{job_id}"]["get"]["requestBody"] = body
        _jobs(document, "post")["requestBody"]["content"] = {"text/csv": {"schema": {"type": "string"}}}

    assert _changed(edit) == ["request-body-required GET /v1/jobs/{job_id}",
                              "request-media-type-removed POST /v1/jobs application/json"]


def test_a_new_date_format_on_input_is_another_type() -> None:
    def edit(document: dict[str, Any]) -> None:
        _schemas(document)["NewJob"]["properties"]["names"]["additionalProperties"]["format"] = "date"

    assert _changed(edit) == ["request-type-changed POST /v1/jobs names{}"]


# -- responses --------------------------------------------------------------------------------------------


def test_response_fields_removed_or_optional_through_pages_and_refs() -> None:
    def edit(document: dict[str, Any]) -> None:
        view = _schemas(document)["JobView"]
        del view["properties"]["title"]
        view["required"].remove("status")
        _schemas(document)["Member"]["properties"] = {"full_name": {"type": "string"}}

    assert _changed(edit) == [
        "response-field-optional GET /v1/jobs 200 items[].status",
        "response-field-optional GET /v1/jobs/{job_id} 200 status",
        "response-field-optional POST /v1/jobs 201 status",
        "response-field-removed GET /v1/jobs 200 items[].team[].name",
        "response-field-removed GET /v1/jobs 200 items[].title",
        "response-field-removed GET /v1/jobs/{job_id} 200 team[].name",
        "response-field-removed GET /v1/jobs/{job_id} 200 title",
        "response-field-removed POST /v1/jobs 201 team[].name",
        "response-field-removed POST /v1/jobs 201 title",
    ]


def test_a_bare_array_that_becomes_a_page_changes_the_body_type() -> None:
    released = _document()
    released["paths"]["/v1/jobs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/JobView"}}
    assert "response-type-changed GET /v1/jobs 200" in _keys(released, _document())


def test_response_types_that_change_or_become_nullable_or_change_format() -> None:
    def edit(document: dict[str, Any]) -> None:
        view = _schemas(document)["JobView"]["properties"]
        view["salary"] = {"type": "object", "properties": {"amount": {"type": "string"}}}
        view["title"] = {"oneOf": [{"type": "string"}, {"type": "null"}]}
        view["opened_on"]["format"] = "date-time"

    assert _changed(edit) == [
        f"response-type-changed {where}{field}"
        for where in ("GET /v1/jobs 200 items[].", "GET /v1/jobs/{job_id} 200 ", "POST /v1/jobs 201 ")
        for field in ("opened_on", "salary", "title")
    ]


def test_a_success_status_media_type_or_header_removed() -> None:
    def edit(document: dict[str, Any]) -> None:
        post = _jobs(document, "post")
        post["responses"]["200"] = post["responses"].pop("201")
        get = _jobs(document)["responses"]["200"]
        del get["content"]["text/csv"]
        get["headers"] = {}
        del _jobs(document)["responses"]["400"]  # an error no longer answered breaks no client

    assert _changed(edit) == ["response-header-removed GET /v1/jobs 200 ETag",
                              "response-media-type-removed GET /v1/jobs 200 text/csv",
                              "response-status-removed POST /v1/jobs 201"]


def test_output_enum_widened_is_additive_with_care_and_narrowed_is_fine() -> None:
    released = _document()
    current = copy.deepcopy(released)
    view = _schemas(current)["JobView"]["properties"]
    view["status"] = {"type": "string", "enum": ["open", "closed", "on_hold"]}
    assert _keys(released, current) == []
    changes = [c for c in contract_changes(released, current) if c.key.startswith("response")]
    assert all(not c.breaking for c in changes)
    assert "response-enum-value-added GET /v1/jobs/{job_id} 200 status on_hold" in {c.key for c in changes}

    view["status"] = {"type": "string", "enum": ["open"]}
    assert [c for c in contract_changes(released, current) if c.key.startswith("response")] == []


# -- additive changes -------------------------------------------------------------------------------------


def test_additive_changes_are_not_reported() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/v1/pay-runs"] = {"get": {"operationId": "listPayRuns", "responses": {}}}
        _jobs(document)["parameters"].append({"name": "updated_since", "in": "query", "required": False,
                                              "schema": {"type": "string", "format": "date-time"}})
        limit = _jobs(document)["parameters"][0]["schema"]
        limit["maximum"] = 500  # wider bounds on input
        new_job = _schemas(document)["NewJob"]["properties"]
        new_job["notes"] = {"type": "string"}  # a new optional input field
        new_job["headcount"]["type"] = "number"  # a wider input type
        del new_job["title"]["maxLength"]
        _schemas(document)["JobStatus"]["enum"].append("on_hold")  # a wider input enum (outputs: with care)
        view = _schemas(document)["JobView"]
        view["properties"]["department"] = {"type": "string"}  # a new output field
        view["required"].append("team")  # an output field always sent
        view["properties"]["salary"] = {"type": "string", "pattern": "^\\d+\\.\\d{2}$"}  # a narrower output
        _jobs(document)["responses"]["404"] = {"description": "missing"}  # a new answer
        _jobs(document)["responses"]["200"]["content"]["text/html"] = {"schema": {"type": "string"}}
        _jobs(document, "post")["summary"] = "Open a job"
        _schemas(document)["Money"] = {"type": "string"}

    assert _changed(edit) == []


def test_an_empty_response_schema_given_a_shape_is_not_breaking() -> None:
    released = _document()
    released["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {}
    assert _keys(released, _document()) == []
    assert _keys(_document(), released) == ["response-type-changed GET /v1/jobs/{job_id} 200"]


def test_recursive_schemas_end() -> None:
    def edit(document: dict[str, Any]) -> None:
        del _schemas(document)["JobView"]["properties"]["id"]

    assert "response-field-removed GET /v1/jobs/{job_id} 200 id" in _changed(edit)


# -- the changelog ----------------------------------------------------------------------------------------

CHANGELOG = """# Changelog

## Unreleased

### Breaking changes

- `operation-id-changed GET /v1/jobs listJobs`: operation ids are short names now.
- Pages everywhere: a list screen pages through any list the same way.
  - `response-type-changed GET /v1/interviews 200`
  - `response-type-changed GET /v1/vendors 200`: vendors too.
- `schema-removed Member`:
- `schema-removed JobStatus`: TODO

## 1.0 (2026-06-30)

- `operation-removed GET /v1/old`: gone before 1.0.
"""


def test_changelog_entries_take_their_own_reason_or_their_group_s() -> None:
    listed = {entry.key: (entry.reason, entry.release) for entry in listed_changes(CHANGELOG)}
    assert listed == {
        "operation-id-changed GET /v1/jobs listJobs": ("operation ids are short names now.", "Unreleased"),
        "response-type-changed GET /v1/interviews 200": (
            "Pages everywhere: a list screen pages through any list the same way.", "Unreleased"),
        "response-type-changed GET /v1/vendors 200": ("vendors too.", "Unreleased"),
        "schema-removed Member": ("", "Unreleased"),
        "schema-removed JobStatus": ("TODO", "Unreleased"),
        "operation-removed GET /v1/old": ("gone before 1.0.", "1.0"),
    }
    assert "operation-removed GET /v1/old" not in {e.key for e in accepted_since(CHANGELOG, "1.0")}
    assert "operation-removed GET /v1/old" in {e.key for e in accepted_since(CHANGELOG, "0.9")}


def test_a_review_names_unlisted_stale_and_unexplained_entries() -> None:
    released = _document()
    current = copy.deepcopy(released)
    _jobs(current)["operationId"] = "listJobs"
    _jobs(current, "post")["operationId"] = "createJob"
    del _schemas(current)["Member"]["properties"]["name"]
    found = review(released, current, CHANGELOG, "1.0")
    assert {c.key for c in found.unlisted} == {
        "operation-id-changed POST /v1/jobs createJob",
        "response-field-removed GET /v1/jobs 200 items[].team[].name",
        "response-field-removed GET /v1/jobs/{job_id} 200 team[].name",
        "response-field-removed POST /v1/jobs 201 team[].name",
    }
    assert {e.key for e in found.stale} == {"response-type-changed GET /v1/interviews 200",
                                            "response-type-changed GET /v1/vendors 200",
                                            "schema-removed Member", "schema-removed JobStatus"}
    assert {e.key for e in found.unexplained} == {"schema-removed Member", "schema-removed JobStatus"}
    assert not found.clean


def test_missing_changes_print_in_the_changelog_s_format_and_read_back() -> None:
    changes = [Change("schema-removed Member", "gone"), Change("operation-removed GET /v1/x", "gone"),
               Change("schema-removed JobStatus", "gone")]
    printed = "\n".join(["## Unreleased", *as_changelog(changes)])
    assert printed.splitlines()[1:] == [
        "- TODO: why, for partners (1 × operation-removed)",
        "  - `operation-removed GET /v1/x`",
        "- TODO: why, for partners (2 × schema-removed)",
        "  - `schema-removed Member`",
        "  - `schema-removed JobStatus`",
    ]
    listed = listed_changes(printed)
    assert [e.key for e in listed] == [c.key for c in sorted(changes, key=lambda c: c.kind)]
    assert all("TODO" in e.reason for e in listed)  # a reason still to write is refused by the review


def test_the_last_release_is_the_highest_version(tmp_path: Path) -> None:
    for name in ("openapi-1.0.json", "openapi-1.10.json", "openapi-1.9.json", "openapi-draft.json"):
        (tmp_path / name).write_text("{}")
    assert last_released(tmp_path) == ("1.10", tmp_path / "openapi-1.10.json")
    with pytest.raises(FileNotFoundError):
        last_released(tmp_path / "nowhere")


def test_written_entries_go_under_the_unreleased_breaking_changes() -> None:
    changelog = "# Changelog\n\n## Unreleased\n\n### Deprecated\n\nNone.\n\n### Breaking changes\n\nNone yet.\n\n" \
                "## 1.0 (2026-12-02)\n\nFirst.\n"
    lines = [*as_changelog([Change("schema-removed Member", "gone")])]
    written = with_entries(changelog, lines)
    assert written == ("# Changelog\n\n## Unreleased\n\n### Deprecated\n\nNone.\n\n### Breaking changes\n\n"
                       "- TODO: why, for partners (1 × schema-removed)\n  - `schema-removed Member`\n\n"
                       "## 1.0 (2026-12-02)\n\nFirst.\n")
    again = with_entries(written, [*as_changelog([Change("operation-removed GET /v1/x", "gone")])])
    assert [e.key for e in listed_changes(again)] == ["schema-removed Member", "operation-removed GET /v1/x"]
    fresh = with_entries("# Changelog\n\n## 1.0\n\nFirst.\n", lines)
    assert [(e.key, e.release) for e in listed_changes(fresh)] == [("schema-removed Member", "Unreleased")]
    assert fresh.index("## Unreleased") < fresh.index("## 1.0")
