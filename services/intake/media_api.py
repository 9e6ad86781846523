"""Photo upload and download: clean once, store once, refer to by id."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from services.intake.access import Gate
from services.intake.images import clean
from services.intake.media_store import MediaStore
from services.intake.models import MediaStored
from services.intake.settings import IntakeSettings
from shared.auth import Principal
from shared.errors import ApiError

logger = logging.getLogger(__name__)

READ_CHUNK = 256 * 1024
FORM_OVERHEAD = 64 * 1024

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


async def _read_capped(upload: UploadFile, limit: int) -> bytes:
    """The uploaded bytes, refused with 413 as soon as they pass ``limit``."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"a photo may be {limit} bytes", field="file")
        parts.append(chunk)
    return b"".join(parts)


def build_media_router(
    media: MediaStore, gate: Gate, settings: IntakeSettings
) -> APIRouter:
    """The photo routes, bound to one store."""
    router = APIRouter(prefix="/v1")
    limit = settings.max_photo_bytes

    @router.post(
        "/media",
        status_code=201,
        response_model=MediaStored,
        openapi_extra=UPLOAD_BODY,
        responses={
            200: {"description": "the same photo was stored before", "model": MediaStored},
            413: {"description": "too many bytes or pixels"},
            415: {"description": "not a JPEG, PNG or WebP image"},
            422: {"description": "no file field, or an image that cannot be decoded"},
            429: {"description": "too many uploads from this address"},
        },
    )
    async def upload_media(
        request: Request,
        response: Response,
        caller: Annotated[Principal, Depends(gate.writer)],
    ) -> MediaStored:
        """Store one photo, re-encoded without metadata; 201 when new, 200 when known."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
            raise ApiError(413, "too_large", f"a photo may be {limit} bytes", field="file")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise ApiError(
                415,
                "unsupported_media_type",
                "send the photo as multipart/form-data in the field file",
                field="file",
            )

        try:
            form = await request.form(max_files=1, max_fields=4)
        except Exception as exc:
            raise ApiError(
                422, "invalid_field", "the form cannot be read", field="file"
            ) from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid_field", "the form has no file", field="file")

        try:
            data = await _read_capped(upload, limit)
        finally:
            await form.close()
        image = await run_in_threadpool(clean, data, settings.max_photo_pixels)
        stored, created = await media.put(image, caller.sub)
        response.status_code = 201 if created else 200
        return MediaStored(
            media_id=stored.media_id,
            sha256=stored.sha256,
            content_type=stored.content_type,
            size=stored.size,
        )

    @router.get(
        "/media/{media_id}",
        response_class=Response,
        responses={
            200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
            401: {"description": "credential missing"},
            403: {"description": "residents cannot read photos"},
            404: {"description": "no such photo"},
        },
    )
    async def download_media(
        media_id: str, _: Annotated[Principal, Depends(gate.reader)]
    ) -> Response:
        """A stored photo, to staff with a credential."""
        found = await media.read(media_id)
        if found is None:
            raise ApiError(404, "unknown_media", f"no photo {media_id}", field="media_id")
        data, content_type = found
        return Response(
            data,
            media_type=content_type,
            headers={"Cache-Control": "private, max-age=86400"},
        )

    return router
