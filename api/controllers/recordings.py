"""Interview recordings and attachments: streamed upload, audited streamed download."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from api.guards import Caller, requires
from api.http import Cursor, Limit, created
from api.openapi import raw_answer, raw_body
from api.uploads import UPLOAD_RESPONSES, upload_body
from domain.kernel.pagination import Page
from domain.kernel.permissions import Operation
from domain.recordings import service
from domain.recordings.service import RecordingView

#: The route accepts up to this; the configured MERIDIAN_MAX_UPLOAD_BYTES is enforced while streaming.
#: What ``domain.recordings.service.ALLOWED_TYPES`` accepts, as the API document lists it.
RECORDING_MEDIA_TYPES = ("audio/*", "video/*", "application/pdf", "text/plain")
ROUTE_BODY_LIMIT = 16 * 1024**3

Filename = Annotated[str, QueryParameter(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$",
                                         description="The file's name, shown on download")]


class ApplicationRecordingController(Controller):
    path = "/v1/applications/{application_id:uuid}/recordings"
    tags = ["Recruitment"]

    @post("/", operation_id="uploadRecording",
          opt={**requires(Operation.RECORDINGS_WRITE), **raw_body(*RECORDING_MEDIA_TYPES)},
          request_max_body_size=ROUTE_BODY_LIMIT,
          responses=UPLOAD_RESPONSES,
          summary="Upload a recording or attachment as the raw request body (audio, video, PDF or text), "
                  "streamed and encrypted at rest")
    async def upload(self, request: Request[Any, Any, Any], principal: Caller, application_id: FromPath[UUID],
                     filename: Filename) -> Response[RecordingView]:
        settings = request.app.state.settings
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        recording = await service.upload(principal, application_id, filename, content_type, upload_body(request),
                                         settings.max_upload_bytes)
        return created(recording, f"/v1/recordings/{recording.id}/content")

    @get("/", operation_id="listRecordings",
         opt=requires(Operation.RECORDINGS_READ),
         summary="The application's recordings and attachments, in the order uploaded")
    async def list(self, principal: Caller, application_id: FromPath[UUID], limit: Limit = 50,
                   cursor: Cursor = None) -> Page[RecordingView]:
        return await service.list_recordings(principal, application_id, cursor, limit)


class RecordingController(Controller):
    path = "/v1/recordings"
    tags = ["Recruitment"]

    @get("/{recording_id:uuid}/content", operation_id="downloadRecording",
         opt={**requires(Operation.RECORDINGS_READ), **raw_answer(*RECORDING_MEDIA_TYPES)},
         summary="Download a recording (audited)")
    async def download(self, principal: Caller, recording_id: FromPath[UUID]) -> Stream:
        recording, content = await service.open_for_download(principal, recording_id)
        disposition = f"attachment; filename*=UTF-8''{quote(recording.filename)}"
        return Stream(content, media_type=recording.content_type,
                      headers={"Content-Disposition": disposition, "Content-Length": str(recording.size)})
