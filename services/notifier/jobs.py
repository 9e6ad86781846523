"""Delivery jobs in MongoDB: written before the Kafka offset is committed, drained later.

A job's id is its delivery id, so inserting the same notification twice is a
duplicate key and nothing more. Workers claim a job by writing a fresh claim
token and a lease; a notifier killed mid-send leaves the lease to expire, and the
job is claimed again and sent under the same delivery id.

Finished jobs leave ``notify_jobs`` for ``notify_done`` (a small record under
the same id): FerretDB v1 scans a whole collection for anything but an ``_id``
lookup, so the queue the workers poll must hold only live work. A finished
job's record is written before the job is deleted, and a new job is checked
against the records after it is inserted, so a notification finished a moment
ago cannot slip in again between the two.
"""

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts import event_id_for
from shared.mongo import Document

logger = logging.getLogger(__name__)

QUEUED = "queued"
GROUPED = "grouped"
SENDING = "sending"
SENT = "sent"
DEAD = "dead"
DIGESTED = "digested"


class JobStore:
    """The ``notify_jobs`` queue and the ``notify_deliveries`` attempt log."""

    def __init__(self, db: AsyncDatabase[Document], write_concurrency: int = 2) -> None:
        # FerretDB on SQLite answers concurrent writers with "database is locked";
        # queueing them here turns that into a short wait.
        self.writing = asyncio.Semaphore(write_concurrency)
        self.jobs = db["notify_jobs"]
        self.done = db["notify_done"]
        self.log = db["notify_deliveries"]

    async def prepare(self) -> None:
        """Create the indexes the workers and the log queries use."""
        await self.jobs.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        await self.jobs.create_index([("group_key", ASCENDING)])
        await self.log.create_index([("at", DESCENDING)])
        await self.log.create_index([("case_id", ASCENDING)])
        await self.log.create_index([("delivery_id", ASCENDING)])

    async def enqueue(self, job: Document) -> bool:
        """Store a job; False when the same delivery is already stored."""
        async with self.writing:
            return await self._enqueue(job)

    async def _enqueue(self, job: Document) -> bool:
        try:
            await self.jobs.insert_one(job)
        except DuplicateKeyError:
            return False
        if await self.done.find_one({"_id": job["_id"]}, {"_id": 1}) is not None:
            await self.jobs.delete_one({"_id": job["_id"], "claim": None})
            return False
        return True

    async def due(self, now: datetime, busy: list[str], limit: int) -> list[Document]:
        """Jobs ready to send, emergencies first, skipping endpoints already at capacity."""
        ready: dict[str, Any] = {
            "$or": [
                {"status": QUEUED, "due_at": {"$lte": now}},
                {"status": SENDING, "lease_until": {"$lte": now}},
            ]
        }
        if busy:
            ready = {"$and": [ready, {"endpoint": {"$nin": busy}}]}
        cursor = self.jobs.find(ready).sort(
            [("priority", ASCENDING), ("due_at", ASCENDING)]
        )
        return await cursor.limit(limit).to_list()

    async def claim(self, job: Document, lease_until: datetime) -> Document | None:
        """Take a job for one attempt; None when another worker took it first."""
        async with self.writing:
            return await self._claim(job, lease_until)

    async def _claim(self, job: Document, lease_until: datetime) -> Document | None:
        return await self.jobs.find_one_and_update(
            {"_id": job["_id"], "status": job["status"], "claim": job.get("claim")},
            {"$set": {"status": SENDING, "lease_until": lease_until, "claim": _token()}},
            return_document=ReturnDocument.AFTER,
        )

    async def finish(self, job: Document, changes: Document) -> bool:
        """Record an attempt's outcome unless the claim was lost meanwhile."""
        async with self.writing:
            return await self._finish(job, changes)

    async def _finish(self, job: Document, changes: Document) -> bool:
        result = await self.jobs.update_one(
            {"_id": job["_id"], "claim": job["claim"]}, {"$set": changes}
        )
        return result.modified_count == 1

    async def complete(self, job: Document, status: str, changes: Document) -> bool:
        """Retire a sent or dead job; False when the claim was lost meanwhile."""
        async with self.writing:
            return await self._complete(job, status, changes)

    async def _complete(self, job: Document, status: str, changes: Document) -> bool:
        record = {"status": status, "finished_at": utcnow(), **changes}
        if "items" in job:
            record["items"] = job["items"]
        await self.done.update_one({"_id": job["_id"]}, {"$set": record}, upsert=True)
        result = await self.jobs.delete_one({"_id": job["_id"], "claim": job["claim"]})
        return result.deleted_count == 1

    async def record_attempt(self, entry: Document) -> None:
        """Append one attempt to the delivery log."""
        async with self.writing:
            return await self._record_attempt(entry)

    async def _record_attempt(self, entry: Document) -> None:
        await self.log.insert_one(entry)

    async def closed_windows(self, cutoff: datetime) -> set[str]:
        """Group keys whose digest window ended before ``cutoff`` and still hold items."""
        cursor = self.jobs.find(
            {"status": GROUPED, "window_end": {"$lte": cutoff}}, {"group_key": 1}
        )
        return {doc["group_key"] async for doc in cursor}

    async def gather(self, group_key: str) -> tuple[int, list[Document]]:
        """Mark items of finished digests, then return the digest count and items left."""
        sequence = 0
        while True:
            known = digest_id(group_key, sequence)
            digest = await self.jobs.find_one({"_id": known}, {"items": 1})
            digest = digest or await self.done.find_one({"_id": known}, {"items": 1})
            if digest is None:
                break
            await self._mark_digested(digest.get("items", []), known)
            sequence += 1
        left = self.jobs.find({"status": GROUPED, "group_key": group_key})
        return sequence, await left.sort("created_at", ASCENDING).to_list()

    async def add_digest(self, digest: Document) -> None:
        """Store a digest job and mark its items as carried by it."""
        await self.enqueue(digest)
        await self._mark_digested(digest["items"], str(digest["_id"]))

    async def _mark_digested(self, items: list[str], carrier: str) -> None:
        for item in items:
            await self.done.update_one(
                {"_id": item},
                {
                    "$set": {
                        "status": DIGESTED,
                        "digest_id": carrier,
                        "finished_at": utcnow(),
                    }
                },
                upsert=True,
            )
        if items:
            await self.jobs.delete_many({"_id": {"$in": items}, "status": GROUPED})

    async def deliveries(self, filters: Document, limit: int) -> list[Document]:
        """The newest attempts matching ``filters``."""
        cursor = self.log.find(filters, {"_id": 0}).sort("at", DESCENDING).limit(limit)
        return await cursor.to_list()


def digest_id(group_key: str, sequence: int) -> str:
    """The id of the n-th digest of a window, the same however often it is rebuilt."""
    return str(event_id_for("digest", group_key, str(sequence)))


def lease_end(now: datetime, lease_s: float) -> datetime:
    """When a claim taken now runs out."""
    return now + timedelta(seconds=lease_s)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def _token() -> str:
    return uuid.uuid4().hex
