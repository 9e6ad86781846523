"""The registry's source of truth: one MongoDB document per entity, owned by the router.

Each document carries its kind, code, the entity as a JSON string (FerretDB v1 stores
no nested arrays, and polygons are arrays of arrays), a ``deleted`` flag (a deleted
entity stays, so its deletion can still be published), a revision and a
``published`` flag that the relay sets only for the revision it published.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared.mongo import Document
from shared.registry.records import Records

logger = logging.getLogger(__name__)


SEEDED = "meta/seeded"
DUPLICATE_KEY = 11000


def _key(kind: str, code: str) -> str:
    return f"{kind}/{code}"


def value_of(doc: Document) -> dict[str, Any] | None:
    """The entity a document holds, or None if it was deleted."""
    if doc.get("deleted") or doc.get("json") is None:
        return None
    value: dict[str, Any] = json.loads(doc["json"])
    return value


def _encoded(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class RegistryStore:
    """The ``registry`` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.entities = db["registry"]

    async def prepare(self) -> None:
        """Indexes for listing a kind and for the relay."""
        await self.entities.create_index([("kind", 1), ("code", 1)])
        await self.entities.create_index("published")

    async def seed(self, records: Records) -> int:
        """Store ``records`` unless seeding finished before; how many were stored.

        A seed interrupted half-way is completed on the next start: the marker is
        written last, and records already there are left as they are.
        """
        if await self.entities.find_one({"_id": SEEDED}) is not None:
            return 0

        now = datetime.now(UTC)
        documents = [
            {
                "_id": _key(kind, code),
                "kind": kind,
                "code": code,
                "json": _encoded(value),
                "deleted": False,
                "revision": 1,
                "published": False,
                "updated_at": now,
            }
            for kind, values in records.items()
            for code, value in values.items()
        ]
        stored = len(documents)
        try:
            await self.entities.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            if any(error["code"] != DUPLICATE_KEY for error in exc.details["writeErrors"]):
                raise
            stored -= len(exc.details["writeErrors"])

        await self.entities.insert_one({"_id": SEEDED, "kind": "meta", "deleted": True})
        logger.info("registry seeded with %d demo records", stored)
        return stored

    async def records(self) -> Records:
        """Every live entity, by kind and code."""
        found: Records = {}
        async for doc in self.entities.find({"deleted": False}):
            found.setdefault(doc["kind"], {})[doc["code"]] = json.loads(doc["json"])
        return found

    async def get(self, kind: str, code: str) -> Document | None:
        """One live entity's document."""
        return await self.entities.find_one({"_id": _key(kind, code), "deleted": False})

    async def codes(self, kind: str) -> list[str]:
        """The codes of one kind's live entities, sorted."""
        cursor = self.entities.find({"kind": kind, "deleted": False}, {"code": 1})
        return sorted([doc["code"] async for doc in cursor])

    async def write(self, kind: str, code: str, value: dict[str, Any] | None) -> Document:
        """Store a new value (None deletes), to be published; the stored document."""
        doc = await self.entities.find_one_and_update(
            {"_id": _key(kind, code)},
            {
                "$set": {
                    "kind": kind,
                    "code": code,
                    "json": _encoded(value),
                    "deleted": value is None,
                    "published": False,
                    "updated_at": datetime.now(UTC),
                },
                "$inc": {"revision": 1},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None, "an upsert returning the new document finds one"
        return doc

    async def unpublished(self, limit: int = 500) -> list[Document]:
        """Documents whose current revision is not yet on Kafka."""
        cursor = self.entities.find({"published": False}, limit=limit)
        return [doc async for doc in cursor]

    async def everything(self) -> list[Document]:
        """Every document, deleted ones included, to republish at start-up."""
        return [doc async for doc in self.entities.find({"kind": {"$ne": "meta"}})]

    async def mark_published(self, doc: Document) -> None:
        """Clear the flag, unless the entity changed again meanwhile."""
        await self.entities.update_one(
            {"_id": doc["_id"], "revision": doc["revision"]}, {"$set": {"published": True}}
        )
