"""Streamed uploads that do not finish: a client that goes away mid-upload is an abort on its side (logged at
info, no 500, no traceback), an upload past MERIDIAN_MAX_UPLOAD_BYTES is a 413 problem, and neither leaves any
part of the object behind."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from tests.conftest import bearer
from tests.integration.test_recruitment import new_candidate, new_job

pytestmark = pytest.mark.anyio
#: Larger than one sealed chunk of the store (64 KiB), so part of the object is on disk when the upload stops.
PIECE = b"\x00recording\xff" * 7_000


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def meridian_log() -> Iterator[list[logging.LogRecord]]:
    """Everything the server logs meanwhile, at every level."""
    logger, handler = logging.getLogger("meridian"), Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
async def upload(client: Any, tenant_a: Any, token_for: Any) -> dict[str, str]:
    """A recruiter's token and the recordings address of a fresh application."""
    admin = await token_for(tenant_a, "tenant_admin", subject="upload-admin")
    recruiter = await token_for(tenant_a, "recruiter", subject="upload-recruiter")
    entity = (await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Uploads Co {uuid.uuid4().hex[:12]}", "country": "CN", "currency": "CNY",
        "timezone": "Asia/Shanghai"})).json()["id"]
    job = await new_job(client, recruiter, entity)
    candidate = (await new_candidate(client, recruiter)).json()
    application = (await client.post("/v1/applications", headers=bearer(recruiter),
                                      json={"candidate_id": candidate["id"], "job_id": job["id"]})).json()
    return {"token": recruiter, "path": f"/v1/applications/{application['id']}/recordings"}


def object_files(settings: Any) -> set[Path]:
    """Every file of the object store, the hidden temporary files of writes in progress included."""
    return {path for path in (Path(settings.data_dir) / "objects").rglob("*") if path.is_file()}


async def test_a_client_that_disconnects_mid_upload_is_an_abort_that_leaves_nothing(
        app: Any, client: Any, settings: Any, upload: dict[str, str], meridian_log: list[logging.LogRecord]) -> None:
    before = object_files(settings)
    # What the server hands the app when the connection drops: part of the body, then http.disconnect.
    messages = iter([{"type": "http.request", "body": PIECE, "more_body": True}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "POST", "scheme": "http", "path": upload["path"], "raw_path": upload["path"].encode(),
        "query_string": b"filename=cut.webm", "root_path": "", "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80), "headers": [
            (b"host", b"testserver"), (b"authorization", f"Bearer {upload['token']}".encode()),
            (b"content-type", b"video/webm"), (b"content-length", str(len(PIECE) * 3).encode())],
    }, receive, send)

    statuses = [m["status"] for m in sent if m["type"] == "http.response.start"]
    assert statuses and statuses[0] != 500
    assert not [r for r in meridian_log if r.levelno >= logging.WARNING or r.exc_info], \
        [r.getMessage() for r in meridian_log]
    assert any(r.name == "meridian.uploads" and r.levelno == logging.INFO for r in meridian_log)
    assert [getattr(r, "status", None) for r in meridian_log if r.name == "meridian.access"] == [statuses[0]]
    assert object_files(settings) == before
    listed = await client.get(upload["path"], headers=bearer(upload["token"]))
    assert listed.status_code == 200 and listed.json() == {"items": [], "next_cursor": None}


async def test_an_upload_past_the_limit_is_a_413_problem_that_leaves_nothing(
        settings: Any, upload: dict[str, str], client: Any) -> None:
    from api.app import create_app

    # The suite's installation with a limit of two and a half pieces: the third piece passes it.
    limited = create_app(msgspec.structs.replace(settings, max_upload_bytes=len(PIECE) * 5 // 2))
    before = object_files(settings)

    async def three_pieces() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield PIECE

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://testserver") as to:
        refused = await to.post(f"{upload['path']}?filename=long.webm", content=three_pieces(),
                                headers=bearer(upload["token"], **{"Content-Type": "video/webm",
                                                                   "Accept-Language": "ja"}))
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["status"]) == ("upload_too_large", 413)
    assert str(len(PIECE) * 5 // 2) in problem["detail"] and problem["detail"] != problem["title"]
    assert object_files(settings) == before
    assert (await client.get(upload["path"], headers=bearer(upload["token"]))).json()["items"] == []


async def test_the_upload_operations_document_their_413(app: Any) -> None:
    paths = app.openapi_schema.to_schema()["paths"]
    for path, method in [("/v1/applications/{application_id}/recordings", "post"),
                         ("/v1/law-versions/{version_id}/document", "put")]:
        answer = paths[path][method]["responses"]["413"]
        assert "upload_too_large" in answer["description"]
        assert "application/problem+json" in answer["content"]
