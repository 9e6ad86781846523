"""Photos in GridFS, addressed by the digest of their cleaned bytes."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gridfs import AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.images import CleanImage
from shared.errors import ApiError
from shared.mongo import Document

logger = logging.getLogger(__name__)

BUCKET = "media"
CHUNK_BYTES = 255 * 1024


def media_id_for(sha256: str) -> str:
    """The id of a photo: its digest, shortened; identical photos share it."""
    return sha256[:32]


@dataclass(frozen=True)
class StoredMedia:
    """A stored photo as reports and events refer to it."""

    media_id: str
    sha256: str
    content_type: str
    size: int


class MediaStore:
    """The ``media`` GridFS bucket: a files document appears only after all chunks."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.bucket = AsyncGridFSBucket(
            db, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES
        )
        self.files = db[f"{BUCKET}.files"]
        self.chunks = db[f"{BUCKET}.chunks"]

    async def prepare(self) -> None:
        """The index GridFS readers and our duplicate detection rely on."""
        await self.chunks.create_index([("files_id", 1), ("n", 1)], unique=True)

    async def put(self, image: CleanImage, uploaded_by: str) -> tuple[StoredMedia, bool]:
        """Store a cleaned photo once; answer it and whether it is new."""
        sha = image.sha256
        media = StoredMedia(media_id_for(sha), sha, image.content_type, len(image.data))
        if await self.files.find_one({"_id": media.media_id}, {"_id": 1}):
            return media, False

        metadata = {
            "sha256": sha,
            "content_type": image.content_type,
            "width": image.width,
            "height": image.height,
            "uploaded_by": uploaded_by,
            "uploaded_at": datetime.now(UTC),
        }
        try:
            await self.bucket.upload_from_stream_with_id(
                media.media_id, media.media_id, image.data, metadata=metadata
            )
        except DuplicateKeyError:
            return media, await self._settle_race(media.media_id, image, metadata)
        logger.info("photo %s stored (%d bytes)", media.media_id, media.size)
        return media, True

    async def _settle_race(
        self, media_id: str, image: CleanImage, metadata: dict[str, Any]
    ) -> bool:
        """Another upload of the same photo is under way, or one died half-way."""
        for _ in range(20):
            if await self.files.find_one({"_id": media_id}, {"_id": 1}):
                return False
            await asyncio.sleep(0.1)

        # Chunks without a files document: a writer died; its chunks are ours to replace.
        await self.chunks.delete_many({"files_id": media_id})
        await self.bucket.upload_from_stream_with_id(
            media_id, media_id, image.data, metadata=metadata
        )
        return True

    async def describe(self, media_ids: list[str]) -> dict[str, str]:
        """The digest of each known id; an unknown one is refused naming ``media_ids``."""
        if not media_ids:
            return {}

        found = {
            doc["_id"]: doc["metadata"]["sha256"]
            async for doc in self.files.find(
                {"_id": {"$in": media_ids}}, {"metadata.sha256": 1}
            )
        }
        missing = [media_id for media_id in media_ids if media_id not in found]
        if missing:
            raise ApiError(
                422,
                "unknown_media",
                f"no uploaded photo {', '.join(missing)}; POST /v1/media first",
                field="media_ids",
            )
        return {media_id: found[media_id] for media_id in media_ids}

    async def read(self, media_id: str) -> tuple[bytes, str] | None:
        """A photo's bytes and content type."""
        try:
            stream = await self.bucket.open_download_stream(media_id)
        except NoFile:
            return None
        data = await stream.read()
        metadata = stream.metadata or {}
        return data, str(metadata.get("content_type", "application/octet-stream"))
